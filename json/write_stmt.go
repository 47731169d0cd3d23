package json

import (
	"math/big"
	"regexp"
	"strconv"
	"strings"

	"github.com/nftopt/nftopt/ir"
)

var rateRe = regexp.MustCompile(`^(\d+)(bytes|kbytes|mbytes)?/(second|minute|hour|day|week)$`)

func parseDurationWord(s string) (uint64, error) { return ir.ParseDuration(s) }

// stmts writes the statements of a rule. A listing leaves out the
// protocol matches nft adds by itself for the statement that follows,
// as nft lists them; a command list keeps every statement.
func (w *writer) stmts(list []ir.Stmt) []any {
	out := make([]any, 0, len(list))
	for i, s := range list {
		if w.opts.Listing && i+1 < len(list) && ir.ImpliedBy(w.fam, s, list[i+1]) {
			continue
		}
		out = append(out, w.stmt(s))
	}
	return out
}

// stmt writes one statement.
func (w *writer) stmt(s ir.Stmt) any {
	switch x := s.(type) {
	case *ir.Match:
		return w.match(x)
	case *ir.VerdictStmt:
		if x.Vmap != nil {
			return single("vmap", w.mapBody(x.Vmap))
		}
		return w.verdict(x.Verdict)
	case *ir.Counter:
		switch {
		case x.Name != nil:
			return single("counter", w.expr(x.Name))
		case (x.HasValues || w.opts.Listing) && !w.opts.Stateless:
			return single("counter", obj("packets", x.Packets, "bytes", x.Bytes))
		}
		return single("counter", nil)
	case *ir.Limit:
		if x.Name != nil {
			return single("limit", w.expr(x.Name))
		}
		return single("limit", w.limit(x))
	case *ir.Quota:
		if x.Name != nil {
			return single("quota", w.expr(x.Name))
		}
		n, unit := byteUnit(toBytes(x.Bytes, x.Unit))
		qo := obj("val", n, "val_unit", unit)
		if x.Over {
			qo.set("inv", true)
		}
		if x.Used > 0 && !w.opts.Stateless {
			n, unit := byteUnit(toBytes(x.Used, x.UsedUnit))
			qo.set("used", n)
			qo.set("used_unit", unit)
		}
		return single("quota", qo)
	case *ir.Log:
		return single("log", w.log(x))
	case *ir.Reject:
		return single("reject", w.reject(x))
	case *ir.Nat:
		return single(x.Kind, w.nat(x))
	case *ir.Mangle:
		if sel, ok := x.Left.(*ir.Selector); ok {
			switch sel.Field.Name {
			case "ct helper":
				return single("ct helper", w.objRef(x.Value))
			case "meta secmark":
				if c, ok := x.Value.(*ir.Const); ok && c.Val == nil {
					return single("secmark", c.Str)
				}
			}
		}
		return single("mangle", obj("key", w.expr(x.Left), "value", w.mangleValue(x)))
	case *ir.SetStmt:
		return w.setStmt(x)
	case *ir.Generic:
		return w.generic(x)
	}
	w.failf("cannot write statement %T as JSON", s)
	return nil
}

// mangleValue writes the value of a statement that sets a field.
func (w *writer) mangleValue(m *ir.Mangle) any {
	if c, ok := m.Value.(*ir.Const); ok && c.Type.IsBitmask() && c.Val != nil && c.Type.Symbols != "ct_label" {
		// nft lists a set of flags written to a field as a list.
		if names := w.bitNames(c.Type, c.Val); len(names) > 1 {
			return names
		}
	}
	return w.expr(m.Value)
}

// objRef writes a reference to a named object: its name, or a map.
func (w *writer) objRef(e ir.Expr) any {
	if c, ok := e.(*ir.Const); ok && c.Val == nil {
		return c.Str
	}
	return w.expr(e)
}

