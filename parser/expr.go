package parser

import (
	"math/big"
	"net/netip"
	"strconv"
	"strings"

	"github.com/nftopt/nftopt/ir"
)

// metaUnqualified are the meta keys nft accepts without "meta".
var metaUnqualified = map[string]bool{
	"mark": true, "iif": true, "iifname": true, "iiftype": true, "oif": true, "oifname": true,
	"oiftype": true, "skuid": true, "skgid": true, "nftrace": true, "rtclassid": true,
	"ibriport": true, "obriport": true, "ibrname": true, "obrname": true, "pkttype": true,
	"cpu": true, "iifgroup": true, "oifgroup": true, "cgroup": true, "ipsec": true,
	"time": true, "day": true, "hour": true,
}

// specialStarts begin expressions with their own syntax.
var specialStarts = map[string]bool{"fib": true, "numgen": true, "jhash": true, "symhash": true, "osf": true, "exthdr": true, "ipsec": true}

// innerTunnels are the tunnel keywords of inner header matches.
var innerTunnels = map[string]bool{"vxlan": true, "geneve": true, "gretap": true}

// isSelectorStart reports whether the next terms start a selector
// expression (as opposed to a literal value).
func (p *ruleParser) isSelectorStart() bool {
	t := p.peek()
	switch t.kind {
	case tokSetRef:
		return isRawBase(t.text) && p.peekAt(1).is(tokPunct, ",")
	case tokWord:
	default:
		return false
	}
	w := t.text
	n1 := p.peekAt(1)
	switch {
	case w == "meta":
		return n1.kind == tokWord
	case w == "ct":
		return n1.kind == tokWord
	case specialStarts[w] && w != "ipsec":
		return true
	case w == "ipsec":
		return n1.kind == tokWord && (n1.text == "in" || n1.text == "out")
	case innerTunnels[w]:
		return n1.kind == tokWord
	case (w == "tcp" || w == "ip") && n1.kind == tokWord && n1.text == "option":
		return true
	case w == "sctp" && n1.kind == tokWord && n1.text == "chunk":
		return true
	case w == "socket" && n1.kind == tokWord && n1.text == "cgroupv2":
		return true
	case metaUnqualified[w]:
		return true
	}
	if n1.kind != tokWord {
		return false
	}
	var buf [5]string
	f, _ := ir.MatchField(p.wordsAhead(buf[:0], 5))
	return f != nil
}

func isRawBase(s string) bool { return s == "ll" || s == "nh" || s == "th" || s == "ih" }

// wordsAhead appends up to n following word texts to ws.
func (p *ruleParser) wordsAhead(ws []string, n int) []string {
	for k := 0; k < n; k++ {
		t := p.peekAt(k)
		if t.kind != tokWord {
			break
		}
		ws = append(ws, t.text)
	}
	return ws
}

// lhsExpr parses a selector expression: selectors combined with
// bitwise operators and concatenated with ".".
func (p *ruleParser) lhsExpr() ir.Expr {
	start := p.peek()
	first := p.binExpr(0, true)
	if p.failed {
		return nil
	}
	if !p.punct(".") {
		return first
	}
	c := &ir.Concat{Parts: []ir.Expr{first}}
	for p.punct(".") && !p.failed {
		p.next()
		c.Parts = append(c.Parts, p.binExpr(0, true))
	}
	c.Span = span(start, p)
	return c
}

var binopWords = map[string]string{"&": "&", "and": "&", "|": "|", "or": "|", "^": "^", "xor": "^", "<<": "<<", "lshift": "<<", ">>": ">>", "rshift": ">>"}

var binopPrec = map[string]int{"|": 1, "^": 2, "&": 3, "<<": 4, ">>": 4}

func (p *ruleParser) peekBinop() (string, bool) {
	t := p.peek()
	if t.kind != tokPunct && t.kind != tokWord {
		return "", false
	}
	op, ok := binopWords[t.text]
	return op, ok
}

