package nft

import (
	"fmt"
	"math/big"
	"net/netip"
	"strings"

	"github.com/nftopt/nftopt/ir"
)

var binopPrec = map[string]int{"|": 1, "^": 2, "&": 3, "<<": 4, ">>": 4}

func (p *printer) expr(e ir.Expr) string {
	switch x := e.(type) {
	case *ir.Selector:
		f := x.Field
		if f.Proto == "meta" && f.Bare {
			return f.Key
		}
		if x.Dir != "" {
			return "ct " + x.Dir + " " + f.Key
		}
		return f.Name
	case *ir.RawPayload:
		return fmt.Sprintf("@%s,%d,%d", x.Base, x.Offset, x.Len)
	case *ir.Const:
		return p.constant(x)
	case *ir.Prefix:
		return p.expr(x.X) + "/" + fmt.Sprint(x.Len)
	case *ir.Range:
		return p.rangeEnd(x.Lo) + "-" + p.rangeEnd(x.Hi)
	case *ir.Concat:
		parts := make([]string, len(x.Parts))
		for i, part := range x.Parts {
			parts[i] = p.expr(part)
		}
		return strings.Join(parts, " . ")
	case *ir.List:
		parts := make([]string, len(x.Items))
		for i, it := range x.Items {
			parts[i] = p.expr(it)
		}
		return strings.Join(parts, ",")
	case *ir.SetExpr:
		parts := make([]string, len(x.Elems))
		for i, el := range x.Elems {
			parts[i] = p.element(el)
		}
		return "{ " + strings.Join(parts, ", ") + " }"
	case *ir.SetRef:
		return "@" + x.Name
	case *ir.Binop:
		l, r := p.expr(x.X), p.operand(x.Op, x.Y)
		if b, ok := x.X.(*ir.Binop); ok && binopPrec[b.Op] < binopPrec[x.Op] {
			l = "(" + l + ")"
		}
		if b, ok := x.Y.(*ir.Binop); ok && binopPrec[b.Op] <= binopPrec[x.Op] || strings.Contains(r, " | ") {
			r = "(" + r + ")"
		}
		return l + " " + x.Op + " " + r
	case *ir.MapExpr:
		kw := " map "
		if x.Vmap {
			kw = " vmap "
		}
		return p.expr(x.Key) + kw + p.expr(x.Map)
	case *ir.Verdict:
		if x.Inline != nil {
			rules := make([]string, len(x.Inline))
			for i, r := range x.Inline {
				rules[i] = p.rule(r)
			}
			return x.Kind + " { " + strings.Join(rules, "; ") + "; }"
		}
		if x.Chain != "" {
			return x.Kind + " " + name(x.Chain)
		}
		return x.Kind
	case *ir.Special:
		return p.words(x.Words, x.Args)
	}
	panic(fmt.Sprintf("nft: cannot print expression %T", e))
}

// constant prints a value the way nft lists values of its datatype.
func (p *printer) constant(c *ir.Const) string {
	t := c.Type
	if c.Sym || t == nil {
		if c.Quoted {
			return quote(c.Str)
		}
		return c.Str
	}
	switch t.Kind {
	case ir.KindString, ir.KindIfindex:
		s := c.Str
		if c.Wild {
			s += "*"
		}
		return quote(s)
	case ir.KindIPv4, ir.KindIPv6, ir.KindInetAddr:
		a, ok := netip.AddrFromSlice(c.Val)
		if !ok {
			return c.Str
		}
		return a.String()
	case ir.KindEther:
		parts := make([]string, len(c.Val))
		for i, b := range c.Val {
			parts[i] = fmt.Sprintf("%02x", b)
		}
		return strings.Join(parts, ":")
	case ir.KindHex:
		return fmt.Sprintf("0x%0*x", (t.Width+3)/4, new(big.Int).SetBytes(c.Val))
	case ir.KindRawHex:
		return fmt.Sprintf("0x%x", new(big.Int).SetBytes(c.Val))
	case ir.KindTime:
		v := ir.Uint(c.Val)
		if t.TimeUnit == 1 {
			v *= 1000
		}
		return ir.FormatDuration(v)
	case ir.KindBool:
		if ir.Uint(c.Val) != 0 {
			return "exists"
		}
		return "missing"
	case ir.KindClassid:
		v := ir.Uint(c.Val)
		switch v {
		case 0xffffffff:
			return "root"
		case 0:
			return "none"
		}
		return fmt.Sprintf("%x:%x", v>>16, v&0xffff)
	case ir.KindSymbolic:
		v := ir.Uint(c.Val)
		if t.Numeric || t.Proto && p.opts.NumericProto {
			return fmt.Sprint(v)
		}
		if n, ok := ir.SymbolName(t.Symbols, v); ok {
			if t.Quoted {
				return quote(n)
			}
			return n
		}
		return fmt.Sprint(v)
	case ir.KindBitmask:
		if t == ir.TypeCtLabel {
			// A label is its bit's number (or its connlabel.conf name),
			// as nft lists it.
			v := new(big.Int).SetBytes(c.Val)
			if v.IsUint64() {
				if n, ok := p.opts.Target.SymbolName(t.Symbols, v.Uint64()); ok {
					return n
				}
			}
			return v.String()
		}
		return p.bitmask(t, c.Val, " | ")
	}
	return new(big.Int).SetBytes(c.Val).String()
}

