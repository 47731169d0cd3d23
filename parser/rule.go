package parser

import (
	"regexp"
	"sort"
	"strconv"
	"strings"

	"github.com/nftopt/nftopt/ir"
)

// ruleParser parses the statements of one rule from its terms.
type ruleParser struct {
	l      *lowerer
	t      []tok
	i      int
	table  *ir.Table
	failed bool
}

func (p *ruleParser) atEnd() bool { return p.i >= len(p.t) }

func (p *ruleParser) peek() tok {
	if p.i < len(p.t) {
		return p.t[p.i]
	}
	if len(p.t) == 0 {
		return tok{}
	}
	last := p.t[len(p.t)-1]
	end := last.pos
	end.Col += len(last.text)
	return tok{kind: tokEOF, text: "end of rule", pos: end}
}

func (p *ruleParser) peekAt(k int) tok {
	if p.i+k < len(p.t) {
		return p.t[p.i+k]
	}
	return tok{kind: tokEOF}
}

func (p *ruleParser) next() tok { t := p.peek(); p.i++; return t }

// word reports whether the next term is the word w.
func (p *ruleParser) word(w string) bool {
	t := p.peek()
	return t.kind == tokWord && t.text == w
}

// accept consumes the word w if it is next.
func (p *ruleParser) accept(w string) bool {
	if p.word(w) {
		p.i++
		return true
	}
	return false
}

func (p *ruleParser) punct(s string) bool { return p.peek().is(tokPunct, s) }

func (p *ruleParser) fail(t tok, format string, args ...any) {
	if p.failed {
		return
	}
	p.failed = true
	if t.kind == tokEOF {
		t.text = ""
	}
	p.l.errAt(t, format, args...)
}

func (p *ruleParser) unexpected(what string) {
	t := p.peek()
	if t.kind == tokEOF {
		p.fail(t, "syntax error, unexpected end of rule, expecting %s", what)
		return
	}
	p.fail(t, "syntax error, unexpected %s, expecting %s", describe(t), what)
}

func span(from tok, p *ruleParser) ir.Span {
	end := from.pos
	if p.i > 0 && p.i <= len(p.t) {
		last := p.t[p.i-1]
		end = last.pos
		end.Col += len(last.text)
	}
	return ir.Span{Start: from.pos, End: end}
}

// rule parses one rule line.
func (l *lowerer) rule(t *ir.Table, ts []tok) *ir.Rule {
	p := &ruleParser{l: l, t: l.expand(ts), table: t}
	r := &ir.Rule{}
	if len(p.t) == 0 {
		return nil
	}
	start := p.t[0]
	var buf [8]ir.Stmt // most rules have a few statements: one allocation for them
	stmts := buf[:0]
	for !p.atEnd() && !p.failed {
		if p.word("comment") {
			at := p.next()
			c := p.next()
			if !isName(c) {
				p.fail(at, "syntax error: comment needs a quoted string")
				break
			}
			r.Comment = c.text
			if !p.atEnd() {
				p.unexpected("end of rule after comment")
			}
			break
		}
		s := p.stmt()
		if s != nil {
			stmts = append(stmts, s)
		}
	}
	if p.failed {
		return nil
	}
	if len(stmts) > 0 {
		r.Stmts = append([]ir.Stmt(nil), stmts...)
	}
	r.Span = span(start, p)
	return r
}

var verdictWords = map[string]bool{"accept": true, "drop": true, "continue": true, "return": true, "jump": true, "goto": true}