// binExpr parses operands joined by bitwise operators by precedence
// climbing; selector operands are parsed when lhs is set, literals otherwise.
func (p *ruleParser) binExpr(minPrec int, lhs bool) ir.Expr {
	start := p.peek()
	var x ir.Expr
	if lhs {
		x = p.selector()
	} else {
		x = p.valuePrimary()
	}
	for !p.failed {
		op, ok := p.peekBinop()
		if !ok || binopPrec[op] <= minPrec {
			break
		}
		p.next()
		var y ir.Expr
		if p.isSelectorStart() {
			y = p.binExpr(binopPrec[op], true)
		} else {
			y = p.binExpr(binopPrec[op], false)
		}
		x = &ir.Binop{Node: ir.Node{Span: span(start, p)}, Op: op, X: x, Y: y}
		if ts := ir.ExprTypes(x); len(ts) > 0 {
			// A selector operand types the constants beside it: "ct mark | 0x23".
			x = p.bindTypes(x, ts)
		}
	}
	if p.failed {
		return nil
	}
	return x
}

// selector parses one selector.
func (p *ruleParser) selector() ir.Expr {
	t := p.peek()
	if t.kind == tokSetRef && isRawBase(t.text) {
		return p.rawPayload()
	}
	if t.kind != tokWord {
		p.unexpected("a selector such as ip saddr or meta mark")
		return nil
	}
	w := t.text
	n1 := p.peekAt(1)
	switch {
	case w == "ct":
		return p.ctSelector()
	case w == "fib":
		return p.fib()
	case w == "numgen":
		return p.numgen()
	case w == "jhash" || w == "symhash":
		return p.hash()
	case w == "osf":
		return p.osf()
	case w == "exthdr":
		return p.exthdr()
	case w == "ipsec":
		return p.ipsec()
	case innerTunnels[w]:
		p.next()
		inner := p.selector()
		if p.failed {
			return nil
		}
		return &ir.Special{Node: ir.Node{Span: span(t, p)}, Kind: "inner", Words: []string{w, "%"}, Args: []ir.Expr{inner}, Type: ir.FirstType(inner)}
	case (w == "tcp" || w == "ip") && n1.kind == tokWord && n1.text == "option":
		return p.option()
	case w == "sctp" && n1.kind == tokWord && n1.text == "chunk":
		return p.option()
	case w == "socket" && n1.kind == tokWord && n1.text == "cgroupv2":
		p.i += 2
		if !p.accept("level") {
			p.unexpected("level")
			return nil
		}
		lv := p.next()
		return &ir.Special{Node: ir.Node{Span: span(t, p)}, Kind: "socket", Words: []string{"socket", "cgroupv2", "level", lv.text}, Type: ir.TypeCgroupv2}
	case w == "meta":
		if n1.kind == tokWord {
			if f := ir.LookupField("meta " + n1.text); f != nil {
				p.i += 2
				return &ir.Selector{Node: ir.Node{Span: span(t, p)}, Field: f}
			}
		}
		p.i++
		p.unexpected("a meta key")
		return nil
	}
	var buf [5]string
	if f, n := ir.MatchField(p.wordsAhead(buf[:0], 5)); f != nil {
		// A header field that nft also reads as a presence check: "frag more-fragments".
		p.i += n
		return &ir.Selector{Node: ir.Node{Span: span(t, p)}, Field: f}
	}
	if metaUnqualified[w] {
		if f := ir.LookupField("meta " + w); f != nil {
			p.i++
			return &ir.Selector{Node: ir.Node{Span: span(t, p)}, Field: f}
		}
	}
	if ir.IsProtoWord(w) && n1.kind == tokWord {
		p.i++
		p.fail(n1, "syntax error, unexpected %s, expecting a field of %s", describe(n1), w)
		return nil
	}
	p.unexpected("a selector or statement")
	return nil
}