// bitmask prints flags by name, joined by sep (" | " for a value, ","
// in nft's "value / mask" form).
// Names the target nft does not parse stay numeric.
func (p *printer) bitmask(t *ir.Type, val []byte, sep string) string {
	syms := p.opts.Target.Symbols(t.Symbols)
	name := func(v uint64) (string, bool) { return p.opts.Target.SymbolName(t.Symbols, v) }
	v := new(big.Int).SetBytes(val)
	if v.Sign() == 0 {
		if n, ok := name(0); ok {
			return n
		}
		return "0x0"
	}
	if v.IsUint64() {
		if n, ok := name(v.Uint64()); ok {
			return n
		}
	}
	var names []string
	rest := new(big.Int).Set(v)
	for _, s := range syms {
		b := new(big.Int).SetUint64(s.Value)
		if s.Value != 0 && new(big.Int).And(rest, b).Cmp(b) == 0 && b.BitLen() > 0 && new(big.Int).And(b, new(big.Int).Sub(b, big.NewInt(1))).Sign() == 0 {
			names = append(names, s.Name)
			rest.AndNot(rest, b)
		}
	}
	if rest.Sign() != 0 {
		names = append(names, fmt.Sprintf("0x%x", rest))
	}
	return strings.Join(names, sep)
}

// rangeEnd prints a range bound; nft lists symbolic types numerically
// there ("icmp type 0-255"), which also keeps names with '-' unambiguous.
func (p *printer) rangeEnd(e ir.Expr) string {
	if c, ok := e.(*ir.Const); ok && !c.Sym && c.Type != nil && c.Type.Kind == ir.KindSymbolic && c.Val != nil {
		return fmt.Sprint(ir.Uint(c.Val))
	}
	return p.expr(e)
}

// operand prints the right operand of a bitwise operation as nft lists
// it: shift counts and integers in decimal; symbolic values by name when
// a statement writes the value back to the same field ("ip dscp set ip
// dscp | lephb"), otherwise as a hex mask padded to the field's width.
func (p *printer) operand(op string, e ir.Expr) string {
	c, ok := e.(*ir.Const)
	if !ok || c.Sym || c.Type == nil || c.Val == nil {
		return p.expr(e)
	}
	v := new(big.Int).SetBytes(c.Val)
	switch {
	case op == "<<" || op == ">>" || c.Type.Kind == ir.KindInteger:
		return v.String()
	case c.Type.Kind == ir.KindSymbolic && !p.sameFieldMangle:
		return fmt.Sprintf("0x%0*x", (c.Type.Width+3)/4, v)
	}
	return p.expr(e)
}

// flagMatch prints the bit tests nft lists in short form:
// "sel & flags != 0" as "sel flags" (any of them) and "sel & flags == 0"
// as "sel ! flags" (none of them). ok is false for other matches.
func (p *printer) flagMatch(m *ir.Match) (string, bool) {
	b, ok := m.Left.(*ir.Binop)
	if !ok || b.Op != "&" || (m.Op != ir.OpEq && m.Op != ir.OpNeq) {
		return "", false
	}
	sel, ok1 := b.X.(*ir.Selector)
	mask, ok2 := b.Y.(*ir.Const)
	val, ok3 := m.Right.(*ir.Const)
	if !ok1 || !ok2 || !ok3 || !sel.Field.Type.IsBitmask() || mask.Val == nil || val.Val == nil || mask.Type == nil {
		return "", false
	}
	if new(big.Int).SetBytes(val.Val).Sign() != 0 {
		return "", false
	}
	flags := p.bitmask(mask.Type, mask.Val, ",")
	if m.Op == ir.OpEq {
		return p.expr(sel) + " ! " + flags, true
	}
	return p.expr(sel) + " " + flags, true
}
