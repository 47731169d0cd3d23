package json

import (
	"strconv"
	"strings"

	"github.com/nftopt/nftopt/emit/nft"
	"github.com/nftopt/nftopt/ir"
)

// This file reads the ruleset elements (tables, chains, rules, sets,
// maps, elements, flowtables) and the destructive commands.

// tableOf finds or creates the table named by the family and table
// properties of m; it fails for kinds that need an existing table.
func (r *reader) tableOf(m map[string]any, mustExist bool) *ir.Table {
	fam := r.family(m)
	name := r.reqName(m, "table", "the table's name")
	t := r.rs.Table(fam, name)
	if t == nil {
		if mustExist {
			r.failf("table '%s %s' does not exist", fam, name)
		}
		t = &ir.Table{Family: fam, Name: name}
		r.rs.Tables = append(r.rs.Tables, t)
	}
	return t
}

// tableObj reads {"table": {family, name, flags, comment}}.
func (r *reader) tableObj(m map[string]any) {
	fam := r.family(m)
	name := r.reqName(m, "name", "the table's name")
	t := r.rs.Table(fam, name)
	if t == nil {
		t = &ir.Table{Family: fam, Name: name}
		r.rs.Tables = append(r.rs.Tables, t)
	}
	if flags := r.strList(m, "flags", "table flags"); flags != nil {
		for _, f := range flags {
			if !isWord(f) {
				r.enter("flags")
				r.failf("unknown table flag %q", f)
			}
		}
		t.Flags = flags
	}
	if c, ok := r.optStr(m, "comment", "the table's comment"); ok {
		t.Comment = c
	}
}

// chainObj reads {"chain": {family, table, name, type, hook, prio, policy, dev, comment}}.
func (r *reader) chainObj(m map[string]any) {
	t := r.tableOf(m, false)
	name := r.reqName(m, "name", "the chain's name")
	c := t.Chain(name)
	if c == nil {
		c = &ir.Chain{Name: name}
		t.Chains = append(t.Chains, c)
	}
	if s, ok := r.optStr(m, "comment", "the chain's comment"); ok {
		c.Comment = s
	}
	typ, hasType := r.optStr(m, "type", "the chain type")
	hook, hasHook := r.optStr(m, "hook", "the chain's hook")
	_, hasPrio := m["prio"]
	if !hasType && !hasHook && !hasPrio {
		return
	}
	if !hasType || !hasHook || !hasPrio {
		r.failf(`a base chain needs "type", "hook" and "prio"`)
	}
	switch typ {
	case "filter", "nat", "route":
	default:
		r.enter("type")
		r.failf("unknown chain type %q (expected filter, nat or route)", typ)
	}
	if !knownHooks[hook] {
		r.enter("hook")
		r.failf("unknown hook %q (expected prerouting, input, forward, output, postrouting, ingress or egress)", hook)
	}
	b := &ir.BaseChain{Type: typ, Hook: hook}
	r.enter("prio")
	b.Priority = r.priority(m["prio"], t.Family, hook)
	r.leave()
	if p, ok := r.optStr(m, "policy", "the chain's policy"); ok {
		if p != "accept" && p != "drop" {
			r.enter("policy")
			r.failf("unknown policy %q (expected accept or drop)", p)
		}
		b.Policy = p
	}
	b.Devices = r.strList(m, "dev", "the chain's devices")
	c.Base = b
}

// knownHooks are the hooks of base chains and flowtables.
var knownHooks = map[string]bool{"prerouting": true, "input": true, "forward": true, "output": true, "postrouting": true, "ingress": true, "egress": true}

// Standard priorities by name, as nft resolves and lists them.
var (
	stdPrios       = []ir.Priority{{Name: "raw", Offset: -300}, {Name: "mangle", Offset: -150}, {Name: "dstnat", Offset: -100}, {Name: "filter", Offset: 0}, {Name: "security", Offset: 50}, {Name: "srcnat", Offset: 100}}
	bridgeStdPrios = []ir.Priority{{Name: "dstnat", Offset: -300}, {Name: "filter", Offset: -200}, {Name: "out", Offset: 100}, {Name: "srcnat", Offset: 300}}
)

