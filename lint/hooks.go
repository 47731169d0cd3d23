package lint

import (
	"fmt"
	"sort"

	"github.com/nftopt/nftopt/emit/nft"
	"github.com/nftopt/nftopt/ir"
	"github.com/nftopt/nftopt/ir/equiv"
)

// hookFindings looks at hooks with more than one base chain: an accept
// in one of them decides nothing when no packet reaches it (NFT041) or
// when another base chain drops every packet it accepts (NFT040). Both
// are decided by ir/equiv: a rule is reached when adding a log
// statement to it changes some packet's effects, and its accept is
// overridden when turning it into drop changes no packet's outcome.
// Rules in dead (already reported) are skipped.
func hookFindings(rs *ir.Ruleset, opts Options, dead map[ir.Pos]bool) []Finding {
	var out []Finding
	hooks := multiBaseHooks(rs)
	var names []string
	for h := range hooks {
		names = append(names, h)
	}
	sort.Strings(names)
	for _, hook := range names {
		checks := 0
		undecided := false
		for _, hc := range hooks[hook] {
			for i, r := range hc.chain.Rules {
				if !plainAccept(r) || dead[rulePos(r)] {
					continue
				}
				if checks >= opts.MaxChecks {
					out = append(out, Finding{Check: NotAnalyzed, Pos: rulePos(r),
						Message: fmt.Sprintf("hook %s: more than %d accepts in base chains that share the hook; the rest are not checked against the other base chains", hook, opts.MaxChecks)})
					break
				}
				checks++
				if f, ok := hookFinding(rs, hook, hc, i, &undecided); ok {
					out = append(out, f)
				}
			}
			if checks >= opts.MaxChecks {
				break
			}
		}
		if undecided {
			out = append(out, Finding{Check: NotAnalyzed, Pos: firstPos(rs),
				Message: fmt.Sprintf("hook %s: some accepts could not be checked against the other base chains (the check gave up past %d packet classes, or met a construct it does not model)", hook, maxHookClasses)})
		}
	}
	return out
}

func hookFinding(rs *ir.Ruleset, hook string, hc hookChain, i int, undecided *bool) (Finding, bool) {
	r := hc.chain.Rules[i]
	same := func(nr *ir.Rule) bool {
		res := equiv.Check(rs, withRule(rs, hc.chain, i, nr), equiv.Options{Hooks: []string{hook}, MaxClasses: maxHookClasses})
		*undecided = *undecided || len(res.Unknown) > 0
		return res.Equivalent
	}
	p := nft.PrintRule(r, hc.table.Family, nft.Options{})
	if same(withProbe(r)) {
		return Finding{Check: Unreached, Pos: rulePos(r),
			Message: fmt.Sprintf("rule %q is never reached: no packet gets to it at hook %s (base chains that run first, or earlier rules, end every packet it matches)", p, hook),
			Fix:     "remove the rule, or accept these packets where they are decided"}, true
	}
	if same(acceptToDrop(r)) {
		return Finding{Check: AcceptOverridden, Pos: rulePos(r),
			Message: fmt.Sprintf("rule %q accepts packets that a later base chain on hook %s drops: the accept lets nothing through", p, hook),
			Fix:     "accept these packets in the later base chain too, or drop them here"}, true
	}
	return Finding{}, false
}

// withProbe adds a log statement after the rule's leading matches: a
// side effect that shows whether any packet matches them.
func withProbe(r *ir.Rule) *ir.Rule {
	nr := *r
	probe := &ir.Log{Prefix: &ir.Const{Type: ir.TypeString, Str: "nftopt-probe", Quoted: true}}
	i := 0
	for i < len(r.Stmts) {
		if _, ok := r.Stmts[i].(*ir.Match); !ok {
			break
		}
		i++
	}
	nr.Stmts = append(append(append([]ir.Stmt(nil), r.Stmts[:i]...), probe), r.Stmts[i:]...)
	return &nr
}

// maxHookClasses bounds each equivalence check of the cross-chain
// checks: past it the check is undecided and the rule not reported.
const maxHookClasses = 20000

type hookChain struct {
	table *ir.Table
	chain *ir.Chain
	// first is true for the first base chain (in table order) on its
	// hook.
	first bool
}

// multiBaseHooks groups the base chains of the netfilter families
// (ip, ip6, inet) by hook, keeping hooks with two or more.
func multiBaseHooks(rs *ir.Ruleset) map[string][]hookChain {
	all := map[string][]hookChain{}
	for _, t := range rs.Tables {
		switch t.Family {
		case ir.FamilyIP, ir.FamilyIP6, ir.FamilyInet:
		default:
			continue
		}
		for _, c := range t.Chains {
			if c.Base != nil {
				all[c.Base.Hook] = append(all[c.Base.Hook], hookChain{table: t, chain: c, first: len(all[c.Base.Hook]) == 0})
			}
		}
	}
	for h, cs := range all {
		if len(cs) < 2 {
			delete(all, h)
		}
	}
	return all
}

// plainAccept reports a rule whose only verdict is a plain accept.
func plainAccept(r *ir.Rule) bool {
	for _, s := range r.Stmts {
		if v, ok := s.(*ir.VerdictStmt); ok && v.Vmap == nil && v.Verdict != nil && v.Verdict.Kind == "accept" {
			return true
		}
	}
	return false
}

func acceptToDrop(r *ir.Rule) *ir.Rule {
	nr := *r
	nr.Stmts = nil
	for _, s := range r.Stmts {
		if v, ok := s.(*ir.VerdictStmt); ok && v.Vmap == nil && v.Verdict != nil && v.Verdict.Kind == "accept" {
			s = &ir.VerdictStmt{Node: v.Node, Verdict: &ir.Verdict{Node: v.Verdict.Node, Kind: "drop"}}
		}
		nr.Stmts = append(nr.Stmts, s)
	}
	return &nr
}

// withRule copies rs with rule i of chain c replaced by r (removed
// when r is nil).
func withRule(rs *ir.Ruleset, c *ir.Chain, i int, r *ir.Rule) *ir.Ruleset {
	return rs.MapChains(func(_ *ir.Table, ch *ir.Chain) *ir.Chain {
		if ch != c {
			return ch
		}
		nc := *ch
		nc.Rules = append([]*ir.Rule(nil), ch.Rules[:i]...)
		if r != nil {
			nc.Rules = append(nc.Rules, r)
		}
		nc.Rules = append(nc.Rules, ch.Rules[i+1:]...)
		return &nc
	})
}
