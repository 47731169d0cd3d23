package parser

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/nftopt/nftopt/ir"
)

// lowerer turns lines of terms into the ir, keeping define scopes and
// the include stack.
type lowerer struct {
	rs           *ir.Ruleset
	opts         Options
	errs         ErrorList
	sources      map[string]string
	scopes       []map[string][]tok
	includeStack []string
	// dst applies delete, destroy, flush and reset commands.
	dst ir.Destructive
	// pending holds the rule lines read but not lowered yet, and snap
	// the scopes they see (see pending.go).
	pending [][]pendingRule
	snap    []map[string][]tok
	// chains indexes each table's chains by name: tables of generated
	// rulesets have tens of thousands.
	chains map[*ir.Table]map[string]*ir.Chain
	// sets and objects index each table's sets and maps, and its
	// stateful objects (by kind and name), for the same reason.
	sets    map[*ir.Table]map[string]*ir.Set
	objects map[*ir.Table]map[string]*ir.Object
}

// lookupChain finds a chain of t by name.
func (l *lowerer) lookupChain(t *ir.Table, name string) *ir.Chain {
	return l.chains[t][name]
}

// lookupSet finds a set or map of t by name.
func (l *lowerer) lookupSet(t *ir.Table, name string) *ir.Set {
	return l.sets[t][name]
}

// addSet appends s to t's sets and indexes it.
func (l *lowerer) addSet(t *ir.Table, s *ir.Set) {
	t.Sets = append(t.Sets, s)
	if l.sets == nil {
		l.sets = map[*ir.Table]map[string]*ir.Set{}
	}
	if l.sets[t] == nil {
		l.sets[t] = map[string]*ir.Set{}
	}
	l.sets[t][s.Name] = s
}

func objectKey(kind, name string) string { return kind + " " + name }

// lookupObject finds a stateful object of t by kind and name.
func (l *lowerer) lookupObject(t *ir.Table, kind, name string) *ir.Object {
	return l.objects[t][objectKey(kind, name)]
}

// addObject appends o to t's objects and indexes it.
func (l *lowerer) addObject(t *ir.Table, o *ir.Object) {
	t.Objects = append(t.Objects, o)
	if l.objects == nil {
		l.objects = map[*ir.Table]map[string]*ir.Object{}
	}
	if l.objects[t] == nil {
		l.objects[t] = map[string]*ir.Object{}
	}
	l.objects[t][objectKey(o.Kind, o.Name)] = o
}

func (l *lowerer) errorf(p ir.Pos, n int, format string, args ...any) {
	l.errs = append(l.errs, &Error{Pos: p, Len: n, Msg: fmt.Sprintf(format, args...)})
}

func (l *lowerer) errAt(t tok, format string, args ...any) {
	n := len(t.text)
	if t.kind == tokString {
		n += 2
	} else if t.kind == tokVar || t.kind == tokSetRef {
		n++
	}
	l.errorf(t.pos, n, format, args...)
}

// describe names a term for "unexpected ..." messages.
func describe(t tok) string {
	switch t.kind {
	case kindGroup:
		return "'{'"
	case tokString:
		return fmt.Sprintf("string %q", t.text)
	case tokVar:
		return "$" + t.text
	case tokSetRef:
		return "@" + t.text
	case tokPunct:
		return "'" + t.text + "'"
	}
	return fmt.Sprintf("%q", t.text)
}

// expand replaces $variables by their definitions, recursively.
func (l *lowerer) expand(ts []tok) []tok {
	return l.expandDepth(ts, 0)
}

func (l *lowerer) expandDepth(ts []tok, depth int) []tok {
	has := false
	for _, t := range ts {
		if t.kind == tokVar {
			has = true
			break
		}
	}
	if !has {
		return ts
	}
	out := make([]tok, 0, len(ts))
	for _, t := range ts {
		if t.kind != tokVar {
			out = append(out, t)
			continue
		}
		def, ok := l.lookupVar(t.text)
		if !ok {
			l.errAt(t, "unknown identifier '%s'", t.text)
			continue
		}
		if depth > 32 {
			l.errAt(t, "variable %s is defined in terms of itself", t.text)
			continue
		}
		out = append(out, l.expandDepth(def, depth+1)...)
	}
	return out
}

