package json

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/nftopt/nftopt/emit/nft"
	"github.com/nftopt/nftopt/ir"
)

// Options control printing.
type Options struct {
	// NumericProto prints protocol numbers instead of names, as nft -p
	// (and nft's py test suite) does.
	NumericProto bool
	// Listing writes the layout of "nft -j list ruleset" (bare
	// ruleset elements, statement values as nft lists them) instead of
	// a command list.
	Listing bool
	// Stateless leaves out counter values, quota usage and the time
	// since a "last" statement matched, as nft -s does.
	Stateless bool
	// Indent, when set, prints one value per line indented by it;
	// otherwise the document is one line, as nft prints it.
	Indent string
	// Target is the nft release the document is for: names it does not
	// parse (ct status dnat-done before 1.1.4) are written as numbers.
	// The zero value is the newest.
	Target nft.Version
}

// Print writes rs as a libnftables JSON command list: metainfo, the
// ruleset's prologue (flush and delete commands), then an add command
// for each table, chain, object, set, flowtable and rule. "nft -j -f"
// loads it into the same state as the text printer's output.
func Print(rs *ir.Ruleset) ([]byte, error) { return Marshal(rs, Options{}) }

// PrintListing writes rs in the layout of "nft -j list ruleset".
func PrintListing(rs *ir.Ruleset) ([]byte, error) { return Marshal(rs, Options{Listing: true}) }

// Marshal writes rs with the given options. It fails for the few
// things the JSON schema cannot express (an anonymous chain in "jump
// { ... }", statements kept as words that it does not recognise).
func Marshal(rs *ir.Ruleset, opts Options) (out []byte, err error) {
	w := &writer{opts: opts}
	defer w.recover(&err)
	items := []any{single("metainfo", obj("json_schema_version", SchemaVersion))}
	if !opts.Listing {
		items = append(items, w.prologue(rs)...)
	}
	for _, t := range rs.Tables {
		items = append(items, w.table(t)...)
	}
	doc := single("nftables", items)
	buf := encode(doc, opts.Indent)
	return append(buf, '\n'), nil
}

// PrintRule writes the statements of one rule of a table of family fam
// as the JSON array nft lists in the rule's "expr".
func PrintRule(r *ir.Rule, fam ir.Family, opts Options) (out []byte, err error) {
	w := &writer{opts: opts, fam: fam}
	defer w.recover(&err)
	return encode(w.stmts(r.Stmts), opts.Indent), nil
}

// writer converts the ir into JSON values.
type writer struct {
	opts Options
	fam  ir.Family
	// where names the element being written, for errors.
	where string
	// inMatch is set while writing the operands of a match, where nft
	// lists "fib ... check" as "oif".
	inMatch bool
}

// writeError is a construct the JSON schema cannot express.
type writeError struct{ msg string }

func (w *writer) failf(format string, args ...any) {
	msg := fmt.Sprintf(format, args...)
	if w.where != "" {
		msg = w.where + ": " + msg
	}
	panic(writeError{msg})
}

func (w *writer) recover(err *error) {
	if x := recover(); x != nil {
		we, ok := x.(writeError)
		if !ok {
			panic(x)
		}
		*err = fmt.Errorf("json: %s", we.msg)
	}
}

// cmd wraps a ruleset element in a command, or leaves it bare in a listing.
func (w *writer) cmd(verb string, elem *object) any {
	if w.opts.Listing {
		return elem
	}
	return single(verb, elem)
}

