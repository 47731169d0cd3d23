package optimize

import (
	"sort"

	"github.com/nftopt/nftopt/ir"
)

// flagMatch merges "sel flagA", "sel flagB" into "sel flagA,flagB".
func flagMatch(sel *ir.Selector, vals [][][]ir.Expr) (ir.Stmt, string) {
	seen := map[string]bool{}
	var items []ir.Expr
	for _, v := range vals {
		for _, x := range v[0] {
			if k := ir.ExprKey(x); !seen[k] {
				seen[k] = true
				items = append(items, x)
			}
		}
	}
	sort.SliceStable(items, func(i, j int) bool {
		return ir.Uint(items[i].(*ir.Const).Val) < ir.Uint(items[j].(*ir.Const).Val)
	})
	return &ir.Match{Left: sel, Op: ir.OpImplicit, Right: &ir.List{Items: items}}, "any of the flags"
}

// setMatch builds "sel { ... }" or "a . b { x . y, ... }".
func setMatch(sels []*ir.Selector, vals [][][]ir.Expr) (ir.Stmt, bool) {
	if len(sels) == 1 {
		var all []ir.Expr
		for _, v := range vals {
			all = append(all, v[0]...)
		}
		elems := dedupe(all)
		if !allPoints(elems) {
			// Prefixes and ranges may overlap: coalesce them.
			if norm, ok := normalize(sels[0], all); ok {
				elems = norm
			}
		}
		if len(elems) == 1 {
			return &ir.Match{Left: sels[0], Op: ir.OpImplicit, Right: elems[0]}, true
		}
		return &ir.Match{Left: sels[0], Op: ir.OpImplicit, Right: setOf(elems)}, true
	}
	var tuples []ir.Expr
	seen := map[string]bool{}
	for _, v := range vals {
		for _, tup := range product(v) {
			if len(tuples) > maxElements {
				return nil, false
			}
			k := ir.ExprKey(tup)
			if !seen[k] {
				seen[k] = true
				tuples = append(tuples, tup)
			}
		}
	}
	if !disjointTuples(sels, tuples) {
		return nil, false
	}
	parts := make([]ir.Expr, len(sels))
	for i, s := range sels {
		parts[i] = s
	}
	return &ir.Match{Left: &ir.Concat{Parts: parts}, Op: ir.OpImplicit, Right: setOf(tuples)}, true
}

// maxElements bounds the elements one merged set may get.
const maxElements = 1 << 16