func (l *lowerer) lookupVar(name string) ([]tok, bool) {
	for i := len(l.scopes) - 1; i >= 0; i-- {
		if d, ok := l.scopes[i][name]; ok {
			return d, true
		}
	}
	return nil, false
}

// define handles define, redefine and undefine.
func (l *lowerer) define(ts []tok) {
	l.flushRules()
	l.snap = nil
	verb := ts[0]
	if len(ts) < 2 || !(ts[1].kind == tokWord || ts[1].kind == tokString) {
		l.errAt(verb, "%s needs a variable name", verb.text)
		return
	}
	name := ts[1].text
	scope := l.scopes[len(l.scopes)-1]
	if verb.text == "undefine" {
		if _, ok := scope[name]; !ok {
			l.errAt(ts[1], "undefined symbol '%s'", name)
			return
		}
		delete(scope, name)
		return
	}
	if len(ts) < 4 || !ts[2].is(tokPunct, "=") {
		l.errAt(verb, "syntax error: expected %s NAME = VALUE", verb.text)
		return
	}
	if _, ok := scope[name]; ok && verb.text == "define" {
		l.errAt(ts[1], "redefinition of symbol '%s'", name)
		return
	}
	// Definitions are expanded when defined, as nft binds them then.
	if scope == nil { // blocks push a nil scope: most never define
		scope = map[string][]tok{}
		l.scopes[len(l.scopes)-1] = scope
	}
	scope[name] = l.expand(ts[3:])
}

// topLine lowers one top-level line: include, define, a table block, or
// a command.
func (l *lowerer) topLine(line *lineAST) {
	l.flushRules()
	ts := toks(line)
	first := ts[0]
	if first.kind != tokWord {
		l.errAt(first, "syntax error, unexpected %s at the start of a command", describe(first))
		return
	}
	switch first.text {
	case "include":
		if len(ts) != 2 || ts[1].kind != tokString {
			l.errAt(first, "syntax error: include needs one quoted file name")
			return
		}
		l.include(ts[1], l.topLine)
		return
	case "define", "redefine", "undefine":
		l.define(ts)
		return
	}
	l.command(ts)
}

