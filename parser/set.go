package parser

import (
	"strconv"

	"github.com/nftopt/nftopt/ir"
)

// set lowers a set or map declaration block.
func (l *lowerer) set(t *ir.Table, name string, isMap bool, g *groupAST, at tok) {
	s := l.lookupSet(t, name)
	if s == nil {
		s = &ir.Set{Name: name, Map: isMap, Span: spanOf(at)}
		l.addSet(t, s)
	}
	var elems *tok
	for _, line := range g.Lines {
		ts := l.expand(toks(line))
		if len(ts) == 0 {
			continue
		}
		first := ts[0]
		if first.kind != tokWord {
			l.errAt(first, "syntax error, unexpected %s in %s body", describe(first), at.text)
			continue
		}
		rest := ts[1:]
		switch first.text {
		case "type":
			key, data, ok := l.typeDecl(rest, first, isMap)
			if ok {
				s.Key, s.Data = key, data
			}
		case "typeof":
			key, data, ok := l.typeofDecl(t, rest, first, isMap)
			if ok {
				s.Key, s.Data = key, data
			}
		case "flags":
			s.Flags = nil
			for _, f := range rest {
				if f.kind == tokWord {
					s.Flags = append(s.Flags, f.text)
				}
			}
		case "timeout":
			s.Timeout = l.oneWord(first, rest)
		case "gc-interval":
			s.GcInt = l.oneWord(first, rest)
		case "size":
			n, err := strconv.ParseUint(l.oneWord(first, rest), 0, 64)
			if err != nil {
				l.errAt(first, "size needs a number")
			}
			s.Size = n
		case "policy":
			s.Policy = l.oneWord(first, rest)
		case "auto-merge":
			s.AutoMerge = true
		case "counter":
			s.Counter = true
		case "comment":
			s.Comment = l.stringArg(first, rest)
		case "elements":
			if len(rest) != 2 || !rest[0].is(tokPunct, "=") || rest[1].kind != kindGroup {
				l.errAt(first, "syntax error: expected elements = { ... }")
				continue
			}
			e := rest[1]
			elems = &e
		default:
			l.errAt(first, "syntax error, unexpected %s in %s body", describe(first), at.text)
		}
	}
	if s.Key.IsZero() {
		l.errAt(at, "%s %s has no type", at.text, name)
		return
	}
	if elems != nil {
		l.elements(t, s, *elems)
	}
}

func (l *lowerer) oneWord(at tok, rest []tok) string {
	if len(rest) != 1 || !isName(rest[0]) {
		l.errAt(at, "syntax error: %s needs one value", at.text)
		return ""
	}
	return rest[0].text
}

// typeDecl reads "A . B [: C]" or "A : interval B".
func (l *lowerer) typeDecl(ts []tok, at tok, isMap bool) (key, data ir.TypeSpec, ok bool) {
	cur := &key
	for i := 0; i < len(ts); i++ {
		t := ts[i]
		switch {
		case t.is(tokPunct, "."):
		case t.is(tokPunct, ":"):
			if cur == &data {
				l.errAt(t, "syntax error, unexpected ':'")
				return key, data, false
			}
			cur = &data
		case t.kind == tokWord && t.text == "interval" && cur == &data:
			data.Interval = true
		case t.kind == tokWord:
			if ir.LookupType(t.text) == nil && !objectMapTypes[t.text] && !knownTypeNames[t.text] {
				l.errAt(t, "unknown datatype %s", t.text)
				return key, data, false
			}
			cur.Types = append(cur.Types, t.text)
		default:
			l.errAt(t, "syntax error, unexpected %s in type", describe(t))
			return key, data, false
		}
	}
	if len(key.Types) == 0 {
		l.errAt(at, "syntax error: type needs a datatype")
		return key, data, false
	}
	if isMap != (len(data.Types) > 0) {
		if isMap {
			l.errAt(at, "a map needs a data type: type KEY : DATA")
		} else {
			l.errAt(at, "a set has no data type; declare a map for KEY : DATA")
		}
		return key, data, false
	}
	return key, data, true
}

// objectMapTypes are the data types of object maps.
var objectMapTypes = map[string]bool{"counter": true, "quota": true, "limit": true, "ct helper": true, "ct timeout": true, "ct expectation": true, "synproxy": true, "secmark": true}

// knownTypeNames are set key types nft knows beyond ir's datatypes.
var knownTypeNames = map[string]bool{"ifname": true, "iface_index": true, "verdict": true, "mark": true, "time": true, "ipv4_addr": true, "ipv6_addr": true, "ether_addr": true, "inet_proto": true, "inet_service": true, "integer": true, "string": true, "ct_label": true, "cgroupsv2": true, "bitmask": true, "boolean": true}