// limit writes a rate limit as nft lists it: rate and burst in their
// largest whole unit.
func (w *writer) limit(x *ir.Limit) *object {
	if x.Unit == "" {
		burst := x.Burst
		if x.BurstUnit == "" {
			burst = 5
		}
		lo := obj("rate", x.Rate, "burst", burst, "per", x.Per)
		if x.Over {
			lo.set("inv", true)
		}
		return lo
	}
	rate, rateUnit := byteUnit(toBytes(x.Rate, x.Unit))
	burst, burstUnit := byteUnit(toBytes(x.Burst, x.BurstUnit))
	lo := obj("rate", rate, "burst", burst, "per", x.Per)
	if x.Over {
		lo.set("inv", true)
	}
	lo.set("rate_unit", rateUnit)
	lo.set("burst_unit", burstUnit)
	return lo
}

// log writes the properties of a log statement; null when it has none.
func (w *writer) log(x *ir.Log) any {
	lo := obj()
	if x.Prefix != nil {
		if c, ok := x.Prefix.(*ir.Const); ok {
			lo.set("prefix", c.Str)
		} else {
			w.failf("a log prefix must be a string")
		}
	}
	if x.HasGroup {
		lo.set("group", x.Group)
	}
	if x.Snaplen > 0 {
		lo.set("snaplen", x.Snaplen)
	}
	if x.QThreshold > 0 {
		lo.set("queue-threshold", x.QThreshold)
	}
	if x.Level != "" && x.Level != "warn" {
		lo.set("level", x.Level)
	}
	var flags []any
	all := map[string]bool{}
	for _, f := range x.Flags {
		switch {
		case f == "all":
			all["all"] = true
		case strings.HasPrefix(f, "tcp "):
			for _, t := range strings.Split(strings.TrimPrefix(f, "tcp "), ",") {
				all["tcp "+strings.TrimSpace(t)] = true
			}
		default:
			all[f] = true
		}
	}
	if all["tcp sequence"] && all["tcp options"] && all["ip options"] && all["skuid"] && all["ether"] {
		all["all"] = true
	}
	for _, f := range x.Flags {
		if all["all"] {
			flags = []any{"all"}
			break
		}
		switch {
		case strings.HasPrefix(f, "tcp "):
			for _, t := range strings.Split(strings.TrimPrefix(f, "tcp "), ",") {
				flags = append(flags, "tcp "+strings.TrimSpace(t))
			}
		default:
			flags = append(flags, f)
		}
	}
	if len(flags) > 0 {
		lo.set("flags", flags)
	}
	if len(lo.keys) == 0 {
		return nil
	}
	return lo
}

// reject writes the properties of a reject statement. A bare reject
// is written as the reply nft picks for the table's family, as nft
// lists it.
func (w *writer) reject(x *ir.Reject) any {
	with, code := x.With, x.Code
	if with == "" && w.opts.Listing {
		switch w.fam {
		case ir.FamilyIP:
			with, code = "icmp", &ir.Const{Type: ir.TypeIcmpCode, Val: []byte{3}}
		case ir.FamilyIP6:
			with, code = "icmpv6", &ir.Const{Type: ir.TypeIcmp6Code, Val: []byte{4}}
		case ir.FamilyInet, ir.FamilyBridge, ir.FamilyNetdev:
			with, code = "icmpx", &ir.Const{Type: ir.TypeIcmpxCode, Val: []byte{1}}
		}
	}
	if with == "" {
		return nil
	}
	ro := obj("type", with)
	if with != "tcp reset" {
		if code == nil {
			dflt := map[string]*ir.Const{
				"icmp":   {Type: ir.TypeIcmpCode, Val: []byte{3}},
				"icmpv6": {Type: ir.TypeIcmp6Code, Val: []byte{4}},
				"icmpx":  {Type: ir.TypeIcmpxCode, Val: []byte{1}},
			}[with]
			if dflt != nil && w.opts.Listing {
				code = dflt
			}
		}
		if code != nil {
			ro.set("expr", w.expr(code))
		}
	}
	return ro
}

// natFlagOrder is the order nft lists nat flags in.
var natFlagOrder = []string{"random", "fully-random", "persistent", "netmap"}