// stmt parses one statement.
func (p *ruleParser) stmt() ir.Stmt {
	t := p.peek()
	if t.kind == tokWord {
		switch t.text {
		case "accept", "drop", "continue", "return", "jump", "goto":
			v := p.verdict()
			if v == nil {
				return nil
			}
			return &ir.VerdictStmt{Node: v.Node, Verdict: v}
		case "counter":
			return p.counter()
		case "limit":
			return p.limit()
		case "quota":
			return p.quota()
		case "log":
			return p.log()
		case "reject":
			return p.reject()
		case "snat", "dnat", "masquerade", "redirect":
			return p.nat()
		case "add", "update", "delete":
			if p.peekAt(1).kind == tokSetRef {
				return p.setStmt()
			}
		case "set":
			if k := p.peekAt(1); k.kind == tokWord && (k.text == "add" || k.text == "update" || k.text == "delete") {
				return p.oldSetStmt()
			}
		case "meter":
			return p.meter()
		case "notrack":
			p.next()
			return &ir.Generic{Node: ir.Node{Span: span(t, p)}, Kind: "notrack", Words: []string{"notrack"}}
		case "queue", "dup", "fwd", "tproxy", "synproxy", "flow", "xt":
			return p.generic()
		case "ct":
			if k := p.peekAt(1); k.kind == tokWord && (k.text == "timeout" || k.text == "expectation") && p.peekAt(2).kind == tokWord && p.peekAt(2).text == "set" {
				return p.generic()
			}
			if k := p.peekAt(1); k.kind == tokWord && k.text == "count" {
				return p.connlimit()
			}
		}
	}
	return p.matchStmt()
}

func (p *ruleParser) verdict() *ir.Verdict {
	t := p.next()
	v := &ir.Verdict{Kind: t.text}
	if t.text == "jump" || t.text == "goto" {
		if g := p.peek(); g.kind == kindGroup {
			p.next()
			v.Inline = []*ir.Rule{}
			for _, line := range g.group.Lines {
				if r := p.l.rule(p.table, toks(line)); r != nil {
					v.Inline = append(v.Inline, r)
				} else {
					p.failed = true
					return nil
				}
			}
			v.Span = span(t, p)
			return v
		}
		c := p.next()
		if !isName(c) {
			p.i--
			p.unexpected("chain name")
			return nil
		}
		v.Chain = c.text
	}
	v.Span = span(t, p)
	return v
}

// matchStmt parses "lhs [op] rhs", "lhs set value" and "lhs vmap {...}".
func (p *ruleParser) matchStmt() ir.Stmt {
	start := p.peek()
	left := p.lhsExpr()
	if p.failed {
		return nil
	}
	switch {
	case p.accept("set"):
		v := p.valueExpr(true)
		if p.failed {
			return nil
		}
		v = p.bindTypes(v, ir.ExprTypes(left))
		return &ir.Mangle{Node: ir.Node{Span: span(start, p)}, Left: left, Value: v}
	case p.word("vmap"):
		m := p.mapSuffix(left)
		if m == nil {
			return nil
		}
		return &ir.VerdictStmt{Node: ir.Node{Span: span(start, p)}, Vmap: m}
	}
	op := p.relop()
	if p.atEnd() {
		p.unexpected("a value to compare " + exprName(left) + " with")
		return nil
	}
	right := p.valueExpr(true)
	if p.failed {
		return nil
	}
	if p.punct("/") && (op == ir.OpImplicit || op == ir.OpEq || op == ir.OpNeq) {
		// "tcp flags syn / syn,ack" is "tcp flags & (syn | ack) == syn".
		p.next()
		mask := p.valueExpr(true)
		if p.failed {
			return nil
		}
		mask = p.bindTypes(listToBinop(mask), ir.ExprTypes(left))
		left = &ir.Binop{Node: ir.Node{Span: span(start, p)}, Op: "&", X: left, Y: mask}
		if op == ir.OpImplicit {
			op = ir.OpEq
		}
		right = listToBinop(right)
	}
	if l, ok := right.(*ir.List); ok && !exprIsBitmask(left) {
		// "tcp dport 22,80" lists outside braces are sets to nft.
		right = listToSet(l)
	}
	right = p.bindTypes(right, ir.ExprTypes(left))
	left = familyField(left, right)
	if l, ok := right.(*ir.List); ok {
		sortFlags(l)
	}
	return &ir.Match{Node: ir.Node{Span: span(start, p)}, Left: left, Op: op, Right: right}
}

