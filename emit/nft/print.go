// Package nft prints an ir.Ruleset as canonical nft text, in the layout
// "nft list ruleset" uses, so that "nft -f" loads it into the same
// kernel state as the input.
package nft

import (
	"fmt"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/nftopt/nftopt/ir"
)

// Options control printing.
type Options struct {
	// NumericProto prints protocol numbers instead of names (nft -p).
	NumericProto bool
	// Target is the nft release the text is for: names it does not
	// parse (ct status dnat-done before 1.1.4) print as numbers. The
	// zero value is the newest.
	Target Version
}

type printer struct {
	sb   strings.Builder
	opts Options
	fam  ir.Family
	// sameFieldMangle is set while printing the value of a statement that
	// writes a field from an expression on the same field.
	sameFieldMangle bool
}

// Print returns the whole ruleset as nft text.
func Print(rs *ir.Ruleset, opts Options) string {
	p := &printer{opts: opts}
	p.prologue(rs)
	for _, t := range rs.Tables {
		p.table(t)
	}
	return p.sb.String()
}

// PrintRule returns one rule as nft lists it inside a chain, without
// indentation or newline; fam is the family of its table.
func PrintRule(r *ir.Rule, fam ir.Family, opts Options) string {
	p := &printer{opts: opts, fam: fam}
	return p.rule(r)
}

// PrintStmt returns one statement in nft syntax.
func PrintStmt(s ir.Stmt, fam ir.Family, opts Options) string {
	p := &printer{opts: opts, fam: fam}
	return p.stmt(s)
}

// PrintExpr returns one expression in nft syntax.
func PrintExpr(e ir.Expr, fam ir.Family, opts Options) string {
	p := &printer{opts: opts, fam: fam}
	return p.expr(e)
}

func (p *printer) printf(format string, args ...any) { fmt.Fprintf(&p.sb, format, args...) }

func quote(s string) string { return `"` + s + `"` }

// name prints an identifier. nft reads table, chain, set and object
// names as bare words (1.0.6 rejects quoted chain names), so they are
// printed as they are.
func name(s string) string { return s }

func (p *printer) prologue(rs *ir.Ruleset) {
	for _, c := range rs.Prologue {
		switch c.Object {
		case "ruleset":
			if c.Args != "" {
				p.printf("%s ruleset %s\n", c.Verb, c.Args)
			} else {
				p.printf("%s ruleset\n", c.Verb)
			}
			continue
		case "counters", "quotas":
			p.printf("%s %s %s\n", c.Verb, c.Object, c.Args)
			continue
		}
		tref := c.Family.String() + " " + name(c.Table)
		// Make sure the object exists, as the input had made it by then.
		p.printf("table %s\n", tref)
		if c.Chain != nil {
			p.printf("chain %s %s", tref, name(c.Chain.Name))
			if c.Chain.Base != nil {
				p.printf(" { %s }", p.chainHeader(c.Chain.Base))
			}
			p.printf("\n")
		}
		if c.Set != nil {
			p.printf("%s %s %s { %s; }\n", setKind(c.Set), tref, name(c.Set.Name), strings.Join(p.setHeader(c.Set), "; "))
		}
		if t := rs.Table(c.Family, c.Table); t != nil && c.Name != "" {
			if ch := t.Chain(c.Name); ch != nil && (c.Object == "chain") {
				p.printf("chain %s %s", tref, name(ch.Name))
				if ch.Base != nil {
					p.printf(" { %s }", p.chainHeader(ch.Base))
				}
				p.printf("\n")
			}
			if s := t.Set(c.Name); s != nil && (c.Object == "set" || c.Object == "map" || c.Object == "element") {
				p.printf("%s %s %s { %s; }\n", setKind(s), tref, name(s.Name), strings.Join(p.setHeader(s), "; "))
			}
		}
		obj := c.Object
		if c.Name != "" {
			obj += " " + tref + " " + name(c.Name)
		} else {
			obj += " " + tref
		}
		if c.Args != "" {
			obj += " " + c.Args
		}
		if len(c.Elements) > 0 {
			var items []string
			for _, e := range c.Elements {
				items = append(items, p.element(e))
			}
			p.printf("add element %s %s { %s }\n", tref, name(c.Name), strings.Join(items, ", "))
		}
		p.printf("%s %s\n", c.Verb, obj)
	}
}