// nat writes the properties of snat, dnat, masquerade and redirect.
func (w *writer) nat(x *ir.Nat) any {
	no := obj()
	fam := x.Family
	if fam == "" && w.fam == ir.FamilyInet && x.Addr != nil && (x.Kind == "snat" || x.Kind == "dnat") {
		fam = addrFamily(x.Addr)
	}
	if fam != "" {
		no.set("family", fam)
	}
	if x.Addr != nil {
		addr := x.Addr
		if w.opts.Listing {
			// nft lists an address range that is a whole prefix as one.
			if p := rangePrefix(addr); p != nil {
				addr = p
			}
		}
		no.set("addr", w.expr(addr))
	}
	if x.Port != nil {
		no.set("port", w.expr(x.Port))
	}
	have := map[string]bool{}
	for _, g := range x.Flags {
		have[g] = true
	}
	if x.Prefix && w.opts.Listing {
		// A prefix mapping is a netmap to nft.
		have["netmap"] = true
	}
	var flags []any
	for _, f := range natFlagOrder {
		if have[f] {
			flags = append(flags, f)
		}
	}
	if len(flags) > 0 {
		no.set("flags", flags)
	}
	var tf []any
	if x.Prefix {
		tf = append(tf, "prefix")
	}
	if x.AddrPort && !w.opts.Listing {
		tf = append(tf, "concat")
	}
	if len(tf) > 0 {
		no.set("type_flags", tf)
	}
	if len(no.keys) == 0 {
		return nil
	}
	return no
}

// addrFamily returns "ip" or "ip6" for an address constant (or a range
// or prefix of them), "" when unknown.
func addrFamily(e ir.Expr) string {
	switch x := e.(type) {
	case *ir.Const:
		if x.Type != nil {
			switch {
			case x.Type.Kind == ir.KindIPv4 || x.Type.Kind == ir.KindInetAddr && len(x.Val) == 4:
				return "ip"
			case x.Type.Kind == ir.KindIPv6 || x.Type.Kind == ir.KindInetAddr && len(x.Val) == 16:
				return "ip6"
			}
		}
	case *ir.Range:
		return addrFamily(x.Lo)
	case *ir.Prefix:
		return addrFamily(x.X)
	}
	return ""
}

// setStmt writes add, update and delete of set elements, and meters.
func (w *writer) setStmt(x *ir.SetStmt) any {
	key := w.expr(x.Key)
	var elemProps *object
	var stmts []any
	for _, st := range x.Stmts {
		if g, ok := st.(*ir.Generic); ok && (g.Kind == "timeout" || g.Kind == "expires") && len(g.Words) == 2 {
			if elemProps == nil {
				elemProps = obj("val", key)
			}
			elemProps.set(g.Kind, w.seconds(g.Words[1]))
			continue
		}
		stmts = append(stmts, w.stmt(st))
	}
	if elemProps != nil {
		key = single("elem", elemProps)
	}
	if x.Meter {
		mo := obj("key", key)
		switch len(stmts) {
		case 0:
			w.failf("a meter needs a statement")
		case 1:
			mo.set("stmt", stmts[0])
		default:
			w.failf("a meter takes one statement, got %d", len(stmts))
		}
		mo.set("size", x.MeterSize)
		mo.set("name", x.Set)
		return single("meter", mo)
	}
	kind := "set"
	so := obj("op", x.Op, "elem", key)
	if x.Data != nil {
		kind = "map"
		so.set("data", w.expr(x.Data))
	}
	so.set(kind, "@"+x.Set)
	if len(stmts) > 0 {
		so.set("stmt", stmts)
	}
	return single(kind, so)
}

// match writes {"match": {op, left, right}}.
func (w *writer) match(m *ir.Match) any {
	w.inMatch = true
	defer func() { w.inMatch = false }()
	if sel, flags, none, ok := w.flagMatch(m); ok {
		op := "in"
		if none {
			op = "!"
		}
		return single("match", obj("op", op, "left", w.expr(sel), "right", flags))
	}
	m = xorTransfer(m)
	var op string
	switch m.Op {
	case ir.OpImplicit:
		op = "=="
		if _, binop := m.Left.(*ir.Binop); !binop && isBitmaskExpr(m.Left) && !isSetLike(m.Right) {
			op = "in"
		}
	case ir.OpNotAny:
		op = "!"
	default:
		op = m.Op.String()
	}
	left := w.expr(m.Left)
	var right any
	if l, ok := m.Right.(*ir.List); ok {
		items := make([]any, len(l.Items))
		for i, it := range l.Items {
			items[i] = w.expr(it)
		}
		right = items
	} else {
		right = w.expr(m.Right)
	}
	return single("match", obj("op", op, "left", left, "right", right))
}

