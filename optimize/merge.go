package optimize

import (
	"sort"

	"github.com/nftopt/nftopt/ir"
)

// mergeRules merges runs of adjacent rules that differ only in the
// values of some matches, and possibly in their verdict, into one rule:
// an anonymous set for one differing selector, a concatenation for
// several, a verdict map when the verdicts differ, and "any of these
// bits" for bitmask flags. Overlapping values keep first-match order.
var mergeRules = Pass{
	Name: "merge",
	Doc:  "merge adjacent rules into anonymous sets, concatenations, verdict, NAT and mark maps, and any-of-bits flag tests",
	Run: func(c *Context) error {
		c.eachChain(func(t *ir.Table, ch *ir.Chain) {
			ch.Rules = mergeChain(c, t, ch, expandVmaps(ch.Rules))
		})
		return nil
	},
}

// maxFlagFieldBits is the widest bitmask field whose flags merge, but
// for the wider fields the proof models byte by byte (exactBits).
const maxFlagFieldBits = 16

// exactBits reports a bitmask field whose bit tests the proof models
// exactly: narrow ones, and ct status, which ir/equiv splits into bytes.
func exactBits(sel *ir.Selector) bool {
	return sel.Field.Width <= maxFlagFieldBits || sel.Field.Name == "ct status"
}

// keyInfo describes a match that can become a merge key.
type keyInfo struct {
	sel     *ir.Selector
	flags   bool // bitmask "any of these bits" test
	values  []ir.Expr
	selText string
}

// matchKey reports whether s can be a merge key: a match of a selector
// against literal values, with an implicit or == operator.
func matchKey(s ir.Stmt) (keyInfo, bool) {
	m, ok := s.(*ir.Match)
	if !ok || (m.Op != ir.OpImplicit && m.Op != ir.OpEq) {
		return keyInfo{}, false
	}
	sel, ok := m.Left.(*ir.Selector)
	if raw, isRaw := m.Left.(*ir.RawPayload); isRaw && raw.Len <= 128 {
		// A raw payload read merges like a field of its width.
		sel, ok = &ir.Selector{Node: raw.Node, Field: ir.RawField(raw.Base, raw.Offset, raw.Len)}, true
	}
	if !ok || sel.Field.Type.Kind == ir.KindInetAddr {
		return keyInfo{}, false
	}
	k := keyInfo{sel: sel, selText: ir.ExprKey(sel) + " " + m.Op.String()}
	if sel.Field.Type.IsBitmask() {
		// Bit tests on wide fields (ct label) are beyond what the proof
		// models exactly: a merge of them could not be proved.
		if m.Op != ir.OpImplicit || !sel.Field.OneHot() && !exactBits(sel) {
			return keyInfo{}, false
		}
		k.flags = true
		switch r := m.Right.(type) {
		case *ir.Const:
			if r.Val == nil {
				return keyInfo{}, false
			}
			k.values = []ir.Expr{r}
		case *ir.List:
			for _, it := range r.Items {
				c, ok := it.(*ir.Const)
				if !ok || c.Val == nil {
					return keyInfo{}, false
				}
				k.values = append(k.values, c)
			}
		default:
			return keyInfo{}, false
		}
		return k, true
	}
	switch r := m.Right.(type) {
	case *ir.Const, *ir.Prefix, *ir.Range:
		if !literal(r) {
			return keyInfo{}, false
		}
		k.values = []ir.Expr{r}
	case *ir.SetExpr:
		for _, el := range r.Elems {
			if el.Value != nil || el.Timeout != "" || el.Expires != "" || len(el.Stmts) > 0 || el.Comment != "" || !literal(el.Key) {
				return keyInfo{}, false
			}
			k.values = append(k.values, el.Key)
		}
	default:
		return keyInfo{}, false
	}
	return k, true
}

// literal reports a typed constant, prefix or range of typed constants
// (no wildcards, no unresolved symbols).
func literal(e ir.Expr) bool {
	switch x := e.(type) {
	case *ir.Const:
		return !x.Sym && x.Type != nil && !x.Wild && (x.Val != nil || x.Type.Kind == ir.KindString || x.Type.Kind == ir.KindIfindex)
	case *ir.Prefix:
		return literal(x.X)
	case *ir.Range:
		return literal(x.Lo) && literal(x.Hi)
	}
	return false
}