// command lowers a command line; the verb "add" may be omitted.
func (l *lowerer) command(ts []tok) {
	verb, verbTok := "add", ts[0]
	if ts[0].kind == tokWord {
		switch ts[0].text {
		case "add", "create", "insert", "replace", "delete", "destroy", "flush", "reset":
			verb = ts[0].text
			ts = ts[1:]
		case "list", "monitor", "describe", "export", "import", "rename", "get":
			l.errAt(ts[0], "the %s command does not belong in a ruleset file", ts[0].text)
			return
		}
	}
	if len(ts) == 0 {
		l.errAt(verbTok, "syntax error: %s needs an object", verb)
		return
	}
	obj := ts[0]
	if obj.kind != tokWord {
		l.errAt(obj, "syntax error, unexpected %s, expecting an object (table, chain, rule, set, ...)", describe(obj))
		return
	}
	kind := obj.text
	args := ts[1:]
	if kind == "ct" && len(args) > 0 && args[0].kind == tokWord {
		kind = "ct " + args[0].text
		args = args[1:]
	}
	switch verb {
	case "delete", "destroy", "flush", "reset":
		l.destructive(verb, kind, obj, args)
		return
	case "replace":
		l.errAt(obj, "replace refers to a rule handle in the running ruleset; nftopt reads files that build a ruleset")
		return
	}
	switch kind {
	case "table":
		fam, name, rest, ok := l.tableSpec(obj, args)
		if !ok {
			return
		}
		t := l.table(fam, name, obj)
		if len(rest) == 0 {
			return
		}
		if rest[0].kind != kindGroup || len(rest) > 1 {
			l.errAt(rest[0], "syntax error, unexpected %s after table name", describe(rest[0]))
			return
		}
		l.tableBody(t, rest[0].group)
	case "chain":
		t, name, rest, ok := l.objSpec(obj, args)
		if !ok {
			return
		}
		c := l.chain(t, name, obj)
		if len(rest) > 0 {
			if rest[0].kind != kindGroup || len(rest) > 1 {
				l.errAt(rest[0], "syntax error, unexpected %s after chain name", describe(rest[0]))
				return
			}
			l.chainBody(t, c, rest[0].group)
		}
	case "rule":
		t, name, rest, ok := l.objSpec(obj, args)
		if !ok {
			return
		}
		c := l.lookupChain(t, name)
		if c == nil {
			l.errAt(args[len(args)-len(rest)-1], "chain '%s' does not exist in table %s %s", name, t.Family, t.Name)
			return
		}
		l.addRuleCmd(t, c, rest, verb == "insert", obj)
	case "set", "map":
		t, name, rest, ok := l.objSpec(obj, args)
		if !ok {
			return
		}
		if len(rest) != 1 || rest[0].kind != kindGroup {
			l.errAt(obj, "syntax error: %s %s needs a { ... } body", kind, name)
			return
		}
		l.set(t, name, kind == "map", rest[0].group, obj)
	case "element":
		t, name, rest, ok := l.objSpec(obj, args)
		if !ok {
			return
		}
		s := l.lookupSet(t, name)
		if s == nil {
			l.errAt(obj, "set '%s' does not exist in table %s %s", name, t.Family, t.Name)
			return
		}
		if len(rest) != 1 || rest[0].kind != kindGroup {
			l.errAt(obj, "syntax error: element needs a { ... } list")
			return
		}
		l.elements(t, s, rest[0])
	case "flowtable":
		t, name, rest, ok := l.objSpec(obj, args)
		if !ok {
			return
		}
		if len(rest) != 1 || rest[0].kind != kindGroup {
			l.errAt(obj, "syntax error: flowtable needs a { ... } body")
			return
		}
		l.flowtable(t, name, rest[0].group, obj)
	case "counter", "quota", "limit", "ct helper", "ct timeout", "ct expectation", "synproxy", "secmark":
		t, name, rest, ok := l.objSpec(obj, args)
		if !ok {
			return
		}
		var body *groupAST
		if len(rest) > 0 {
			if rest[0].kind != kindGroup || len(rest) > 1 {
				l.errAt(rest[0], "syntax error, unexpected %s", describe(rest[0]))
				return
			}
			body = rest[0].group
		}
		l.object(t, kind, name, body, obj)
	default:
		l.errAt(obj, "syntax error, unexpected %s, expecting table, chain, rule, set, map, element, flowtable or an object", describe(obj))
	}
}

// tableSpec reads "[family] name".
func (l *lowerer) tableSpec(at tok, ts []tok) (ir.Family, string, []tok, bool) {
	ts = l.expand(ts)
	fam := ir.FamilyIP
	if len(ts) >= 2 && ts[0].kind == tokWord {
		if f, ok := ir.ParseFamily(ts[0].text); ok && isName(ts[1]) {
			fam = f
			ts = ts[1:]
		}
	}
	if len(ts) == 0 || !isName(ts[0]) {
		if len(ts) == 0 {
			l.errAt(at, "syntax error: %s needs a table name", at.text)
		} else {
			l.errAt(ts[0], "syntax error, unexpected %s, expecting table name", describe(ts[0]))
		}
		return 0, "", nil, false
	}
	return fam, ts[0].text, ts[1:], true
}

func isName(t tok) bool { return t.kind == tokWord || t.kind == tokString }