// listToBinop turns a flag list "a,b" into "a | b".
func listToBinop(e ir.Expr) ir.Expr {
	l, ok := e.(*ir.List)
	if !ok {
		return e
	}
	x := l.Items[0]
	for _, y := range l.Items[1:] {
		x = &ir.Binop{Node: l.Node, Op: "|", X: x, Y: y}
	}
	return x
}

func listToSet(l *ir.List) *ir.SetExpr {
	s := &ir.SetExpr{Node: l.Node}
	for _, it := range l.Items {
		if inner, ok := it.(*ir.SetExpr); ok {
			// "22,{80,443}": nested sets flatten, as inside braces.
			s.Elems = append(s.Elems, inner.Elems...)
			continue
		}
		s.Elems = append(s.Elems, &ir.Element{Key: it})
	}
	return s
}

func exprName(e ir.Expr) string {
	if s, ok := e.(*ir.Selector); ok {
		return s.Field.Name
	}
	return "the expression"
}

func exprIsBitmask(e ir.Expr) bool {
	ts := ir.ExprTypes(e)
	return len(ts) == 1 && ts[0].IsBitmask()
}

var relops = map[string]ir.Op{"!": ir.OpNotAny, "==": ir.OpEq, "eq": ir.OpEq, "!=": ir.OpNeq, "ne": ir.OpNeq, "<": ir.OpLt, "lt": ir.OpLt, ">": ir.OpGt, "gt": ir.OpGt, "<=": ir.OpLe, "le": ir.OpLe, ">=": ir.OpGe, "ge": ir.OpGe}

func (p *ruleParser) relop() ir.Op {
	t := p.peek()
	if t.kind == tokPunct || t.kind == tokWord {
		if op, ok := relops[t.text]; ok {
			p.next()
			return op
		}
	}
	return ir.OpImplicit
}

// counter parses "counter [packets N bytes M]" and "counter name X".
func (p *ruleParser) counter() ir.Stmt {
	start := p.next()
	c := &ir.Counter{}
	if p.accept("name") {
		c.Name = p.objName()
	} else if p.word("packets") || p.word("bytes") {
		for k := 0; k < 2 && !p.failed; k++ {
			switch {
			case p.accept("packets"):
				c.Packets = p.number()
			case p.accept("bytes"):
				c.Bytes = p.number()
			default:
				p.unexpected("packets or bytes")
			}
		}
		c.HasValues = true
	}
	c.Span = span(start, p)
	return c
}

// objName reads the name of a referenced object: a word, a string or a map.
func (p *ruleParser) objName() ir.Expr {
	t := p.peek()
	if t.kind == tokWord || t.kind == tokString {
		if p.isSelectorStart() {
			return p.valueExpr(false)
		}
		p.next()
		return &ir.Const{Node: ir.Node{Span: spanOf(t)}, Str: t.text, Quoted: t.kind == tokString, Type: ir.TypeString}
	}
	p.unexpected("object name")
	return nil
}

func (p *ruleParser) number() uint64 {
	t := p.next()
	n, err := strconv.ParseUint(t.text, 0, 64)
	if err != nil || t.kind != tokWord {
		p.i--
		p.unexpected("number")
		return 0
	}
	return n
}

var (
	rateRe  = regexp.MustCompile(`^(\d+)(bytes|kbytes|mbytes)?/(second|minute|hour|day|week)$`)
	bytesRe = regexp.MustCompile(`^(\d+)(bytes|kbytes|mbytes|gbytes|packets)?$`)
)