// ctSelector parses "ct [original|reply] key".
func (p *ruleParser) ctSelector() ir.Expr {
	start := p.next()
	dir := ""
	if p.word("original") || p.word("reply") {
		dir = p.next().text
	}
	var buf [3]string
	ws := p.wordsAhead(append(buf[:0], "ct"), 2)
	f, n := ir.MatchField(ws)
	if f == nil {
		p.unexpected("a conntrack key")
		return nil
	}
	p.i += n - 1
	if dir != "" && !f.NeedsDir {
		p.fail(start, "ct %s does not take a direction", f.Key)
		return nil
	}
	return &ir.Selector{Node: ir.Node{Span: span(start, p)}, Field: f, Dir: dir}
}

// rawPayload parses "@base,offset,length".
func (p *ruleParser) rawPayload() ir.Expr {
	start := p.next()
	var nums [2]int
	for k := range nums {
		if !p.punct(",") {
			p.unexpected("','")
			return nil
		}
		p.next()
		nums[k] = int(p.number())
	}
	return &ir.RawPayload{Node: ir.Node{Span: span(start, p)}, Base: start.text, Offset: nums[0], Len: nums[1]}
}

// fib parses "fib FLAG[ . FLAG] RESULT".
func (p *ruleParser) fib() ir.Expr {
	start := p.next()
	words := []string{"fib"}
	for {
		f := p.next()
		if f.kind != tokWord {
			p.i--
			p.unexpected("saddr, daddr, mark, iif or oif")
			return nil
		}
		words = append(words, f.text)
		if !p.punct(".") {
			break
		}
		p.next()
		words = append(words, ".")
	}
	res := p.next()
	var typ *ir.Type
	switch res.text {
	case "oif":
		typ = ir.TypeIface
	case "oifname":
		typ = ir.TypeIfname
	case "type":
		typ = ir.TypeFibAddr
	case "check":
		typ = ir.TypeBool
	default:
		p.i--
		p.unexpected("oif, oifname, type or check")
		return nil
	}
	words = append(words, res.text)
	return &ir.Special{Node: ir.Node{Span: span(start, p)}, Kind: "fib", Words: words, Type: typ}
}

// numgen parses "numgen inc|random mod N [offset M]".
func (p *ruleParser) numgen() ir.Expr {
	start := p.next()
	mode := p.next()
	if mode.text != "inc" && mode.text != "random" {
		p.i--
		p.unexpected("inc or random")
		return nil
	}
	words := []string{"numgen", mode.text}
	if !p.accept("mod") {
		p.unexpected("mod")
		return nil
	}
	words = append(words, "mod", strconv.FormatUint(p.number(), 10))
	if p.accept("offset") {
		words = append(words, "offset", strconv.FormatUint(p.number(), 10))
	}
	return &ir.Special{Node: ir.Node{Span: span(start, p)}, Kind: "numgen", Words: words, Type: ir.TypeInteger.WithWidth(32)}
}

// hash parses "jhash EXPR mod N [seed S] [offset O]" and "symhash mod N [offset O]".
func (p *ruleParser) hash() ir.Expr {
	start := p.next()
	s := &ir.Special{Kind: start.text, Words: []string{start.text}, Type: ir.TypeInteger.WithWidth(32)}
	if start.text == "jhash" {
		s.Args = []ir.Expr{p.lhsExpr()}
		s.Words = append(s.Words, "%")
	}
	if !p.accept("mod") {
		p.unexpected("mod")
		return nil
	}
	s.Words = append(s.Words, "mod", strconv.FormatUint(p.number(), 10))
	for _, kw := range []string{"seed", "offset"} {
		if p.accept(kw) {
			n := p.number()
			if kw == "seed" {
				s.Words = append(s.Words, kw, "0x"+strconv.FormatUint(n, 16))
			} else {
				s.Words = append(s.Words, kw, strconv.FormatUint(n, 10))
			}
		}
	}
	s.Span = span(start, p)
	return s
}

