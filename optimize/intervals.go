package optimize

import (
	"github.com/nftopt/nftopt/ir"
)

// coalesceIntervals rewrites the anonymous sets of single rules into the
// fewest disjoint elements: overlapping and adjacent prefixes and ranges
// become one (ip saddr { 10.0.0.0/24, 10.0.1.0/24 } becomes ip saddr
// 10.0.0.0/23). Sets of single values, sets of bitmask or unordered
// types, and sets whose elements carry comments or statements are left
// as written.
var coalesceIntervals = Pass{
	Name: "intervals",
	Doc:  "coalesce overlapping and adjacent prefixes and ranges in anonymous sets into the fewest elements",
	Run: func(c *Context) error {
		c.eachChain(func(t *ir.Table, ch *ir.Chain) {
			for i, r := range ch.Rules {
				nr, note, ok := coalesceRule(r)
				if !ok {
					continue
				}
				ch.Rules[i] = nr
				c.record(Change{Pass: "intervals", Kind: Merged, Table: t, Chain: ch, Sources: []*ir.Rule{r}, Result: nr}, "%s", note)
			}
		})
		return nil
	},
}

// coalesceRule returns r with its first coalescible set rewritten.
func coalesceRule(r *ir.Rule) (*ir.Rule, string, bool) {
	for k, s := range r.Stmts {
		m, ok := s.(*ir.Match)
		if !ok || (m.Op != ir.OpImplicit && m.Op != ir.OpEq && m.Op != ir.OpNeq) {
			continue
		}
		sel, ok := m.Left.(*ir.Selector)
		set, isSet := m.Right.(*ir.SetExpr)
		if !ok || !isSet || sel.Field == nil || sel.Field.Type.IsBitmask() || !ordered(sel) {
			continue
		}
		var keys []ir.Expr
		plain := true
		for _, e := range set.Elems {
			plain = plain && e.Comment == "" && len(e.Stmts) == 0 && e.Value == nil && e.Timeout == "" && e.Expires == ""
			keys = append(keys, e.Key)
		}
		if !plain || allPoints(keys) {
			continue
		}
		norm, ok := normalize(sel, keys)
		if !ok || len(norm) >= len(keys) {
			continue
		}
		nm := *m
		if len(norm) == 1 {
			nm.Right = norm[0]
		} else {
			nm.Right = setOf(norm)
		}
		nr := *r
		nr.Stmts = append([]ir.Stmt(nil), r.Stmts...)
		nr.Stmts[k] = &nm
		nr.Origin = []ir.Span{r.Span}
		return &nr, "overlapping or adjacent elements coalesced", true
	}
	return nil, "", false
}
