package json

import (
	stdjson "encoding/json"
	"strconv"
	"strings"

	"github.com/nftopt/nftopt/ir"
)

// stmt reads one statement object of a rule's "expr" array.
func (r *reader) stmt(v any) ir.Stmt {
	key, val := r.one(v, "a statement")
	r.enter(key)
	s := r.stmtObj(key, val)
	r.leave()
	return s
}

// stmtObj reads the statement {key: val}.
func (r *reader) stmtObj(key string, val any) ir.Stmt {
	switch key {
	case "match":
		return r.match(val)
	case "accept", "drop", "continue", "return", "jump", "goto":
		return &ir.VerdictStmt{Verdict: r.verdict(key, val)}
	case "vmap":
		return &ir.VerdictStmt{Vmap: r.mapExpr(val, nil, true)}
	case "counter":
		return r.counter(val)
	case "limit":
		return r.limit(val)
	case "quota":
		return r.quota(val)
	case "log":
		return r.log(val)
	case "reject":
		return r.reject(val)
	case "snat", "dnat", "masquerade", "redirect":
		return r.nat(key, val)
	case "mangle":
		m := r.object(val, `{"key": EXPR, "value": EXPR}`)
		kv, ok := m["key"]
		if !ok {
			r.failf(`missing property "key" (what to set)`)
		}
		vv, ok := m["value"]
		if !ok {
			r.failf(`missing property "value" (the value to set)`)
		}
		r.enter("key")
		left := r.expr(kv, nil)
		r.leave()
		switch left.(type) {
		case *ir.Selector, *ir.RawPayload, *ir.Special:
		default:
			r.enter("key")
			r.failf("cannot set %s: expected a payload, meta, ct, exthdr or option expression", describeValue(kv))
		}
		r.enter("value")
		value := r.expr(vv, ir.ExprTypes(left))
		r.leave()
		return &ir.Mangle{Left: left, Value: value}
	case "set", "map":
		return r.setStmt(key, val)
	case "meter":
		return r.meter(val)
	case "notrack":
		return &ir.Generic{Kind: "notrack", Words: []string{"notrack"}}
	case "queue":
		return r.queue(val)
	case "dup":
		return r.dup(val)
	case "fwd":
		return r.fwd(val)
	case "tproxy":
		return r.tproxy(val)
	case "synproxy":
		return r.synproxy(val)
	case "flow":
		m := r.object(val, `{"op": "add", "flowtable": "@name"}`)
		op := r.reqStr(m, "op", "add")
		if op != "add" {
			r.enter("op")
			r.failf("unknown flow operation %q (expected add)", op)
		}
		ft := r.reqStr(m, "flowtable", `the flowtable, "@name"`)
		if !strings.HasPrefix(ft, "@") || !isWord(ft[1:]) {
			r.enter("flowtable")
			r.failf(`expected a flowtable reference "@name", got %q`, ft)
		}
		return &ir.Generic{Kind: "flow", Words: []string{"flow", "add", ft}}
	case "ct count":
		m := r.object(val, `{"val": N, "inv": BOOL}`)
		n, ok := r.optUint(m, "val", "the connection count")
		if !ok {
			r.failf(`missing property "val" (the connection count)`)
		}
		words := []string{"ct", "count"}
		if r.optBool(m, "inv", "inv") {
			words = append(words, "over")
		}
		return &ir.Generic{Kind: "connlimit", Words: append(words, strconv.FormatUint(n, 10))}
	case "ct helper":
		return &ir.Mangle{Left: &ir.Selector{Field: ir.LookupField("ct helper")}, Value: r.objName(val)}
	case "ct timeout", "ct expectation":
		g := &ir.Generic{Kind: "ct", Words: []string{"ct", strings.TrimPrefix(key, "ct "), "set"}}
		r.genericArg(g, val)
		return g
	case "secmark":
		name := r.objName(val)
		if c, ok := name.(*ir.Const); ok {
			c = &ir.Const{Str: c.Str, Sym: true, Quoted: true, Type: ir.TypeInteger.WithWidth(32)}
			name = c
		}
		return &ir.Mangle{Left: &ir.Selector{Field: ir.LookupField("meta secmark")}, Value: name}
	case "last":
		if val == nil {
			return &ir.Generic{Kind: "last", Words: []string{"last"}}
		}
		m := r.object(val, `null or {"used": N}`)
		used, ok := r.optUint(m, "used", "the milliseconds since the last match")
		if !ok {
			return &ir.Generic{Kind: "last", Words: []string{"last"}}
		}
		return &ir.Generic{Kind: "last", Words: []string{"last", "used", ir.FormatDuration(used)}}
	case "reset":
		e := r.expr(val, nil)
		if s, ok := e.(*ir.Special); !ok || s.Kind != "option" || s.Words[0] != "tcp" {
			r.failf("reset takes a tcp option")
		}
		return &ir.Generic{Kind: "reset", Words: []string{"reset", "%"}, Args: []ir.Expr{e}}
	case "xt":
		m := r.object(val, `{"type": ..., "name": ...}`)
		typ, _ := r.word(m, "type", "match, target or watcher", true)
		name := r.reqStr(m, "name", "the extension's name")
		return &ir.Generic{Kind: "xt", Words: []string{"xt", typ, strconv.Quote(name)}}
	}
	r.leave()
	r.failf("unknown statement %q", key)
	return nil
}

