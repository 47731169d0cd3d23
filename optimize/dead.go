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
			// match keys, indexed by their smallest key.
			var shadows shadowIndex
			for i, r := range ch.Rules {
				if r.Insert {
					keep = append(keep, r)
					shadows = shadowIndex{}
					continue
				}
				if noEffect(r) {
					c.record(Change{Pass: "dead", Kind: NoEffect, Table: t, Chain: ch, Sources: []*ir.Rule{r}}, "has no effect: it only matches")
					continue
				}
				if by := shadows.coveredBy(r); by != nil {
					c.record(Change{Pass: "dead", Kind: Shadowed, Table: t, Chain: ch, Sources: []*ir.Rule{r}, Cause: by}, "never reached: every packet it matches is ended by %s", describeRule(by))
					continue
				}
				keep = append(keep, r)
				if writes(r) {
					shadows = shadowIndex{}
					continue
				}
				if m, ok := terminalGuard(r); ok {
					if len(m) == 0 {
						// Unconditional: nothing after it runs.
						for _, d := range ch.Rules[i+1:] {
							c.record(Change{Pass: "dead", Kind: AfterVerdict, Table: t, Chain: ch, Sources: []*ir.Rule{d}, Cause: r}, "never reached: %s ends every packet before it", describeRule(r))
						}
						break
					}
					shadows.add(m, r)
				}
			}
			ch.Rules = keep
		})
		return nil
	},
}

// terminalGuard returns the match keys of a rule made only of matches
// and a verdict that ends evaluation of the chain for every packet it
// matches (accept, drop, reject, goto, return). A rule that draws a
// number matches a packet only sometimes: it has none.
func terminalGuard(r *ir.Rule) (map[string]bool, bool) {
	if len(r.Stmts) == 0 || drawsNumber(r) {
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

// shadowIndex holds earlier terminal rules by the smallest of their
// match keys, so that a rule is checked only against the rules it could
// be covered by.
type shadowIndex struct {
	byKey map[string][]shadow
}

type shadow struct {
	keys map[string]bool
	rule *ir.Rule
}

func (s *shadowIndex) add(keys map[string]bool, r *ir.Rule) {
	min := ""
	for k := range keys {
		if min == "" || k < min {
			min = k
		}
	}
	if s.byKey == nil {
		s.byKey = map[string][]shadow{}
	}
	s.byKey[min] = append(s.byKey[min], shadow{keys, r})
}

// coveredBy returns an earlier terminal rule whose matches are all among
// r's leading matches, or nil.
func (s *shadowIndex) coveredBy(r *ir.Rule) *ir.Rule {
	if len(s.byKey) == 0 {
		return nil
	}
	have := map[string]bool{}
	for _, st := range r.Stmts {
		m, ok := st.(*ir.Match)
		if !ok {
			break
		}
		have[ir.StmtKey(m)] = true
	}
	for k := range have {
		for _, sh := range s.byKey[k] {
			all := true
			for need := range sh.keys {
				if !have[need] {
					all = false
					break
				}
			}
			if all {
				return sh.rule
			}
		}
	}
	return nil
}

// writes reports whether a rule changes the packet or its metadata, so
// that later matches may see other values than earlier ones.
func writes(r *ir.Rule) bool {
	for _, s := range r.Stmts {
		switch v := s.(type) {
		case *ir.Match, *ir.Counter, *ir.Log, *ir.Reject:
		case *ir.VerdictStmt:
			// A jump may run rules that write.
			if v.Vmap != nil || v.Verdict.Kind == "jump" {
				return true
			}
		default:
			// NAT, mangling, set updates (a later lookup sees the
			// element), limits, quotas and what the ir keeps as written.
			return true
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