// glue joins up to n following terms without spaces, to read rates
// and sizes that nft accepts with or without spaces ("10 mbytes / second").
func (p *ruleParser) glue(re *regexp.Regexp, n int) []string {
	var sb strings.Builder
	best, bestLen := []string(nil), 0
	for k := 0; k < n && p.i+k < len(p.t); k++ {
		t := p.t[p.i+k]
		if t.kind != tokWord && !t.is(tokPunct, "/") {
			break
		}
		sb.WriteString(t.text)
		if m := re.FindStringSubmatch(sb.String()); m != nil {
			best, bestLen = m, k+1
		}
	}
	p.i += bestLen
	return best
}

// limit parses "limit rate [over] N[unit]/per [burst N [unit]]" and "limit name X".
func (p *ruleParser) limit() ir.Stmt {
	start := p.next()
	l := &ir.Limit{}
	if p.accept("name") {
		l.Name = p.objName()
		l.Span = span(start, p)
		return l
	}
	if !p.accept("rate") {
		p.unexpected("rate or name")
		return nil
	}
	l.Over = p.accept("over")
	if !l.Over && p.accept("until") {
		l.Over = false
	}
	m := p.glue(rateRe, 4)
	if m == nil {
		p.unexpected("a rate like 10/second or 1 mbytes/second")
		return nil
	}
	l.Rate, _ = strconv.ParseUint(m[1], 10, 64)
	l.Unit, l.Per = m[2], m[3]
	if p.accept("burst") {
		b := p.glue(bytesRe, 2)
		if b == nil {
			p.unexpected("burst size")
			return nil
		}
		l.Burst, _ = strconv.ParseUint(b[1], 10, 64)
		l.BurstUnit = b[2]
		if l.Burst == 0 && l.Unit == "" {
			p.fail(p.t[p.i-1], "a packet limit needs a burst of at least 1")
			return nil
		}
		if l.BurstUnit == "" {
			l.BurstUnit = "packets"
			if l.Unit != "" {
				l.BurstUnit = "bytes"
			}
		}
	}
	l.Span = span(start, p)
	return l
}

// quota parses "quota [over|until] N unit [used N unit]" and "quota name X".
func (p *ruleParser) quota() ir.Stmt {
	start := p.next()
	q := &ir.Quota{}
	if p.accept("name") {
		q.Name = p.objName()
		q.Span = span(start, p)
		return q
	}
	q.Over = p.accept("over")
	if !q.Over {
		p.accept("until")
	}
	m := p.glue(bytesRe, 2)
	if m == nil || m[2] == "packets" {
		p.unexpected("a byte count like 25 mbytes")
		return nil
	}
	q.Bytes, _ = strconv.ParseUint(m[1], 10, 64)
	q.Unit = m[2]
	if p.accept("used") {
		u := p.glue(bytesRe, 2)
		if u == nil {
			p.unexpected("a byte count")
			return nil
		}
		q.Used, _ = strconv.ParseUint(u[1], 10, 64)
		q.UsedUnit = u[2]
	}
	q.Span = span(start, p)
	return q
}

// log parses "log [prefix S] [level L] [group N] [snaplen N] [queue-threshold N] [flags ...]".
func (p *ruleParser) log() ir.Stmt {
	start := p.next()
	lg := &ir.Log{}
	for !p.failed {
		switch {
		case p.accept("prefix"):
			t := p.next()
			if !isName(t) {
				p.i--
				p.unexpected("prefix string")
				return nil
			}
			lg.Prefix = &ir.Const{Node: ir.Node{Span: spanOf(t)}, Str: t.text, Quoted: true, Type: ir.TypeString}
		case p.accept("level"):
			t := p.next()
			if !isName(t) {
				p.i--
				p.unexpected("log level")
				return nil
			}
			lg.Level = t.text
		case p.accept("group"):
			lg.Group = int(p.number())
			lg.HasGroup = true
		case p.accept("snaplen"):
			lg.Snaplen = int(p.number())
		case p.accept("queue-threshold"):
			lg.QThreshold = int(p.number())
		case p.accept("flags"):
			// One group per "flags": "all", "tcp sequence,options", "ip options", "skuid", "ether".
			var group []string
			for {
				t := p.peek()
				if t.kind != tokWord || !logFlagWords[t.text] {
					break
				}
				p.next()
				group = append(group, t.text)
				if p.punct(",") {
					p.next()
					group[len(group)-1] += ","
				}
			}
			if len(group) == 0 {
				p.unexpected("log flags")
				return nil
			}
			lg.Flags = append(lg.Flags, strings.ReplaceAll(strings.Join(group, " "), ", ", ","))
		default:
			lg.Span = span(start, p)
			return lg
		}
	}
	return nil
}