// stdPrioCompat reports whether nft lists a priority near the standard
// one named name by that name in a chain of family on hook.
func stdPrioCompat(name string, fam ir.Family, hook string) bool {
	if fam == ir.FamilyBridge {
		switch name {
		case "dstnat":
			return hook == "prerouting"
		case "filter":
			return true
		case "out":
			return hook == "output"
		case "srcnat":
			return hook == "postrouting"
		}
		return false
	}
	inet := fam == ir.FamilyInet || fam == ir.FamilyIP || fam == ir.FamilyIP6
	switch name {
	case "filter":
		return inet || fam == ir.FamilyARP || fam == ir.FamilyNetdev
	case "raw", "mangle", "security":
		return inet
	case "dstnat":
		// Newer nft also names output and input priorities; nft 1.0
		// rejects those names, so they stay numbers.
		return inet && hook == "prerouting"
	case "srcnat":
		return inet && hook == "postrouting"
	}
	return false
}

// priorityName writes a numeric priority the way nft lists it: the
// standard name within ten of it, with the offset, when that name
// suits the family and hook.
func priorityName(n int, fam ir.Family, hook string) ir.Priority {
	prios := stdPrios
	if fam == ir.FamilyBridge {
		prios = bridgeStdPrios
	}
	for _, p := range prios {
		off := n - p.Offset
		if off >= -10 && off <= 10 {
			if !stdPrioCompat(p.Name, fam, hook) {
				break
			}
			return ir.Priority{Name: p.Name, Offset: off}
		}
	}
	return ir.Priority{Offset: n}
}

// priorityValue returns the number a priority stands for in a chain of
// family fam.
func priorityValue(p ir.Priority, fam ir.Family) int {
	if p.Name == "" {
		return p.Offset
	}
	prios := stdPrios
	if fam == ir.FamilyBridge {
		prios = bridgeStdPrios
	}
	for _, s := range prios {
		if s.Name == p.Name {
			return s.Offset + p.Offset
		}
	}
	return p.Offset
}

// priority reads a chain or flowtable priority: a number, or (as newer
// nft accepts) a standard name with an optional offset.
func (r *reader) priority(v any, fam ir.Family, hook string) ir.Priority {
	if s, ok := v.(string); ok {
		s = strings.ReplaceAll(s, " ", "")
		name, off := s, 0
		if k := strings.IndexAny(s, "+-"); k > 0 {
			n, err := strconv.Atoi(s[k+1:])
			if err != nil {
				r.failf("bad priority %q (expected a number or a name such as filter or \"filter + 10\")", s)
			}
			name, off = s[:k], n
			if s[k] == '-' {
				off = -n
			}
		}
		for _, p := range append(append([]ir.Priority(nil), stdPrios...), bridgeStdPrios...) {
			if p.Name == name {
				return ir.Priority{Name: name, Offset: off}
			}
		}
		if n, err := strconv.Atoi(s); err == nil {
			return priorityName(n, fam, hook)
		}
		r.failf("unknown priority %q (expected a number or a standard name such as filter)", s)
	}
	return priorityName(int(r.int(v, "the priority")), fam, hook)
}

// ruleObj reads {"rule": {family, table, chain, expr, comment, handle}}.
func (r *reader) ruleObj(m map[string]any, insert, implicit bool) {
	t := r.tableOf(m, true)
	name := r.reqName(m, "chain", "the chain's name")
	c := t.Chain(name)
	if c == nil {
		r.enter("chain")
		r.failf("chain '%s' does not exist in table %s %s", name, t.Family, t.Name)
	}
	if !implicit {
		for _, k := range []string{"handle", "index", "position"} {
			if _, ok := m[k]; ok {
				r.enter(k)
				r.failf("a rule %s refers to the running ruleset; nftopt reads rulesets that build the state", k)
			}
		}
	}
	rule := r.rule(m, t)
	if insert {
		rule.Insert = true
		c.Rules = append([]*ir.Rule{rule}, c.Rules...)
		return
	}
	c.Rules = append(c.Rules, rule)
}