// flagMatch recognises "sel & flags != 0" (any of the flags, op "in")
// and "sel & flags == 0" (none of them, op "!"), which nft lists as
// matches of the selector against the flags.
func (w *writer) flagMatch(m *ir.Match) (sel ir.Expr, flags any, none, ok bool) {
	b, isBin := m.Left.(*ir.Binop)
	if !isBin || b.Op != "&" || (m.Op != ir.OpEq && m.Op != ir.OpNeq) {
		return nil, nil, false, false
	}
	s, ok1 := b.X.(*ir.Selector)
	mask, ok2 := b.Y.(*ir.Const)
	val, ok3 := m.Right.(*ir.Const)
	if !ok1 || !ok2 || !ok3 || !s.Field.Type.IsBitmask() || mask.Val == nil || val.Val == nil || mask.Type == nil {
		return nil, nil, false, false
	}
	if new(big.Int).SetBytes(val.Val).Sign() != 0 {
		return nil, nil, false, false
	}
	names := w.bitNames(mask.Type, mask.Val)
	if len(names) == 1 {
		flags = names[0]
	} else {
		flags = names
	}
	return s, flags, m.Op == ir.OpEq, true
}

// verdict writes a verdict.
func (w *writer) verdict(v *ir.Verdict) any {
	if v.Inline != nil {
		w.failf("an anonymous chain (%s { ... }) cannot be written as JSON", v.Kind)
	}
	if v.Kind == "jump" || v.Kind == "goto" {
		return single(v.Kind, obj("target", v.Chain))
	}
	return single(v.Kind, nil)
}

// generic writes a statement the ir keeps as words.
func (w *writer) generic(g *ir.Generic) any {
	sc := &wordScanner{w: w, words: g.Words, what: g.Kind}
	args := g.Args
	// arg returns the next word as a JSON value: an embedded expression
	// for "%", else a literal.
	arg := func(word string) any {
		if word == "%" && len(args) > 0 {
			a := args[0]
			args = args[1:]
			return w.expr(a)
		}
		return literalValue(word)
	}
	switch g.Kind {
	case "notrack":
		return single("notrack", nil)
	case "flow":
		sc.expect("flow")
		sc.accept("add")
		sc.accept("offload")
		ft := sc.next()
		if !strings.HasPrefix(ft, "@") {
			ft = "@" + unquote(ft)
		}
		return single("flow", obj("op", "add", "flowtable", ft))
	case "connlimit":
		sc.expect("ct")
		sc.expect("count")
		inv := sc.accept("over")
		sc.accept("until")
		co := obj("val", sc.uint())
		if inv {
			co.set("inv", true)
		}
		return single("ct count", co)
	case "ct":
		sc.expect("ct")
		kind := sc.next()
		sc.expect("set")
		if kind != "timeout" && kind != "expectation" {
			sc.unexpected(kind)
		}
		v := arg(sc.next())
		if s, ok := v.(string); ok {
			v = unquote(s)
		}
		return single("ct "+kind, v)
	case "last":
		if len(g.Words) >= 3 && g.Words[1] == "used" && g.Words[2] != "never" && !w.opts.Stateless {
			ms, err := ir.ParseDuration(g.Words[2])
			if err == nil {
				return single("last", obj("used", ms))
			}
		}
		return single("last", nil)
	case "reset":
		if len(args) == 1 {
			opt := w.expr(args[0])
			if o, ok := opt.(*object); ok && len(o.keys) == 1 {
				// A whole option, not a field: nft gives it length 0.
				if io, ok := o.vals[0].(*object); ok {
					if n, _ := io.get("len"); n == 8 {
						io.set("len", 0)
					}
				}
			}
			return single("reset", opt)
		}
	case "xt":
		if len(g.Words) == 3 {
			return single("xt", obj("type", g.Words[1], "name", unquote(g.Words[2])))
		}
	case "queue":
		return w.queue(sc, arg)
	case "dup":
		sc.expect("dup")
		sc.expect("to")
		do := obj("addr", arg(sc.next()))
		if sc.accept("device") {
			do.set("dev", unquoteVal(arg(sc.next())))
		}
		return single("dup", do)
	case "fwd":
		sc.expect("fwd")
		fo := obj()
		fam := ""
		if p := sc.peek(); p == "ip" || p == "ip6" {
			fam = sc.next()
		}
		sc.expect("to")
		first := arg(sc.next())
		if sc.accept("device") {
			fo.set("dev", unquoteVal(arg(sc.next())))
			if fam == "" {
				fam = "ip"
				if s, ok := first.(string); ok && strings.Contains(s, ":") {
					fam = "ip6"
				}
			}
			fo.set("family", fam)
			fo.set("addr", first)
		} else {
			fo.set("dev", unquoteVal(first))
		}
		return single("fwd", fo)
	case "tproxy":
		return w.tproxy(sc, arg)
	case "synproxy":
		sc.expect("synproxy")
		if sc.accept("name") {
			return single("synproxy", unquoteVal(arg(sc.next())))
		}
		so := obj()
		var flags []any
		for !sc.done() {
			switch k := sc.next(); k {
			case "mss", "wscale":
				so.set(k, sc.uint())
			case "timestamp", "sack-perm":
				flags = append(flags, k)
			default:
				sc.unexpected(k)
			}
		}
		if len(flags) > 0 {
			so.set("flags", flags)
		}
		if len(so.keys) == 0 {
			return single("synproxy", nil)
		}
		return single("synproxy", so)
	}
	w.failf("cannot write the statement %q as JSON", ir.StmtKey(g))
	return nil
}