var logFlagWords = map[string]bool{"all": true, "tcp": true, "ip": true, "sequence": true, "options": true, "skuid": true, "ether": true}

// reject parses "reject [with icmp|icmpv6|icmpx [type] CODE | with tcp reset]".
func (p *ruleParser) reject() ir.Stmt {
	start := p.next()
	r := &ir.Reject{}
	if p.accept("with") {
		t := p.next()
		switch t.text {
		case "tcp":
			if !p.accept("reset") {
				p.unexpected("reset")
				return nil
			}
			r.With = "tcp reset"
		case "icmp", "icmpv6", "icmpx":
			r.With = t.text
			p.accept("type")
			c := p.next()
			if !isName(c) {
				p.i--
				p.unexpected("an icmp code")
				return nil
			}
			typ := map[string]*ir.Type{"icmp": ir.TypeIcmpCode, "icmpv6": ir.TypeIcmp6Code, "icmpx": ir.TypeIcmpxCode}[t.text]
			k := &ir.Const{Node: ir.Node{Span: spanOf(c)}, Str: c.text, Sym: true}
			r.Code = p.bindTypes(k, []*ir.Type{typ})
		default:
			p.i--
			p.unexpected("icmp, icmpv6, icmpx or tcp")
			return nil
		}
	}
	r.Span = span(start, p)
	return r
}

var natFlagWords = map[string]bool{"random": true, "fully-random": true, "persistent": true, "netmap": true}

// nat parses snat, dnat, masquerade and redirect.
func (p *ruleParser) nat() ir.Stmt {
	start := p.next()
	n := &ir.Nat{Kind: start.text}
	if n.Kind == "snat" || n.Kind == "dnat" {
		if p.word("ip") || p.word("ip6") {
			if k := p.peekAt(1); k.kind == tokWord && (k.text == "to" || k.text == "prefix" || k.text == "addr") {
				n.Family = p.next().text
			}
		}
		if p.accept("prefix") {
			n.Prefix = true
		} else if p.word("addr") && p.peekAt(1).is(tokPunct, ".") {
			p.i += 3 // addr . port
			n.AddrPort = true
		}
		if !p.accept("to") && !(p.peek().kind == tokWord || p.punct("[")) {
			p.unexpected("to")
			return nil
		}
		p.natTarget(n)
	} else if p.accept("to") {
		port := p.portSpec()
		if port == nil {
			return nil
		}
		n.Port = port
	}
	for !p.failed && p.peek().kind == tokWord && natFlagWords[p.peek().text] {
		n.Flags = append(n.Flags, p.next().text)
		if p.punct(",") {
			p.next()
		}
	}
	if p.failed {
		return nil
	}
	n.Span = span(start, p)
	return n
}

// natAddrType is the address type of a nat statement in this table.
func (p *ruleParser) natAddrType(n *ir.Nat, lit string) *ir.Type {
	switch {
	case n.Family == "ip6" || p.table != nil && p.table.Family == ir.FamilyIP6:
		return ir.TypeIPv6
	case n.Family == "ip" || p.table != nil && p.table.Family == ir.FamilyIP:
		return ir.TypeIPv4
	case strings.Contains(lit, ":"):
		return ir.TypeIPv6
	}
	return ir.TypeIPv4
}

