package json

import (
	stdjson "encoding/json"
	"strconv"
	"strings"

	"github.com/nftopt/nftopt/ir"
)

// expr reads an expression. ts are the datatypes its immediates take
// (one per part of a concatenation); nil when the expression is read
// on its own (a selector) or its type is unknown.
func (r *reader) expr(v any, ts []*ir.Type) ir.Expr {
	switch x := v.(type) {
	case nil:
		r.failf("expected an expression, got null")
	case bool:
		c := &ir.Const{Type: ir.TypeBool, Val: []byte{0}}
		if x {
			c.Val[0] = 1
		}
		return r.bind(c, ts)
	case stdjson.Number:
		s := x.String()
		if strings.HasPrefix(s, "-") {
			r.failf("negative numbers are not values (got %s)", s)
		}
		if strings.ContainsAny(s, ".eE") {
			r.failf("expected an integer, got %s", s)
		}
		return r.bind(&ir.Const{Str: s, Sym: true}, ts)
	case string:
		r.checkText(x)
		switch {
		case strings.HasPrefix(x, "@"):
			if !isWord(x[1:]) {
				r.failf(`expected a set name after "@", got %q`, x)
			}
			return &ir.SetRef{Name: x[1:]}
		case x == "*":
			return &ir.Const{Str: "*", Sym: true}
		}
		e := r.bind(&ir.Const{Str: x, Sym: true}, ts)
		if c, ok := e.(*ir.Const); ok && c.Sym && c.Str != "*" {
			// A name nft resolves when loading (a user, a host, an
			// object) prints quoted, so that it never reads as a
			// keyword ("ipsec").
			q := *c
			q.Quoted = true
			return &q
		}
		return e
	case []any:
		l := &ir.List{Items: make([]ir.Expr, 0, len(x))}
		for i, it := range x {
			r.index(i)
			l.Items = append(l.Items, r.expr(it, ts))
			r.leave()
		}
		if len(l.Items) == 0 {
			r.failf("expected a list of values, got an empty array")
		}
		return l
	case map[string]any:
		key, val := r.one(x, "an expression")
		r.enter(key)
		e := r.exprObj(key, val, ts)
		r.leave()
		return e
	}
	r.failf("expected an expression, got %s", describeValue(v))
	return nil
}

// needsQuotes reports whether a string must be quoted in nft text.
func needsQuotes(s string) bool {
	if s == "" {
		return true
	}
	for _, c := range s {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '-' || c == '.' || c == ':' || c == '/' || c == '*') {
			return true
		}
	}
	return false
}

// bind gives an immediate the datatype of its context.
func (r *reader) bind(c *ir.Const, ts []*ir.Type) ir.Expr {
	if len(ts) == 0 || ts[0] == nil {
		return c
	}
	t := ts[0]
	if c.Type == ir.TypeBool && t.Kind == ir.KindIfindex {
		// "fib daddr oif missing": a presence check, not an interface.
		s := "missing"
		if ir.Uint(c.Val) != 0 {
			s = "exists"
		}
		return &ir.Const{Str: s, Sym: true}
	}
	return r.bindConst(c, t)
}