// osf parses "osf [ttl loose|skip] name|version".
func (p *ruleParser) osf() ir.Expr {
	start := p.next()
	words := []string{"osf"}
	if p.accept("ttl") {
		words = append(words, "ttl", p.next().text)
	}
	k := p.next()
	if k.text != "name" && k.text != "version" {
		p.i--
		p.unexpected("name or version")
		return nil
	}
	words = append(words, k.text)
	return &ir.Special{Node: ir.Node{Span: span(start, p)}, Kind: "osf", Words: words, Type: ir.TypeString}
}

// exthdr parses "exthdr NAME FIELD" (a registry field) and the
// presence check "exthdr NAME exists|missing".
func (p *ruleParser) exthdr() ir.Expr {
	start := p.next()
	name := p.next()
	if name.kind != tokWord {
		p.i--
		p.unexpected("an extension header name")
		return nil
	}
	if n := p.peek(); n.kind == tokWord {
		if f := ir.LookupField(name.text + " " + n.text); f != nil {
			p.next()
			return &ir.Selector{Node: ir.Node{Span: span(start, p)}, Field: f}
		}
	}
	return &ir.Special{Node: ir.Node{Span: span(start, p)}, Kind: "exthdr", Words: []string{"exthdr", name.text}, Type: ir.TypeBool}
}

// ipsec parses "ipsec in|out [spnum N] KEY".
func (p *ruleParser) ipsec() ir.Expr {
	start := p.next()
	words := []string{"ipsec", p.next().text}
	if p.accept("spnum") {
		if n := p.number(); n != 0 {
			words = append(words, "spnum", strconv.FormatUint(n, 10))
		}
	}
	k := p.next()
	typ := ir.TypeInteger.WithWidth(32)
	words = append(words, k.text)
	if k.text == "ip" || k.text == "ip6" {
		a := p.next()
		words = append(words, a.text)
		typ = ir.TypeIPv4
		if k.text == "ip6" {
			typ = ir.TypeIPv6
		}
	}
	return &ir.Special{Node: ir.Node{Span: span(start, p)}, Kind: "ipsec", Words: words, Type: typ}
}

// option parses "tcp option NAME [FIELD]", "ip option NAME [FIELD]",
// "sctp chunk NAME [FIELD]", and "tcp option @kind,offset,len".
func (p *ruleParser) option() ir.Expr {
	start := p.next()
	kw := p.next()
	words := []string{start.text, kw.text}
	t := p.next()
	if t.kind == tokSetRef {
		// tcp option @kind,offset,length
		words = append(words, "@"+t.text)
		for k := 0; k < 2; k++ {
			if !p.punct(",") {
				p.unexpected("','")
				return nil
			}
			p.next()
			words[len(words)-1] += "," + strconv.FormatUint(p.number(), 10)
		}
		return &ir.Special{Node: ir.Node{Span: span(start, p)}, Kind: "option", Words: words, Type: ir.TypeInteger}
	}
	if t.kind != tokWord {
		p.i--
		p.unexpected("an option name")
		return nil
	}
	if t.text == "sack0" {
		t.text = "sack" // nft lists the first SACK block without its index
	}
	words = append(words, t.text)
	typ := ir.TypeBool
	if f := p.peek(); f.kind == tokWord {
		if w, ok := ir.OptionFieldWidth(f.text); ok {
			p.next()
			words = append(words, f.text)
			typ = ir.TypeInteger.WithWidth(w)
		}
	}
	return &ir.Special{Node: ir.Node{Span: span(start, p)}, Kind: "option", Words: words, Type: typ}
}

