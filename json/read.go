package json

import (
	"bytes"
	stdjson "encoding/json"
	"errors"
	"fmt"
	"io"
	"sort"
	"strconv"
	"strings"

	"github.com/nftopt/nftopt/ir"
)

// SchemaVersion is the libnftables JSON schema version nftopt reads
// and writes.
const SchemaVersion = 1

// Parse reads a libnftables JSON document from src, named filename in
// errors: either a listing ("nft -j list ruleset") or a list of
// commands ("nft -j -f"). On error it returns a *Error and no ruleset.
func Parse(filename string, src []byte) (rs *ir.Ruleset, err error) {
	doc, err := decode(filename, src)
	if err != nil {
		return nil, err
	}
	r := newReader(filename)
	defer r.recover(&err)
	r.document(doc)
	return r.rs, nil
}

// ParseRule reads the statement array of one rule ("expr" of a rule
// object) as a rule of a table of family fam. table, when not nil,
// supplies the named sets the rule refers to, for the datatypes of
// their elements.
func ParseRule(filename string, src []byte, fam ir.Family, table *ir.Table) (rule *ir.Rule, err error) {
	doc, err := decode(filename, src)
	if err != nil {
		return nil, err
	}
	r := newReader(filename)
	defer r.recover(&err)
	if table == nil {
		table = &ir.Table{Family: fam}
	}
	r.table = table
	r.fam = fam
	list := r.array(doc, "an array of statements")
	rule = &ir.Rule{}
	for i, st := range list {
		r.index(i)
		rule.Stmts = append(rule.Stmts, r.stmt(st))
		r.leave()
	}
	return rule, nil
}

// decode parses JSON text into generic values, numbers kept as text.
func decode(filename string, src []byte) (any, error) {
	dec := stdjson.NewDecoder(bytes.NewReader(src))
	dec.UseNumber()
	var doc any
	if err := dec.Decode(&doc); err != nil {
		return nil, syntaxError(filename, src, dec, err)
	}
	if _, err := dec.Token(); err != io.EOF {
		line, col := lineCol(src, dec.InputOffset())
		for i := dec.InputOffset(); i > 0 && i <= int64(len(src)); i-- {
			// Point at the start of the extra value, not after it.
			if c := src[i-1]; c != ' ' && c != '\n' && c != '\t' && c != '\r' {
				continue
			}
			line, col = lineCol(src, i)
			break
		}
		return nil, &Error{File: filename, Line: line, Col: col, Msg: "syntax error: unexpected data after the JSON document"}
	}
	return doc, nil
}

func syntaxError(filename string, src []byte, dec *stdjson.Decoder, err error) error {
	var se *stdjson.SyntaxError
	switch {
	case errors.As(err, &se):
		// Offset counts the bytes read including the offending one.
		off := se.Offset
		if off > 0 {
			off--
		}
		line, col := lineCol(src, off)
		return &Error{File: filename, Line: line, Col: col, Msg: "syntax error: " + se.Error()}
	case err == io.EOF:
		return &Error{File: filename, Line: 1, Col: 1, Msg: "syntax error: empty input, expected a JSON object"}
	case errors.Is(err, io.ErrUnexpectedEOF):
		line, col := lineCol(src, int64(len(src)))
		return &Error{File: filename, Line: line, Col: col, Msg: "syntax error: unexpected end of input"}
	}
	line, col := lineCol(src, dec.InputOffset())
	return &Error{File: filename, Line: line, Col: col, Msg: "syntax error: " + err.Error()}
}

// reader lowers the decoded document into an ir.Ruleset.
type reader struct {
	file string
	path path
	rs   *ir.Ruleset
	// table and fam are the table a rule or element being read
	// belongs to.
	table *ir.Table
	fam   ir.Family
	// dst applies delete, destroy, flush and reset commands.
	dst ir.Destructive
}

func newReader(filename string) *reader {
	r := &reader{file: filename, rs: &ir.Ruleset{}, path: make(path, 0, 16)}
	r.dst.RS = r.rs
	return r
}

// failure carries an *Error out of the recursive descent.
type failure struct{ err *Error }

// failf stops reading with an error at the current path.
func (r *reader) failf(format string, args ...any) {
	panic(failure{&Error{File: r.file, Path: r.path.String(), Msg: fmt.Sprintf(format, args...)}})
}

// recover turns a failure into the returned error.
func (r *reader) recover(err *error) {
	if x := recover(); x != nil {
		f, ok := x.(failure)
		if !ok {
			panic(x)
		}
		*err = f.err
	}
}

func (r *reader) enter(key string) { r.path = append(r.path, pathElem{key: key, idx: -1}) }
func (r *reader) index(i int)      { r.path = append(r.path, pathElem{idx: i}) }
func (r *reader) leave()           { r.path = r.path[:len(r.path)-1] }