func setKind(s *ir.Set) string {
	if s.Map {
		return "map"
	}
	return "set"
}

func (p *printer) table(t *ir.Table) {
	p.fam = t.Family
	p.printf("table %s %s {\n", t.Family, name(t.Name))
	first := true
	sep := func() {
		if !first {
			p.printf("\n")
		}
		first = false
	}
	if len(t.Flags) > 0 {
		p.printf("\tflags %s\n", strings.Join(t.Flags, ","))
		first = false
	}
	if t.Comment != "" {
		p.printf("\tcomment %s\n", quote(t.Comment))
		first = false
	}
	if !first && (len(t.Objects)+len(t.Sets)+len(t.Flowtables)+len(t.Chains) > 0) {
		p.printf("\n")
		first = true
	}
	for _, o := range t.Objects {
		sep()
		p.object(o)
	}
	for _, s := range t.Sets {
		sep()
		p.set(s)
	}
	for _, f := range t.Flowtables {
		sep()
		p.flowtable(f)
	}
	texts := p.chains(t.Chains)
	n := 0
	for _, text := range texts {
		n += len(text) + 1
	}
	p.sb.Grow(n)
	for _, text := range texts {
		sep()
		p.sb.WriteString(text)
	}
	p.printf("}\n")
	// Rules added with "insert" go before what the chain held already.
	for _, c := range t.Chains {
		for i := len(c.Rules) - 1; i >= 0; i-- {
			if c.Rules[i].Insert {
				p.printf("insert rule %s %s %s %s\n", t.Family, name(t.Name), name(c.Name), p.rule(c.Rules[i]))
			}
		}
	}
}

func (p *printer) object(o *ir.Object) {
	p.printf("\t%s %s {\n", o.Kind, name(o.Name))
	for _, pr := range o.Props {
		if pr.Value == "" {
			p.printf("\t\t%s\n", pr.Key)
		} else {
			p.printf("\t\t%s %s\n", pr.Key, pr.Value)
		}
	}
	if o.Comment != "" {
		p.printf("\t\tcomment %s\n", quote(o.Comment))
	}
	p.printf("\t}\n")
}

func (p *printer) typeSpec(ts ir.TypeSpec) string {
	if len(ts.Typeof) > 0 {
		var parts []string
		for _, e := range ts.Typeof {
			parts = append(parts, p.expr(e))
		}
		s := strings.Join(parts, " . ")
		if ts.Interval {
			s = "interval " + s
		}
		return s
	}
	s := strings.Join(ts.Types, " . ")
	if ts.Interval {
		s = "interval " + s
	}
	return s
}

// setHeader returns the declaration lines of a set, without elements.
func (p *printer) setHeader(s *ir.Set) []string {
	var lines []string
	kw := "type"
	if len(s.Key.Typeof) > 0 {
		kw = "typeof"
	}
	decl := kw + " " + p.typeSpec(s.Key)
	if s.Map {
		decl += " : " + p.typeSpec(s.Data)
	}
	lines = append(lines, decl)
	if s.Size > 0 {
		lines = append(lines, fmt.Sprintf("size %d", s.Size))
	}
	if s.Policy != "" {
		lines = append(lines, "policy "+s.Policy)
	}
	if len(s.Flags) > 0 {
		lines = append(lines, "flags "+strings.Join(s.Flags, ","))
	}
	if s.Timeout != "" {
		lines = append(lines, "timeout "+s.Timeout)
	}
	if s.GcInt != "" {
		lines = append(lines, "gc-interval "+s.GcInt)
	}
	if s.Counter {
		lines = append(lines, "counter")
	}
	if s.AutoMerge {
		lines = append(lines, "auto-merge")
	}
	if s.Comment != "" {
		lines = append(lines, "comment "+quote(s.Comment))
	}
	return lines
}

func (p *printer) set(s *ir.Set) {
	p.printf("\t%s %s {\n", setKind(s), name(s.Name))
	for _, l := range p.setHeader(s) {
		p.printf("\t\t%s\n", l)
	}
	if len(s.Elements) > 0 {
		var items []string
		for _, e := range s.Elements {
			items = append(items, p.element(e))
		}
		p.printf("\t\telements = { %s }\n", strings.Join(items, ",\n\t\t\t     "))
	}
	p.printf("\t}\n")
}