// exprObj reads the expression object {key: val}.
func (r *reader) exprObj(key string, val any, ts []*ir.Type) ir.Expr {
	switch key {
	case "payload":
		return r.payload(val)
	case "meta":
		m := r.object(val, "the properties of a meta expression")
		k := r.reqStr(m, "key", "the meta key")
		return r.selector("meta "+metaAlias(k), "meta key", k)
	case "ct":
		return r.ct(val)
	case "rt":
		m := r.object(val, "the properties of an rt expression")
		k := r.reqStr(m, "key", "the routing key")
		if fam, ok := r.optStr(m, "family", "ip or ip6"); ok && k == "nexthop" {
			k = fam + " " + k
		}
		return r.selector("rt "+k, "rt key", k)
	case "socket":
		m := r.object(val, "the properties of a socket expression")
		k := r.reqStr(m, "key", "the socket key")
		if k == "cgroupv2" {
			lv, _ := r.optUint(m, "level", "the cgroup level")
			return &ir.Special{Kind: "socket", Words: []string{"socket", "cgroupv2", "level", strconv.FormatUint(lv, 10)}, Type: ir.TypeCgroupv2}
		}
		return r.selector("socket "+k, "socket key", k)
	case "osf":
		m := r.object(val, "the properties of an osf expression")
		k := r.reqStr(m, "key", "name or version")
		if k != "name" && k != "version" {
			r.enter("key")
			r.failf("unknown osf key %q (expected name or version)", k)
		}
		words := []string{"osf"}
		if ttl, ok := r.optStr(m, "ttl", "loose or skip"); ok {
			if ttl != "loose" && ttl != "skip" {
				r.enter("ttl")
				r.failf("unknown osf ttl %q (expected loose or skip)", ttl)
			}
			words = append(words, "ttl", ttl)
		}
		return &ir.Special{Kind: "osf", Words: append(words, k), Type: ir.TypeString}
	case "ipsec":
		return r.ipsec(val)
	case "exthdr":
		return r.exthdr(val)
	case "tcp option", "ip option", "sctp chunk":
		return r.option(key, val)
	case "dccp option":
		m := r.object(val, "the properties of a dccp option expression")
		n, ok := r.optUint(m, "type", "the option type")
		if !ok {
			r.failf(`missing property "type" (the dccp option type)`)
		}
		return &ir.Special{Kind: "option", Words: []string{"dccp", "option", strconv.FormatUint(n, 10)}, Type: ir.TypeBool}
	case "numgen":
		m := r.object(val, "the properties of a numgen expression")
		mode := r.reqStr(m, "mode", "inc or random")
		if mode != "inc" && mode != "random" {
			r.enter("mode")
			r.failf("unknown numgen mode %q (expected inc or random)", mode)
		}
		mod, ok := r.optUint(m, "mod", "the modulus")
		if !ok {
			r.failf(`missing property "mod" (the modulus)`)
		}
		words := []string{"numgen", mode, "mod", strconv.FormatUint(mod, 10)}
		if off, _ := r.optUint(m, "offset", "the offset"); off != 0 {
			words = append(words, "offset", strconv.FormatUint(off, 10))
		}
		return &ir.Special{Kind: "numgen", Words: words, Type: ir.TypeInteger.WithWidth(32)}
	case "jhash", "symhash":
		return r.hash(key, val)
	case "fib":
		return r.fib(val)
	case "tunnel":
		m := r.object(val, "the properties of a tunnel expression")
		k, _ := r.word(m, "key", "the tunnel key", true)
		typ := ir.TypeInteger.WithWidth(32)
		if k == "path" {
			typ = ir.TypeBool
		}
		return &ir.Special{Kind: "tunnel", Words: []string{"tunnel", k}, Type: typ}
	case "&", "|", "^", "<<", ">>":
		return r.binop(key, val, ts)
	case "concat":
		a := r.array(val, "an array of expressions to concatenate")
		if len(a) < 2 {
			r.failf("a concatenation needs at least two expressions")
		}
		c := &ir.Concat{Parts: make([]ir.Expr, 0, len(a))}
		for i, p := range a {
			var pt []*ir.Type
			if i < len(ts) {
				pt = ts[i : i+1]
			}
			r.index(i)
			c.Parts = append(c.Parts, r.expr(p, pt))
			r.leave()
		}
		return c
	case "set":
		return r.setExpr(val, ts, nil, false)
	case "map":
		return r.mapExpr(val, ts, false)
	case "prefix":
		m := r.object(val, "the properties of a prefix")
		av, ok := m["addr"]
		if !ok {
			r.failf(`missing property "addr" (the prefix's address)`)
		}
		n, ok := r.optUint(m, "len", "the prefix length")
		if !ok {
			r.failf(`missing property "len" (the prefix length)`)
		}
		r.enter("addr")
		x := r.expr(av, ts)
		r.leave()
		if t := ir.FirstType(x); t != nil && t.Width > 0 && int(n) > t.Width {
			r.enter("len")
			r.failf("prefix length %d exceeds the width of %s (%d bits)", n, t.Name, t.Width)
		}
		return &ir.Prefix{X: x, Len: int(n)}
	case "range":
		a := r.array(val, "an array [low, high]")
		if len(a) != 2 {
			r.failf("a range needs exactly two values [low, high], got %d", len(a))
		}
		r.index(0)
		lo := r.expr(a[0], ts)
		r.leave()
		r.index(1)
		hi := r.expr(a[1], ts)
		r.leave()
		return &ir.Range{Lo: lo, Hi: hi}
	case "accept", "drop", "continue", "return", "jump", "goto", "queue":
		return r.verdict(key, val)
	case "elem":
		r.failf("an elem object is only allowed as an element of a set or map")
	}
	r.failf("unknown expression %q", key)
	return nil
}

