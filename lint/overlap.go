package lint

import (
	"fmt"
	"sort"

	"github.com/nftopt/nftopt/emit/nft"
	"github.com/nftopt/nftopt/ir"
)

// overlapFindings reports overlapping elements of named sets and maps
// and of anonymous sets and maps in rules, for single (not
// concatenated) keys of ordered types.
func overlapFindings(rs *ir.Ruleset) []Finding {
	var out []Finding
	for _, t := range rs.Tables {
		for _, s := range t.Sets {
			if s.AutoMerge && !s.Map {
				continue // nft merges overlapping elements of such sets
			}
			typ, width, ok := keyType(s.Key)
			if !ok {
				continue
			}
			what := "set " + s.Name
			if s.Map {
				what = "map " + s.Name
			}
			out = append(out, overlaps(t.Family, what, s.Span.Start, typ, width, s.Elements, s.Map)...)
		}
		for _, c := range t.Chains {
			for _, r := range c.Rules {
				for _, st := range r.Stmts {
					out = append(out, stmtOverlaps(t.Family, r, st)...)
				}
			}
		}
	}
	return out
}

func stmtOverlaps(fam ir.Family, r *ir.Rule, st ir.Stmt) []Finding {
	var key ir.Expr
	var set *ir.SetExpr
	isMap := false
	switch x := st.(type) {
	case *ir.Match:
		s, ok := x.Right.(*ir.SetExpr)
		if !ok {
			return nil
		}
		key, set = x.Left, s
	case *ir.VerdictStmt:
		if x.Vmap == nil {
			return nil
		}
		s, ok := x.Vmap.Map.(*ir.SetExpr)
		if !ok {
			return nil
		}
		key, set, isMap = x.Vmap.Key, s, true
	default:
		return nil
	}
	sel, ok := key.(*ir.Selector)
	if !ok || sel.Field == nil {
		return nil
	}
	what := "anonymous set"
	if isMap {
		what = "anonymous verdict map"
	}
	return overlaps(fam, what, rulePos(r), sel.Field.Type, sel.Field.Width, set.Elems, isMap)
}

// keyType returns the datatype and width of a single set key.
func keyType(k ir.TypeSpec) (*ir.Type, int, bool) {
	if len(k.Typeof) == 1 {
		if sel, ok := k.Typeof[0].(*ir.Selector); ok && sel.Field != nil {
			return sel.Field.Type, sel.Field.Width, true
		}
		return nil, 0, false
	}
	if len(k.Types) == 1 {
		if t := ir.LookupType(k.Types[0]); t != nil && t.Width > 0 {
			return t, t.Width, true
		}
	}
	return nil, 0, false
}

type span struct {
	iv   ir.Interval
	elem *ir.Element
}

// overlaps reports each element that overlaps an earlier one (in value
// order). In a map, overlapping keys with different values are an
// error: nft rejects them.
func overlaps(fam ir.Family, what string, at ir.Pos, typ *ir.Type, width int, elems []*ir.Element, isMap bool) []Finding {
	if typ == nil || !ir.Ordered(typ) {
		return nil
	}
	var spans []span
	for _, e := range elems {
		s, ok := ir.LiteralSet(typ, width, []ir.Expr{e.Key})
		if !ok {
			return nil
		}
		for _, iv := range s.Intervals() {
			spans = append(spans, span{iv, e})
		}
	}
	sort.SliceStable(spans, func(i, j int) bool { return spans[i].iv.Lo.Compare(spans[j].iv.Lo) < 0 })
	var out []Finding
	reported := map[*ir.Element]bool{}
	var widest *span
	for i := range spans {
		s := &spans[i]
		if widest != nil && widest.iv.Hi.Compare(s.iv.Lo) >= 0 && widest.elem != s.elem && !reported[s.elem] {
			reported[s.elem] = true
			out = append(out, overlapFinding(fam, what, at, widest.elem, s.elem, isMap))
		}
		if widest == nil || widest.iv.Hi.Compare(s.iv.Hi) < 0 {
			widest = s
		}
	}
	return out
}

func overlapFinding(fam ir.Family, what string, at ir.Pos, a, b *ir.Element, isMap bool) Finding {
	pe := func(e *ir.Element) string {
		s := nft.PrintExpr(e.Key, fam, nft.Options{})
		if e.Value != nil {
			s += " : " + nft.PrintExpr(e.Value, fam, nft.Options{})
		}
		return s
	}
	pos := at
	if b.Span.Start.IsValid() {
		pos = b.Span.Start
	}
	f := Finding{Check: Overlap, Pos: pos,
		Message: fmt.Sprintf("%s: element %s overlaps %s", what, pe(b), pe(a)),
		Fix:     "remove the overlap: keep one element per value"}
	if isMap && ir.ExprKey(a.Value) != ir.ExprKey(b.Value) {
		f.Severity = Error
		f.Message += " with a different value: nft rejects the map (conflicting intervals)"
		f.Fix = "split the keys so that each value has one result, in the order the rules meant"
	}
	if a.Span.Start.IsValid() {
		f.Related = []Related{{Pos: a.Span.Start, Message: "the element it overlaps"}}
	}
	return f
}