// objSpec reads "[family] table name" and finds or creates the table.
func (l *lowerer) objSpec(at tok, ts []tok) (*ir.Table, string, []tok, bool) {
	fam, tname, rest, ok := l.tableSpec(at, ts)
	if !ok {
		return nil, "", nil, false
	}
	if len(rest) == 0 || !isName(rest[0]) {
		if len(rest) == 0 {
			l.errAt(at, "syntax error: %s needs a name after the table", at.text)
		} else {
			l.errAt(rest[0], "syntax error, unexpected %s, expecting %s name", describe(rest[0]), at.text)
		}
		return nil, "", nil, false
	}
	t := l.rs.Table(fam, tname)
	if t == nil {
		if at.text == "rule" || at.text == "element" {
			l.errAt(at, "table '%s %s' does not exist", fam, tname)
			return nil, "", nil, false
		}
		t = l.table(fam, tname, at)
	}
	return t, rest[0].text, rest[1:], true
}

func spanOf(t tok) ir.Span { return ir.Span{Start: t.pos, End: t.pos} }

// table finds or creates a table.
func (l *lowerer) table(fam ir.Family, name string, at tok) *ir.Table {
	if t := l.rs.Table(fam, name); t != nil {
		return t
	}
	t := &ir.Table{Family: fam, Name: name, Span: spanOf(at)}
	l.rs.Tables = append(l.rs.Tables, t)
	return t
}

// chain finds or creates a chain.
func (l *lowerer) chain(t *ir.Table, name string, at tok) *ir.Chain {
	if c := l.lookupChain(t, name); c != nil {
		return c
	}
	c := &ir.Chain{Name: name, Span: spanOf(at)}
	t.Chains = append(t.Chains, c)
	if l.chains == nil {
		l.chains = map[*ir.Table]map[string]*ir.Chain{}
	}
	if l.chains[t] == nil {
		l.chains[t] = map[string]*ir.Chain{}
	}
	l.chains[t][name] = c
	return c
}

// tableBody lowers the lines of a table block.
func (l *lowerer) tableBody(t *ir.Table, g *groupAST) {
	l.scopes = append(l.scopes, nil)
	l.snap = nil
	defer func() { l.scopes, l.snap = l.scopes[:len(l.scopes)-1], nil }()
	for _, line := range g.Lines {
		l.tableLine(t, line)
	}
}

// tableLine lowers one line of a table block (or of a file included there).
func (l *lowerer) tableLine(t *ir.Table, line *lineAST) {
	ts := toks(line)
	first := ts[0]
	if first.kind != tokWord {
		l.errAt(first, "syntax error, unexpected %s in table body", describe(first))
		return
	}
	if first.text == "include" && len(ts) == 2 && ts[1].kind == tokString {
		l.include(ts[1], func(line *lineAST) { l.tableLine(t, line) })
		return
	}
	kind := first.text
	rest := ts[1:]
	if kind == "ct" && len(rest) > 0 && rest[0].kind == tokWord {
		kind = "ct " + rest[0].text
		rest = rest[1:]
	}
	switch kind {
	case "define", "redefine", "undefine":
		l.define(ts)
	case "flags":
		for _, f := range l.expand(rest) {
			if f.kind == tokWord {
				t.Flags = append(t.Flags, f.text)
			}
		}
	case "comment":
		t.Comment = l.stringArg(first, rest)
	case "chain", "set", "map", "flowtable", "counter", "quota", "limit", "ct helper", "ct timeout", "ct expectation", "synproxy", "secmark":
		rest = l.expand(rest)
		if len(rest) == 0 || !isName(rest[0]) {
			l.errAt(first, "syntax error: %s needs a name", kind)
			return
		}
		name := rest[0].text
		var body *groupAST
		if len(rest) > 1 {
			if rest[1].kind != kindGroup || len(rest) > 2 {
				l.errAt(rest[1], "syntax error, unexpected %s after %s name", describe(rest[1]), kind)
				return
			}
			body = rest[1].group
		}
		switch kind {
		case "chain":
			c := l.chain(t, name, first)
			if body != nil {
				l.chainBody(t, c, body)
			}
		case "set", "map":
			if body == nil {
				l.errAt(first, "syntax error: %s %s needs a { ... } body", kind, name)
				return
			}
			l.set(t, name, kind == "map", body, first)
		case "flowtable":
			if body == nil {
				l.errAt(first, "syntax error: flowtable %s needs a { ... } body", name)
				return
			}
			l.flowtable(t, name, body, first)
		default:
			l.object(t, kind, name, body, first)
		}
	default:
		l.errAt(first, "syntax error, unexpected %s in table body, expecting chain, set, map, flowtable, an object, flags or comment", describe(first))
	}
}

