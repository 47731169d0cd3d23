package optimize

import (
	"github.com/nftopt/nftopt/ir"
)

// natMap builds "dnat to KEY map { k : addr [. port] }" from a run of
// NAT rules that differ in their keys and targets.
func natMap(g *run, sels []*ir.Selector, vals [][][]ir.Expr) (ir.Stmt, bool) {
	last := len(g.base.Stmts) - 1
	var values []ir.Expr
	first := g.base.Stmts[last].(*ir.Nat)
	for _, r := range g.rules {
		n := r.Stmts[last].(*ir.Nat)
		switch {
		case n.Addr != nil && n.Port != nil:
			values = append(values, &ir.Concat{Parts: []ir.Expr{n.Addr, n.Port}})
		case n.Addr != nil:
			values = append(values, n.Addr)
		default:
			values = append(values, n.Port)
		}
	}
	set, key, _, ok := lookupMap(sels, vals, values)
	if !ok {
		return nil, false
	}
	out := *first
	m := &ir.MapExpr{Key: key, Map: set}
	switch {
	case first.Addr != nil && first.Port != nil:
		out.Addr, out.Port = m, nil
	case first.Addr != nil:
		out.Addr = m
	default:
		out.Port = m
	}
	if out.Family == "" && first.Addr != nil && (first.Port != nil || g.family == ir.FamilyInet) {
		// nft needs the family to read "addr . port" data, and in inet tables.
		out.Family = "ip"
		if c, ok := first.Addr.(*ir.Const); ok && len(c.Val) == 16 {
			out.Family = "ip6"
		}
	}
	return &out, true
}

// transportDeps returns "meta l4proto P" matches for the keys that need
// a transport protocol: nft wants one before a NAT map keyed on ports.
func transportDeps(sels []*ir.Selector) []ir.Stmt {
	var out []ir.Stmt
	seen := map[int]bool{}
	f := ir.LookupField("meta l4proto")
	for _, s := range sels {
		d := s.Field.Dep
		if d == nil || d.L4 < 0 || seen[d.L4] {
			continue
		}
		seen[d.L4] = true
		out = append(out, &ir.Match{Left: &ir.Selector{Field: f}, Op: ir.OpImplicit,
			Right: &ir.Const{Type: f.Type, Val: []byte{byte(d.L4)}}})
	}
	return out
}

// markWrite reports "meta mark set C" or "ct mark set C" with a constant.
func markWrite(m *ir.Mangle) bool {
	sel, ok := m.Left.(*ir.Selector)
	if !ok || (sel.Field.Name != "meta mark" && sel.Field.Name != "ct mark") {
		return false
	}
	c, ok := m.Value.(*ir.Const)
	return ok && c.Val != nil
}

// sameMarkWrite reports two constant writes of the same mark.
func sameMarkWrite(a, b ir.Stmt) bool {
	x, ok1 := a.(*ir.Mangle)
	y, ok2 := b.(*ir.Mangle)
	return ok1 && ok2 && markWrite(x) && markWrite(y) && ir.ExprKey(x.Left) == ir.ExprKey(y.Left)
}

// writeMap builds "meta mark set KEY map { k : value }". Every rule of
// the run writes when it matches, so a packet matching two of them
// keeps the last value: the keys must be distinct single values, or
// the merge is declined.
func writeMap(g *run, sels []*ir.Selector, vals [][][]ir.Expr) (ir.Stmt, bool) {
	last := len(g.base.Stmts) - 1
	// A key that reads the written field chains the rules: one rule's
	// write makes the next one match.
	target := ir.ExprKey(g.base.Stmts[last].(*ir.Mangle).Left)
	for _, sel := range sels {
		if ir.ExprKey(sel) == target {
			return nil, false
		}
	}
	var values []ir.Expr
	seen := map[string]bool{}
	for i, r := range g.rules {
		values = append(values, r.Stmts[last].(*ir.Mangle).Value)
		for _, v := range vals[i] {
			for _, x := range v {
				if _, ok := x.(*ir.Const); !ok {
					return nil, false
				}
			}
		}
		for _, tup := range product(vals[i]) {
			k := ir.ExprKey(tup)
			if seen[k] {
				return nil, false
			}
			seen[k] = true
		}
	}
	set, key, _, ok := lookupMap(sels, vals, values)
	if !ok {
		return nil, false
	}
	first := g.base.Stmts[last].(*ir.Mangle)
	return &ir.Mangle{Left: first.Left, Value: &ir.MapExpr{Key: key, Map: set}}, true
}
