package equiv

import (
	"bytes"
	"fmt"

	"github.com/nftopt/nftopt/ir"
)

// Bit tests on a bitmask field wider than a byte (ct status: 32 bits)
// are not interval sets of a size the checker can afford: "the dnat bit
// is set" is 2^26 intervals. Such a field is modeled as one 8-bit
// dimension per byte, where any mask test is at most 128 intervals, and
// a test of the field is a formula over its bytes. Only fields no
// statement writes are split this way (a write would have to write each
// byte): ct status.

// byteWise reports a field modeled byte by byte.
func byteWise(f *ir.Field) bool {
	return f != nil && f.Name == "ct status" && f.Width%8 == 0
}

// byteKey names the dimension of byte k (0 the most significant) of a
// field.
func byteKey(field string, k int) string { return fmt.Sprintf("%s byte %d", field, k) }

// byteDims returns the dimensions of f's bytes, most significant first.
func (c *compiler) byteDims(f *ir.Field) []int {
	out := make([]int, f.Width/8)
	for k := range out {
		d := c.p.dimension(byteKey(f.Name, k), 8, f)
		c.p.dims[d].whole, c.p.dims[d].byteIdx = f.Name, k
		out[k] = d
	}
	return out
}

// byteValue is byte k of the n bytes of b (big-endian, shorter b is
// padded in front), as an 8-bit value.
func byteValue(b []byte, n, k int) ir.Value {
	if i := len(b) - n + k; i >= 0 {
		return ir.Uint64Value(uint64(b[i]), 8)
	}
	return ir.ZeroValue(8)
}

// maskTest is the formula of "f & mask == value" (eq) or "f & mask !=
// value" (not eq) on a field modeled byte by byte; mask and value are
// big-endian bytes.
func (c *compiler) maskTest(f *ir.Field, mask, value []byte, eq bool) (*formula, bool) {
	dims := c.byteDims(f)
	var parts []*formula
	for k, d := range dims {
		set, ok := ir.MaskSet(byteValue(mask, len(dims), k), byteValue(value, len(dims), k))
		if !ok {
			return nil, false
		}
		if !eq {
			set = set.Complement()
		}
		parts = append(parts, c.p.atomOf(d, set))
	}
	if eq {
		return and(parts...), true
	}
	return or(parts...), true
}

// byteWiseMatch compiles a match on a field modeled byte by byte: any of
// the flags (ct status dnat,snat), none of them (!), exact values (==,
// !=, sets of values) and masks (ct status & mask == value). It reports
// false for what it does not model (ranges, comparisons), which stays an
// uninterpreted predicate.
func (c *compiler) byteWiseMatch(m *ir.Match) (*formula, bool) {
	var sel *ir.Selector
	var mask []byte
	switch l := m.Left.(type) {
	case *ir.Selector:
		sel = l
	case *ir.Binop:
		s, ok1 := l.X.(*ir.Selector)
		k, ok2 := l.Y.(*ir.Const)
		if !ok1 || !ok2 || l.Op != "&" || !byteWise(s.Field) {
			return nil, false
		}
		v, ok := c.constValue(k, s.Field.Width)
		if !ok {
			return nil, false
		}
		sel, mask = s, v.Bytes()
	default:
		return nil, false
	}
	f := sel.Field
	if !byteWise(f) || sel.Dir != "" {
		return nil, false
	}
	w := f.Width
	if mask == nil {
		mask = bytes.Repeat([]byte{0xff}, w/8)
	}
	values := func() ([][]byte, bool) {
		var items []ir.Expr
		switch r := m.Right.(type) {
		case *ir.List:
			items = r.Items
		case *ir.SetExpr:
			for _, el := range r.Elems {
				items = append(items, el.Key)
			}
		default:
			items = []ir.Expr{r}
		}
		var out [][]byte
		for _, it := range items {
			k, ok := it.(*ir.Const)
			if !ok || k.Val == nil {
				return nil, false
			}
			v, ok := c.constValue(k, w)
			if !ok {
				return nil, false
			}
			out = append(out, v.Bytes())
		}
		return out, true
	}
	vs, ok := values()
	if !ok {
		return nil, false
	}
	if _, isList := m.Right.(*ir.List); isList && m.Op != ir.OpImplicit {
		// "ct status == dnat,snat" is one value, the flags or'ed
		// together, not a set of values.
		var all []byte
		for _, v := range vs {
			all = orBytes(all, v)
		}
		vs = [][]byte{all}
	}
	// nft's bare flag list on a bitmask is "any of these bits"; ! is
	// "none of them".
	if _, isBinop := m.Left.(*ir.Binop); !isBinop && (m.Op == ir.OpImplicit && !isSetLiteral(m.Right) || m.Op == ir.OpNotAny) {
		var bits []byte
		for _, v := range vs {
			bits = orBytes(bits, v)
		}
		zero := ir.ZeroValue(w).Bytes()
		return c.maskTest(f, bits, zero, m.Op == ir.OpNotAny)
	}
	switch m.Op {
	case ir.OpImplicit, ir.OpEq:
		var alts []*formula
		for _, v := range vs {
			t, ok := c.maskTest(f, mask, v, true)
			if !ok {
				return nil, false
			}
			alts = append(alts, t)
		}
		return or(alts...), true
	case ir.OpNeq:
		var all []*formula
		for _, v := range vs {
			t, ok := c.maskTest(f, mask, v, false)
			if !ok {
				return nil, false
			}
			all = append(all, t)
		}
		return and(all...), true
	}
	return nil, false
}