func (p *printer) flowtable(f *ir.Flowtable) {
	p.printf("\tflowtable %s {\n", name(f.Name))
	p.printf("\t\thook %s priority %s\n", f.Hook, f.Priority)
	if len(f.Devices) > 0 {
		p.printf("\t\tdevices = { %s }\n", devices(f.Devices))
	}
	if len(f.Flags) > 0 {
		p.printf("\t\tflags %s\n", strings.Join(f.Flags, ","))
	}
	if f.Counter {
		p.printf("\t\tcounter\n")
	}
	p.printf("\t}\n")
}

func devices(ds []string) string {
	var q []string
	for _, d := range ds {
		q = append(q, quote(d))
	}
	return strings.Join(q, ", ")
}

func (p *printer) chainHeader(b *ir.BaseChain) string {
	s := "type " + b.Type + " hook " + b.Hook
	if len(b.Devices) == 1 {
		s += " device " + quote(b.Devices[0])
	} else if len(b.Devices) > 1 {
		s += " devices = { " + devices(b.Devices) + " }"
	}
	s += " priority " + b.Priority.String() + ";"
	if b.Policy != "" {
		s += " policy " + b.Policy + ";"
	}
	return s
}

// parallelRules is the number of rules from which a table's chains are
// printed on all processors, in groups of about chunkRules rules.
const (
	parallelRules = 4096
	chunkRules    = 1024
)

// chains returns the text of each chain of the current table. Chains
// print apart from each other, so a table with many rules prints them
// on all processors, each goroutine with a printer of its own.
func (p *printer) chains(cs []*ir.Chain) []string {
	out := make([]string, len(cs))
	total := 0
	for _, c := range cs {
		total += len(c.Rules)
	}
	procs := runtime.GOMAXPROCS(0)
	if total < parallelRules || procs < 2 {
		for i, c := range cs {
			q := &printer{opts: p.opts, fam: p.fam}
			q.chain(c)
			out[i] = q.sb.String()
		}
		return out
	}
	// Groups of consecutive chains of about chunkRules rules each.
	var starts []int
	n := chunkRules
	for i, c := range cs {
		if n >= chunkRules {
			starts = append(starts, i)
			n = 0
		}
		n += len(c.Rules) + 1
	}
	starts = append(starts, len(cs))
	var next atomic.Int64
	var wg sync.WaitGroup
	for range min(procs, len(starts)-1) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				g := int(next.Add(1) - 1)
				if g >= len(starts)-1 {
					return
				}
				for i := starts[g]; i < starts[g+1]; i++ {
					q := &printer{opts: p.opts, fam: p.fam}
					q.chain(cs[i])
					out[i] = q.sb.String()
				}
			}
		}()
	}
	wg.Wait()
	return out
}

func (p *printer) chain(c *ir.Chain) {
	p.printf("\tchain %s {\n", name(c.Name))
	if c.Comment != "" {
		p.printf("\t\tcomment %s\n", quote(c.Comment))
	}
	if c.Base != nil {
		p.printf("\t\t%s\n", p.chainHeader(c.Base))
	}
	for _, r := range c.Rules {
		if r.Insert {
			continue
		}
		p.printf("\t\t%s\n", p.rule(r))
	}
	p.printf("\t}\n")
}

func (p *printer) rule(r *ir.Rule) string {
	parts := make([]string, 0, len(r.Stmts)+1)
	for i, s := range r.Stmts {
		if i+1 < len(r.Stmts) && ir.ImpliedBy(p.fam, s, r.Stmts[i+1]) {
			continue
		}
		if _, ok := s.(*ir.Match); ok && i+1 < len(r.Stmts) && ir.StmtKey(s) == ir.StmtKey(r.Stmts[i+1]) {
			// The same match twice in a row tests nothing new.
			continue
		}
		parts = append(parts, p.stmt(s))
	}
	if r.Comment != "" {
		parts = append(parts, "comment "+quote(r.Comment))
	}
	return strings.Join(parts, " ")
}