// metaAlias maps the meta keys nft accepts under a second name.
func metaAlias(k string) string {
	switch k {
	case "ibridgename":
		return "ibrname"
	case "obridgename":
		return "obrname"
	}
	return k
}

// selector looks a field up in the registry.
func (r *reader) selector(name, what, key string) ir.Expr {
	f := ir.LookupField(name)
	if f == nil {
		r.failf("unknown %s %q", what, key)
	}
	return &ir.Selector{Field: f}
}

// payload reads {"payload": {protocol, field}}, the raw form {base,
// offset, len} and the inner header form {tunnel, protocol, field}.
func (r *reader) payload(val any) ir.Expr {
	m := r.object(val, "the properties of a payload expression")
	if _, raw := m["base"]; raw {
		base := r.reqStr(m, "base", "ll, nh, th or ih")
		switch base {
		case "ll", "nh", "th", "ih":
		default:
			r.enter("base")
			r.failf("unknown payload base %q (expected ll, nh, th or ih)", base)
		}
		off, ok := r.optUint(m, "offset", "the offset in bits")
		if !ok {
			r.failf(`missing property "offset" (the offset in bits)`)
		}
		n, ok := r.optUint(m, "len", "the length in bits")
		if !ok {
			r.failf(`missing property "len" (the length in bits)`)
		}
		if n == 0 || n > ir.MaxWidth {
			r.enter("len")
			r.failf("payload length must be between 1 and %d bits, got %d", ir.MaxWidth, n)
		}
		return &ir.RawPayload{Base: base, Offset: int(off), Len: int(n)}
	}
	proto := r.reqStr(m, "protocol", "the header, such as tcp")
	field := r.reqStr(m, "field", "the header field, such as dport")
	if !ir.IsProtoWord(proto) && r.knownHeader(proto) && isWord(field) {
		// A header the field registry does not describe yet (vxlan vni):
		// kept as its words, its values untyped.
		var e ir.Expr = &ir.Special{Kind: "payload", Words: []string{proto, field}}
		if tun, ok := r.word(m, "tunnel", "vxlan, geneve, gre or gretap", false); ok {
			e = &ir.Special{Kind: "inner", Words: []string{tun, "%"}, Args: []ir.Expr{e}}
		}
		return e
	}
	f := ir.LookupField(proto + " " + field)
	if f == nil || f.Base == ir.BaseMeta || f.Base == ir.BaseCT || f.Base == ir.BaseOther || f.Base == ir.BaseExthdr {
		r.enter("field")
		r.failf("unknown %s header field %q", proto, field)
	}
	var e ir.Expr = &ir.Selector{Field: f}
	if tun, ok := r.word(m, "tunnel", "vxlan, geneve, gre or gretap", false); ok {
		e = &ir.Special{Kind: "inner", Words: []string{tun, "%"}, Args: []ir.Expr{e}, Type: f.Type}
	}
	return e
}

// knownHeader reports the headers nft knows that the field registry
// does not describe.
func (r *reader) knownHeader(proto string) bool {
	switch proto {
	case "vxlan", "geneve", "gretap":
		return true
	}
	return false
}