// match reads {"match": {left, op, right}}.
func (r *reader) match(val any) ir.Stmt {
	m := r.object(val, `{"left": EXPR, "op": OP, "right": EXPR}`)
	lv, ok := m["left"]
	if !ok {
		r.failf(`missing property "left" (the expression to match)`)
	}
	rv, ok := m["right"]
	if !ok {
		r.failf(`missing property "right" (the value to match against)`)
	}
	opStr := r.reqStr(m, "op", "==, !=, <, >, <=, >=, in or !")
	r.enter("left")
	left := r.expr(lv, nil)
	r.leave()
	r.enter("right")
	ts := ir.ExprTypes(left)
	right := r.expr(rv, ts)
	if l, ok := right.(*ir.List); ok {
		if isBitmaskExpr(left) {
			sortFlags(l)
		} else {
			right = listToSet(l)
		}
	}
	r.leave()
	var op ir.Op
	switch opStr {
	case "==":
		op = ir.OpEq
		_, binop := left.(*ir.Binop)
		if !binop && !isBitmaskExpr(left) || isSetLike(right) {
			op = ir.OpImplicit
		}
	case "in":
		op = ir.OpImplicit
	case "!=":
		op = ir.OpNeq
	case "<":
		op = ir.OpLt
	case ">":
		op = ir.OpGt
	case "<=":
		op = ir.OpLe
	case ">=":
		op = ir.OpGe
	case "!":
		op = ir.OpNotAny
	default:
		r.enter("op")
		r.failf("unknown operator %q (expected ==, !=, <, >, <=, >=, in or !)", opStr)
	}
	left = familyField(left, right)
	return &ir.Match{Left: left, Op: op, Right: right}
}

// isSetLike reports a set literal or a named set reference.
func isSetLike(e ir.Expr) bool {
	switch e.(type) {
	case *ir.SetExpr, *ir.SetRef:
		return true
	}
	return false
}

// familyField replaces "rt nexthop" by "rt ip nexthop" or "rt ip6
// nexthop" once the compared address says which, as nft does.
func familyField(left, right ir.Expr) ir.Expr {
	sel, ok := left.(*ir.Selector)
	if !ok || sel.Field.Name != "rt nexthop" {
		return left
	}
	c, ok := right.(*ir.Const)
	if !ok || c.Val == nil {
		return left
	}
	name := "rt ip nexthop"
	if len(c.Val) == 16 {
		name = "rt ip6 nexthop"
	}
	return &ir.Selector{Node: sel.Node, Field: ir.LookupField(name), Dir: sel.Dir}
}

// objName reads the reference to a named object: a name, or a map
// from a key to names.
func (r *reader) objName(val any) ir.Expr {
	if s, ok := val.(string); ok {
		return &ir.Const{Str: s, Quoted: true, Type: ir.TypeString}
	}
	e := r.expr(val, []*ir.Type{ir.TypeString})
	if _, ok := e.(*ir.MapExpr); !ok {
		r.failf("expected an object name or a map to object names, got %s", describeValue(val))
	}
	return e
}

// isObjRef reports whether the value of a counter, quota or limit
// statement refers to a named object rather than holding properties.
func isObjRef(val any, props ...string) bool {
	switch x := val.(type) {
	case string:
		return true
	case map[string]any:
		for _, p := range props {
			if _, ok := x[p]; ok {
				return false
			}
		}
		_, isMap := x["map"]
		return isMap && len(x) == 1
	}
	return false
}