// natTarget reads the address and port of snat/dnat.
func (p *ruleParser) natTarget(n *ir.Nat) {
	t := p.peek()
	switch {
	case t.kind == tokWord && strings.HasPrefix(t.text, ":") && !strings.HasPrefix(t.text, "::"):
		// ":80" is a port alone; "::99" is an IPv6 address.
		n.Port = p.portSpec()
		return
	case t.is(tokPunct, "["):
		p.next()
		a := p.next()
		if !p.punct("]") {
			p.unexpected("']'")
			return
		}
		p.next()
		n.Addr = p.typedLiteral(a, ir.TypeIPv6)
		if p.peek().kind == tokWord && strings.HasPrefix(p.peek().text, ":") {
			n.Port = p.portSpec()
		}
		return
	case t.kind == tokWord && !p.isSelectorStart() && strings.Count(t.text, ":") == 1 && strings.Contains(t.text, "."):
		// 10.0.0.1:80
		p.next()
		host, port, _ := strings.Cut(t.text, ":")
		at := t
		at.text = host
		n.Addr = p.typedLiteral(at, ir.TypeIPv4)
		pt := t
		pt.text = port
		pt.pos.Col += len(host) + 1
		n.Port = p.portRest(pt)
		if p.punct("-") && n.Addr != nil {
			// 10.0.0.1:80-100
			p.next()
			hi := p.next()
			lo := n.Port
			n.Port = &ir.Range{Node: ir.Node{Span: spanOf(pt)}, Lo: lo, Hi: p.typedLiteral(hi, ir.TypeService)}
		}
		return
	}
	if r, ok := p.ipv4RangePort(); ok {
		// 10.0.0.1-10.0.0.9:80
		n.Addr, n.Port = r.addr, r.port
		return
	}
	v := p.valueExpr(false)
	if p.failed {
		return
	}
	typ := p.natAddrType(n, firstLiteral(v))
	if n.AddrPort || isConcatMap(v) {
		v = p.bindTypes(v, []*ir.Type{typ, ir.TypeService})
	} else {
		v = p.bindTypes(v, []*ir.Type{typ})
	}
	n.Addr = v
	if p.peek().kind == tokWord && strings.HasPrefix(p.peek().text, ":") || p.punct(":") {
		n.Port = p.portSpec()
	}
}

// addrPort is a NAT target's address and port.
type addrPort struct{ addr, port ir.Expr }

// ipv4RangePort reads "LO-HI:PORT" (an IPv4 address range with a port or
// a port range), where the lexer sees HI:PORT as one word.
func (p *ruleParser) ipv4RangePort() (addrPort, bool) {
	if p.i+2 >= len(p.t) {
		return addrPort{}, false
	}
	lo, dash, hi := p.t[p.i], p.t[p.i+1], p.t[p.i+2]
	if lo.kind != tokWord || strings.Contains(lo.text, ":") || !strings.Contains(lo.text, ".") || !dash.is(tokPunct, "-") ||
		hi.kind != tokWord || strings.Count(hi.text, ":") != 1 || !strings.Contains(hi.text, ".") {
		return addrPort{}, false
	}
	p.i += 3
	host, port, _ := strings.Cut(hi.text, ":")
	h := hi
	h.text = host
	addr := &ir.Range{Node: ir.Node{Span: spanOf(lo)}, Lo: p.typedLiteral(lo, ir.TypeIPv4), Hi: p.typedLiteral(h, ir.TypeIPv4)}
	pt := hi
	pt.text = port
	pt.pos.Col += len(host) + 1
	return addrPort{addr, p.portRest(pt)}, true
}

func isConcatMap(e ir.Expr) bool {
	m, ok := e.(*ir.MapExpr)
	if !ok {
		return false
	}
	s, ok := m.Map.(*ir.SetExpr)
	if !ok || len(s.Elems) == 0 {
		return false
	}
	_, concat := s.Elems[0].Value.(*ir.Concat)
	return concat
}