// table writes a table and everything in it, in nft's listing order:
// the table, its chains, objects, sets and flowtables, then the rules.
func (w *writer) table(t *ir.Table) []any {
	w.fam = t.Family
	fam := t.Family.String()
	var out []any
	to := obj("family", fam, "name", t.Name)
	if len(t.Flags) > 0 {
		to.set("flags", strList(t.Flags))
	}
	if t.Comment != "" {
		to.set("comment", t.Comment)
	}
	out = append(out, w.cmd("add", single("table", to)))
	for _, c := range t.Chains {
		out = append(out, w.cmd("add", single("chain", w.chain(t, c))))
	}
	for _, o := range t.Objects {
		w.where = fmt.Sprintf("table %s %s: %s %s", fam, t.Name, o.Kind, o.Name)
		out = append(out, w.cmd("add", single(o.Kind, w.object(t, o))))
	}
	for _, s := range t.Sets {
		w.where = fmt.Sprintf("table %s %s: set %s", fam, t.Name, s.Name)
		kind, so := w.set(t, s, true)
		out = append(out, w.cmd("add", single(kind, so)))
	}
	for _, f := range t.Flowtables {
		fo := obj("family", fam, "name", f.Name, "table", t.Name, "hook", f.Hook, "prio", priorityValue(f.Priority, ir.FamilyNetdev))
		if len(f.Devices) > 0 {
			fo.set("dev", strList(f.Devices))
		}
		if len(f.Flags) > 0 {
			fo.set("flags", strList(f.Flags))
		}
		if f.Counter {
			fo.set("counter", true)
		}
		out = append(out, w.cmd("add", single("flowtable", fo)))
	}
	for _, c := range t.Chains {
		for i, r := range c.Rules {
			if r.Insert && !w.opts.Listing {
				continue
			}
			w.where = fmt.Sprintf("table %s %s: chain %s: rule %d", fam, t.Name, c.Name, i+1)
			out = append(out, w.cmd("add", single("rule", w.rule(t, c, r))))
		}
	}
	if !w.opts.Listing {
		// Rules added with "insert" go before what the chain held already.
		for _, c := range t.Chains {
			for i := len(c.Rules) - 1; i >= 0; i-- {
				if r := c.Rules[i]; r.Insert {
					w.where = fmt.Sprintf("table %s %s: chain %s: rule %d", fam, t.Name, c.Name, i+1)
					out = append(out, single("insert", single("rule", w.rule(t, c, r))))
				}
			}
		}
	}
	w.where = ""
	return out
}

// strList writes one string as itself and several as an array, as nft
// does for devices and flags.
func strList(ss []string) any {
	if len(ss) == 1 {
		return ss[0]
	}
	a := make([]any, len(ss))
	for i, s := range ss {
		a[i] = s
	}
	return a
}

// strArray writes strings as an array.
func strArray(ss []string) []any {
	a := make([]any, len(ss))
	for i, s := range ss {
		a[i] = s
	}
	return a
}

// chain writes a chain's properties (without its rules).
func (w *writer) chain(t *ir.Table, c *ir.Chain) *object {
	co := obj("family", t.Family.String(), "table", t.Name, "name", c.Name)
	if c.Comment != "" {
		co.set("comment", c.Comment)
	}
	if b := c.Base; b != nil {
		if len(b.Devices) > 0 {
			co.set("dev", strList(b.Devices))
		}
		co.set("type", b.Type)
		co.set("hook", b.Hook)
		co.set("prio", priorityValue(b.Priority, t.Family))
		switch {
		case b.Policy != "":
			co.set("policy", b.Policy)
		case w.opts.Listing:
			co.set("policy", "accept")
		}
	}
	return co
}

// rule writes a rule object.
func (w *writer) rule(t *ir.Table, c *ir.Chain, r *ir.Rule) *object {
	ro := obj("family", t.Family.String(), "table", t.Name, "chain", c.Name)
	if w.opts.Listing && r.Handle != 0 {
		ro.set("handle", r.Handle)
	}
	if r.Comment != "" {
		ro.set("comment", r.Comment)
	}
	ro.set("expr", w.stmts(r.Stmts))
	return ro
}

