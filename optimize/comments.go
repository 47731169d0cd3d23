package optimize

import (
	"slices"
	"strings"

	"github.com/nftopt/nftopt/ir"
)

// maxComment is the longest comment nft stores (NFTNL_UDATA_COMMENT_MAXLEN).
const maxComment = 128

// keepComments carries the comments of a merged run into its result:
// the comment they all share stays the rule's; different comments go
// to the elements of the merged set or map they produced (an element
// made from several rules gets their comments joined; in a map, the
// rules that gave it keys: the first that matches it, and later ones
// with the same result),
// or, with no set to hold them, joined into the rule's comment. It
// reports false when some comment could not be kept.
func keepComments(res *ir.Rule, stmt ir.Stmt, sels []*ir.Selector, vals [][][]ir.Expr, rules []*ir.Rule, firstMatch bool) bool {
	shared := rules[0].Comment
	any := false
	for _, r := range rules {
		any = any || r.Comment != ""
		if r.Comment != shared {
			shared = ""
		}
	}
	if shared != "" || !any {
		res.Comment = shared
		return true
	}
	set := elementsOfStmt(stmt)
	if set == nil {
		c, ok := joinComments(rules)
		res.Comment = c
		return ok
	}
	// Index the rules whose values are single values (or tuples of
	// them) by value: an element that is a single value then finds its
	// rules without testing every rule of the run.
	byPoint := map[string][]int{}
	var ranged []int
	for i := range rules {
		points := true
		for _, v := range vals[i] {
			points = points && allPoints(v)
		}
		if !points {
			ranged = append(ranged, i)
			continue
		}
		for _, tup := range product(vals[i]) {
			k := ir.ExprKey(tup)
			byPoint[k] = append(byPoint[k], i)
		}
	}
	kept := true
	for _, el := range set.Elems {
		candidates := make([]int, 0, 4)
		if pointKey(el.Key) {
			candidates = append(append(candidates, byPoint[ir.ExprKey(el.Key)]...), ranged...)
			slices.Sort(candidates)
			candidates = slices.Compact(candidates)
		} else {
			for i := range rules {
				candidates = append(candidates, i)
			}
		}
		var owners []*ir.Rule
		result := ""
		for _, i := range candidates {
			r := rules[i]
			if !elementFrom(el.Key, sels, vals[i]) {
				continue
			}
			// In a map the element is the first matching rule's; later
			// rules with the same result may have given it keys too.
			last := ir.StmtKey(r.Stmts[len(r.Stmts)-1])
			if firstMatch && len(owners) > 0 && last != result {
				continue
			}
			owners = append(owners, r)
			result = last
		}
		c, ok := joinComments(owners)
		el.Comment = c
		kept = kept && ok
	}
	return kept
}

// pointKey reports a key made of single values: a constant, or a
// concatenation of constants.
func pointKey(k ir.Expr) bool {
	if c, ok := k.(*ir.Concat); ok {
		return allPoints(c.Parts)
	}
	_, ok := k.(*ir.Const)
	return ok
}

// elementsOfStmt returns the literal set or map a merged statement
// holds, or nil.
func elementsOfStmt(s ir.Stmt) *ir.SetExpr {
	switch x := s.(type) {
	case *ir.Match:
		set, _ := x.Right.(*ir.SetExpr)
		return set
	case *ir.VerdictStmt:
		if x.Vmap != nil {
			set, _ := x.Vmap.Map.(*ir.SetExpr)
			return set
		}
	}
	return nil
}

// elementFrom reports whether the element key overlaps, in every part,
// the values one rule had for the selectors.
func elementFrom(key ir.Expr, sels []*ir.Selector, vals [][]ir.Expr) bool {
	parts := []ir.Expr{key}
	if c, ok := key.(*ir.Concat); ok && len(sels) > 1 {
		parts = c.Parts
	}
	if len(parts) != len(sels) {
		return false
	}
	for k, p := range parts {
		if !overlapsValues(sels[k], p, vals[k]) {
			return false
		}
	}
	return true
}

func overlapsValues(sel *ir.Selector, x ir.Expr, xs []ir.Expr) bool {
	if a, ok := valueSet(sel, []ir.Expr{x}); ok {
		if b, ok := valueSet(sel, xs); ok {
			return a.Overlaps(b)
		}
	}
	k := ir.ExprKey(x)
	for _, y := range xs {
		if ir.ExprKey(y) == k {
			return true
		}
	}
	return false
}

// joinComments joins the distinct comments of rules with "; ". It
// reports false (and returns "") when the result is too long for nft.
func joinComments(rules []*ir.Rule) (string, bool) {
	var cs []string
	seen := map[string]bool{}
	for _, r := range rules {
		if r.Comment != "" && !seen[r.Comment] {
			seen[r.Comment] = true
			cs = append(cs, r.Comment)
		}
	}
	c := strings.Join(cs, "; ")
	if len(c) > maxComment {
		return "", false
	}
	return c, true
}