// valueExpr parses a value: literals, sets, references, selectors,
// ranges, concatenations, bitwise expressions and map lookups; with
// list set, also comma lists ("established,related").
func (p *ruleParser) valueExpr(list bool) ir.Expr {
	start := p.peek()
	x := p.concatValue()
	if p.failed {
		return nil
	}
	if p.word("map") || p.word("vmap") {
		if m := p.mapSuffix(x); m != nil {
			x = m
		} else {
			return nil
		}
	}
	if !list || !p.punct(",") {
		return x
	}
	l := &ir.List{Items: []ir.Expr{x}}
	for p.punct(",") && !p.failed {
		p.next()
		l.Items = append(l.Items, p.concatValue())
	}
	l.Span = span(start, p)
	return l
}

// concatValue parses operands joined by ".".
func (p *ruleParser) concatValue() ir.Expr {
	start := p.peek()
	first := p.valueOperand()
	if !p.punct(".") || p.failed {
		return first
	}
	c := &ir.Concat{Parts: []ir.Expr{first}}
	for p.punct(".") && !p.failed {
		p.next()
		c.Parts = append(c.Parts, p.valueOperand())
	}
	c.Span = span(start, p)
	return c
}

// valueOperand is a selector expression or a literal with bitwise operators.
func (p *ruleParser) valueOperand() ir.Expr {
	return p.binExpr(0, p.isSelectorStart())
}

// valuePrimary parses one literal: a word (with "-" range), string,
// set literal or set reference.
func (p *ruleParser) valuePrimary() ir.Expr {
	t := p.peek()
	switch t.kind {
	case kindGroup:
		p.next()
		return p.setLiteral(t, false)
	case tokSetRef:
		p.next()
		return &ir.SetRef{Node: ir.Node{Span: spanOf(t)}, Name: t.text}
	case tokString, tokWord:
		p.next()
		if t.kind == tokWord && verdictWords[t.text] && t.text != "continue" {
			p.i--
			p.unexpected("a value")
			return nil
		}
		lo := &ir.Const{Node: ir.Node{Span: spanOf(t)}, Str: t.text, Sym: true, Quoted: t.kind == tokString}
		if p.punct("-") {
			p.next()
			h := p.next()
			if h.kind != tokWord && h.kind != tokString {
				p.i--
				p.unexpected("the end of a range")
				return nil
			}
			hi := &ir.Const{Node: ir.Node{Span: spanOf(h)}, Str: h.text, Sym: true, Quoted: h.kind == tokString}
			return &ir.Range{Node: ir.Node{Span: span(t, p)}, Lo: lo, Hi: hi}
		}
		return lo
	case tokPunct:
		if t.text == "(" {
			p.next()
			x := p.binExpr(0, p.isSelectorStart())
			if p.failed {
				return nil
			}
			if !p.punct(")") {
				p.unexpected("')'")
				return nil
			}
			p.next()
			return x
		}
		if t.text == "-" {
			p.unexpected("a value (negative numbers are not values)")
			return nil
		}
	}
	p.unexpected("a value")
	return nil
}

// mapSuffix parses "map { ... }" / "vmap { ... }" / "map @m" after key.
func (p *ruleParser) mapSuffix(key ir.Expr) *ir.MapExpr {
	kw := p.next()
	m := &ir.MapExpr{Key: key, Vmap: kw.text == "vmap"}
	t := p.next()
	switch t.kind {
	case kindGroup:
		s := p.setLiteral(t, true)
		if s == nil {
			return nil
		}
		p.bindSetTypes(s, ir.ExprTypes(key), m.Vmap)
		m.Map = s
	case tokSetRef:
		m.Map = &ir.SetRef{Node: ir.Node{Span: spanOf(t)}, Name: t.text}
	default:
		p.i--
		p.unexpected("{ ... } or @map")
		return nil
	}
	m.Span = span(kw, p)
	return m
}

// bindSetTypes types the keys of a map literal and, for vmaps, its verdicts.
func (p *ruleParser) bindSetTypes(s *ir.SetExpr, keyTypes []*ir.Type, vmap bool) {
	for _, e := range s.Elems {
		e.Key = p.bindTypes(e.Key, keyTypes)
		if vmap && e.Value != nil {
			e.Value = p.bindTypes(e.Value, []*ir.Type{ir.TypeVerdict})
		}
	}
}

