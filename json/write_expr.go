package json

import (
	"fmt"
	"math/big"
	"net/netip"
	"strconv"
	"strings"

	"github.com/nftopt/nftopt/ir"
)

// expr writes an expression.
func (w *writer) expr(e ir.Expr) any {
	switch x := e.(type) {
	case *ir.Selector:
		return w.selector(x)
	case *ir.RawPayload:
		return single("payload", obj("base", x.Base, "offset", x.Offset, "len", x.Len))
	case *ir.Const:
		return w.constant(x, false)
	case *ir.Prefix:
		return single("prefix", obj("addr", w.expr(x.X), "len", x.Len))
	case *ir.Range:
		return single("range", []any{w.rangeEnd(x.Lo), w.rangeEnd(x.Hi)})
	case *ir.Concat:
		parts := make([]any, len(x.Parts))
		for i, p := range x.Parts {
			parts[i] = w.expr(p)
		}
		return single("concat", parts)
	case *ir.List:
		items := make([]any, len(x.Items))
		for i, it := range x.Items {
			items[i] = w.expr(it)
		}
		return items
	case *ir.SetExpr:
		elems := make([]any, len(x.Elems))
		for i, el := range x.Elems {
			elems[i] = w.element(el, false)
		}
		return single("set", elems)
	case *ir.SetRef:
		return "@" + x.Name
	case *ir.Binop:
		if _, c := x.X.(*ir.Const); c && x.Op != "<<" && x.Op != ">>" {
			if _, c2 := x.Y.(*ir.Const); !c2 {
				// nft lists the constant of a commutative operation last.
				x = &ir.Binop{Node: x.Node, Op: x.Op, X: x.Y, Y: x.X}
			}
		}
		ops := w.binopOperands(x.Op, x)
		if !w.opts.Listing {
			// nft before 1.0.7 reads exactly two operands.
			return nestBinop(x.Op, ops)
		}
		return single(x.Op, ops)
	case *ir.MapExpr:
		kind := "map"
		if x.Vmap {
			kind = "vmap"
		}
		return single(kind, w.mapBody(x))
	case *ir.Verdict:
		return w.verdict(x)
	case *ir.Special:
		return w.special(x)
	}
	w.failf("cannot write expression %T as JSON", e)
	return nil
}

// binopOperands flattens nested operations of the same operator into
// one operand list, as nft does: (a | b) | c is {"|": [a, b, c]}.
func (w *writer) binopOperands(op string, e ir.Expr) []any {
	b, ok := e.(*ir.Binop)
	if !ok || b.Op != op {
		return []any{w.expr(e)}
	}
	out := w.binopOperands(op, b.X)
	if c, ok := b.Y.(*ir.Const); ok && c.Val != nil && !c.Sym && c.Type != nil {
		switch {
		case op == "|" && c.Type.IsBitmask():
			if names := w.bitNames(c.Type, c.Val); len(names) > 1 {
				return append(out, names...)
			}
		case c.Type.Kind == ir.KindSymbolic:
			// A symbolic operand keeps its name beside a selector of
			// its type ("ip dscp & af33"); after a shift or another
			// operation it is a number ("ip dscp << 2 | 16").
			if _, sel := b.X.(*ir.Selector); !sel {
				return append(out, integer(c.Val))
			}
		}
	}
	return append(out, w.binopOperands(op, b.Y)...)
}

// nestBinop writes operands a, b, c as {op: [{op: [a, b]}, c]}.
func nestBinop(op string, ops []any) *object {
	acc := single(op, []any{ops[0], ops[1]})
	for _, o := range ops[2:] {
		acc = single(op, []any{acc, o})
	}
	return acc
}

// mapBody writes the key and data of a map or verdict map lookup.
func (w *writer) mapBody(m *ir.MapExpr) *object {
	var data any
	switch d := m.Map.(type) {
	case *ir.SetExpr:
		elems := make([]any, len(d.Elems))
		for i, el := range d.Elems {
			elems[i] = w.element(el, true)
		}
		data = single("set", elems)
	default:
		data = w.expr(m.Map)
	}
	return obj("key", w.expr(m.Key), "data", data)
}

// selector writes a registry field as the JSON expression of its kind.
func (w *writer) selector(s *ir.Selector) any {
	f := s.Field
	switch f.Base {
	case ir.BaseLL, ir.BaseNH, ir.BaseTH, ir.BaseInner:
		return single("payload", obj("protocol", f.Proto, "field", f.Key))
	case ir.BaseMeta:
		return single("meta", obj("key", f.Key))
	case ir.BaseCT:
		co := obj("key", f.Key)
		if s.Dir != "" {
			co.set("dir", s.Dir)
		}
		return single("ct", co)
	case ir.BaseExthdr:
		return single("exthdr", obj("name", f.Proto, "field", f.Key))
	case ir.BaseOther:
		switch f.Proto {
		case "rt":
			if fam, key, ok := strings.Cut(f.Key, " "); ok {
				return single("rt", obj("key", key, "family", fam))
			}
			return single("rt", obj("key", f.Key))
		case "socket", "osf":
			return single(f.Proto, obj("key", f.Key))
		}
	}
	w.failf("cannot write selector %q as JSON", f.Name)
	return nil
}