// set writes a set or map declaration, with its elements when elems is set.
func (w *writer) set(t *ir.Table, s *ir.Set, elems bool) (string, *object) {
	kind := "set"
	so := obj("family", t.Family.String(), "name", s.Name, "table", t.Name, "type", w.typeSpec(s.Key))
	if s.Comment != "" {
		so.set("comment", s.Comment)
	}
	if s.Map {
		kind = "map"
		so.set("map", w.typeSpec(s.Data))
	}
	if s.Policy != "" {
		so.set("policy", s.Policy)
	}
	if s.Size > 0 {
		so.set("size", s.Size)
	}
	var flags []string
	for _, f := range s.Flags {
		// nft before 1.0.7 rejects the dynamic flag in JSON (and does
		// not list it); every version derives it from the rules that
		// update the set. A command list leaves it out, so that it
		// loads everywhere; only a set no rule updates loses it.
		if f != "dynamic" || w.opts.Listing {
			flags = append(flags, f)
		}
	}
	if len(flags) > 0 {
		so.set("flags", strArray(flags))
	}
	if s.Timeout != "" {
		so.set("timeout", w.seconds(s.Timeout))
	}
	if s.GcInt != "" {
		so.set("gc-interval", w.seconds(s.GcInt))
	}
	if s.AutoMerge {
		so.set("auto-merge", true)
	}
	if elems && len(s.Elements) > 0 {
		list := make([]any, len(s.Elements))
		for i, e := range s.Elements {
			list[i] = w.element(e, s.Map)
		}
		so.set("elem", list)
	}
	var stmts []any
	if s.Counter {
		stmts = append(stmts, single("counter", nil))
	}
	for _, st := range s.Stmts {
		stmts = append(stmts, w.stmt(st))
	}
	if len(stmts) > 0 {
		so.set("stmt", stmts)
	}
	return kind, so
}

// seconds converts an nft time ("1h30m") to whole seconds, as the JSON
// schema gives set and element timeouts.
func (w *writer) seconds(d string) uint64 {
	ms, err := ir.ParseDuration(d)
	if err != nil {
		w.failf("bad time %q: %v", d, err)
	}
	return ms / 1000
}

// typeSpec writes a set's key or a map's data type.
func (w *writer) typeSpec(ts ir.TypeSpec) any {
	if len(ts.Typeof) > 0 {
		var e ir.Expr = ts.Typeof[0]
		if len(ts.Typeof) > 1 {
			e = &ir.Concat{Parts: ts.Typeof}
		}
		return single("typeof", w.expr(e))
	}
	return strList(ts.Types)
}

// element writes a set or map element.
func (w *writer) element(e *ir.Element, mapping bool) any {
	key := w.expr(e.Key)
	if e.Timeout != "" || e.Expires != "" || e.Comment != "" || len(e.Stmts) > 0 {
		eo := obj("val", key)
		if e.Timeout != "" {
			eo.set("timeout", w.seconds(e.Timeout))
		}
		if e.Expires != "" {
			eo.set("expires", w.seconds(e.Expires))
		}
		if e.Comment != "" {
			eo.set("comment", e.Comment)
		}
		for _, st := range e.Stmts {
			so, ok := w.stmt(st).(*object)
			if !ok || len(so.keys) != 1 {
				continue
			}
			if _, dup := eo.get(so.keys[0]); !dup {
				eo.set(so.keys[0], so.vals[0])
			}
		}
		key = single("elem", eo)
	}
	if e.Value != nil || mapping {
		var val any
		if e.Value != nil {
			val = w.expr(e.Value)
		}
		return []any{key, val}
	}
	return key
}