// mergeable reports whether a rule may take part in a merge: only
// matches, anonymous counters (unless kept), notrack, and a final
// verdict, reject, log or NAT statement. Limits, quotas, set updates and writes
// keep per-rule state or order and are barriers.
func mergeable(r *ir.Rule, keepCounters bool) bool {
	if r.Insert || len(r.Stmts) == 0 || drawsNumber(r) {
		return false
	}
	for _, s := range r.Stmts {
		switch x := s.(type) {
		case *ir.Match:
		case *ir.Counter:
			if keepCounters || x.Name != nil {
				return false
			}
		case *ir.VerdictStmt:
			if x.Verdict != nil && x.Verdict.Inline != nil {
				return false
			}
		case *ir.Log, *ir.Reject, *ir.Nat:
		case *ir.Generic:
			// notrack keeps no state: a packet the merged rule matches
			// gets what the rule it matched before gave it.
			if x.Kind != "notrack" {
				return false
			}
		case *ir.Mangle:
			// Only a mark written with a constant, as a rule's last statement.
			if !markWrite(x) || s != r.Stmts[len(r.Stmts)-1] {
				return false
			}
		default:
			return false
		}
	}
	return true
}

// isCounter reports an anonymous counter statement.
func isCounter(s ir.Stmt) bool {
	c, ok := s.(*ir.Counter)
	return ok && c.Name == nil
}

// simpleVerdict returns the verdict of a final plain verdict statement.
func simpleVerdict(s ir.Stmt) (*ir.Verdict, bool) {
	v, ok := s.(*ir.VerdictStmt)
	if !ok || v.Vmap != nil || v.Verdict.Inline != nil {
		return nil, false
	}
	return v.Verdict, true
}

// run is a group of adjacent rules being merged.
type run struct {
	base     *ir.Rule
	family   ir.Family
	rules    []*ir.Rule
	keys     map[int]bool // statement positions that differ
	verdicts bool         // the final verdicts differ
	nat      bool         // the final NAT statements differ in their target
	write    bool         // the final mark writes differ in their value
	// elemCounters lets a verdict map take the run's counter onto its
	// elements (Options.ElementCounters).
	elemCounters bool
	// baseKeys and baseMatch hold, per statement of base, its StmtKey
	// and its matchKey (ok in baseMatchOK), made once for the run.
	baseKeys    []string
	baseMatch   []keyInfo
	baseMatchOK []bool
}

// newRun starts a run at rule r of a table of family fam.
func newRun(r *ir.Rule, fam ir.Family, elemCounters bool) *run {
	g := &run{base: r, family: fam, rules: []*ir.Rule{r}, keys: map[int]bool{}, elemCounters: elemCounters}
	g.baseKeys = make([]string, len(r.Stmts))
	g.baseMatch = make([]keyInfo, len(r.Stmts))
	g.baseMatchOK = make([]bool, len(r.Stmts))
	for p, s := range r.Stmts {
		g.baseKeys[p] = ir.StmtKey(s)
		g.baseMatch[p], g.baseMatchOK[p] = matchKey(s)
	}
	return g
}

// accepts extends the run with r when r has the run's shape.
func (g *run) accepts(r *ir.Rule) bool {
	if len(r.Stmts) != len(g.base.Stmts) {
		return false
	}
	keys := make(map[int]bool, len(g.keys))
	for p := range g.keys {
		keys[p] = true
	}
	verdicts, nat, write := g.verdicts, g.nat, g.write
	last := len(r.Stmts) - 1
	for p, s := range r.Stmts {
		b := g.base.Stmts[p]
		if ir.StmtKey(s) == g.baseKeys[p] {
			continue
		}
		ks, ok := matchKey(s)
		if ok && g.baseMatchOK[p] && g.baseMatch[p].selText == ks.selText {
			keys[p] = true
			continue
		}
		if p == last {
			_, ok1 := simpleVerdict(b)
			_, ok2 := simpleVerdict(s)
			if ok1 && ok2 {
				verdicts = true
				continue
			}
			if sameNatShape(b, s) {
				nat = true
				continue
			}
			if sameMarkWrite(b, s) {
				write = true
				continue
			}
		}
		return false
	}
	if len(keys) == 0 && !verdicts && !nat && !write {
		// A duplicate of the base; the dead-rule pass handles it.
		return false
	}
	if verdicts || nat || write {
		// A map needs keys, and no statement but matches besides, except
		// a counter a verdict map's elements can carry (nft 1.0.6 rejects
		// counters on anonymous map elements, see Options.ElementCounters).
		if len(keys) == 0 || verdicts && nat || write && (verdicts || nat) {
			return false
		}
		counters := 0
		for p, s := range g.base.Stmts[:last] {
			if _, ok := s.(*ir.Match); ok || keys[p] {
				continue
			}
			if isCounter(s) && g.elemCounters && verdicts {
				counters++
				continue
			}
			return false
		}
		if counters > 1 {
			return false
		}
	}
	// Flag tests merge alone: into "any of these bits", or with
	// different verdicts into a verdict map over the masked bits; ct
	// state, which holds exactly one state, is the exception: its flags
	// are values.
	for p := range keys {
		if k, _ := matchKey(g.base.Stmts[p]); k.flags && !k.sel.Field.OneHot() && (len(keys) > 1 || nat || write) {
			return false
		}
	}
	g.keys, g.verdicts, g.nat, g.write = keys, verdicts, nat, write
	g.rules = append(g.rules, r)
	return true
}