// rangeEnd writes a bound of a range; nft lists protocol numbers there
// as numbers.
func (w *writer) rangeEnd(e ir.Expr) any {
	if c, ok := e.(*ir.Const); ok && c.Type != nil && c.Type.Proto && c.Val != nil && !c.Sym {
		return ir.Uint(c.Val)
	}
	return w.expr(e)
}

// constant writes a value the way nft's JSON output gives values of its
// datatype: numbers for integers, names for symbolic constants, strings
// for addresses and interface names, booleans for exists/missing.
func (w *writer) constant(c *ir.Const, inSet bool) any {
	t := c.Type
	if c.Sym || t == nil {
		switch c.Str {
		case "exists":
			if t == nil {
				return true
			}
		case "missing":
			if t == nil {
				return false
			}
		}
		if n, err := strconv.ParseUint(c.Str, 10, 64); err == nil && !c.Quoted {
			return n
		}
		return c.Str
	}
	switch t.Kind {
	case ir.KindString, ir.KindIfindex:
		if c.Wild {
			return c.Str + "*"
		}
		return c.Str
	case ir.KindIPv4, ir.KindIPv6, ir.KindInetAddr:
		a, ok := netip.AddrFromSlice(c.Val)
		if !ok {
			return c.Str
		}
		return formatAddr(a)
	case ir.KindEther:
		parts := make([]string, len(c.Val))
		for i, b := range c.Val {
			parts[i] = fmt.Sprintf("%02x", b)
		}
		return strings.Join(parts, ":")
	case ir.KindTime:
		v := ir.Uint(c.Val)
		if t.TimeUnit != 1 {
			v /= 1000
		}
		return v
	case ir.KindBool:
		return ir.Uint(c.Val) != 0
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
		if t.Numeric || t.Proto && w.opts.NumericProto {
			return v
		}
		if n, ok := ir.SymbolName(t.Symbols, v); ok {
			return n
		}
		return v
	case ir.KindBitmask:
		if t.Symbols == "ct_label" {
			// The ir keeps a label as its value (as nft reads a number).
			if v := new(big.Int).SetBytes(c.Val); v.IsUint64() {
				if n, ok := ir.SymbolName("ct_label", v.Uint64()); ok {
					return n
				}
			}
			return integer(c.Val)
		}
		names := w.bitNames(t, c.Val)
		if len(names) == 1 {
			return names[0]
		}
		if !w.opts.Listing {
			return nestBinop("|", names)
		}
		return single("|", names)
	case ir.KindVerdict:
		return single(c.Str, nil)
	}
	return integer(c.Val)
}

// integer writes a big-endian value as a JSON number, or as a "0x..."
// string when it does not fit in 64 bits, as nft does.
func integer(val []byte) any {
	v := new(big.Int).SetBytes(val)
	if v.IsUint64() {
		return v.Uint64()
	}
	return "0x" + v.Text(16)
}

// bitNames returns the flags of a bitmask value by name, lowest bit
// first, with a number for bits that have no name.
// Names the target nft does not parse stay numbers.
func (w *writer) bitNames(t *ir.Type, val []byte) []any {
	name := func(v uint64) (string, bool) { return w.opts.Target.SymbolName(t.Symbols, v) }
	v := new(big.Int).SetBytes(val)
	if v.Sign() == 0 {
		if n, ok := name(0); ok {
			return []any{n}
		}
		return []any{uint64(0)}
	}
	if v.IsUint64() {
		if n, ok := name(v.Uint64()); ok {
			return []any{n}
		}
	}
	var out []any
	rest := new(big.Int).Set(v)
	for i := 0; i < v.BitLen(); i++ {
		if v.Bit(i) == 0 {
			continue
		}
		if n, ok := name(uint64(1) << i); ok && i < 64 {
			out = append(out, n)
			rest.SetBit(rest, i, 0)
		}
	}
	if rest.Sign() != 0 {
		if rest.IsUint64() {
			out = append(out, rest.Uint64())
		} else {
			out = append(out, "0x"+rest.Text(16))
		}
	}
	return out
}