// rule reads the statements and comment of a rule object.
func (r *reader) rule(m map[string]any, t *ir.Table) *ir.Rule {
	r.table, r.fam = t, t.Family
	v, ok := m["expr"]
	if !ok {
		r.failf(`missing property "expr" (the rule's statements)`)
	}
	rule := &ir.Rule{}
	if h, ok := r.optUint(m, "handle", "the rule's handle"); ok {
		rule.Handle = h
	}
	if c, ok := r.optStr(m, "comment", "the rule's comment"); ok {
		rule.Comment = c
	}
	r.enter("expr")
	list := r.array(v, "an array of statements")
	rule.Stmts = make([]ir.Stmt, 0, len(list))
	for i, st := range list {
		r.index(i)
		rule.Stmts = append(rule.Stmts, r.stmt(st))
		r.leave()
	}
	r.leave()
	if len(rule.Stmts) == 0 {
		r.failf("a rule needs at least one statement")
	}
	return rule
}

// setObj reads {"set": {...}} and {"map": {...}}.
func (r *reader) setObj(m map[string]any, isMap bool) {
	t := r.tableOf(m, false)
	r.table, r.fam = t, t.Family
	name := r.reqName(m, "name", "the set's name")
	s := t.Set(name)
	if s == nil {
		s = &ir.Set{Name: name, Map: isMap}
		t.Sets = append(t.Sets, s)
	}
	tv, ok := m["type"]
	if !ok {
		r.failf(`missing property "type" (the set's key datatype)`)
	}
	r.enter("type")
	s.Key = r.typeSpec(tv)
	r.leave()
	if dv, ok := m["map"]; ok {
		r.enter("map")
		s.Data = r.typeSpec(dv)
		r.leave()
		s.Map = true
	} else if isMap {
		r.failf(`missing property "map" (the datatype a map maps to)`)
	}
	if p, ok := r.optStr(m, "policy", "the set's policy"); ok {
		if p != "performance" && p != "memory" {
			r.enter("policy")
			r.failf("unknown set policy %q (expected performance or memory)", p)
		}
		s.Policy = p
	}
	if flags := r.strList(m, "flags", "set flags"); flags != nil {
		for i, f := range flags {
			switch f {
			case "constant", "interval", "timeout", "dynamic":
			default:
				r.enter("flags")
				if len(flags) > 1 || isArray(m["flags"]) {
					r.index(i)
				}
				r.failf("unknown set flag %q (expected constant, interval, timeout or dynamic)", f)
			}
		}
		s.Flags = flags
	}
	if n, ok := r.optUint(m, "timeout", "the element timeout in seconds"); ok {
		s.Timeout = ir.FormatDuration(n * 1000)
	}
	if n, ok := r.optUint(m, "gc-interval", "the garbage collection interval in seconds"); ok {
		s.GcInt = ir.FormatDuration(n * 1000)
	}
	if n, ok := r.optUint(m, "size", "the set's size"); ok {
		s.Size = n
	}
	s.AutoMerge = r.optBool(m, "auto-merge", "auto-merge")
	if c, ok := r.optStr(m, "comment", "the set's comment"); ok {
		s.Comment = c
	}
	if sv, ok := m["stmt"]; ok {
		r.enter("stmt")
		for i, x := range r.array(sv, "an array of statements") {
			r.index(i)
			st := r.stmt(x)
			if c, ok := st.(*ir.Counter); ok && c.Name == nil {
				s.Counter = true
			} else {
				s.Stmts = append(s.Stmts, st)
			}
			r.leave()
		}
		r.leave()
	}
	if ev, ok := m["elem"]; ok {
		r.enter("elem")
		s.Elements = append(s.Elements, r.elements(ev, s)...)
		r.leave()
	}
}

func isArray(v any) bool { _, ok := v.([]any); return ok }

// typeSpec reads a set's "type" or a map's "map": a datatype name, an
// array of names (a concatenation) or {"typeof": EXPR}.
func (r *reader) typeSpec(v any) ir.TypeSpec {
	switch x := v.(type) {
	case string:
		if strings.Contains(x, " . ") {
			// nft 1.0 lists concatenated map data as one string.
			var ts ir.TypeSpec
			for _, n := range strings.Split(x, " . ") {
				ts.Types = append(ts.Types, r.typeName(strings.TrimSpace(n)))
			}
			return ts
		}
		return ir.TypeSpec{Types: []string{r.typeName(x)}}
	case []any:
		var ts ir.TypeSpec
		for i, n := range x {
			r.index(i)
			ts.Types = append(ts.Types, r.typeName(r.str(n, "a datatype name")))
			r.leave()
		}
		if len(ts.Types) < 2 {
			r.failf("a concatenated type needs at least two datatypes")
		}
		return ts
	case map[string]any:
		if e, ok := x["typeof"]; ok && len(x) == 1 {
			r.enter("typeof")
			ex := r.expr(e, nil)
			r.leave()
			return ir.TypeSpec{Typeof: []ir.Expr{ex}}
		}
	}
	r.failf(`expected a datatype: a name, an array of names or {"typeof": EXPR}, got %s`, describeValue(v))
	return ir.TypeSpec{}
}