// stringArg reads the single string argument of comment-like keywords.
func (l *lowerer) stringArg(at tok, rest []tok) string {
	rest = l.expand(rest)
	if len(rest) != 1 || !isName(rest[0]) {
		l.errAt(at, "syntax error: %s needs one quoted string", at.text)
		return ""
	}
	return rest[0].text
}

// chainBody lowers the header and rules of a chain block.
func (l *lowerer) chainBody(t *ir.Table, c *ir.Chain, g *groupAST) {
	l.scopes = append(l.scopes, nil)
	l.snap = nil
	defer func() { l.scopes, l.snap = l.scopes[:len(l.scopes)-1], nil }()
	for _, line := range g.Lines {
		l.chainLine(t, c, line)
	}
}

// chainLine lowers one line of a chain block: a header item or a rule.
func (l *lowerer) chainLine(t *ir.Table, c *ir.Chain, line *lineAST) {
	switch firstWord(line) {
	case "include", "type", "policy", "comment", "define", "redefine", "undefine", "devices":
	default:
		l.deferRule(t, c, line)
		return
	}
	ts := toks(line)
	first := ts[0]
	if first.kind == tokWord {
		switch first.text {
		case "include":
			if len(ts) == 2 && ts[1].kind == tokString {
				l.include(ts[1], func(line *lineAST) { l.chainLine(t, c, line) })
				return
			}
		case "type":
			l.chainHeader(c, l.expand(ts))
			return
		case "policy":
			rest := l.expand(ts[1:])
			if len(rest) != 1 || rest[0].kind != tokWord || (rest[0].text != "accept" && rest[0].text != "drop") {
				l.errAt(first, "syntax error: policy must be accept or drop")
				return
			}
			if c.Base == nil {
				l.errAt(first, "policy is only allowed on base chains")
				return
			}
			c.Base.Policy = rest[0].text
			return
		case "comment":
			if len(ts) == 2 {
				c.Comment = l.stringArg(first, ts[1:])
				return
			}
		case "define", "redefine", "undefine":
			l.define(ts)
			return
		case "devices":
			if c.Base == nil {
				l.errAt(first, "devices are only allowed on base chains")
				return
			}
			c.Base.Devices = l.deviceList(ts[1:], first)
			return
		}
	}
	l.deferRule(t, c, line)
}

// firstWord returns the text of a line's first token when it is a
// word, else "".
func firstWord(line *lineAST) string {
	if t := line.Terms[0]; t.Group == nil && len(t.Run.Toks) > 0 && t.Run.Toks[0].Type == tokWord {
		return t.Run.Toks[0].Value
	}
	return ""
}

// deviceList reads "= { a, b }", "{ a, b }" or a single device.
func (l *lowerer) deviceList(ts []tok, at tok) []string {
	ts = l.expand(ts)
	if len(ts) > 0 && ts[0].is(tokPunct, "=") {
		ts = ts[1:]
	}
	if len(ts) != 1 {
		l.errAt(at, "syntax error: expected a device name or { list }")
		return nil
	}
	if ts[0].kind == kindGroup {
		var devs []string
		for _, item := range groupItems(ts[0].group) {
			item = l.expand(item)
			for _, d := range item {
				if d.kind == kindGroup {
					for _, inner := range groupItems(d.group) {
						for _, x := range l.expand(inner) {
							devs = append(devs, x.text)
						}
					}
					continue
				}
				devs = append(devs, d.text)
			}
		}
		return devs
	}
	return []string{ts[0].text}
}

