package optimize

import (
	"slices"
	"strings"

	"github.com/nftopt/nftopt/ir"
)

// ordered reports whether values of a selector have a numeric order, so
// that they can be merged as intervals.
func ordered(sel *ir.Selector) bool { return ir.Ordered(sel.Field.Type) }

// valueSet is the set of values some literals of sel denote.
func valueSet(sel *ir.Selector, xs []ir.Expr) (ir.IntervalSet, bool) {
	return ir.LiteralSet(sel.Field.Type, sel.Field.Width, xs)
}

// elementsOf writes an interval set as the fewest nft elements: single
// values, a prefix for an address interval that is one, ranges
// otherwise.
func elementsOf(sel *ir.Selector, s ir.IntervalSet) []ir.Expr {
	t := sel.Field.Type
	konst := func(v ir.Value) *ir.Const { return &ir.Const{Type: t, Val: v.Bytes()} }
	address := t.Kind == ir.KindIPv4 || t.Kind == ir.KindIPv6
	var out []ir.Expr
	for _, iv := range s.Intervals() {
		switch {
		case iv.Lo == iv.Hi:
			out = append(out, konst(iv.Lo))
		case address:
			// One prefix when the interval is one, else a range: fewer
			// elements than the prefixes that would cover it.
			if p, ok := iv.IsPrefix(); ok {
				out = append(out, &ir.Prefix{X: konst(p.Addr), Len: p.Len})
				continue
			}
			out = append(out, &ir.Range{Lo: konst(iv.Lo), Hi: konst(iv.Hi)})
		default:
			out = append(out, &ir.Range{Lo: konst(iv.Lo), Hi: konst(iv.Hi)})
		}
	}
	return out
}

// normalize merges literals of sel into disjoint, coalesced elements.
func normalize(sel *ir.Selector, xs []ir.Expr) ([]ir.Expr, bool) {
	s, ok := valueSet(sel, xs)
	if !ok {
		return nil, false
	}
	return elementsOf(sel, s), true
}

// disjointTuples reports whether no two elements of a concatenated set
// overlap, which nft requires of interval elements.
func disjointTuples(sels []*ir.Selector, tuples []ir.Expr) bool {
	points := true
	for _, t := range tuples {
		for _, p := range t.(*ir.Concat).Parts {
			if _, ok := p.(*ir.Const); !ok {
				points = false
			}
		}
	}
	if points {
		return true
	}
	if len(tuples) > 256 {
		return false
	}
	overlaps := func(k int, a, b ir.Expr) bool {
		sa, ok1 := valueSet(sels[k], []ir.Expr{a})
		sb, ok2 := valueSet(sels[k], []ir.Expr{b})
		if ok1 && ok2 {
			return sa.Overlaps(sb)
		}
		// Unordered values (names) overlap only when equal.
		return ir.ExprKey(a) == ir.ExprKey(b)
	}
	for i := range tuples {
		for j := i + 1; j < len(tuples); j++ {
			pi, pj := tuples[i].(*ir.Concat).Parts, tuples[j].(*ir.Concat).Parts
			all := true
			for k := range pi {
				all = all && overlaps(k, pi[k], pj[k])
			}
			if all {
				return false
			}
		}
	}
	return true
}

// drawsNumber reports a rule that evaluates a number generator (numgen
// random or numgen inc): every evaluation draws a new number, so the
// rule is not a fixed test of the packet, and how many times a packet
// evaluates it matters. Such a rule never shadows a later one, never
// merges, and no rule moves across it.
func drawsNumber(r *ir.Rule) bool {
	for _, s := range r.Stmts {
		switch x := s.(type) {
		case *ir.Match:
			if hasNumgen(x.Left) || hasNumgen(x.Right) {
				return true
			}
		case *ir.VerdictStmt:
			if x.Vmap != nil && hasNumgen(x.Vmap) {
				return true
			}
		case *ir.Nat:
			if hasNumgen(x.Addr) || hasNumgen(x.Port) {
				return true
			}
		case *ir.Mangle:
			if hasNumgen(x.Left) || hasNumgen(x.Value) {
				return true
			}
		case *ir.Counter, *ir.Log, *ir.Reject, *ir.Limit, *ir.Quota:
		default:
			// Other statements: their canonical text names the generator.
			if strings.Contains(ir.StmtKey(s), "numgen ") {
				return true
			}
		}
	}
	return false
}

// hasNumgen reports an expression that evaluates a number generator.
func hasNumgen(e ir.Expr) bool {
	switch x := e.(type) {
	case *ir.Special:
		if x.Kind == "numgen" {
			return true
		}
		return slices.ContainsFunc(x.Args, hasNumgen)
	case *ir.Binop:
		return hasNumgen(x.X) || hasNumgen(x.Y)
	case *ir.Concat:
		return slices.ContainsFunc(x.Parts, hasNumgen)
	case *ir.MapExpr:
		return hasNumgen(x.Key)
	case *ir.List:
		return slices.ContainsFunc(x.Items, hasNumgen)
	}
	return false
}