// ct reads {"ct": {key, dir, family}}.
func (r *reader) ct(val any) ir.Expr {
	m := r.object(val, "the properties of a ct expression")
	k := r.reqStr(m, "key", "the conntrack key")
	if fam, ok := r.optStr(m, "family", "ip or ip6"); ok && (k == "saddr" || k == "daddr") {
		k = fam + " " + k
	}
	f := ir.LookupField("ct " + k)
	if f == nil || f.Base != ir.BaseCT {
		r.enter("key")
		r.failf("unknown ct key %q", k)
	}
	sel := &ir.Selector{Field: f}
	if dir, ok := r.optStr(m, "dir", "original or reply"); ok {
		if dir != "original" && dir != "reply" {
			r.enter("dir")
			r.failf("unknown direction %q (expected original or reply)", dir)
		}
		if !f.NeedsDir {
			r.enter("dir")
			r.failf("ct %s does not take a direction", k)
		}
		sel.Dir = dir
	}
	return sel
}

// ipsec reads {"ipsec": {key, dir, spnum, family}}.
func (r *reader) ipsec(val any) ir.Expr {
	m := r.object(val, "the properties of an ipsec expression")
	k := r.reqStr(m, "key", "the ipsec key")
	dir, ok := r.optStr(m, "dir", "in or out")
	if !ok {
		dir = "in"
	}
	if dir != "in" && dir != "out" {
		r.enter("dir")
		r.failf("unknown direction %q (expected in or out)", dir)
	}
	words := []string{"ipsec", dir}
	if n, _ := r.optUint(m, "spnum", "the policy number"); n != 0 {
		words = append(words, "spnum", strconv.FormatUint(n, 10))
	}
	typ := ir.TypeInteger.WithWidth(32)
	switch k {
	case "saddr", "daddr":
		fam, _ := r.optStr(m, "family", "ip or ip6")
		typ = ir.TypeIPv4
		switch fam {
		case "ip6":
			typ = ir.TypeIPv6
		case "", "ip":
			fam = "ip"
		default:
			r.enter("family")
			r.failf("unknown family %q (expected ip or ip6)", fam)
		}
		words = append(words, fam, k)
	case "reqid", "spi":
		words = append(words, k)
	default:
		r.enter("key")
		r.failf("unknown ipsec key %q (expected reqid, spi, saddr or daddr)", k)
	}
	return &ir.Special{Kind: "ipsec", Words: words, Type: typ}
}

// exthdr reads {"exthdr": {name, field, offset}}: an IPv6 extension
// header field, or a presence check without field.
func (r *reader) exthdr(val any) ir.Expr {
	m := r.object(val, "the properties of an exthdr expression")
	name, _ := r.word(m, "name", "the extension header", true)
	field, ok := r.word(m, "field", "the header field", false)
	if !ok {
		return &ir.Special{Kind: "exthdr", Words: []string{"exthdr", name}, Type: ir.TypeBool}
	}
	if f := ir.LookupField(name + " " + field); f != nil && f.Base == ir.BaseExthdr {
		return &ir.Selector{Field: f}
	}
	if name == "srh" && strings.HasPrefix(field, "sid[") {
		// Segment list entries, not in the registry yet.
		return &ir.Special{Kind: "exthdr", Words: []string{name, field}, Type: ir.TypeIPv6}
	}
	r.enter("field")
	r.failf("unknown %s extension header field %q", name, field)
	return nil
}