// setLiteral parses the elements of a { ... } group; mapping allows "key : value".
func (p *ruleParser) setLiteral(g tok, mapping bool) *ir.SetExpr {
	s := &ir.SetExpr{Node: ir.Node{Span: spanOf(g)}}
	for _, item := range groupItems(g.group) {
		q := &ruleParser{l: p.l, t: p.l.expand(item), table: p.table}
		if len(q.t) == 0 {
			continue
		}
		if q.t[0].kind == kindGroup && len(q.t) == 1 {
			// Nested set (often from a $variable): flatten.
			inner := q.setLiteral(q.t[0], mapping)
			if inner == nil {
				p.failed = true
				return nil
			}
			s.Elems = append(s.Elems, inner.Elems...)
			continue
		}
		if mapping {
			q.t = splitKeyValue(q.t)
		}
		e := &ir.Element{Span: spanOf(q.t[0])}
		e.Key = q.concatValue()
		q.elementOptions(e)
		if q.punct(":") {
			q.next()
			if q.word("jump") || q.word("goto") || verdictWords[q.peek().text] && q.peek().kind == tokWord {
				e.Value = q.verdict()
			} else {
				e.Value = q.concatValue()
			}
		}
		q.elementOptions(e)
		if q.failed {
			p.failed = true
			return nil
		}
		if !q.atEnd() {
			q.unexpected("',' or '}'")
			p.failed = true
			return nil
		}
		s.Elems = append(s.Elems, e)
	}
	return s
}

// splitKeyValue splits a map element written without spaces around
// the colon, which the lexer reads as one word since colons also occur
// inside values (IPv6 and MAC addresses, times), into key, ":" and
// value: when what follows the last colon is a verdict ("25:accept"),
// or a port maps to an IPv4 address ("80:10.0.0.1"), as nft reads them.
func splitKeyValue(ts []tok) []tok {
	if len(ts) == 0 || ts[0].kind != tokWord {
		return ts
	}
	t := ts[0]
	i := strings.LastIndex(t.text, ":")
	if i <= 0 {
		return ts
	}
	if !verdictWords[t.text[i+1:]] {
		a, err := netip.ParseAddr(t.text[i+1:])
		if strings.Count(t.text, ":") != 1 || strings.Trim(t.text[:i], "0123456789") != "" || err != nil || !a.Is4() {
			return ts
		}
	}
	key, colon, value := t, t, t
	key.text = t.text[:i]
	colon.kind, colon.text = tokPunct, ":"
	colon.pos.Col += i
	value.text = t.text[i+1:]
	value.pos.Col += i + 1
	return append([]tok{key, colon, value}, ts[1:]...)
}

// elementOptions reads timeout, expires, comment and per-element statements.
func (p *ruleParser) elementOptions(e *ir.Element) {
	for !p.atEnd() && !p.failed {
		switch {
		case p.accept("timeout"):
			e.Timeout = p.next().text
		case p.accept("expires"):
			e.Expires = p.next().text
		case p.accept("comment"):
			e.Comment = p.next().text
		case p.word("counter") || p.word("quota") || p.word("limit"):
			e.Stmts = append(e.Stmts, p.stmt())
		default:
			return
		}
	}
}