// describeValue names the JSON type of v for error messages.
func describeValue(v any) string {
	switch x := v.(type) {
	case nil:
		return "null"
	case bool:
		return "a boolean"
	case stdjson.Number:
		return "the number " + x.String()
	case string:
		return "the string " + strconv.Quote(x)
	case []any:
		return "an array"
	case map[string]any:
		if len(x) == 1 {
			for k := range x {
				return fmt.Sprintf("an object %q", k)
			}
		}
		return "an object"
	}
	return fmt.Sprintf("%T", v)
}

// object returns v as an object.
func (r *reader) object(v any, what string) map[string]any {
	m, ok := v.(map[string]any)
	if !ok {
		r.failf("expected %s, got %s", what, describeValue(v))
	}
	return m
}

// array returns v as an array.
func (r *reader) array(v any, what string) []any {
	a, ok := v.([]any)
	if !ok {
		r.failf("expected %s, got %s", what, describeValue(v))
	}
	return a
}

// one returns the only key of an object that names a statement,
// expression or command, and its value.
func (r *reader) one(v any, what string) (string, any) {
	m := r.object(v, what)
	if len(m) != 1 {
		keys := sortedKeys(m)
		r.failf("expected %s (an object with one key), got an object with keys %s", what, strings.Join(keys, ", "))
	}
	for k, x := range m {
		return k, x
	}
	panic("unreachable")
}

func sortedKeys(m map[string]any) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, strconv.Quote(k))
	}
	sort.Strings(keys)
	return keys
}

// str returns v as a string. Strings are written into nft text in
// double quotes, which nft reads without escapes: a double quote or a
// control character cannot be carried, and is refused.
func (r *reader) str(v any, what string) string {
	s, ok := v.(string)
	if !ok {
		r.failf("expected %s (a string), got %s", what, describeValue(v))
	}
	r.checkText(s)
	return s
}

// checkText refuses a string nft text cannot carry in double quotes.
func (r *reader) checkText(s string) {
	for _, c := range s {
		if c == '"' || c < 0x20 || c == 0x7f {
			r.failf("%q cannot be written in nft text (it holds a double quote or a control character)", s)
		}
	}
}