// unquoteVal removes the quotes of a quoted string value.
func unquoteVal(v any) any {
	if s, ok := v.(string); ok {
		return unquote(s)
	}
	return v
}

// literalValue converts a literal word into a JSON value: numbers as
// numbers, "a-b" ranges of numbers as ranges, strings without quotes.
func literalValue(word string) any {
	if n, err := strconv.ParseUint(word, 10, 64); err == nil {
		return n
	}
	if lo, hi, ok := strings.Cut(word, "-"); ok {
		a, err1 := strconv.ParseUint(lo, 10, 64)
		b, err2 := strconv.ParseUint(hi, 10, 64)
		if err1 == nil && err2 == nil {
			return single("range", []any{a, b})
		}
	}
	return unquote(word)
}

// queue writes a queue statement from the words of either syntax:
// "queue [flags F,G] [to N]" and "queue [num N] [bypass] [fanout]".
func (w *writer) queue(sc *wordScanner, arg func(string) any) any {
	sc.expect("queue")
	qo := obj()
	flags := map[string]bool{}
	var num any
	for !sc.done() {
		switch k := sc.next(); k {
		case "flags":
			for _, f := range strings.Split(sc.next(), ",") {
				flags[f] = true
			}
			for sc.accept(",") {
				flags[sc.next()] = true
			}
		case "bypass", "fanout":
			flags[k] = true
		case ",":
		case "num", "to":
			v := sc.next()
			// "4 - 5" as three words.
			if sc.peek() == "-" {
				sc.next()
				v += "-" + sc.next()
			}
			num = arg(v)
		default:
			sc.unexpected(k)
		}
	}
	if num == nil && w.opts.Listing {
		num = uint64(0)
	}
	if num != nil {
		qo.set("num", num)
	}
	var fl []any
	for _, f := range []string{"bypass", "fanout"} {
		if flags[f] {
			fl = append(fl, f)
		}
	}
	if len(fl) > 0 {
		qo.set("flags", fl)
	}
	if len(qo.keys) == 0 {
		return single("queue", nil)
	}
	return single("queue", qo)
}