// chainHeader reads "type T hook H [device D] priority P".
func (l *lowerer) chainHeader(c *ir.Chain, ts []tok) {
	b := &ir.BaseChain{}
	if c.Base != nil {
		b.Policy = c.Base.Policy
	}
	i := 1
	word := func() (tok, bool) {
		if i >= len(ts) || !isName(ts[i]) {
			at := ts[len(ts)-1]
			if i < len(ts) {
				at = ts[i]
			}
			l.errAt(at, "syntax error in chain type declaration")
			return tok{}, false
		}
		i++
		return ts[i-1], true
	}
	tt, ok := word()
	if !ok {
		return
	}
	b.Type = tt.text
	for i < len(ts) {
		kw, ok := word()
		if !ok {
			return
		}
		switch kw.text {
		case "hook":
			h, ok := word()
			if !ok {
				return
			}
			b.Hook = h.text
		case "device":
			d, ok := word()
			if !ok {
				return
			}
			b.Devices = []string{d.text}
		case "devices":
			// "devices = { a, b }" up to the next keyword.
			j := i
			if j < len(ts) && ts[j].is(tokPunct, "=") {
				j++
			}
			if j < len(ts) {
				j++
			}
			b.Devices = l.deviceList(ts[i:j], kw)
			i = j
		case "priority":
			p, n, ok := l.priority(ts[i:], kw)
			if !ok {
				return
			}
			b.Priority = p
			i += n
		case "policy":
			p, ok := word()
			if !ok {
				return
			}
			if p.text != "accept" && p.text != "drop" {
				l.errAt(p, "policy must be accept or drop")
				return
			}
			b.Policy = p.text
		default:
			l.errAt(kw, "syntax error, unexpected %s in chain type declaration", describe(kw))
			return
		}
	}
	if b.Hook == "" {
		l.errAt(ts[0], "chain type declaration needs a hook")
		return
	}
	c.Base = b
}

var standardPriorities = map[string]bool{"raw": true, "mangle": true, "dstnat": true, "filter": true, "security": true, "srcnat": true, "out": true, "conntrack": true}

// priority reads a priority: N, -N, NAME, NAME + N, NAME - N.
func (l *lowerer) priority(ts []tok, at tok) (ir.Priority, int, bool) {
	if len(ts) == 0 {
		l.errAt(at, "syntax error: priority needs a value")
		return ir.Priority{}, 0, false
	}
	num := func(s string, neg bool) (int, bool) {
		n64, err := strconv.ParseInt(s, 0, 32)
		n := int(n64)
		if err != nil {
			return 0, false
		}
		if neg {
			n = -n
		}
		return n, true
	}
	t := ts[0]
	if t.is(tokPunct, "-") && len(ts) > 1 {
		if n, ok := num(ts[1].text, true); ok {
			return ir.Priority{Offset: n}, 2, true
		}
	}
	if n, ok := num(t.text, false); ok {
		return ir.Priority{Offset: n}, 1, true
	}
	name := t.text
	// "dstnat-5" and "filter+10" arrive as one word or as name, sign, number.
	if k := strings.IndexAny(name, "+-"); k > 0 && standardPriorities[name[:k]] {
		if n, ok := num(name[k+1:], name[k] == '-'); ok {
			return ir.Priority{Name: name[:k], Offset: n}, 1, true
		}
	}
	if !standardPriorities[name] {
		l.errAt(t, "'%s' is not a valid priority (a number or one of raw, mangle, dstnat, filter, security, srcnat, out)", name)
		return ir.Priority{}, 0, false
	}
	if len(ts) >= 3 && (ts[1].is(tokPunct, "+") || ts[1].is(tokPunct, "-")) {
		if n, ok := num(ts[2].text, ts[1].text == "-"); ok {
			return ir.Priority{Name: name, Offset: n}, 3, true
		}
	}
	return ir.Priority{Name: name}, 1, true
}

// addRuleCmd lowers "add rule" / "insert rule" with optional position.
func (l *lowerer) addRuleCmd(t *ir.Table, c *ir.Chain, ts []tok, insert bool, at tok) {
	if len(ts) >= 2 && ts[0].kind == tokWord && (ts[0].text == "position" || ts[0].text == "handle" || ts[0].text == "index") {
		l.errAt(ts[0], "rule %s refers to the running ruleset; nftopt reads files that build a ruleset", ts[0].text)
		return
	}
	if len(ts) == 0 {
		l.errAt(at, "syntax error: rule needs statements")
		return
	}
	r := l.rule(t, ts)
	if r == nil {
		return
	}
	if insert {
		r.Insert = true
		c.Rules = append([]*ir.Rule{r}, c.Rules...)
		return
	}
	c.Rules = append(c.Rules, r)
}