// sameNatShape reports two NAT statements that differ only in their
// literal address and port.
func sameNatShape(a, b ir.Stmt) bool {
	x, ok1 := a.(*ir.Nat)
	y, ok2 := b.(*ir.Nat)
	if !ok1 || !ok2 || x.Kind != y.Kind || x.Family != y.Family || x.Prefix || y.Prefix || x.AddrPort || y.AddrPort {
		return false
	}
	if ir.StmtKey(&ir.Generic{Words: x.Flags}) != ir.StmtKey(&ir.Generic{Words: y.Flags}) {
		return false
	}
	lit := func(e ir.Expr) bool { return e == nil || literal(e) }
	return lit(x.Addr) && lit(y.Addr) && lit(x.Port) && lit(y.Port) &&
		(x.Addr == nil) == (y.Addr == nil) && (x.Port == nil) == (y.Port == nil)
}

// mergeChain merges the runs of one chain.
func mergeChain(c *Context, t *ir.Table, ch *ir.Chain, rules []*ir.Rule) []*ir.Rule {
	var out []*ir.Rule
	for i := 0; i < len(rules); {
		r := rules[i]
		if !mergeable(r, c.Opts.KeepCounters) {
			out = append(out, r)
			i++
			continue
		}
		g := newRun(r, t.Family, c.Opts.ElementCounters)
		j := i + 1
		for j < len(rules) && mergeable(rules[j], c.Opts.KeepCounters) && g.accepts(rules[j]) {
			j++
		}
		if len(g.rules) < 2 {
			out = append(out, r)
			i++
			continue
		}
		merged, note, shadowed, ok := build(g)
		if !ok {
			// Keep the first rule and try again from the next one.
			out = append(out, r)
			i++
			continue
		}
		sources := g.rules
		if len(shadowed) > 0 {
			sources = nil
			for k, sr := range g.rules {
				if len(shadowed) > 0 && shadowed[0] == k {
					shadowed = shadowed[1:]
					c.record(Change{Pass: "merge", Kind: Shadowed, Table: t, Chain: ch, Sources: []*ir.Rule{sr}},
						"never reached: the rules before it in the merged run take every packet it matches")
					continue
				}
				sources = append(sources, sr)
			}
		}
		if !oneSource(sources) {
			c.record(Change{Pass: "merge", Kind: Merged, Table: t, Chain: ch, Sources: sources, Result: merged}, "%s", note)
		}
		out = append(out, merged)
		i = j
	}
	return out
}

// positions returns the key positions in order.
func (g *run) positions() []int {
	var ps []int
	for p := range g.keys {
		ps = append(ps, p)
	}
	sort.Ints(ps)
	return ps
}