// typeofDecl reads "typeof EXPR [. EXPR] [: EXPR]".
func (l *lowerer) typeofDecl(t *ir.Table, ts []tok, at tok, isMap bool) (key, data ir.TypeSpec, ok bool) {
	if len(ts) == 0 || ts[0].is(tokPunct, ":") {
		l.errAt(at, "syntax error: typeof needs an expression")
		return key, data, false
	}
	split := len(ts)
	for i, x := range ts {
		if x.is(tokPunct, ":") {
			split = i
			break
		}
	}
	p := &ruleParser{l: l, t: ts[:split], table: t}
	k := p.lhsExpr()
	if p.failed {
		return key, data, false
	}
	if !p.atEnd() {
		l.errAt(p.peek(), "syntax error, unexpected %s in typeof", describe(p.peek()))
		return key, data, false
	}
	key.Typeof = []ir.Expr{k}
	if split < len(ts) {
		rest := ts[split+1:]
		if len(rest) > 0 && rest[0].kind == tokWord && rest[0].text == "interval" {
			data.Interval = true
			rest = rest[1:]
		}
		if len(rest) == 1 && rest[0].kind == tokWord && (rest[0].text == "verdict" || objectMapTypes[rest[0].text]) {
			data.Types = []string{rest[0].text}
		} else {
			p := &ruleParser{l: l, t: rest, table: t}
			d := p.lhsExpr()
			if p.failed {
				return key, data, false
			}
			data.Typeof = []ir.Expr{d}
		}
	}
	if isMap != (split < len(ts)) {
		l.errAt(at, "typeof of a map needs KEY : DATA, of a set only KEY")
		return key, data, false
	}
	return key, data, true
}

// elements lowers an element list into s.
func (l *lowerer) elements(t *ir.Table, s *ir.Set, g tok) {
	keyTypes := l.specTypes(s.Key)
	var dataTypes []*ir.Type
	if s.Map {
		dataTypes = l.specTypes(s.Data)
		if len(s.Data.Types) == 1 && s.Data.Types[0] == "verdict" {
			dataTypes = []*ir.Type{ir.TypeVerdict}
		}
	}
	p := &ruleParser{l: l, table: t}
	set := p.setLiteral(g, s.Map)
	if set == nil {
		return
	}
	for _, e := range set.Elems {
		e.Key = p.bindTypes(e.Key, keyTypes)
		if e.Value != nil {
			e.Value = p.bindTypes(e.Value, dataTypes)
		}
	}
	s.Elements = append(s.Elements, set.Elems...)
}

// specTypes returns the datatypes of a set's key or data declaration.
func (l *lowerer) specTypes(ts ir.TypeSpec) []*ir.Type {
	var out []*ir.Type
	if len(ts.Typeof) > 0 {
		return ir.ExprTypes(ts.Typeof[0])
	}
	for _, n := range ts.Types {
		out = append(out, ir.LookupType(n))
	}
	return out
}

// flowtable lowers a flowtable block.
func (l *lowerer) flowtable(t *ir.Table, name string, g *groupAST, at tok) {
	f := t.Flowtable(name)
	if f == nil {
		f = &ir.Flowtable{Name: name, Span: spanOf(at)}
		t.Flowtables = append(t.Flowtables, f)
	}
	for _, line := range g.Lines {
		ts := l.expand(toks(line))
		if len(ts) == 0 {
			continue
		}
		first := ts[0]
		switch {
		case first.kind == tokWord && first.text == "hook":
			if len(ts) < 2 {
				l.errAt(first, "syntax error: hook needs a name")
				continue
			}
			f.Hook = ts[1].text
			if len(ts) > 2 && ts[2].kind == tokWord && ts[2].text == "priority" {
				p, _, ok := l.priority(ts[3:], ts[2])
				if ok {
					f.Priority = p
				}
			}
		case first.kind == tokWord && first.text == "devices":
			f.Devices = l.deviceList(ts[1:], first)
		case first.kind == tokWord && first.text == "flags":
			for _, x := range ts[1:] {
				if x.kind == tokWord {
					f.Flags = append(f.Flags, x.text)
				}
			}
		case first.kind == tokWord && first.text == "counter":
			f.Counter = true
		default:
			l.errAt(first, "syntax error, unexpected %s in flowtable body", describe(first))
		}
	}
}

// object lowers a named stateful object. Its body is kept as
// property lines in canonical spacing.
func (l *lowerer) object(t *ir.Table, kind, name string, g *groupAST, at tok) {
	o := l.lookupObject(t, kind, name)
	if o == nil {
		o = &ir.Object{Kind: kind, Name: name, Span: spanOf(at)}
		l.addObject(t, o)
	}
	if g == nil {
		return
	}
	o.Props = nil
	for _, line := range g.Lines {
		ts := l.expand(toks(line))
		if len(ts) == 0 {
			continue
		}
		if ts[0].kind == tokWord && ts[0].text == "comment" {
			o.Comment = l.stringArg(ts[0], ts[1:])
			continue
		}
		o.Props = append(o.Props, ir.Prop{Key: joinToks(ts[:1]), Value: joinToks(ts[1:])})
	}
}