// destructive lowers delete, destroy, flush and reset commands: they
// change the lowered state and are kept in the prologue so that they
// also apply to what the kernel held before.
func (l *lowerer) destructive(verb, kind string, at tok, args []tok) {
	if !destructibleKinds[kind] {
		l.errAt(at, "syntax error, unexpected %s after %s", describe(at), verb)
		return
	}
	cmd := &ir.Command{Verb: verb, Object: kind, Span: spanOf(at)}
	switch kind {
	case "ruleset":
		if len(args) > 0 {
			if f, ok := ir.ParseFamily(args[0].text); ok && len(args) == 1 {
				cmd.Family = f
				cmd.Args = f.String()
				l.dst.Ruleset(cmd, true)
				return
			}
			l.errAt(args[0], "syntax error after %s ruleset", verb)
			return
		}
		l.dst.Ruleset(cmd, false)
		return
	case "table":
		fam, name, rest, ok := l.tableSpec(at, args)
		if !ok {
			return
		}
		if len(rest) > 0 {
			l.errAt(rest[0], "syntax error, unexpected %s", describe(rest[0]))
			return
		}
		cmd.Family, cmd.Table = fam, name
		l.dst.Table(cmd)
		return
	case "counters", "quotas", "counter", "quota":
		if verb == "reset" {
			cmd.Args = joinToks(args)
			l.rs.Prologue = append(l.rs.Prologue, cmd)
			return
		}
	}
	fam, tname, rest, ok := l.tableSpec(at, args)
	if !ok {
		return
	}
	if len(rest) == 0 || !isName(rest[0]) {
		l.errAt(at, "syntax error: %s %s needs a name", verb, kind)
		return
	}
	cmd.Family, cmd.Table, cmd.Name = fam, tname, rest[0].text
	cmd.Args = joinToks(rest[1:])
	l.dst.Record(cmd)
	t := l.rs.Table(fam, tname)
	if t == nil {
		return
	}
	if kind == "element" {
		if s := l.lookupSet(t, cmd.Name); s != nil && len(rest) == 2 && rest[1].kind == kindGroup {
			p := &ruleParser{l: l, table: t}
			del := p.setLiteral(rest[1], s.Map)
			if del == nil {
				return
			}
			for _, e := range del.Elems {
				e.Key = p.bindTypes(e.Key, l.specTypes(s.Key))
			}
			l.dst.Elements(cmd, s, del.Elems)
		}
		return
	}
	if c := l.dst.Object(cmd, t); c != nil {
		delete(l.chains[t], c.Name)
	}
	if cmd.Set != nil {
		delete(l.sets[t], cmd.Name)
	}
}

func joinToks(ts []tok) string {
	var parts []string
	for _, t := range ts {
		switch t.kind {
		case tokString:
			parts = append(parts, strconv.Quote(t.text))
		case tokSetRef:
			parts = append(parts, "@"+t.text)
		case tokVar:
			parts = append(parts, "$"+t.text)
		case kindGroup:
			var items []string
			for _, it := range groupItems(t.group) {
				items = append(items, joinToks(it))
			}
			parts = append(parts, "{ "+strings.Join(items, ", ")+" }")
		default:
			parts = append(parts, t.text)
		}
	}
	return strings.Join(parts, " ")
}

// destructibleKinds are the objects delete, destroy, flush and reset take.
var destructibleKinds = map[string]bool{
	"ruleset": true, "table": true, "chain": true, "rule": true, "set": true, "map": true,
	"element": true, "flowtable": true, "counter": true, "quota": true, "limit": true,
	"counters": true, "quotas": true, "ct helper": true, "ct timeout": true,
	"ct expectation": true, "synproxy": true, "secmark": true,
}