// special writes an expression the ir keeps as words.
func (w *writer) special(s *ir.Special) any {
	ws := s.Words
	switch s.Kind {
	case "fib":
		var flags []any
		res := ws[len(ws)-1]
		for _, x := range ws[1 : len(ws)-1] {
			if x != "." {
				flags = append(flags, x)
			}
		}
		if res == "check" && w.inMatch {
			// nft lists a presence check in a match as the oif result.
			res = "oif"
		}
		return single("fib", obj("result", res, "flags", flags))
	case "numgen":
		no := obj("mode", ws[1], "mod", wordUint(ws, "mod"), "offset", wordUint(ws, "offset"))
		return single("numgen", no)
	case "jhash", "symhash":
		ho := obj("mod", wordUint(ws, "mod"))
		if i := wordIndex(ws, "seed"); i >= 0 && i+1 < len(ws) {
			n, _ := strconv.ParseUint(ws[i+1], 0, 64)
			ho.set("seed", n)
		}
		if off := wordUint(ws, "offset"); off != 0 {
			ho.set("offset", off)
		}
		if s.Kind == "jhash" && len(s.Args) == 1 {
			ho.set("expr", w.expr(s.Args[0]))
		}
		return single(s.Kind, ho)
	case "osf":
		oo := obj("key", ws[len(ws)-1])
		if i := wordIndex(ws, "ttl"); i >= 0 && i+1 < len(ws) {
			oo.set("ttl", ws[i+1])
		}
		return single("osf", oo)
	case "exthdr":
		if len(ws) == 2 && ws[0] == "exthdr" {
			return single("exthdr", obj("name", ws[1]))
		}
		if len(ws) == 2 {
			return single("exthdr", obj("name", ws[0], "field", ws[1]))
		}
	case "payload":
		if len(ws) == 2 {
			return single("payload", obj("protocol", ws[0], "field", ws[1]))
		}
	case "option":
		if len(ws) == 3 && ws[0] == "dccp" {
			n, _ := strconv.ParseUint(ws[2], 10, 64)
			return single("dccp option", obj("type", n))
		}
		if len(ws) < 3 {
			break
		}
		key := ws[0] + " " + ws[1]
		name := ws[2]
		if strings.HasPrefix(name, "@") {
			var n [3]uint64
			for i, p := range strings.SplitN(name[1:], ",", 3) {
				n[i], _ = strconv.ParseUint(p, 10, 64)
			}
			return single(key, obj("base", n[0], "offset", n[1], "len", n[2]))
		}
		if k, err := strconv.ParseUint(name, 10, 64); err == nil && len(ws) == 3 {
			return single(key, obj("base", k, "offset", 0, "len", 8))
		}
		oo := obj("name", name)
		if len(ws) > 3 {
			oo.set("field", ws[3])
		}
		return single(key, oo)
	case "ipsec":
		io := obj()
		key := ws[len(ws)-1]
		io.set("key", key)
		if key == "saddr" || key == "daddr" {
			io.set("family", ws[len(ws)-2])
		}
		io.set("dir", ws[1])
		io.set("spnum", wordUint(ws, "spnum"))
		return single("ipsec", io)
	case "socket":
		if len(ws) >= 4 && ws[1] == "cgroupv2" {
			n, _ := strconv.ParseUint(ws[3], 10, 64)
			return single("socket", obj("key", "cgroupv2", "level", n))
		}
	case "inner":
		if len(s.Args) == 1 {
			switch x := s.Args[0].(type) {
			case *ir.Selector:
				return single("payload", obj("tunnel", ws[0], "protocol", x.Field.Proto, "field", x.Field.Key))
			case *ir.Special:
				if x.Kind == "payload" && len(x.Words) == 2 {
					return single("payload", obj("tunnel", ws[0], "protocol", x.Words[0], "field", x.Words[1]))
				}
			}
		}
	case "tunnel":
		if len(ws) == 2 {
			return single("tunnel", obj("key", ws[1]))
		}
	}
	w.failf("cannot write the expression %q as JSON", ir.ExprKey(s))
	return nil
}

// wordIndex returns the index of word k in ws, -1 when absent.
func wordIndex(ws []string, k string) int {
	for i, x := range ws {
		if x == k {
			return i
		}
	}
	return -1
}

// wordUint returns the number after word k in ws, 0 when absent.
func wordUint(ws []string, k string) uint64 {
	if i := wordIndex(ws, k); i >= 0 && i+1 < len(ws) {
		n, _ := strconv.ParseUint(ws[i+1], 0, 64)
		return n
	}
	return 0
}

// formatAddr prints an address as nft does (inet_ntop): like netip,
// except that IPv4-compatible IPv6 addresses (::a.b.c.d) end in dotted
// quad.
func formatAddr(a netip.Addr) string {
	if a.Is6() && !a.Is4In6() {
		b := a.As16()
		zero := true
		for _, x := range b[:12] {
			zero = zero && x == 0
		}
		if zero && (b[12] != 0 || b[13] != 0) {
			return "::" + netip.AddrFrom4([4]byte{b[12], b[13], b[14], b[15]}).String()
		}
	}
	return a.String()
}
