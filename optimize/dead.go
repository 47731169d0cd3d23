package optimize

import (
	"github.com/nftopt/nftopt/ir"
)

// deadRules removes rules no packet can reach: rules after an
// unconditional terminal verdict, and rules whose matches include all
// the matches of an earlier rule that ends in a terminal verdict (with
// nothing in between that writes to the packet).
var deadRules = Pass{
	Name: "dead",
	Doc:  "remove rules that no packet can reach: after an unconditional verdict, or shadowed by an earlier rule",
	Run: func(c *Context) error {
		c.eachChain(func(t *ir.Table, ch *ir.Chain) {
			var keep []*ir.Rule
			// shadows are earlier terminal rules made of matches only: their
			// match keys.
			var shadows []map[string]bool
			var shadowRules []*ir.Rule
			for i, r := range ch.Rules {
				if r.Insert {
					keep = append(keep, r)
					shadows = nil
					continue
				}
				if noEffect(r) {
					c.record("dead", t, ch, []*ir.Rule{r}, nil, "has no effect: it only matches")
					continue
				}
				if by := shadowedBy(r, shadows); by >= 0 {
					c.record("dead", t, ch, []*ir.Rule{r}, nil, "never reached: every packet it matches is ended by %s", describeRule(shadowRules[by]))
					continue
				}
				keep = append(keep, r)
				if writes(r) {
					shadows, shadowRules = nil, nil
					continue
				}
				if m, ok := terminalGuard(r); ok {
					if len(m) == 0 {
						// Unconditional: nothing after it runs.
						for _, d := range ch.Rules[i+1:] {
							c.record("dead", t, ch, []*ir.Rule{d}, nil, "never reached: %s ends every packet before it", describeRule(r))
						}
						break
					}
					shadows = append(shadows, m)
					shadowRules = append(shadowRules, r)
				}
			}
			ch.Rules = keep
		})
		return nil
	},
}

// terminalGuard returns the match keys of a rule made only of matches
// and a verdict that ends evaluation of the chain for every packet it
// matches (accept, drop, reject, goto, return).
func terminalGuard(r *ir.Rule) (map[string]bool, bool) {
	if len(r.Stmts) == 0 {
		return nil, false
	}
	m := map[string]bool{}
	for i, s := range r.Stmts {
		last := i == len(r.Stmts)-1
		switch x := s.(type) {
		case *ir.Match:
			if last {
				return nil, false
			}
			m[ir.StmtKey(x)] = true
		case *ir.VerdictStmt:
			if !last || x.Vmap != nil {
				return nil, false
			}
			switch x.Verdict.Kind {
			case "accept", "drop", "goto", "return":
			default:
				return nil, false
			}
		case *ir.Reject:
			if !last {
				return nil, false
			}
		default:
			return nil, false
		}
	}
	return m, true
}

// shadowedBy returns the index of an earlier terminal rule whose matches
// are all among r's leading matches, or -1.
func shadowedBy(r *ir.Rule, shadows []map[string]bool) int {
	if len(shadows) == 0 {
		return -1
	}
	have := map[string]bool{}
	for _, s := range r.Stmts {
		m, ok := s.(*ir.Match)
		if !ok {
			break
		}
		have[ir.StmtKey(m)] = true
	}
	for i, sh := range shadows {
		all := true
		for k := range sh {
			if !have[k] {
				all = false
				break
			}
		}
		if all {
			return i
		}
	}
	return -1
}

// writes reports whether a rule changes the packet or its metadata, so
// that later matches may see other values than earlier ones.
func writes(r *ir.Rule) bool {
	for _, s := range r.Stmts {
		switch s.(type) {
		case *ir.Mangle, *ir.Nat, *ir.Generic:
			return true
		case *ir.VerdictStmt:
			// A jump may run rules that write.
			v := s.(*ir.VerdictStmt)
			if v.Vmap != nil || v.Verdict.Kind == "jump" {
				return true
			}
		}
	}
	return false
}

// describeRule names a rule by its source position.
func describeRule(r *ir.Rule) string {
	if r.Span.Start.IsValid() {
		return "the rule at " + r.Span.Start.String()
	}
	return "an earlier rule"
}

// noEffect reports a rule made only of matches: it changes nothing and
// decides nothing, whatever the packet.
func noEffect(r *ir.Rule) bool {
	for _, s := range r.Stmts {
		if _, ok := s.(*ir.Match); !ok {
			return false
		}
	}
	return true
}