func (p *printer) element(e *ir.Element) string {
	s := p.expr(e.Key)
	if e.Timeout != "" {
		s += " timeout " + e.Timeout
	}
	if e.Expires != "" {
		s += " expires " + e.Expires
	}
	for _, st := range e.Stmts {
		s += " " + p.stmt(st)
	}
	if e.Comment != "" {
		s += " comment " + quote(e.Comment)
	}
	if e.Value != nil {
		s += " : " + p.expr(e.Value)
	}
	return s
}

func (p *printer) stmt(s ir.Stmt) string {
	switch x := s.(type) {
	case *ir.Match:
		if s, ok := p.flagMatch(x); ok {
			return s
		}
		op := x.Op.String()
		if _, binop := x.Left.(*ir.Binop); x.Op == ir.OpEq && !isBitmask(x.Left) && !binop {
			op = ""
		}
		if op == "" {
			return p.expr(x.Left) + " " + p.expr(x.Right)
		}
		return p.expr(x.Left) + " " + op + " " + p.expr(x.Right)
	case *ir.VerdictStmt:
		if x.Vmap != nil {
			return p.expr(x.Vmap)
		}
		return p.expr(x.Verdict)
	case *ir.Counter:
		if x.Name != nil {
			return "counter name " + p.expr(x.Name)
		}
		if x.HasValues {
			return fmt.Sprintf("counter packets %d bytes %d", x.Packets, x.Bytes)
		}
		return "counter"
	case *ir.Limit:
		return p.limit(x)
	case *ir.Quota:
		if x.Name != nil {
			return "quota name " + p.expr(x.Name)
		}
		s := "quota "
		if x.Over {
			s += "over "
		}
		s += fmt.Sprintf("%d %s", x.Bytes, unitOr(x.Unit, "bytes"))
		if x.Used > 0 || x.UsedUnit != "" {
			s += fmt.Sprintf(" used %d %s", x.Used, unitOr(x.UsedUnit, "bytes"))
		}
		return s
	case *ir.Log:
		return p.log(x)
	case *ir.Reject:
		switch {
		case x.With == "" || p.defaultReject(x):
			return "reject"
		case x.Code == nil:
			return "reject with " + x.With
		}
		return "reject with " + x.With + " " + p.expr(x.Code)
	case *ir.Nat:
		return p.nat(x)
	case *ir.Mangle:
		if b, ok := x.Value.(*ir.Binop); ok {
			l, ok1 := x.Left.(*ir.Selector)
			r, ok2 := b.X.(*ir.Selector)
			p.sameFieldMangle = ok1 && ok2 && l.Field == r.Field
		}
		// A protocol name after "set" starts a header expression in
		// nft's grammar: "ip protocol set icmp accept", as nft itself
		// lists it, does not parse. A number does.
		saved := p.opts.NumericProto
		if k, ok := x.Value.(*ir.Const); ok && k.Type != nil && k.Type.Proto {
			p.opts.NumericProto = true
		}
		s := p.expr(x.Left) + " set " + p.expr(x.Value)
		p.sameFieldMangle, p.opts.NumericProto = false, saved
		return s
	case *ir.SetStmt:
		body := p.expr(x.Key)
		if x.Data != nil {
			body += " : " + p.expr(x.Data)
		}
		for _, st := range x.Stmts {
			body += " " + p.stmt(st)
		}
		if x.Meter {
			s := "meter " + name(x.Set)
			if x.MeterSize > 0 {
				s += fmt.Sprintf(" size %d", x.MeterSize)
			}
			return s + " { " + body + " }"
		}
		return x.Op + " @" + x.Set + " { " + body + " }"
	case *ir.Generic:
		ws := x.Words
		if x.Kind == "tproxy" && len(ws) > 2 && (ws[1] == "ip" || ws[1] == "ip6") && (p.fam == ir.FamilyIP || p.fam == ir.FamilyIP6) {
			// The table's family already says which: nft lists "tproxy to".
			ws = append([]string{ws[0]}, ws[2:]...)
		}
		return p.words(ws, x.Args)
	}
	panic(fmt.Sprintf("nft: cannot print statement %T", s))
}

func unitOr(u, def string) string {
	if u == "" {
		return def
	}
	return u
}