// counter reads {"counter": null}, {"counter": {packets, bytes}} and
// the reference {"counter": NAME}.
func (r *reader) counter(val any) ir.Stmt {
	if val == nil {
		return &ir.Counter{}
	}
	if isObjRef(val, "packets", "bytes") {
		return &ir.Counter{Name: r.objName(val)}
	}
	m := r.object(val, `null, {"packets": N, "bytes": N} or an object name`)
	c := &ir.Counter{}
	var ok1, ok2 bool
	c.Packets, ok1 = r.optUint(m, "packets", "the packet count")
	c.Bytes, ok2 = r.optUint(m, "bytes", "the byte count")
	c.HasValues = ok1 || ok2
	return c
}

// limit reads {"limit": {rate, per, burst, rate_unit, burst_unit, inv}}
// and the reference {"limit": NAME}.
func (r *reader) limit(val any) ir.Stmt {
	if isObjRef(val, "rate") {
		return &ir.Limit{Name: r.objName(val)}
	}
	m := r.object(val, `{"rate": N, "per": UNIT, ...} or an object name`)
	l := &ir.Limit{}
	rate, ok := r.optUint(m, "rate", "the rate")
	if !ok {
		r.failf(`missing property "rate" (the limit's rate)`)
	}
	l.Rate = rate
	l.Per, _ = r.optStr(m, "per", "the rate's time unit")
	if l.Per == "" {
		l.Per = "second"
	}
	r.checkPer(m, l.Per)
	l.Over = r.optBool(m, "inv", "inv")
	unit, _ := r.optStr(m, "rate_unit", "packets or a byte unit")
	burst, _ := r.optUint(m, "burst", "the burst")
	burstUnit, _ := r.optStr(m, "burst_unit", "the burst's byte unit")
	r.checkUnit(m, "burst_unit", burstUnit, false)
	switch unit {
	case "", "packets":
		if burst > 0 {
			l.Burst, l.BurstUnit = burst, "packets"
		}
	case "bytes", "kbytes", "mbytes":
		l.Unit = unit
		if burst > 0 {
			if burstUnit == "" {
				burstUnit = "bytes"
			}
			l.Burst, l.BurstUnit = burst, burstUnit
		}
	default:
		r.enter("rate_unit")
		r.failf("unknown rate unit %q (expected packets, bytes, kbytes or mbytes)", unit)
	}
	return l
}

// quota reads {"quota": {val, val_unit, used, used_unit, inv}} and the
// reference {"quota": NAME}.
func (r *reader) quota(val any) ir.Stmt {
	if isObjRef(val, "val") {
		return &ir.Quota{Name: r.objName(val)}
	}
	m := r.object(val, `{"val": N, "val_unit": UNIT, ...} or an object name`)
	q := &ir.Quota{}
	n, ok := r.optUint(m, "val", "the quota")
	if !ok {
		r.failf(`missing property "val" (the quota)`)
	}
	q.Bytes = n
	q.Unit, _ = r.optStr(m, "val_unit", "the quota's byte unit")
	r.checkUnit(m, "val_unit", q.Unit, false)
	q.Over = r.optBool(m, "inv", "inv")
	if used, ok := r.optUint(m, "used", "the bytes used"); ok && used > 0 {
		q.Used = used
		q.UsedUnit, _ = r.optStr(m, "used_unit", "the byte unit of used")
		r.checkUnit(m, "used_unit", q.UsedUnit, false)
	}
	return q
}

// logLevels are the levels of the log statement.
var logLevels = map[string]bool{"emerg": true, "alert": true, "crit": true, "err": true, "warn": true, "notice": true, "info": true, "debug": true, "audit": true}