// prologue writes the ruleset's destructive commands. As the text
// printer does, it first declares what a command acts on, so that it
// succeeds whether or not the kernel held it.
func (w *writer) prologue(rs *ir.Ruleset) []any {
	var out []any
	for _, c := range rs.Prologue {
		w.fam = c.Family
		fam := c.Family.String()
		switch c.Object {
		case "ruleset":
			var arg any
			if c.Args != "" {
				arg = obj("family", c.Args)
			}
			out = append(out, single(c.Verb, single("ruleset", arg)))
			continue
		case "counters", "quotas":
			var arg any
			if f := strings.Fields(c.Args); len(f) == 3 && f[0] == "table" {
				arg = obj("family", f[1], "table", f[2])
			} else if len(f) == 1 {
				arg = obj("family", f[0])
			}
			out = append(out, single(c.Verb, single(c.Object, arg)))
			continue
		}
		out = append(out, single("add", single("table", obj("family", fam, "name", c.Table))))
		t := rs.Table(c.Family, c.Table)
		if c.Chain != nil {
			out = append(out, single("add", single("chain", w.chain(&ir.Table{Family: c.Family, Name: c.Table}, c.Chain))))
		} else if t != nil && c.Object == "chain" {
			if ch := t.Chain(c.Name); ch != nil {
				out = append(out, single("add", single("chain", w.chain(t, &ir.Chain{Name: ch.Name, Base: ch.Base}))))
			}
		}
		var decl *ir.Set
		if c.Set != nil {
			decl = c.Set
		} else if t != nil && (c.Object == "set" || c.Object == "map" || c.Object == "element") {
			decl = t.Set(c.Name)
		}
		if decl != nil {
			kind, so := w.set(&ir.Table{Family: c.Family, Name: c.Table}, decl, false)
			out = append(out, single("add", single(kind, so)))
		}
		if len(c.Elements) > 0 {
			list := make([]any, len(c.Elements))
			for i, e := range c.Elements {
				list[i] = w.element(e, decl != nil && decl.Map)
			}
			out = append(out, single("add", single("element", obj("family", fam, "table", c.Table, "name", c.Name, "elem", list))))
		}
		o := obj("family", fam, "table", c.Table)
		switch c.Object {
		case "table":
			o = obj("family", fam, "name", c.Table)
		case "rule":
			o.set("chain", c.Name)
		default:
			if c.Name != "" {
				o.set("name", c.Name)
			}
		}
		args := strings.TrimSpace(c.Args)
		switch {
		case strings.HasPrefix(args, "handle "):
			h, err := strconv.ParseUint(strings.TrimPrefix(args, "handle "), 10, 64)
			if err != nil {
				w.failf("%s %s: bad handle %q", c.Verb, c.Object, args)
			}
			o.set("handle", h)
		case c.Object == "element":
			o.set("elem", w.elementsText(args))
		case args != "":
			w.failf("%s %s %s: cannot write %q as JSON", c.Verb, c.Object, c.Name, args)
		}
		out = append(out, single(c.Verb, single(c.Object, o)))
	}
	return out
}

// elementsText converts the element list of a delete element command,
// kept as nft text ("{ 10.0.0.1, 10.0.0.0/8 . 22 }"), into JSON values.
// They are written as untyped immediates, which nft types with the set.
func (w *writer) elementsText(s string) []any {
	s = strings.TrimSpace(s)
	s = strings.TrimSuffix(strings.TrimPrefix(s, "{"), "}")
	var out []any
	for _, item := range strings.Split(s, ",") {
		item = strings.TrimSpace(item)
		if item == "" {
			continue
		}
		if k, _, ok := strings.Cut(item, " : "); ok {
			item = k
		}
		var parts []any
		for _, p := range strings.Split(item, " . ") {
			parts = append(parts, textValue(strings.TrimSpace(p)))
		}
		if len(parts) == 1 {
			out = append(out, parts[0])
		} else {
			out = append(out, single("concat", parts))
		}
	}
	return out
}

// textValue converts a value as nft text into a JSON immediate, prefix
// or range.
func textValue(s string) any {
	s = strings.Trim(s, `"`)
	if a, n, ok := strings.Cut(s, "/"); ok {
		if l, err := strconv.Atoi(n); err == nil {
			return single("prefix", obj("addr", textValue(a), "len", l))
		}
	}
	if lo, hi, ok := strings.Cut(s, "-"); ok && !strings.Contains(s, ":") {
		if _, err := strconv.ParseUint(lo, 0, 64); err == nil {
			return single("range", []any{textValue(lo), textValue(hi)})
		}
		if strings.Count(lo, ".") == 3 && strings.Count(hi, ".") == 3 {
			return single("range", []any{lo, hi})
		}
	}
	if n, err := strconv.ParseUint(s, 10, 64); err == nil {
		return n
	}
	return s
}