func (p *printer) limit(x *ir.Limit) string {
	if x.Name != nil {
		return "limit name " + p.expr(x.Name)
	}
	s := "limit rate "
	if x.Over {
		s += "over "
	}
	if x.Unit != "" {
		s += fmt.Sprintf("%d %s/%s", x.Rate, x.Unit, x.Per)
		if x.Burst > 0 {
			s += fmt.Sprintf(" burst %d %s", x.Burst, x.BurstUnit)
		}
		return s
	}
	s += fmt.Sprintf("%d/%s", x.Rate, x.Per)
	burst := x.Burst
	if x.BurstUnit == "" {
		burst = 5
	}
	if burst > 0 {
		s += fmt.Sprintf(" burst %d packets", burst)
	}
	return s
}

func (p *printer) log(x *ir.Log) string {
	s := "log"
	if x.Prefix != nil {
		s += " prefix " + p.expr(x.Prefix)
	}
	if x.Level != "" && x.Level != "warn" {
		s += " level " + x.Level
	}
	if x.HasGroup {
		s += " group " + strconv.Itoa(x.Group)
	}
	if x.Snaplen > 0 {
		s += " snaplen " + strconv.Itoa(x.Snaplen)
	}
	if x.QThreshold > 0 {
		s += " queue-threshold " + strconv.Itoa(x.QThreshold)
	}
	for _, f := range x.Flags {
		s += " flags " + f
	}
	return s
}

var natFlagOrder = []string{"random", "fully-random", "persistent", "netmap"}

func (p *printer) nat(x *ir.Nat) string {
	s := x.Kind
	fam := x.Family
	if fam == "" && p.fam == ir.FamilyInet && x.Addr != nil && (x.Kind == "snat" || x.Kind == "dnat") {
		// nft lists the address family of inet nat statements.
		if c, ok := x.Addr.(*ir.Const); ok && c.Type != nil {
			switch c.Type.Kind {
			case ir.KindIPv4:
				fam = "ip"
			case ir.KindIPv6:
				fam = "ip6"
			}
		}
	}
	if fam != "" {
		s += " " + fam
	}
	if x.Prefix {
		s += " prefix"
	}
	if x.AddrPort {
		s += " addr . port"
	}
	if x.Addr != nil || x.Port != nil {
		s += " to "
	}
	if x.Addr != nil {
		a := p.expr(x.Addr)
		if x.Port != nil && isIPv6Literal(x.Addr) {
			a = "[" + a + "]"
		}
		s += a
	}
	if x.Port != nil {
		s += ":" + p.expr(x.Port)
	}
	var flags []string
	for _, f := range natFlagOrder {
		for _, g := range x.Flags {
			if g == f {
				flags = append(flags, f)
				break
			}
		}
	}
	if len(flags) > 0 {
		s += " " + strings.Join(flags, ",")
	}
	return s
}

func isIPv6Literal(e ir.Expr) bool {
	c, ok := e.(*ir.Const)
	return ok && c.Type != nil && (c.Type.Kind == ir.KindIPv6 || c.Type.Kind == ir.KindInetAddr && len(c.Val) == 16)
}

func (p *printer) words(ws []string, args []ir.Expr) string {
	out := make([]string, 0, len(ws))
	k := 0
	for _, w := range ws {
		if w == "%" && k < len(args) {
			out = append(out, p.expr(args[k]))
			k++
			continue
		}
		out = append(out, w)
	}
	return strings.Join(out, " ")
}

func isBitmask(e ir.Expr) bool {
	switch x := e.(type) {
	case *ir.Selector:
		return x.Field.Type.IsBitmask()
	case *ir.Binop:
		return isBitmask(x.X)
	}
	return false
}

// defaultReject reports a reject that names the family's default reply,
// which nft lists as a bare "reject".
func (p *printer) defaultReject(x *ir.Reject) bool {
	c, ok := x.Code.(*ir.Const)
	if !ok || c.Val == nil || ir.Uint(c.Val) != 3 && x.With != "icmpv6" || x.With == "icmpv6" && ir.Uint(c.Val) != 4 {
		return false
	}
	switch p.fam {
	case ir.FamilyIP:
		return x.With == "icmp"
	case ir.FamilyIP6:
		return x.With == "icmpv6"
	case ir.FamilyInet, ir.FamilyBridge, ir.FamilyNetdev:
		return x.With == "icmpx" && ir.Uint(c.Val) == 1
	}
	return false
}
