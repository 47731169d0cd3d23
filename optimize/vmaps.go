package optimize

import (
	"github.com/nftopt/nftopt/ir"
)

// anyReturns reports a verdict after which evaluation goes on in the
// chain: jump (it returns) or continue.
func anyReturns(verdicts []ir.Expr) bool {
	for _, v := range verdicts {
		if x, ok := v.(*ir.Verdict); ok && (x.Kind == "jump" || x.Kind == "continue") {
			return true
		}
	}
	return false
}

// maxFlagBits bounds the bits a flag verdict map may mask: it has an
// element for every combination of them.
const maxFlagBits = 8

// flagVmap merges "sel flagsA verdictA", "sel flagsB verdictB", ...
// (each "any of these bits") into "sel & mask vmap { ... }" over the
// union of the flags, mapping every combination of the masked bits to
// the verdict of the first rule it matches; a combination no rule
// matches gets no element, so the packet goes on as before.
func flagVmap(sel *ir.Selector, vals [][][]ir.Expr, verdicts []ir.Expr) (ir.Stmt, bool) {
	w := sel.Field.Width
	if w > 64 || anyReturns(verdicts) {
		// Combinations of bits match several rules: only the first
		// counts, which is right only when it ends evaluation.
		return nil, false
	}
	masks := make([]uint64, len(vals))
	var all uint64
	for i, v := range vals {
		for _, x := range v[0] {
			c, ok := x.(*ir.Const)
			if !ok || c.Val == nil {
				return nil, false
			}
			masks[i] |= ir.Uint(c.Val)
		}
		all |= masks[i]
	}
	var bits []uint64
	for b := uint64(1); b != 0 && b <= all; b <<= 1 {
		if all&b != 0 {
			bits = append(bits, b)
		}
	}
	if len(bits) > maxFlagBits {
		return nil, false
	}
	konst := func(x uint64) *ir.Const { return &ir.Const{Type: sel.Field.Type, Val: ir.Uint64Value(x, w).Bytes()} }
	set := &ir.SetExpr{}
	for combo := 1; combo < 1<<len(bits); combo++ {
		var v uint64
		for k, b := range bits {
			if combo&(1<<k) != 0 {
				v |= b
			}
		}
		for i, m := range masks {
			if v&m != 0 {
				set.Elems = append(set.Elems, &ir.Element{Key: konst(v), Value: verdicts[i]})
				break
			}
		}
	}
	key := &ir.Binop{Op: "&", X: sel, Y: konst(all)}
	return &ir.VerdictStmt{Vmap: &ir.MapExpr{Key: key, Map: set, Vmap: true}}, true
}