// bindTypes gives untyped literals in e the datatypes ts (one per
// concatenation part) and parses them. It returns e, or its
// replacement when a literal turns out to be a prefix.
func (p *ruleParser) bindTypes(e ir.Expr, ts []*ir.Type) ir.Expr {
	if len(ts) == 0 || e == nil {
		return e
	}
	switch x := e.(type) {
	case *ir.Const:
		return p.bindConst(x, ts[0])
	case *ir.Range:
		x.Lo = p.bindTypes(x.Lo, ts)
		x.Hi = p.bindTypes(x.Hi, ts)
	case *ir.Prefix:
		x.X = p.bindTypes(x.X, ts)
	case *ir.List:
		for i := range x.Items {
			x.Items[i] = p.bindTypes(x.Items[i], ts)
		}
	case *ir.Concat:
		for i := range x.Parts {
			if i < len(ts) {
				x.Parts[i] = p.bindTypes(x.Parts[i], ts[i:i+1])
			}
		}
	case *ir.SetExpr:
		for _, el := range x.Elems {
			el.Key = p.bindTypes(el.Key, ts)
		}
	case *ir.Binop:
		x.X = p.bindTypes(x.X, ts)
		if x.Op == "<<" || x.Op == ">>" {
			x.Y = p.bindTypes(x.Y, []*ir.Type{ir.TypeInteger.WithWidth(32)})
		} else {
			x.Y = p.bindTypes(x.Y, ts)
		}
		if c := foldConst(x); c != nil {
			return c
		}
	case *ir.MapExpr:
		if s, ok := x.Map.(*ir.SetExpr); ok && !x.Vmap {
			for _, el := range s.Elems {
				el.Value = p.bindTypes(el.Value, ts)
			}
		}
	}
	return e
}

// bindConst parses literal c as a value of t; a prefix "a/n" becomes a Prefix.
func (p *ruleParser) bindConst(c *ir.Const, t *ir.Type) ir.Expr {
	if !c.Sym || c.Type != nil || t == nil || c.Str == "*" && !c.Quoted {
		// "*" is the catch-all element of a map.
		return c
	}
	if t.Kind == ir.KindVerdict {
		return c
	}
	s := c.Str
	if !c.Quoted && (t.Kind == ir.KindIPv4 || t.Kind == ir.KindIPv6 || t.Kind == ir.KindInetAddr || t.Kind == ir.KindInteger || t.Kind == ir.KindHex || t.Kind == ir.KindRawHex) {
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
				p.fail(tok{pos: c.Span.Start, text: s}, "invalid prefix length in %q", s)
				return c
			}
			c.Str = addr
			x := p.bindConst(c, t)
			return &ir.Prefix{Node: c.Node, X: x, Len: n}
		}
	}
	c.Type = t
	switch t.Kind {
	case ir.KindString:
		c.Sym = false
		if strings.HasSuffix(s, "*") && !strings.HasSuffix(s, `\*`) {
			c.Wild = true
			c.Str = strings.TrimSuffix(s, "*")
		}
		return c
	case ir.KindIfindex:
		if !c.Quoted && (s == "exists" || s == "missing") {
			// "fib daddr oif missing": a presence check, not a name.
			c.Type = nil
			return c
		}
		c.Sym = false
		return c
	}
	val, ok, err := t.ParseValue(s)
	if err != nil && (c.Quoted || looksLikeHostname(s, t)) {
		// nft resolves these when it loads the file (object names,
		// host names): keep the spelling.
		return c
	}
	if err != nil {
		p.fail(tok{pos: c.Span.Start, text: s}, "%s", err.Error())
		return c
	}
	if ok {
		c.Val = val
		c.Sym = false
	}
	return c
}

// foldConst evaluates a bitwise operation on two constants, as nft does
// before it lists a rule.
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
	case "<<":
		a.Lsh(a, uint(c.Uint64()))
	case ">>":
		a.Rsh(a, uint(c.Uint64()))
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

// looksLikeHostname reports a DNS name where an address is expected;
// nft resolves it when loading, so nftopt keeps it as written.
func looksLikeHostname(s string, t *ir.Type) bool {
	if t.Kind != ir.KindIPv4 && t.Kind != ir.KindIPv6 && t.Kind != ir.KindInetAddr {
		return false
	}
	return strings.Contains(s, ".") && strings.IndexFunc(s, func(r rune) bool { return r >= 'g' && r <= 'z' }) >= 0
}