// log reads {"log": null} and {"log": {prefix, group, snaplen, queue-threshold, level, flags}}.
func (r *reader) log(val any) ir.Stmt {
	lg := &ir.Log{}
	if val == nil {
		return lg
	}
	m := r.object(val, "null or the properties of a log statement")
	if p, ok := r.optStr(m, "prefix", "the log prefix"); ok {
		lg.Prefix = &ir.Const{Str: p, Quoted: true, Type: ir.TypeString}
	}
	if n, ok := r.optUint(m, "group", "the log group"); ok {
		lg.Group, lg.HasGroup = int(n), true
	}
	if n, ok := r.optUint(m, "snaplen", "the snaplen"); ok {
		lg.Snaplen = int(n)
	}
	if n, ok := r.optUint(m, "queue-threshold", "the queue threshold"); ok {
		lg.QThreshold = int(n)
	}
	if lv, ok := r.optStr(m, "level", "the log level"); ok {
		if !logLevels[lv] {
			r.enter("level")
			r.failf("unknown log level %q", lv)
		}
		lg.Level = lv
	}
	flags := map[string]bool{}
	for _, f := range r.strList(m, "flags", "log flags") {
		switch f {
		case "tcp sequence", "tcp options", "ip options", "skuid", "ether", "all":
			flags[f] = true
		default:
			r.enter("flags")
			r.failf("unknown log flag %q", f)
		}
	}
	switch {
	case flags["all"] || flags["tcp sequence"] && flags["tcp options"] && flags["ip options"] && flags["skuid"] && flags["ether"]:
		lg.Flags = []string{"all"}
	default:
		switch {
		case flags["tcp sequence"] && flags["tcp options"]:
			lg.Flags = append(lg.Flags, "tcp sequence,options")
		case flags["tcp sequence"]:
			lg.Flags = append(lg.Flags, "tcp sequence")
		case flags["tcp options"]:
			lg.Flags = append(lg.Flags, "tcp options")
		}
		for _, f := range []string{"ip options", "skuid", "ether"} {
			if flags[f] {
				lg.Flags = append(lg.Flags, f)
			}
		}
	}
	return lg
}

// reject reads {"reject": null} and {"reject": {type, expr}}.
func (r *reader) reject(val any) ir.Stmt {
	rj := &ir.Reject{}
	if val == nil {
		return rj
	}
	m := r.object(val, `null or {"type": ..., "expr": ...}`)
	typ, _ := r.optStr(m, "type", "tcp reset, icmp, icmpv6 or icmpx")
	var ct *ir.Type
	switch typ {
	case "":
	case "tcp reset":
	case "icmp":
		ct = ir.TypeIcmpCode
	case "icmpv6":
		ct = ir.TypeIcmp6Code
	case "icmpx":
		ct = ir.TypeIcmpxCode
	default:
		r.enter("type")
		r.failf("unknown reject type %q (expected tcp reset, icmp, icmpv6 or icmpx)", typ)
	}
	rj.With = typ
	if ev, ok := m["expr"]; ok && ct != nil {
		r.enter("expr")
		rj.Code = r.expr(ev, []*ir.Type{ct})
		r.leave()
	}
	return rj
}

// nat reads snat, dnat, masquerade and redirect.
func (r *reader) nat(kind string, val any) ir.Stmt {
	n := &ir.Nat{Kind: kind}
	if val == nil {
		return n
	}
	m := r.object(val, "null or the properties of a "+kind+" statement")
	if fam, ok := r.optStr(m, "family", "ip or ip6"); ok {
		if fam != "ip" && fam != "ip6" {
			r.enter("family")
			r.failf("unknown nat family %q (expected ip or ip6)", fam)
		}
		n.Family = fam
	}
	for _, f := range r.strList(m, "type_flags", "nat type flags") {
		switch f {
		case "prefix":
			n.Prefix = true
		case "concat":
			n.AddrPort = true
		case "interval":
		default:
			r.enter("type_flags")
			r.failf("unknown nat type flag %q (expected interval, prefix or concat)", f)
		}
	}
	if av, ok := m["addr"]; ok {
		r.enter("addr")
		typ := r.natAddrType(n, av)
		ts := []*ir.Type{typ}
		if n.AddrPort || isConcatMapJSON(av) {
			ts = append(ts, ir.TypeService)
		}
		n.Addr = r.expr(av, ts)
		r.leave()
	}
	if pv, ok := m["port"]; ok {
		r.enter("port")
		n.Port = r.expr(pv, []*ir.Type{ir.TypeService})
		r.leave()
	}
	for _, f := range r.strList(m, "flags", "nat flags") {
		switch f {
		case "random", "fully-random", "persistent", "netmap":
			n.Flags = append(n.Flags, f)
		default:
			r.enter("flags")
			r.failf("unknown nat flag %q", f)
		}
	}
	return n
}