// option reads "tcp option", "ip option" and "sctp chunk" objects:
// {name, field}, a presence check {name}, or a raw tcp option {base,
// offset, len}.
func (r *reader) option(key string, val any) ir.Expr {
	m := r.object(val, "the properties of a "+key+" expression")
	words := strings.Fields(key)
	if _, raw := m["base"]; raw && key == "tcp option" {
		kind, _ := r.optUint(m, "base", "the option kind")
		off, _ := r.optUint(m, "offset", "the offset in bits")
		n, _ := r.optUint(m, "len", "the length in bits")
		if kind > 255 {
			r.enter("base")
			r.failf("tcp option kind must be between 0 and 255, got %d", kind)
		}
		if off == 0 && n == 8 || n == 0 {
			// nft lists a raw presence check by the kind alone.
			return &ir.Special{Kind: "option", Words: append(words, strconv.FormatUint(kind, 10)), Type: ir.TypeBool}
		}
		return &ir.Special{Kind: "option", Words: append(words, "@"+strconv.FormatUint(kind, 10)+","+strconv.FormatUint(off, 10)+","+strconv.FormatUint(n, 10)), Type: ir.TypeInteger}
	}
	name, _ := r.word(m, "name", "the option name", true)
	if name == "sack0" {
		name = "sack"
	}
	words = append(words, name)
	field, ok := r.optStr(m, "field", "the option field")
	if !ok {
		return &ir.Special{Kind: "option", Words: words, Type: ir.TypeBool}
	}
	w, known := ir.OptionFieldWidth(field)
	if !known {
		r.enter("field")
		r.failf("unknown %s field %q", key, field)
	}
	typ := ir.TypeInteger.WithWidth(w)
	if name == "mptcp" && field == "subtype" {
		// Named subtypes (mp-capable) have no datatype in ir yet.
		typ = nil
	}
	return &ir.Special{Kind: "option", Words: append(words, field), Type: typ}
}

// hash reads {"jhash": {expr, mod, seed, offset}} and {"symhash": {mod, offset}}.
func (r *reader) hash(key string, val any) ir.Expr {
	m := r.object(val, "the properties of a "+key+" expression")
	s := &ir.Special{Kind: key, Words: []string{key}, Type: ir.TypeInteger.WithWidth(32)}
	if key == "jhash" {
		ev, ok := m["expr"]
		if !ok {
			r.failf(`missing property "expr" (the expression to hash)`)
		}
		r.enter("expr")
		s.Args = []ir.Expr{r.expr(ev, nil)}
		r.leave()
		s.Words = append(s.Words, "%")
	}
	mod, ok := r.optUint(m, "mod", "the modulus")
	if !ok {
		r.failf(`missing property "mod" (the modulus)`)
	}
	s.Words = append(s.Words, "mod", strconv.FormatUint(mod, 10))
	if seed, ok := r.optUint(m, "seed", "the seed"); ok && key == "jhash" {
		s.Words = append(s.Words, "seed", "0x"+strconv.FormatUint(seed, 16))
	}
	if off, _ := r.optUint(m, "offset", "the offset"); off != 0 {
		s.Words = append(s.Words, "offset", strconv.FormatUint(off, 10))
	}
	return s
}

// fibFlags are the fib flags in the order nft lists them.
var fibFlags = []string{"saddr", "daddr", "mark", "iif", "oif"}

// fib reads {"fib": {result, flags}}.
func (r *reader) fib(val any) ir.Expr {
	m := r.object(val, "the properties of a fib expression")
	res := r.reqStr(m, "result", "oif, oifname, type or check")
	var typ *ir.Type
	switch res {
	case "oif":
		typ = ir.TypeIface
	case "oifname":
		typ = ir.TypeIfname
	case "type":
		typ = ir.TypeFibAddr
	case "check":
		typ = ir.TypeBool
	default:
		r.enter("result")
		r.failf("unknown fib result %q (expected oif, oifname, type or check)", res)
	}
	flags := r.strList(m, "flags", "fib flags")
	have := map[string]bool{}
	for i, f := range flags {
		known := false
		for _, k := range fibFlags {
			known = known || k == f
		}
		if !known {
			r.enter("flags")
			if len(flags) > 1 {
				r.index(i)
			}
			r.failf("unknown fib flag %q (expected saddr, daddr, mark, iif or oif)", f)
		}
		have[f] = true
	}
	if have["saddr"] == have["daddr"] {
		r.failf("fib needs either saddr or daddr in its flags")
	}
	words := []string{"fib"}
	for _, k := range fibFlags {
		if have[k] {
			if len(words) > 1 {
				words = append(words, ".")
			}
			words = append(words, k)
		}
	}
	return &ir.Special{Kind: "fib", Words: append(words, res), Type: typ}
}