// knownTypeNames are set key and map data types nft knows by name
// beyond ir's datatypes: object map kinds and types ir has no
// constant form for.
var knownTypeNames = map[string]bool{
	"verdict": true, "counter": true, "quota": true, "limit": true, "ct helper": true, "ct timeout": true,
	"ct expectation": true, "synproxy": true, "secmark": true, "tunnel": true, "bitmask": true, "cgroupsv2": true,
}

func (r *reader) typeName(n string) string {
	if ir.LookupType(n) == nil && !knownTypeNames[n] {
		r.failf("unknown datatype %q", n)
	}
	return n
}

// elementObj reads {"element": {family, table, name, elem}}.
func (r *reader) elementObj(m map[string]any) {
	t := r.tableOf(m, true)
	r.table, r.fam = t, t.Family
	name := r.reqName(m, "name", "the set's name")
	s := t.Set(name)
	if s == nil {
		r.enter("name")
		r.failf("set '%s' does not exist in table %s %s", name, t.Family, t.Name)
	}
	ev, ok := m["elem"]
	if !ok {
		r.failf(`missing property "elem" (the elements)`)
	}
	r.enter("elem")
	s.Elements = append(s.Elements, r.elements(ev, s)...)
	r.leave()
}

// elements reads the "elem" of a set, map or element object: one
// element or an array of them.
func (r *reader) elements(v any, s *ir.Set) []*ir.Element {
	keyTypes := specTypes(s.Key)
	var dataTypes []*ir.Type
	if s.Map {
		dataTypes = specTypes(s.Data)
	}
	list, ok := v.([]any)
	if !ok {
		list = []any{v}
	}
	out := make([]*ir.Element, 0, len(list))
	for i, x := range list {
		if ok {
			r.index(i)
		}
		out = append(out, r.element(x, keyTypes, dataTypes, s.Map))
		if ok {
			r.leave()
		}
	}
	return out
}

// flowtableObj reads {"flowtable": {family, table, name, hook, prio, dev}}.
func (r *reader) flowtableObj(m map[string]any) {
	t := r.tableOf(m, false)
	name := r.reqName(m, "name", "the flowtable's name")
	f := t.Flowtable(name)
	if f == nil {
		f = &ir.Flowtable{Name: name}
		t.Flowtables = append(t.Flowtables, f)
	}
	f.Hook = r.reqStr(m, "hook", "the flowtable's hook")
	if !knownHooks[f.Hook] {
		r.enter("hook")
		r.failf("unknown hook %q (expected ingress)", f.Hook)
	}
	v, ok := m["prio"]
	if !ok {
		r.failf(`missing property "prio" (the flowtable's priority)`)
	}
	r.enter("prio")
	f.Priority = r.priority(v, ir.FamilyNetdev, f.Hook)
	r.leave()
	f.Devices = r.strList(m, "dev", "the flowtable's devices")
	if flags := r.strList(m, "flags", "flowtable flags"); flags != nil {
		for _, x := range flags {
			if !isWord(x) {
				r.enter("flags")
				r.failf("unknown flowtable flag %q", x)
			}
		}
		f.Flags = flags
	}
	if r.optBool(m, "counter", "the flowtable's counter") {
		f.Counter = true
	}
}

// destructiveKinds are the objects delete, destroy, flush and reset take.
var destructiveKinds = map[string]bool{
	"ruleset": true, "table": true, "chain": true, "rule": true, "set": true, "map": true, "meter": true,
	"element": true, "flowtable": true, "counter": true, "quota": true, "limit": true,
	"counters": true, "quotas": true, "ct helper": true, "ct timeout": true,
	"ct expectation": true, "synproxy": true, "secmark": true, "rules": true,
}