// build makes the merged rule of a run. In a verdict map, a rule whose
// keys earlier rules of the run all took keeps none: build lists it in
// shadowed.
func build(g *run) (res *ir.Rule, note string, shadowed []int, ok bool) {
	ps := g.positions()
	last := len(g.base.Stmts) - 1
	origin := make([]ir.Span, len(g.rules))
	for i, r := range g.rules {
		origin[i] = r.Span
	}
	// Per rule, the values of each key.
	vals := make([][][]ir.Expr, len(g.rules))
	var sels []*ir.Selector
	flags := false
	for i, r := range g.rules {
		vals[i] = make([][]ir.Expr, len(ps))
		for k, p := range ps {
			ki, ok := matchKey(r.Stmts[p])
			if !ok {
				return nil, "", nil, false
			}
			vals[i][k] = ki.values
			if i == 0 {
				sels = append(sels, ki.sel)
				flags = ki.flags
			}
		}
	}
	var newStmt ir.Stmt
	switch {
	case flags && len(sels) == 1 && !g.verdicts && !g.nat:
		newStmt, note = flagMatch(sels[0], vals)
	case flags && len(sels) == 1 && g.verdicts && !sels[0].Field.OneHot():
		var values []ir.Expr
		for _, r := range g.rules {
			v, _ := simpleVerdict(r.Stmts[last])
			values = append(values, v)
		}
		m, ok := flagVmap(sels[0], vals, values)
		if !ok {
			return nil, "", nil, false
		}
		newStmt, note = m, "verdict map over the masked flags"
	case g.verdicts:
		var values []ir.Expr
		for _, r := range g.rules {
			v, _ := simpleVerdict(r.Stmts[last])
			values = append(values, v)
		}
		set, key, kept, ok := lookupMap(sels, vals, values)
		if !ok {
			return nil, "", nil, false
		}
		for i, k := range kept {
			if !k {
				shadowed = append(shadowed, i)
			}
		}
		newStmt, note = &ir.VerdictStmt{Vmap: &ir.MapExpr{Key: key, Map: set, Vmap: true}}, "verdict map"
	case g.nat:
		n, ok := natMap(g, sels, vals)
		if !ok {
			return nil, "", nil, false
		}
		newStmt, note = n, "nat map"
	case g.write:
		m, ok := writeMap(g, sels, vals)
		if !ok {
			return nil, "", nil, false
		}
		newStmt, note = m, "mark map"
	default:
		m, ok := setMatch(sels, vals)
		if !ok {
			return nil, "", nil, false
		}
		newStmt = m
		note = "anonymous set"
		if len(sels) > 1 {
			note = "concatenation"
		}
	}
	// A verdict map's run may hold a counter: each element gets one.
	elemCounter := false
	if vs, ok := newStmt.(*ir.VerdictStmt); ok && g.verdicts && vs.Vmap != nil {
		for p, s := range g.base.Stmts {
			if !g.keys[p] && isCounter(s) {
				elemCounter = true
			}
		}
		if set, ok := vs.Vmap.Map.(*ir.SetExpr); ok && elemCounter {
			for _, el := range set.Elems {
				el.Stmts = []ir.Stmt{&ir.Counter{}}
			}
			note += " with a counter on each element"
		} else if elemCounter {
			return nil, "", nil, false
		}
	}
	res = &ir.Rule{Span: g.base.Span, Origin: origin}
	for p, s := range g.base.Stmts {
		switch {
		case p == ps[0] && !g.verdicts && !g.nat && !g.write:
			res.Stmts = append(res.Stmts, newStmt)
		case g.keys[p]:
		case elemCounter && isCounter(s):
		case (g.verdicts || g.nat || g.write) && p == last:
			if g.nat || g.write {
				// A statement's map key does not bring the protocol match
				// a match would: keep it explicit.
				res.Stmts = append(res.Stmts, transportDeps(sels)...)
			}
			res.Stmts = append(res.Stmts, newStmt)
		default:
			res.Stmts = append(res.Stmts, s)
		}
	}
	if !keepComments(res, newStmt, sels, vals, g.rules, g.verdicts || g.nat || g.write) {
		note += "; some rule comments were too long to keep (nft stores 128 bytes)"
	}
	return res, note, shadowed, true
}

// product returns the concatenations of one value of each key.
func product(v [][]ir.Expr) []ir.Expr {
	out := []ir.Expr{&ir.Concat{}}
	for _, choices := range v {
		var next []ir.Expr
		for _, prefix := range out {
			for _, x := range choices {
				parts := append(append([]ir.Expr(nil), prefix.(*ir.Concat).Parts...), x)
				next = append(next, &ir.Concat{Parts: parts})
			}
		}
		out = next
	}
	return out
}

func setOf(elems []ir.Expr) *ir.SetExpr {
	s := &ir.SetExpr{}
	for _, e := range elems {
		s.Elems = append(s.Elems, &ir.Element{Key: e})
	}
	return s
}

func dedupe(xs []ir.Expr) []ir.Expr {
	seen := map[string]bool{}
	var out []ir.Expr
	for _, x := range xs {
		if k := ir.ExprKey(x); !seen[k] {
			seen[k] = true
			out = append(out, x)
		}
	}
	return out
}

func allPoints(xs []ir.Expr) bool {
	for _, x := range xs {
		if _, ok := x.(*ir.Const); !ok {
			return false
		}
	}
	return true
}

// oneSource reports sources that are the pieces of one rule (a verdict
// map split to merge with its neighbours, merged back alone): nothing
// to report.
func oneSource(rules []*ir.Rule) bool {
	for _, r := range rules[1:] {
		if r.Span != rules[0].Span {
			return false
		}
	}
	return true
}