// binop reads {"&": [a, b, ...]} and the other bitwise operators: the
// first operand is the left one; further operands apply in turn.
func (r *reader) binop(op string, val any, ts []*ir.Type) ir.Expr {
	a := r.array(val, "an array of at least two operands")
	if len(a) < 2 {
		r.failf("%s needs at least two operands, got %d", op, len(a))
	}
	r.index(0)
	x := r.expr(a[0], ts)
	r.leave()
	for i := 1; i < len(a); i++ {
		yts := ir.ExprTypes(x)
		if yts == nil {
			yts = ts
		}
		if op == "<<" || op == ">>" {
			yts = []*ir.Type{ir.TypeInteger.WithWidth(32)}
		}
		r.index(i)
		y := r.operand(a[i], yts, ts)
		r.leave()
		if l, ok := y.(*ir.List); ok {
			// A list of flags as an operand ("tcp flags & [syn, ack]",
			// as nft 1.0 lists a mask) is their union.
			y = l.Items[0]
			for _, it := range l.Items[1:] {
				u := &ir.Binop{Op: "|", X: y, Y: it}
				if c := foldConst(u); c != nil {
					y = c
				} else {
					y = u
				}
			}
		}
		b := &ir.Binop{Op: op, X: x, Y: y}
		if c := foldConst(b); c != nil {
			x = c
			continue
		}
		x = b
	}
	return x
}

// operand reads the right operand of a bitwise operation with the
// type of the left one; a constant that does not fit it (a mark bit
// or'ed into "ip dscp | 0x40") takes the type of the whole expression,
// or stays an untyped number.
func (r *reader) operand(v any, ts, outer []*ir.Type) ir.Expr {
	if _, isNum := v.(stdjson.Number); !isNum {
		return r.expr(v, ts)
	}
	for _, cand := range [][]*ir.Type{ts, outer} {
		if e, ok := r.tryExpr(v, cand); ok {
			return e
		}
	}
	return r.expr(v, nil)
}

// tryExpr reads v with types ts, reporting failure instead of stopping.
func (r *reader) tryExpr(v any, ts []*ir.Type) (e ir.Expr, ok bool) {
	depth := len(r.path)
	defer func() {
		if x := recover(); x != nil {
			if _, isFail := x.(failure); !isFail {
				panic(x)
			}
			r.path = r.path[:depth]
			e, ok = nil, false
		}
	}()
	return r.expr(v, ts), true
}

// verdict reads a verdict: {"accept": null}, {"jump": {"target": "c"}}.
func (r *reader) verdict(kind string, val any) *ir.Verdict {
	v := &ir.Verdict{Kind: kind}
	if kind == "jump" || kind == "goto" {
		m := r.object(val, `{"target": CHAIN}`)
		v.Chain = r.reqName(m, "target", "the chain to "+kind+" to")
	} else if val != nil {
		r.failf("expected null after %q, got %s", kind, describeValue(val))
	}
	return v
}

// setExpr reads the value of {"set": ...}: an array of elements, one
// element, or "@name". dataTs, when mapping is set, are the datatypes
// of the values of [key, value] pairs.
func (r *reader) setExpr(val any, keyTs, dataTs []*ir.Type, mapping bool) ir.Expr {
	if s, ok := val.(string); ok && strings.HasPrefix(s, "@") {
		return r.expr(s, nil)
	}
	a, ok := val.([]any)
	if !ok {
		return &ir.SetExpr{Elems: []*ir.Element{r.element(val, keyTs, dataTs, mapping)}}
	}
	s := &ir.SetExpr{Elems: make([]*ir.Element, 0, len(a))}
	for i, x := range a {
		r.index(i)
		s.Elems = append(s.Elems, r.element(x, keyTs, dataTs, mapping))
		r.leave()
	}
	return s
}