// natAddrType is the address type of a nat statement: by its family,
// else the table's, else the spelling of the address.
func (r *reader) natAddrType(n *ir.Nat, av any) *ir.Type {
	switch {
	case n.Family == "ip6" || r.fam == ir.FamilyIP6:
		return ir.TypeIPv6
	case n.Family == "ip" || r.fam == ir.FamilyIP:
		return ir.TypeIPv4
	}
	if strings.Contains(firstString(av), ":") {
		return ir.TypeIPv6
	}
	return ir.TypeIPv4
}

// firstString finds the first string immediate in a JSON value.
func firstString(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case []any:
		for _, it := range x {
			if s := firstString(it); s != "" {
				return s
			}
		}
	case map[string]any:
		for _, k := range []string{"range", "prefix", "addr", "set", "data", "concat"} {
			if it, ok := x[k]; ok {
				if s := firstString(it); s != "" {
					return s
				}
			}
		}
		if len(x) == 1 {
			for _, it := range x {
				return firstString(it)
			}
		}
	}
	return ""
}

// isConcatMapJSON reports a map whose values are concatenations (nat
// to address and port).
func isConcatMapJSON(v any) bool {
	m, ok := v.(map[string]any)
	if !ok {
		return false
	}
	mv, ok := m["map"].(map[string]any)
	if !ok {
		return false
	}
	d, ok := mv["data"].(map[string]any)
	if !ok {
		return false
	}
	s, ok := d["set"].([]any)
	if !ok || len(s) == 0 {
		return false
	}
	pair, ok := s[0].([]any)
	if !ok || len(pair) != 2 {
		return false
	}
	c, ok := pair[1].(map[string]any)
	if !ok {
		return false
	}
	_, concat := c["concat"]
	return concat
}

// setStmt reads {"set": {op, elem, set, stmt}} and {"map": {op, elem,
// data, map, stmt}}: adding, updating or deleting elements of a named
// set from the packet path.
func (r *reader) setStmt(kind string, val any) ir.Stmt {
	m := r.object(val, "the properties of a "+kind+" statement")
	op := r.reqStr(m, "op", "add, update or delete")
	if op != "add" && op != "update" && op != "delete" {
		r.enter("op")
		r.failf("unknown %s operation %q (expected add, update or delete)", kind, op)
	}
	ref := r.reqStr(m, kind, "the "+kind+", \"@name\"")
	if !strings.HasPrefix(ref, "@") || !isWord(ref[1:]) {
		r.enter(kind)
		r.failf(`expected a reference "@name", got %q`, ref)
	}
	s := &ir.SetStmt{Op: op, Set: ref[1:]}
	var keyTs, dataTs []*ir.Type
	if r.table != nil {
		if decl := r.table.Set(s.Set); decl != nil {
			keyTs, dataTs = specTypes(decl.Key), specTypes(decl.Data)
		}
	}
	ev, ok := m["elem"]
	if !ok {
		r.failf(`missing property "elem" (the element's key)`)
	}
	r.enter("elem")
	el := r.elementKey(ev, keyTs)
	r.leave()
	s.Key = el.Key
	if el.Timeout != "" {
		s.Stmts = append(s.Stmts, &ir.Generic{Kind: "timeout", Words: []string{"timeout", el.Timeout}})
	}
	if el.Expires != "" {
		s.Stmts = append(s.Stmts, &ir.Generic{Kind: "expires", Words: []string{"expires", el.Expires}})
	}
	s.Stmts = append(s.Stmts, el.Stmts...)
	if kind == "map" {
		dv, ok := m["data"]
		if !ok {
			r.failf(`missing property "data" (the value the key maps to)`)
		}
		r.enter("data")
		s.Data = r.expr(dv, dataTs)
		r.leave()
	}
	if sv, ok := m["stmt"]; ok {
		r.enter("stmt")
		for i, x := range r.array(sv, "an array of statements") {
			r.index(i)
			s.Stmts = append(s.Stmts, r.stmt(x))
			r.leave()
		}
		r.leave()
	}
	return s
}

