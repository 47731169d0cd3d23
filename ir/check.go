package ir

import (
	"errors"
	"fmt"
	"strings"
)

// Check verifies the structural invariants every stage of the pipeline
// must keep: chain and set names unique in their table, no rule
// without statements or with a nil statement, every jump and goto (in
// a rule, an inline or a named verdict map) naming a chain of the
// table, and every @set reference naming a set or map of the table. It
// returns all problems found, each with its table/chain/rule path.
func Check(rs *Ruleset) error {
	var errs []error
	add := func(format string, args ...any) { errs = append(errs, fmt.Errorf(format, args...)) }
	for _, t := range rs.Tables {
		where := fmt.Sprintf("table %s %s", t.Family, t.Name)
		chains := map[string]bool{}
		for _, c := range t.Chains {
			if chains[c.Name] {
				add("%s: chain %s declared twice", where, c.Name)
			}
			chains[c.Name] = true
		}
		sets := map[string]bool{}
		for _, s := range t.Sets {
			if sets[s.Name] {
				add("%s: set %s declared twice", where, s.Name)
			}
			sets[s.Name] = true
			for _, e := range s.Elements {
				if v, ok := e.Value.(*Verdict); ok && v.Chain != "" && !chains[v.Chain] {
					add("%s: map %s: element jumps to missing chain %s", where, s.Name, v.Chain)
				}
			}
		}
		for _, c := range t.Chains {
			for i, r := range c.Rules {
				rw := fmt.Sprintf("%s: chain %s: rule %d", where, c.Name, i+1)
				if len(r.Stmts) == 0 {
					add("%s: no statements", rw)
				}
				for _, s := range r.Stmts {
					if s == nil {
						add("%s: nil statement", rw)
					}
				}
				for _, v := range Verdicts(t, r) {
					if v.Chain != "" && v.Inline == nil && !chains[v.Chain] {
						add("%s: %s to missing chain %s", rw, v.Kind, v.Chain)
					}
				}
				for _, name := range setRefs(r) {
					if !sets[strings.TrimPrefix(name, "@")] {
						add("%s: @%s names no set or map of the table", rw, strings.TrimPrefix(name, "@"))
					}
				}
			}
		}
	}
	return errors.Join(errs...)
}

// setRefs lists the named sets and maps a rule's matches and verdict
// maps look up.
func setRefs(r *Rule) []string {
	var out []string
	ref := func(e Expr) {
		if s, ok := e.(*SetRef); ok {
			out = append(out, s.Name)
		}
	}
	for _, s := range r.Stmts {
		switch x := s.(type) {
		case *Match:
			ref(x.Right)
		case *VerdictStmt:
			if x.Vmap != nil {
				ref(x.Vmap.Map)
			}
		}
	}
	return out
}
