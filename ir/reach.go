package ir

import "strings"

// Verdicts lists the verdicts a rule of table t may take: its verdict
// statements, the values of its verdict maps (inline, or the elements a
// named map declares), and those of the rules of anonymous chains it
// jumps to.
func Verdicts(t *Table, r *Rule) []*Verdict {
	var out []*Verdict
	for _, s := range r.Stmts {
		vs, ok := s.(*VerdictStmt)
		if !ok {
			continue
		}
		if vs.Verdict != nil {
			out = append(out, vs.Verdict)
			for _, inner := range vs.Verdict.Inline {
				out = append(out, Verdicts(t, inner)...)
			}
		}
		if vs.Vmap == nil {
			continue
		}
		var elems []*Element
		switch m := vs.Vmap.Map.(type) {
		case *SetExpr:
			elems = m.Elems
		case *SetRef:
			if st := t.Set(strings.TrimPrefix(m.Name, "@")); st != nil {
				elems = st.Elements
			}
		}
		for _, e := range elems {
			if v, ok := e.Value.(*Verdict); ok {
				out = append(out, v)
			}
		}
	}
	return out
}

// Reachable returns the names of the chains of t that a packet can
// reach as the ruleset is written: its base chains and every chain
// they jump or go to, directly or through verdict maps. A chain missing
// from it is reached only through map elements added at run time, or
// not at all.
func (t *Table) Reachable() map[string]bool {
	seen := map[string]bool{}
	byName := map[string]*Chain{}
	var work []*Chain
	for _, c := range t.Chains {
		byName[c.Name] = c
		if c.Base != nil {
			seen[c.Name] = true
			work = append(work, c)
		}
	}
	for len(work) > 0 {
		c := work[len(work)-1]
		work = work[:len(work)-1]
		for _, r := range c.Rules {
			for _, v := range Verdicts(t, r) {
				if v.Chain == "" || seen[v.Chain] {
					continue
				}
				if tc := byName[v.Chain]; tc != nil {
					seen[v.Chain] = true
					work = append(work, tc)
				}
			}
		}
	}
	return seen
}