// meter reads {"meter": {name, key, stmt, size}}.
func (r *reader) meter(val any) ir.Stmt {
	m := r.object(val, "the properties of a meter statement")
	name := r.reqName(m, "name", "the meter's name")
	s := &ir.SetStmt{Op: "update", Set: name, Meter: true}
	s.MeterSize, _ = r.optUint(m, "size", "the meter's size")
	kv, ok := m["key"]
	if !ok {
		r.failf(`missing property "key" (the meter's key)`)
	}
	r.enter("key")
	el := r.elementKey(kv, nil)
	r.leave()
	s.Key = el.Key
	if el.Timeout != "" {
		s.Stmts = append(s.Stmts, &ir.Generic{Kind: "timeout", Words: []string{"timeout", el.Timeout}})
	}
	sv, ok := m["stmt"]
	if !ok {
		r.failf(`missing property "stmt" (the meter's statement)`)
	}
	r.enter("stmt")
	if a, ok := sv.([]any); ok {
		for i, x := range a {
			r.index(i)
			s.Stmts = append(s.Stmts, r.stmt(x))
			r.leave()
		}
	} else {
		s.Stmts = append(s.Stmts, r.stmt(sv))
	}
	r.leave()
	return s
}

// genericArg appends the argument of a statement kept as words: a
// literal as a word (strings quoted), an expression as "%" and Args.
func (r *reader) genericArg(g *ir.Generic, v any) {
	switch x := v.(type) {
	case string:
		g.Words = append(g.Words, strconv.Quote(x))
	default:
		if lit, ok := literalWord(v); ok {
			g.Words = append(g.Words, lit)
			return
		}
		g.Words = append(g.Words, "%")
		g.Args = append(g.Args, r.expr(v, nil))
	}
}

// literalWord returns a number, or a range or prefix of numbers and
// addresses, as the word nft reads it.
func literalWord(v any) (string, bool) {
	switch x := v.(type) {
	case string:
		if strings.HasPrefix(x, "@") || needsQuotes(x) {
			return "", false
		}
		return x, true
	case stdjson.Number:
		return x.String(), true
	case map[string]any:
		if rg, ok := x["range"].([]any); ok && len(x) == 1 && len(rg) == 2 {
			lo, ok1 := literalWord(rg[0])
			hi, ok2 := literalWord(rg[1])
			if ok1 && ok2 {
				return lo + "-" + hi, true
			}
		}
		if p, ok := x["prefix"].(map[string]any); ok && len(x) == 1 {
			a, ok1 := literalWord(p["addr"])
			n, ok2 := literalWord(p["len"])
			if ok1 && ok2 {
				return a + "/" + n, true
			}
		}
	}
	return "", false
}

// queue reads {"queue": {num, flags}}, kept as the words of nft's
// listing: queue [flags bypass,fanout] [to NUM].
func (r *reader) queue(val any) ir.Stmt {
	g := &ir.Generic{Kind: "queue", Words: []string{"queue"}}
	if val == nil {
		return g
	}
	m := r.object(val, "null or the properties of a queue statement")
	var flags []string
	have := map[string]bool{}
	for _, f := range r.strList(m, "flags", "queue flags") {
		if f != "bypass" && f != "fanout" {
			r.enter("flags")
			r.failf("unknown queue flag %q (expected bypass or fanout)", f)
		}
		have[f] = true
	}
	for _, f := range []string{"bypass", "fanout"} {
		if have[f] {
			flags = append(flags, f)
		}
	}
	if len(flags) > 0 {
		g.Words = append(g.Words, "flags", strings.Join(flags, ","))
	}
	if nv, ok := m["num"]; ok {
		r.enter("num")
		g.Words = append(g.Words, "to")
		r.genericArg(g, nv)
		r.leave()
	}
	return g
}

// dup reads {"dup": {addr, dev}}.
func (r *reader) dup(val any) ir.Stmt {
	g := &ir.Generic{Kind: "dup", Words: []string{"dup"}}
	m := r.object(val, `{"addr": EXPR, "dev": EXPR}`)
	av, ok := m["addr"]
	if !ok {
		r.failf(`missing property "addr" (the address to duplicate to)`)
	}
	r.enter("addr")
	g.Words = append(g.Words, "to")
	r.genericAddr(g, av)
	r.leave()
	if dv, ok := m["dev"]; ok {
		r.enter("dev")
		g.Words = append(g.Words, "device")
		r.genericArg(g, dv)
		r.leave()
	}
	return g
}