// mapExpr reads {"map": {key, data}} and {"vmap": {key, data}}: the
// key expression, then the mapping, a set of [key, value] pairs or a
// reference to a named map. ts are the datatypes of the values.
func (r *reader) mapExpr(val any, ts []*ir.Type, vmap bool) *ir.MapExpr {
	m := r.object(val, `{"key": EXPR, "data": MAPPING}`)
	kv, ok := m["key"]
	if !ok {
		r.failf(`missing property "key" (the expression to look up)`)
	}
	dv, ok := m["data"]
	if !ok {
		r.failf(`missing property "data" (the mapping)`)
	}
	r.enter("key")
	key := r.expr(kv, nil)
	r.leave()
	me := &ir.MapExpr{Key: key, Vmap: vmap}
	if vmap {
		ts = []*ir.Type{ir.TypeVerdict}
	}
	r.enter("data")
	switch d := dv.(type) {
	case string:
		me.Map = r.expr(d, nil)
		if _, ok := me.Map.(*ir.SetRef); !ok {
			r.failf(`expected a mapping {"set": [[key, value], ...]} or "@map", got %s`, describeValue(dv))
		}
	case map[string]any:
		k, sv := r.one(d, "a mapping")
		if k != "set" {
			r.failf(`expected a mapping {"set": [[key, value], ...]}, got %s`, describeValue(dv))
		}
		r.enter("set")
		me.Map = r.setExpr(sv, ir.ExprTypes(key), ts, true)
		r.leave()
	default:
		r.failf(`expected a mapping {"set": [[key, value], ...]} or "@map", got %s`, describeValue(dv))
	}
	r.leave()
	return me
}

// element reads one element of a set or map: a value, an {"elem":
// {...}} object with timeout, expires, comment and statements, or for
// mappings a [key, value] pair.
func (r *reader) element(v any, keyTs, dataTs []*ir.Type, mapping bool) *ir.Element {
	if pair, ok := v.([]any); ok && len(pair) == 2 && (mapping || isElemPair(pair)) {
		r.index(0)
		el := r.elementKey(pair[0], keyTs)
		r.leave()
		r.index(1)
		el.Value = r.mapValue(pair[1], dataTs)
		r.leave()
		return el
	}
	if mapping {
		r.failf("expected a [key, value] pair, got %s", describeValue(v))
	}
	return r.elementKey(v, keyTs)
}

// isElemPair reports an array that can only be a [key, value] pair.
func isElemPair(a []any) bool {
	_, isVerdict := a[1].(map[string]any)
	return isVerdict
}

// mapValue reads the value of a mapping: a verdict for verdict maps,
// else an expression of the map's data type.
func (r *reader) mapValue(v any, ts []*ir.Type) ir.Expr {
	if m, ok := v.(map[string]any); ok && len(m) == 1 {
		for k, x := range m {
			switch k {
			case "accept", "drop", "continue", "return", "jump", "goto", "queue":
				r.enter(k)
				vd := r.verdict(k, x)
				r.leave()
				return vd
			}
		}
	}
	return r.expr(v, ts)
}

// elementKey reads an element key, unwrapping an {"elem": {...}} object.
func (r *reader) elementKey(v any, ts []*ir.Type) *ir.Element {
	m, ok := v.(map[string]any)
	if !ok || len(m) != 1 {
		return &ir.Element{Key: r.expr(v, ts)}
	}
	ev, ok := m["elem"]
	if !ok {
		return &ir.Element{Key: r.expr(v, ts)}
	}
	r.enter("elem")
	defer r.leave()
	em := r.object(ev, `the properties of an element {"val": ..., "timeout": ...}`)
	kv, ok := em["val"]
	if !ok {
		r.failf(`missing property "val" (the element's value)`)
	}
	r.enter("val")
	el := &ir.Element{Key: r.expr(kv, ts)}
	r.leave()
	for _, k := range sortedPlainKeys(em) {
		x := em[k]
		switch k {
		case "val":
		case "timeout", "expires":
			r.enter(k)
			n := r.uint(x, "a time in seconds")
			r.leave()
			d := ir.FormatDuration(n * 1000)
			if k == "timeout" {
				el.Timeout = d
			} else {
				el.Expires = d
			}
		case "comment":
			r.enter(k)
			el.Comment = r.str(x, "the element's comment")
			r.leave()
		case "counter", "quota", "limit", "last":
			r.enter(k)
			el.Stmts = append(el.Stmts, r.stmtObj(k, x))
			r.leave()
		default:
			r.enter(k)
			r.failf("unknown element property %q", k)
		}
	}
	return el
}