// tproxy writes a tproxy statement from its words: "tproxy [ip|ip6] to
// ADDR[:PORT]", "tproxy to :PORT", "tproxy ip to ADDR : %".
func (w *writer) tproxy(sc *wordScanner, arg func(string) any) any {
	sc.expect("tproxy")
	to := obj()
	fam := ""
	if p := sc.peek(); p == "ip" || p == "ip6" {
		fam = sc.next()
	}
	sc.expect("to")
	var addr string
	var port any
	rest := sc.words[sc.i:]
	switch {
	case len(rest) == 1:
		a, p := splitHostPort(rest[0])
		addr = a
		if p != "" {
			port = literalValue(p)
		}
	case len(rest) == 2 && rest[0] == ":":
		port = arg(rest[1])
	case len(rest) == 3 && rest[1] == ":":
		addr = strings.Trim(rest[0], "[]")
		port = arg(rest[2])
	default:
		sc.unexpected(strings.Join(rest, " "))
	}
	if fam == "" && addr != "" && w.fam == ir.FamilyInet {
		fam = "ip"
		if strings.Contains(addr, ":") {
			fam = "ip6"
		}
	}
	if fam != "" && (w.fam == ir.FamilyInet || !w.opts.Listing) {
		to.set("family", fam)
	}
	if addr != "" {
		to.set("addr", addr)
	}
	if port != nil {
		to.set("port", port)
	}
	return single("tproxy", to)
}

// splitHostPort splits "1.2.3.4:80", "[::1]:80", ":80" and "1.2.3.4".
func splitHostPort(s string) (host, port string) {
	if strings.HasPrefix(s, "[") {
		if i := strings.Index(s, "]"); i > 0 {
			host = s[1:i]
			rest := s[i+1:]
			return host, strings.TrimPrefix(rest, ":")
		}
	}
	if strings.Count(s, ":") == 1 {
		h, p, _ := strings.Cut(s, ":")
		return h, p
	}
	return s, ""
}

// xorTransfer moves a constant xor on the left of an equality to the
// value, as nft does before listing: "x ^ 3 == 1" is "x == 2".
func xorTransfer(m *ir.Match) *ir.Match {
	b, ok := m.Left.(*ir.Binop)
	if !ok || b.Op != "^" || (m.Op != ir.OpEq && m.Op != ir.OpNeq && m.Op != ir.OpImplicit) {
		return m
	}
	k, ok1 := b.Y.(*ir.Const)
	v, ok2 := m.Right.(*ir.Const)
	if !ok1 || !ok2 || k.Val == nil || v.Val == nil || k.Sym || v.Sym || v.Type == nil {
		return m
	}
	c := foldConst(&ir.Binop{Op: "^", X: v, Y: k})
	if c == nil {
		return m
	}
	return &ir.Match{Node: m.Node, Left: b.X, Op: m.Op, Right: c}
}

// rangePrefix returns the prefix an address range covers exactly, nil
// when it is not one.
func rangePrefix(e ir.Expr) *ir.Prefix {
	r, ok := e.(*ir.Range)
	if !ok {
		return nil
	}
	lo, ok1 := r.Lo.(*ir.Const)
	hi, ok2 := r.Hi.(*ir.Const)
	if !ok1 || !ok2 || lo.Val == nil || hi.Val == nil || len(lo.Val) != len(hi.Val) || lo.Type == nil ||
		lo.Type.Kind != ir.KindIPv4 && lo.Type.Kind != ir.KindIPv6 {
		return nil
	}
	a, b := new(big.Int).SetBytes(lo.Val), new(big.Int).SetBytes(hi.Val)
	x := new(big.Int).Xor(a, b)
	n := x.BitLen()
	// The differing bits must be exactly the n low bits: all zero in lo
	// and all one in hi.
	mask := new(big.Int).Sub(new(big.Int).Lsh(big.NewInt(1), uint(n)), big.NewInt(1))
	if x.Cmp(mask) != 0 || new(big.Int).And(a, mask).Sign() != 0 || n == 0 {
		return nil
	}
	return &ir.Prefix{Node: r.Node, X: lo, Len: len(lo.Val)*8 - n}
}