// destructive reads delete, destroy, flush and reset commands: they
// change the state read so far and are kept in the prologue so that
// they also apply to what the kernel held before.
func (r *reader) destructive(verb, kind string, v any) {
	r.enter(kind)
	defer r.leave()
	if !destructiveKinds[kind] {
		r.failf("%s cannot take %q", verb, kind)
	}
	if kind == "meter" {
		kind = "set"
	}
	cmd := &ir.Command{Verb: verb, Object: kind}
	switch kind {
	case "ruleset":
		if v == nil {
			r.dst.Ruleset(cmd, false)
			return
		}
		m := r.object(v, "null or {\"family\": ...}")
		fam := r.family(m)
		cmd.Family, cmd.Args = fam, fam.String()
		r.dst.Ruleset(cmd, true)
		return
	case "counters", "quotas", "rules":
		if v != nil {
			m := r.object(v, "null or {\"family\": ..., \"table\": ...}")
			if _, ok := m["family"]; ok {
				fam := r.family(m)
				cmd.Args = fam.String()
				if tn, ok := r.word(m, "table", "the table's name", false); ok {
					cmd.Args = "table " + fam.String() + " " + tn
				}
			}
		}
		if kind == "rules" {
			r.failf("reset rules is not supported in a ruleset")
		}
		r.rs.Prologue = append(r.rs.Prologue, cmd)
		return
	}
	m := r.object(v, "the properties of a "+kind)
	fam := r.family(m)
	cmd.Family = fam
	if kind == "table" {
		cmd.Table = r.tableName(m)
		r.dst.Table(cmd)
		return
	}
	cmd.Table = r.reqName(m, "table", "the table's name")
	if kind == "rule" {
		cmd.Name = r.reqName(m, "chain", "the chain's name")
		h, ok := r.optUint(m, "handle", "the rule's handle")
		if !ok {
			r.failf(`missing property "handle" (the handle of the rule to %s)`, verb)
		}
		cmd.Args = "handle " + strconv.FormatUint(h, 10)
		r.dst.Record(cmd)
		return
	}
	name, ok := r.optStr(m, "name", "the "+kind+"'s name")
	if ok && name == "" {
		r.enter("name")
		r.failf("the %s's name is empty", kind)
	}
	if !ok {
		if h, hok := r.optUint(m, "handle", "the "+kind+"'s handle"); hok {
			cmd.Args = "handle " + strconv.FormatUint(h, 10)
		} else {
			r.failf(`missing property "name" (the %s's name)`, kind)
		}
	}
	cmd.Name = name
	t := r.rs.Table(fam, cmd.Table)
	if kind == "element" {
		r.deleteElements(cmd, t, m)
		r.dst.Record(cmd)
		return
	}
	r.dst.Record(cmd)
	if name != "" {
		r.dst.Object(cmd, t)
	}
}

// tableName reads the name of a table in a delete, destroy or flush
// command: "name", or a "handle" (kept as is).
func (r *reader) tableName(m map[string]any) string {
	if n, ok := r.optStr(m, "name", "the table's name"); ok && n != "" {
		return n
	}
	r.failf(`missing property "name" (a table is deleted by name; handles refer to the running ruleset)`)
	return ""
}

// deleteElements reads the elements of a delete, destroy or reset
// element command into cmd.Args, and removes the ones the document had
// added from the state (keeping them in cmd.Elements, which the text
// printer adds again before the delete).
func (r *reader) deleteElements(cmd *ir.Command, t *ir.Table, m map[string]any) {
	ev, ok := m["elem"]
	if !ok {
		r.failf(`missing property "elem" (the elements to %s)`, cmd.Verb)
	}
	s := (*ir.Set)(nil)
	if t != nil {
		s = t.Set(cmd.Name)
	}
	fam := cmd.Family
	if s == nil {
		// Unknown set: read the elements untyped.
		s = &ir.Set{Name: cmd.Name}
	}
	oldFam, oldTable := r.fam, r.table
	r.fam = fam
	if t != nil {
		r.table = t
	}
	r.enter("elem")
	elems := r.elements(ev, s)
	r.leave()
	r.fam, r.table = oldFam, oldTable
	cmd.Args = nft.PrintExpr(&ir.SetExpr{Elems: elems}, fam, nft.Options{})
	if t == nil || t.Set(cmd.Name) == nil {
		return
	}
	r.dst.Elements(cmd, s, elems)
}