// isWord reports whether s can stand as one bare word of nft text: a
// name or keyword, without spaces or the characters that delimit
// statements, strings, variables and set references.
func isWord(s string) bool {
	if s == "" {
		return false
	}
	for _, c := range s {
		if c <= ' ' || c == 0x7f || strings.ContainsRune(`"'{}();#$@,=|&!<>\`, c) {
			return false
		}
	}
	return true
}

// word reads the string property key of m as a bare word of nft text.
func (r *reader) word(m map[string]any, key, what string, required bool) (string, bool) {
	v, ok := m[key]
	if !ok {
		if required {
			r.failf("missing property %q (%s)", key, what)
		}
		return "", false
	}
	r.enter(key)
	s := r.str(v, what)
	if !isWord(s) {
		r.failf("expected %s, got %q", what, s)
	}
	r.leave()
	return s, true
}

// uint returns v as a non-negative integer.
func (r *reader) uint(v any, what string) uint64 {
	n, ok := v.(stdjson.Number)
	if ok {
		if u, err := strconv.ParseUint(n.String(), 10, 64); err == nil {
			return u
		}
	}
	r.failf("expected %s (a non-negative integer), got %s", what, describeValue(v))
	return 0
}

// int returns v as an integer.
func (r *reader) int(v any, what string) int64 {
	n, ok := v.(stdjson.Number)
	if ok {
		if i, err := strconv.ParseInt(n.String(), 10, 64); err == nil {
			return i
		}
	}
	r.failf("expected %s (an integer), got %s", what, describeValue(v))
	return 0
}

// boolean returns v as a boolean.
func (r *reader) boolean(v any, what string) bool {
	b, ok := v.(bool)
	if !ok {
		r.failf("expected %s (true or false), got %s", what, describeValue(v))
	}
	return b
}

// reqStr reads the string property key of m.
func (r *reader) reqStr(m map[string]any, key, what string) string {
	v, ok := m[key]
	if !ok {
		r.failf("missing property %q (%s)", key, what)
	}
	r.enter(key)
	s := r.str(v, what)
	r.leave()
	return s
}

// reqName reads a name property: a non-empty string that nft text
// can hold as a bare word.
func (r *reader) reqName(m map[string]any, key, what string) string {
	s := r.reqStr(m, key, what)
	if s == "" {
		r.enter(key)
		r.failf("%s is empty", what)
	}
	if !isWord(s) {
		r.enter(key)
		r.failf("%s %q cannot be written as a name in nft text", what, s)
	}
	return s
}

// optStr reads the string property key of m if present.
func (r *reader) optStr(m map[string]any, key, what string) (string, bool) {
	v, ok := m[key]
	if !ok {
		return "", false
	}
	r.enter(key)
	s := r.str(v, what)
	r.leave()
	return s, true
}

// optUint reads the integer property key of m if present.
func (r *reader) optUint(m map[string]any, key, what string) (uint64, bool) {
	v, ok := m[key]
	if !ok {
		return 0, false
	}
	r.enter(key)
	n := r.uint(v, what)
	r.leave()
	return n, true
}

// optBool reads the boolean property key of m if present.
func (r *reader) optBool(m map[string]any, key, what string) bool {
	v, ok := m[key]
	if !ok {
		return false
	}
	r.enter(key)
	b := r.boolean(v, what)
	r.leave()
	return b
}

// strList reads a property that is a string or an array of strings.
func (r *reader) strList(m map[string]any, key, what string) []string {
	v, ok := m[key]
	if !ok {
		return nil
	}
	r.enter(key)
	defer r.leave()
	if s, ok := v.(string); ok {
		return []string{s}
	}
	a := r.array(v, what+" (a string or an array of strings)")
	out := make([]string, 0, len(a))
	for i, x := range a {
		r.index(i)
		out = append(out, r.str(x, what))
		r.leave()
	}
	return out
}

// family reads the "family" property of a ruleset element.
func (r *reader) family(m map[string]any) ir.Family {
	s := r.reqStr(m, "family", "the table's family")
	f, ok := ir.ParseFamily(s)
	if !ok {
		r.enter("family")
		r.failf("unknown family %q (expected ip, ip6, inet, arp, bridge or netdev)", s)
	}
	return f
}

// document reads {"nftables": [...]}.
func (r *reader) document(doc any) {
	m := r.object(doc, `the top-level object {"nftables": [...]}`)
	v, ok := m["nftables"]
	if !ok {
		r.failf(`missing property "nftables" (the array of commands or ruleset elements)`)
	}
	for k := range m {
		if k != "nftables" {
			r.enter(k)
			r.failf(`unknown top-level property %q (only "nftables" is allowed)`, k)
		}
	}
	r.enter("nftables")
	items := r.array(v, "an array of commands or ruleset elements")
	for i, it := range items {
		r.index(i)
		r.item(it)
		r.leave()
	}
	r.leave()
}

// commands are the command keys of a command object.
var commands = map[string]bool{
	"add": true, "create": true, "insert": true, "replace": true, "delete": true, "destroy": true,
	"list": true, "reset": true, "flush": true, "rename": true,
}

// item reads one element of the nftables array: metainfo, a command,
// or a bare ruleset element (an implicit add).
func (r *reader) item(v any) {
	key, val := r.one(v, "a command or ruleset element")
	switch {
	case key == "metainfo":
		r.enter(key)
		r.metainfo(val)
		r.leave()
	case commands[key]:
		r.enter(key)
		r.command(key, val)
		r.leave()
	default:
		r.add("add", key, val, true)
	}
}

// metainfo checks that the document's schema version is one nftopt reads.
func (r *reader) metainfo(v any) {
	m := r.object(v, "a metainfo object")
	if n, ok := m["json_schema_version"]; ok {
		r.enter("json_schema_version")
		if ver := r.int(n, "the schema version"); ver > SchemaVersion {
			r.failf("schema version %d not supported, the highest supported version is %d", ver, SchemaVersion)
		}
		r.leave()
	}
}

// command reads {"add": {...}} and the other command objects.
func (r *reader) command(verb string, v any) {
	key, val := r.one(v, "a ruleset element such as {\"table\": {...}}")
	switch verb {
	case "add", "create":
		r.add(verb, key, val, false)
	case "insert":
		if key != "rule" {
			r.enter(key)
			r.failf("insert takes a rule, got %q", key)
		}
		r.add(verb, key, val, false)
	case "replace":
		r.failf("replace refers to a rule handle in the running ruleset; nftopt reads rulesets that build the state")
	case "list", "rename":
		r.failf("the %s command does not belong in a ruleset", verb)
	case "delete", "destroy", "flush", "reset":
		r.destructive(verb, key, val)
	}
}

// objectKinds are the stateful object kinds, by JSON key.
var objectKinds = map[string]bool{
	"counter": true, "quota": true, "limit": true, "ct helper": true, "ct timeout": true,
	"ct expectation": true, "synproxy": true, "secmark": true, "tunnel": true,
}

// add reads a ruleset element that an add, create or insert command
// (or a listing) brings into the ruleset.
func (r *reader) add(verb, kind string, v any, implicit bool) {
	r.enter(kind)
	defer r.leave()
	m := r.object(v, "the properties of a "+kind)
	switch {
	case kind == "table":
		r.tableObj(m)
	case kind == "chain":
		r.chainObj(m)
	case kind == "rule":
		r.ruleObj(m, verb == "insert", implicit)
	case kind == "set" || kind == "map":
		r.setObj(m, kind == "map")
	case kind == "element":
		r.elementObj(m)
	case kind == "flowtable":
		r.flowtableObj(m)
	case objectKinds[kind]:
		r.objectObj(kind, m)
	case kind == "meter" && implicit:
		// A listing may show the set behind a meter statement; the
		// statement declares it again.
	default:
		r.leave()
		r.failf("unknown ruleset element or command %q", kind)
	}
}