func firstLiteral(e ir.Expr) string {
	switch x := e.(type) {
	case *ir.Const:
		return x.Str
	case *ir.Range:
		return firstLiteral(x.Lo)
	case *ir.Prefix:
		return firstLiteral(x.X)
	}
	return ""
}

// portSpec reads ":PORT" or ":LO-HI" (the colon may be its own word).
func (p *ruleParser) portSpec() ir.Expr {
	t := p.next()
	if t.is(tokPunct, ":") {
		if p.isSelectorStart() {
			// ":tcp dport map { 22 : 8000 }"
			v := p.valueExpr(false)
			if p.failed {
				return nil
			}
			return p.bindTypes(v, []*ir.Type{ir.TypeService})
		}
		t = p.next()
	} else if t.kind == tokWord && strings.HasPrefix(t.text, ":") {
		t.text = t.text[1:]
		t.pos.Col++
	}
	if t.kind != tokWord && t.kind != tokString {
		p.i--
		p.unexpected("a port")
		return nil
	}
	return p.portRest(t)
}

func (p *ruleParser) portRest(t tok) ir.Expr {
	lo := p.typedLiteral(t, ir.TypeService)
	if p.punct("-") {
		p.next()
		hi := p.next()
		return &ir.Range{Node: ir.Node{Span: spanOf(t)}, Lo: lo, Hi: p.typedLiteral(hi, ir.TypeService)}
	}
	return lo
}

// typedLiteral makes a constant of type typ from a term.
func (p *ruleParser) typedLiteral(t tok, typ *ir.Type) ir.Expr {
	var e ir.Expr = &ir.Const{Node: ir.Node{Span: spanOf(t)}, Str: t.text, Sym: true, Quoted: t.kind == tokString}
	e = p.bindTypes(e, []*ir.Type{typ})
	return e
}

// setStmt parses "add|update|delete @set { key [: data] [timeout T] [stmts] }".
func (p *ruleParser) setStmt() ir.Stmt {
	start := p.next()
	ref := p.next()
	s := &ir.SetStmt{Op: start.text, Set: ref.text}
	g := p.next()
	if g.kind != kindGroup {
		p.i--
		p.unexpected("{ key }")
		return nil
	}
	p.setStmtBody(s, g)
	if p.failed {
		return nil
	}
	s.Span = span(start, p)
	return s
}

// setStmtBody reads the key, data and statements of a set statement.
func (p *ruleParser) setStmtBody(s *ir.SetStmt, g tok) {
	var inner []tok
	for _, l := range g.group.Lines {
		inner = append(inner, toks(l)...)
	}
	inner = p.l.expand(inner)
	if len(inner) == 0 {
		p.fail(g, "syntax error: %s needs a key in { }", s.Op)
		return
	}
	q := &ruleParser{l: p.l, t: inner, table: p.table}
	s.Key = q.lhsExpr()
	if q.punct(":") {
		q.next()
		s.Data = q.valueExpr(false)
	}
	for !q.atEnd() && !q.failed {
		if q.accept("timeout") || q.accept("expires") {
			kw := q.t[q.i-1].text
			v := q.next()
			s.Stmts = append(s.Stmts, &ir.Generic{Node: ir.Node{Span: spanOf(v)}, Kind: kw, Words: []string{kw, v.text}})
			continue
		}
		if st := q.stmt(); st != nil {
			s.Stmts = append(s.Stmts, st)
		}
	}
	if q.failed {
		p.failed = true
	}
}

// oldSetStmt parses the older "set add|update KEY [timeout T] @set".
func (p *ruleParser) oldSetStmt() ir.Stmt {
	start := p.next()
	op := p.next()
	s := &ir.SetStmt{Op: op.text}
	s.Key = p.lhsExpr()
	if p.accept("timeout") {
		v := p.next()
		s.Stmts = append(s.Stmts, &ir.Generic{Node: ir.Node{Span: spanOf(v)}, Kind: "timeout", Words: []string{"timeout", v.text}})
	}
	ref := p.next()
	if ref.kind != tokSetRef {
		p.i--
		p.unexpected("@set")
		return nil
	}
	s.Set = ref.text
	s.Span = span(start, p)
	return s
}