// genericAddr appends an address argument: an address literal is a
// bare word, anything else an expression.
func (r *reader) genericAddr(g *ir.Generic, v any) {
	if s, ok := v.(string); ok && !strings.HasPrefix(s, "@") {
		if !isWord(s) {
			r.failf("expected an address, got %q", s)
		}
		g.Words = append(g.Words, s)
		return
	}
	r.genericArg(g, v)
}

// fwd reads {"fwd": {dev, family, addr}}.
func (r *reader) fwd(val any) ir.Stmt {
	g := &ir.Generic{Kind: "fwd", Words: []string{"fwd"}}
	m := r.object(val, `{"dev": EXPR, "family": ..., "addr": EXPR}`)
	dv, ok := m["dev"]
	if !ok {
		r.failf(`missing property "dev" (the interface to forward to)`)
	}
	fam, hasFam := r.optStr(m, "family", "ip or ip6")
	if hasFam && fam != "ip" && fam != "ip6" {
		r.enter("family")
		r.failf("unknown family %q (expected ip or ip6)", fam)
	}
	av, hasAddr := m["addr"]
	if hasFam && hasAddr {
		g.Words = append(g.Words, fam, "to")
		r.enter("addr")
		r.genericAddr(g, av)
		r.leave()
		g.Words = append(g.Words, "device")
	} else {
		g.Words = append(g.Words, "to")
	}
	r.enter("dev")
	r.genericArg(g, dv)
	r.leave()
	return g
}

// tproxy reads {"tproxy": {family, addr, port}}.
func (r *reader) tproxy(val any) ir.Stmt {
	g := &ir.Generic{Kind: "tproxy", Words: []string{"tproxy"}}
	m := r.object(val, `{"family": ..., "addr": EXPR, "port": EXPR}`)
	fam, hasFam := r.optStr(m, "family", "ip or ip6")
	if hasFam {
		if fam != "ip" && fam != "ip6" {
			r.enter("family")
			r.failf("unknown family %q (expected ip or ip6)", fam)
		}
		g.Words = append(g.Words, fam)
	}
	g.Words = append(g.Words, "to")
	av, hasAddr := m["addr"]
	pv, hasPort := m["port"]
	if !hasAddr && !hasPort {
		r.failf(`tproxy needs "addr", "port" or both`)
	}
	addr := ""
	if hasAddr {
		s, ok := av.(string)
		if !ok || !isWord(s) {
			r.enter("addr")
			r.failf("expected an address, got %s", describeValue(av))
		}
		addr = s
		if strings.Contains(s, ":") && hasPort {
			addr = "[" + s + "]"
		}
	}
	if !hasPort {
		g.Words = append(g.Words, addr)
		return g
	}
	if p, ok := literalWord(pv); ok {
		g.Words = append(g.Words, addr+":"+p)
		return g
	}
	r.enter("port")
	if addr != "" {
		g.Words = append(g.Words, addr)
	}
	g.Words = append(g.Words, ":", "%")
	g.Args = append(g.Args, r.expr(pv, []*ir.Type{ir.TypeService}))
	r.leave()
	return g
}

// synproxy reads {"synproxy": null}, {"synproxy": {mss, wscale, flags}}
// and the reference {"synproxy": NAME}.
func (r *reader) synproxy(val any) ir.Stmt {
	g := &ir.Generic{Kind: "synproxy", Words: []string{"synproxy"}}
	if val == nil {
		return g
	}
	if isObjRef(val, "mss", "wscale", "flags") {
		g.Words = append(g.Words, "name")
		r.genericArg(g, val)
		return g
	}
	m := r.object(val, "null, the properties of a synproxy statement or an object name")
	if n, ok := r.optUint(m, "mss", "the MSS"); ok {
		g.Words = append(g.Words, "mss", strconv.FormatUint(n, 10))
	}
	if n, ok := r.optUint(m, "wscale", "the window scale"); ok {
		g.Words = append(g.Words, "wscale", strconv.FormatUint(n, 10))
	}
	have := map[string]bool{}
	for _, f := range r.strList(m, "flags", "synproxy flags") {
		if f != "timestamp" && f != "sack-perm" {
			r.enter("flags")
			r.failf("unknown synproxy flag %q (expected timestamp or sack-perm)", f)
		}
		have[f] = true
	}
	for _, f := range []string{"timestamp", "sack-perm"} {
		if have[f] {
			g.Words = append(g.Words, f)
		}
	}
	return g
}