// object writes a named stateful object from its property lines.
func (w *writer) object(t *ir.Table, o *ir.Object) *object {
	oo := obj("family", t.Family.String(), "name", o.Name, "table", t.Name)
	if o.Comment != "" {
		oo.set("comment", o.Comment)
	}
	var words []string
	for _, p := range o.Props {
		words = append(words, splitWords(p.Key)...)
		words = append(words, splitWords(p.Value)...)
	}
	sc := &wordScanner{w: w, words: words, what: o.Kind}
	switch o.Kind {
	case "counter":
		var packets, bytes uint64
		for !sc.done() {
			switch k := sc.next(); k {
			case "packets":
				packets = sc.uint()
			case "bytes":
				bytes = sc.uint()
			default:
				sc.unexpected(k)
			}
		}
		oo.set("packets", packets)
		oo.set("bytes", bytes)
	case "quota":
		inv := sc.accept("over")
		if !inv {
			sc.accept("until")
		}
		n := sc.uint()
		unit := sc.unit()
		oo.set("bytes", toBytes(n, unit))
		var used uint64
		if sc.accept("used") {
			u := sc.uint()
			used = toBytes(u, sc.unit())
		}
		oo.set("used", used)
		oo.set("inv", inv)
	case "limit":
		sc.expect("rate")
		inv := sc.accept("over")
		sc.accept("until")
		rate, unit, per := sc.rate()
		lo := obj()
		if unit == "" {
			lo.set("rate", rate)
			lo.set("per", per)
		} else {
			n, u := byteUnit(toBytes(rate, unit))
			lo.set("rate", n)
			lo.set("per", per)
			lo.set("rate_unit", u)
		}
		if inv {
			lo.set("inv", true)
		}
		if sc.accept("burst") {
			b := sc.uint()
			bu := "packets"
			if !sc.done() {
				bu = sc.next()
			}
			if bu == "packets" {
				lo.set("burst", b)
			} else {
				n, u := byteUnit(toBytes(b, bu))
				lo.set("burst", n)
				lo.set("burst_unit", u)
			}
		}
		for i, k := range lo.keys {
			oo.set(k, lo.vals[i])
		}
	case "ct helper":
		for !sc.done() {
			switch k := sc.next(); k {
			case "type":
				oo.set("type", sc.str())
				if sc.accept("protocol") {
					oo.set("protocol", sc.next())
				}
			case "protocol":
				oo.set("protocol", sc.next())
			case "l3proto":
				oo.set("l3proto", sc.next())
			default:
				sc.unexpected(k)
			}
		}
	case "ct timeout":
		for !sc.done() {
			switch k := sc.next(); k {
			case "protocol":
				oo.set("protocol", sc.next())
			case "l3proto":
				oo.set("l3proto", sc.next())
			case "policy":
				oo.set("policy", sc.policy())
			default:
				sc.unexpected(k)
			}
		}
	case "ct expectation":
		for !sc.done() {
			switch k := sc.next(); k {
			case "protocol", "l3proto":
				oo.set(k, sc.next())
			case "dport", "size":
				oo.set(k, sc.uint())
			case "timeout":
				ms, err := ir.ParseDuration(sc.next())
				if err != nil {
					w.failf("bad timeout: %v", err)
				}
				oo.set("timeout", ms)
			default:
				sc.unexpected(k)
			}
		}
	case "synproxy":
		var flags []any
		for !sc.done() {
			switch k := sc.next(); k {
			case "mss", "wscale":
				oo.set(k, sc.uint())
			case "timestamp", "sack-perm":
				flags = append(flags, k)
			default:
				sc.unexpected(k)
			}
		}
		if len(flags) > 0 {
			oo.set("flags", flags)
		}
	case "secmark":
		oo.set("context", sc.str())
	default:
		w.failf("objects of kind %q cannot be written as JSON", o.Kind)
	}
	return oo
}