// lookupMap builds the elements "key : value" of a map from the rules
// of a run, first-match order kept: a key an earlier rule took is not
// mapped again. It returns the map literal, the key expression and,
// per rule, whether it kept any key (a rule that kept none is shadowed
// by the earlier rules of the run).
func lookupMap(sels []*ir.Selector, vals [][][]ir.Expr, values []ir.Expr) (set *ir.SetExpr, key ir.Expr, kept []bool, ok bool) {
	set = &ir.SetExpr{}
	kept = make([]bool, len(vals))
	// A key two rules share goes to the first; that is only right when
	// the first ends evaluation (a jump returns, and continue goes on,
	// to the second).
	shared := false
	defer func() {
		if shared && anyReturns(values) {
			set, ok = nil, false
		}
	}()
	add := func(k ir.Expr, i int) {
		set.Elems = append(set.Elems, &ir.Element{Key: k, Value: values[i]})
		kept[i] = true
	}
	if len(sels) == 1 {
		var flat []ir.Expr
		for _, v := range vals {
			flat = append(flat, v[0]...)
		}
		if allPoints(flat) || !ordered(sels[0]) {
			// Points (or names): keep them as written, first wins.
			seen := map[string]bool{}
			for i, v := range vals {
				for _, x := range v[0] {
					if _, ok := x.(*ir.Const); !ok {
						return nil, nil, nil, false
					}
					if k := ir.ExprKey(x); !seen[k] {
						seen[k] = true
						add(x, i)
					} else {
						shared = true
					}
				}
			}
		} else {
			// Each rule keeps what earlier rules did not take; the keys of
			// rules with the same value (verdict, target) are one set, so
			// that adjacent pieces coalesce.
			taken := ir.EmptySet(sels[0].Field.Width)
			byValue := map[string]int{}
			var owners []int
			var pieces []ir.IntervalSet
			for i, v := range vals {
				s, ok := valueSet(sels[0], v[0])
				if !ok {
					return nil, nil, nil, false
				}
				mine := s.Subtract(taken)
				shared = shared || !mine.Equal(s)
				taken = taken.Union(s)
				if mine.IsEmpty() {
					continue
				}
				kept[i] = true
				k := ir.ExprKey(values[i])
				if j, ok := byValue[k]; ok {
					pieces[j] = pieces[j].Union(mine)
					continue
				}
				byValue[k] = len(pieces)
				owners = append(owners, i)
				pieces = append(pieces, mine)
			}
			for j, piece := range pieces {
				for _, e := range elementsOf(sels[0], piece) {
					add(e, owners[j])
				}
			}
		}
		if len(set.Elems) == 0 || len(set.Elems) > maxElements {
			return nil, nil, nil, false
		}
		return set, sels[0], kept, true
	}
	seen := map[string]bool{}
	var tuples []ir.Expr
	for i, v := range vals {
		for _, tup := range product(v) {
			if k := ir.ExprKey(tup); !seen[k] {
				seen[k] = true
				tuples = append(tuples, tup)
				add(tup, i)
			} else {
				shared = true
			}
			if len(set.Elems) > maxElements {
				return nil, nil, nil, false
			}
		}
	}
	// Interval keys of different rules must not overlap.
	if !disjointTuples(sels, tuples) {
		return nil, nil, nil, false
	}
	parts := make([]ir.Expr, len(sels))
	for i, s := range sels {
		parts[i] = s
	}
	return set, &ir.Concat{Parts: parts}, kept, true
}

// expandVmaps rewrites each rule that is only matches and a literal
// verdict map into one rule per element, so that neighbouring rules and
// maps on the same key merge into one map again.
func expandVmaps(rules []*ir.Rule) []*ir.Rule {
	var out []*ir.Rule
	for _, r := range rules {
		parts, ok := splitVmap(r)
		if !ok {
			out = append(out, r)
			continue
		}
		out = append(out, parts...)
	}
	return out
}

func splitVmap(r *ir.Rule) ([]*ir.Rule, bool) {
	if r.Insert || len(r.Stmts) == 0 || r.Comment != "" {
		return nil, false
	}
	last := len(r.Stmts) - 1
	v, ok := r.Stmts[last].(*ir.VerdictStmt)
	if !ok || v.Vmap == nil {
		return nil, false
	}
	sel, ok := v.Vmap.Key.(*ir.Selector)
	set, ok2 := v.Vmap.Map.(*ir.SetExpr)
	if !ok || !ok2 || sel.Field.Type.IsBitmask() {
		return nil, false
	}
	for _, s := range r.Stmts[:last] {
		if _, ok := s.(*ir.Match); !ok {
			return nil, false
		}
	}
	var parts []*ir.Rule
	for _, el := range set.Elems {
		verd, ok := el.Value.(*ir.Verdict)
		if !ok || verd.Inline != nil || len(el.Stmts) > 0 || el.Comment != "" || el.Timeout != "" || !literal(el.Key) {
			return nil, false
		}
		stmts := append(append([]ir.Stmt(nil), r.Stmts[:last]...),
			&ir.Match{Left: sel, Op: ir.OpImplicit, Right: el.Key},
			&ir.VerdictStmt{Verdict: verd})
		parts = append(parts, &ir.Rule{Stmts: stmts, Span: r.Span, Origin: r.Origin})
	}
	return parts, len(parts) > 0
}