// meter parses "meter NAME [size N] { key stmts }".
func (p *ruleParser) meter() ir.Stmt {
	start := p.next()
	name := p.next()
	if !isName(name) {
		p.i--
		p.unexpected("meter name")
		return nil
	}
	s := &ir.SetStmt{Op: "update", Set: name.text, Meter: true}
	if p.accept("size") {
		s.MeterSize = p.number()
	}
	g := p.next()
	if g.kind != kindGroup {
		p.i--
		p.unexpected("{ key statement }")
		return nil
	}
	p.setStmtBody(s, g)
	if p.failed {
		return nil
	}
	s.Span = span(start, p)
	return s
}

// connlimit parses "ct count [over] N".
func (p *ruleParser) connlimit() ir.Stmt {
	start := p.next()
	p.next()
	words := []string{"ct", "count"}
	if p.accept("over") {
		words = append(words, "over")
	}
	n := p.number()
	words = append(words, strconv.FormatUint(n, 10))
	return &ir.Generic{Node: ir.Node{Span: span(start, p)}, Kind: "connlimit", Words: words}
}

// afterKeyword reports a generic statement whose last word takes an
// argument that may be an expression ("to", "device", "name").
func afterKeyword(words []string) bool {
	switch words[len(words)-1] {
	case "to", "device", "name", "set":
		return true
	}
	return false
}

// genericStop reports the words that begin a new statement.
func (p *ruleParser) genericStop(t tok) bool {
	if t.kind != tokWord {
		return false
	}
	switch t.text {
	case "counter", "limit", "quota", "log", "reject", "snat", "dnat", "masquerade", "redirect", "notrack", "comment", "meter":
		return true
	}
	return verdictWords[t.text]
}

// generic parses statements nftopt keeps as words: queue, dup, fwd,
// tproxy, synproxy, flow add/offload, ct timeout/expectation set, xt.
// Embedded expressions (dup to ip saddr map {...}) are parsed as such.
func (p *ruleParser) generic() ir.Stmt {
	start := p.peek()
	g := &ir.Generic{Kind: start.text}
	for !p.atEnd() && !p.failed {
		t := p.peek()
		if len(g.Words) > 0 && p.genericStop(t) {
			break
		}
		if len(g.Words) > 1 && !afterKeyword(g.Words) && p.isSelectorStart() {
			// The next statement: "tproxy to :80 meta mark set 1".
			break
		}
		switch {
		case len(g.Words) > 0 && (g.Words[len(g.Words)-1] == "to" || g.Words[len(g.Words)-1] == "device") && p.isSelectorStart():
			g.Args = append(g.Args, p.valueExpr(false))
			g.Words = append(g.Words, "%")
		case t.is(tokPunct, "["):
			// [ipv6]:port
			p.next()
			w := "["
			for !p.atEnd() && !p.punct("]") {
				w += p.next().text
			}
			p.next()
			w += "]"
			if n := p.peek(); n.kind == tokWord && strings.HasPrefix(n.text, ":") {
				w += p.next().text
			}
			g.Words = append(g.Words, w)
		case t.kind == tokString:
			p.next()
			g.Words = append(g.Words, strconv.Quote(t.text))
		case t.kind == tokSetRef:
			p.next()
			g.Words = append(g.Words, "@"+t.text)
		case t.kind == kindGroup:
			p.unexpected("a statement")
			return nil
		default:
			p.next()
			g.Words = append(g.Words, t.text)
		}
	}
	if p.failed {
		return nil
	}
	g.Span = span(start, p)
	return g
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
