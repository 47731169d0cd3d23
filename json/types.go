package json

import (
	"math/big"
	"sort"
	"strconv"
	"strings"

	"github.com/nftopt/nftopt/ir"
)

// This file gives JSON immediates their datatypes. A JSON string or
// number is read as an untyped constant (ir.Const with Sym set and the
// literal in Str), then bound to the datatype of the expression it is
// compared with, assigned to or looked up by, exactly as the text
// parser binds its literals: the datatypes and their ParseValue come
// from ir.

// isBitmaskExpr reports whether e yields one value of a bitmask type.
func isBitmaskExpr(e ir.Expr) bool {
	ts := ir.ExprTypes(e)
	return len(ts) == 1 && ts[0].IsBitmask()
}

// specTypes returns the datatypes of a set's key or data declaration.
func specTypes(ts ir.TypeSpec) []*ir.Type {
	if len(ts.Typeof) > 0 {
		return ir.ExprTypes(ts.Typeof[0])
	}
	out := make([]*ir.Type, 0, len(ts.Types))
	for _, n := range ts.Types {
		if n == "verdict" {
			out = append(out, ir.TypeVerdict)
			continue
		}
		out = append(out, ir.LookupType(n))
	}
	return out
}

// bindConst parses the literal of an untyped constant as a value of t.
// A literal "a/n" of an address or integer type becomes a Prefix. A
// literal nft would resolve when loading (a host name, a quoted name)
// keeps its spelling.
func (r *reader) bindConst(c *ir.Const, t *ir.Type) ir.Expr {
	if t == nil || c.Type != nil && c.Type != ir.TypeBool {
		return c
	}
	if c.Type == ir.TypeBool {
		// JSON true and false: booleans, or 1 and 0 of an integer type.
		if t.Kind == ir.KindBool || t.Kind == ir.KindVerdict {
			return c
		}
		v := ir.Uint(c.Val)
		return r.bindConst(&ir.Const{Node: c.Node, Str: strconv.FormatUint(v, 10), Sym: true}, t)
	}
	if !c.Sym || c.Str == "*" && !c.Quoted || t.Kind == ir.KindVerdict {
		return c
	}
	s := c.Str
	if t.Kind == ir.KindIPv4 || t.Kind == ir.KindIPv6 || t.Kind == ir.KindInetAddr || t.Kind == ir.KindInteger || t.Kind == ir.KindHex || t.Kind == ir.KindRawHex {
		if addr, bits, ok := strings.Cut(s, "/"); ok {
			n, err := strconv.Atoi(bits)
			w := t.Width
			if w == 0 {
				w = 128
				if !strings.Contains(addr, ":") {
					w = 32
				}
			}
			if err != nil || n < 0 || n > w {
				r.failf("invalid prefix length in %q", s)
			}
			x := r.bindConst(&ir.Const{Node: c.Node, Str: addr, Sym: true}, t)
			return &ir.Prefix{Node: c.Node, X: x, Len: n}
		}
	}
	out := &ir.Const{Node: c.Node, Str: s, Sym: true, Quoted: c.Quoted, Type: t}
	switch t.Kind {
	case ir.KindString:
		out.Sym = false
		if strings.HasSuffix(s, "*") && !strings.HasSuffix(s, `\*`) {
			out.Wild = true
			out.Str = strings.TrimSuffix(s, "*")
		}
		return out
	case ir.KindIfindex:
		out.Sym = false
		return out
	}
	val, ok, err := t.ParseValue(s)
	if err != nil {
		if looksLikeHostname(s, t) || c.Quoted {
			return out
		}
		r.failf("%s", err.Error())
	}
	if ok {
		out.Val = val
		out.Sym = false
	}
	return out
}

// looksLikeHostname reports a DNS name where an address is expected;
// nft resolves it when loading, so it is kept as written.
func looksLikeHostname(s string, t *ir.Type) bool {
	if t.Kind != ir.KindIPv4 && t.Kind != ir.KindIPv6 && t.Kind != ir.KindInetAddr {
		return false
	}
	return strings.Contains(s, ".") && strings.IndexFunc(s, func(r rune) bool { return r >= 'g' && r <= 'z' }) >= 0
}

// foldConst evaluates a bitwise operation on two constants, as nft does
// before it lists a rule; nil when an operand is not a known value.
func foldConst(b *ir.Binop) *ir.Const {
	x, ok1 := b.X.(*ir.Const)
	y, ok2 := b.Y.(*ir.Const)
	if !ok1 || !ok2 || x.Val == nil || y.Val == nil || x.Type == nil || x.Sym || y.Sym {
		return nil
	}
	a, c := new(big.Int).SetBytes(x.Val), new(big.Int).SetBytes(y.Val)
	switch b.Op {
	case "&":
		a.And(a, c)
	case "|":
		a.Or(a, c)
	case "^":
		a.Xor(a, c)
	case "<<", ">>":
		// A shift by the width or more leaves nothing.
		if !c.IsUint64() || c.Uint64() >= uint64(8*len(x.Val)) {
			a.SetInt64(0)
		} else if b.Op == "<<" {
			a.Lsh(a, uint(c.Uint64()))
		} else {
			a.Rsh(a, uint(c.Uint64()))
		}
	}
	n := len(x.Val)
	bs := a.Bytes()
	if len(bs) > n {
		bs = bs[len(bs)-n:]
	}
	val := make([]byte, n)
	copy(val[n-len(bs):], bs)
	return &ir.Const{Node: b.Node, Type: x.Type, Val: val}
}

// sortFlags orders a list of single flags by bit value, as nft lists them.
func sortFlags(l *ir.List) {
	for _, it := range l.Items {
		if c, ok := it.(*ir.Const); !ok || c.Val == nil {
			return
		}
	}
	sort.SliceStable(l.Items, func(i, j int) bool {
		return ir.Uint(l.Items[i].(*ir.Const).Val) < ir.Uint(l.Items[j].(*ir.Const).Val)
	})
}

// listToSet turns a list outside braces into the anonymous set nft
// reads it as, for types that are not bitmasks.
func listToSet(l *ir.List) *ir.SetExpr {
	s := &ir.SetExpr{Node: l.Node}
	for _, it := range l.Items {
		s.Elems = append(s.Elems, &ir.Element{Key: it})
	}
	return s
}
