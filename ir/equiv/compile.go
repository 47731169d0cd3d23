package equiv

import (
	"fmt"
	"slices"
	"sort"
	"strings"
	"sync/atomic"

	"github.com/nftopt/nftopt/ir"
)

// dimension is one coordinate of the packet space.
type dimension struct {
	key   string
	width int
	field *ir.Field // nil for uninterpreted predicates
	// domain, when set, lists every value the dimension can take (ct
	// state holds exactly one state); nil means every value of the width.
	domain []ir.Value
	// whole, when set, names the field this dimension is byte byteIdx
	// of (0 the most significant; see bits.go).
	whole   string
	byteIdx int
}

// atom says that a dimension's value lies in set.
type atom struct {
	dim int
	set ir.IntervalSet
}

// formula is a monotone boolean formula over atoms.
type formula struct {
	op   byte // 'a' atom, '&' all, '|' any, 'T' true, 'F' false
	atom int
	kids []*formula
}

var (
	fTrue  = &formula{op: 'T'}
	fFalse = &formula{op: 'F'}
)

func and(fs ...*formula) *formula {
	var kids []*formula
	for _, f := range fs {
		switch {
		case f == nil || f.op == 'T':
		case f.op == 'F':
			return fFalse
		case f.op == '&':
			kids = append(kids, f.kids...)
		default:
			kids = append(kids, f)
		}
	}
	switch len(kids) {
	case 0:
		return fTrue
	case 1:
		return kids[0]
	}
	return &formula{op: '&', kids: kids}
}

func or(fs ...*formula) *formula {
	var kids []*formula
	for _, f := range fs {
		switch {
		case f == nil || f.op == 'F':
		case f.op == 'T':
			return fTrue
		case f.op == '|':
			kids = append(kids, f.kids...)
		default:
			kids = append(kids, f)
		}
	}
	switch len(kids) {
	case 0:
		return fFalse
	case 1:
		return kids[0]
	}
	return &formula{op: '|', kids: kids}
}

// eachAtom calls fn with each atom the formula mentions, in the order
// atoms lists them, until fn returns false; it reports whether fn
// always returned true. It allocates nothing.
func (f *formula) eachAtom(fn func(at int) bool) bool {
	switch f.op {
	case 'a':
		return fn(f.atom)
	case '&', '|':
		for _, k := range f.kids {
			if !k.eachAtom(fn) {
				return false
			}
		}
	}
	return true
}

// atoms appends the atoms the formula mentions.
func (f *formula) atoms(out []int) []int {
	switch f.op {
	case 'a':
		return append(out, f.atom)
	case '&', '|':
		for _, k := range f.kids {
			out = k.atoms(out)
		}
	}
	return out
}

// stepKind tells what a compiled statement does.
type stepKind uint8

const (
	stepMatch   stepKind = iota // stop the rule unless cond holds
	stepEffect                  // record an effect
	stepVerdict                 // end with a verdict or call a chain
	stepBranch                  // pick among branches by key (vmap, map in nat/mangle)
	stepWrite                   // overwrite a dimension with a constant, and record it
	stepClobber                 // overwrite dimensions with values the model does not know
)

// step is one compiled statement. Most steps are matches, effects and
// verdicts; the parts of map lookups and writes sit behind pointers so
// that a step stays small (a program holds one per statement).
type step struct {
	kind    stepKind
	cond    *formula
	effect  *Effect
	verdict verdict
	*lookup // stepBranch
	*change // stepWrite, stepClobber
}

// lookup is a map lookup's part of a step.
type lookup struct {
	// branches of a map lookup; a miss ends the rule without a verdict.
	branches []branch
	// branchDim and branchIndex index the branches by an atom on one
	// dimension that each branch requires, so that a lookup only tries
	// the branches whose atom holds; branchDim is -1 without an index.
	branchDim   int
	branchIndex map[int][]int
	// indexAtoms lists the keys of branchIndex, sorted; every lists
	// every branch, 0 to n-1. Both are only read once built.
	indexAtoms []int
	every      []int
	// common is the conjunction of the atoms every branch requires
	// (the key's protocol dependencies): when it is false no branch can
	// hold and the lookup's atoms need not be split. byDim groups the
	// branches' atoms by dimension.
	common *formula
	byDim  dimAtoms
}

// change is what a write or clobber step changes.
type change struct {
	// write: the dimension and the value written.
	dim   int
	value ir.Value
	// clobber: the keys of the dimensions overwritten. src names the
	// statement that writes or clobbers (it identifies the value).
	clobber []string
	src     string
}

// dimAtoms groups atoms by dimension: one entry per dimension, in the
// order added (a rule mentions few dimensions, so a list beats a map).
type dimAtoms []dimList

// dimList is the sorted list of atoms on one dimension.
type dimList struct {
	dim   int
	atoms []int
}

// get returns the atoms on dimension d.
func (da dimAtoms) get(d int) []int {
	for _, l := range da {
		if l.dim == d {
			return l.atoms
		}
	}
	return nil
}

// add appends atom at on dimension d; atoms must come in increasing order.
func (da dimAtoms) add(d, at int) dimAtoms {
	for i := range da {
		if da[i].dim == d {
			da[i].atoms = append(da[i].atoms, at)
			return da
		}
	}
	return append(da, dimList{d, []int{at}})
}

// fieldWrite is a constant written to a dimension.
type fieldWrite struct {
	dim   int
	value ir.Value
}

// branch is one element of a map lookup.
type branch struct {
	cond    *formula
	verdict verdict // for vmaps
	effect  *Effect // for maps feeding a statement (nat, mangle)
	// terminal is the verdict a map-fed statement implies (accept for nat).
	terminal string
	// writes and clobber are what the branch's statement writes (a mark
	// map's constant; the fields a NAT map translates).
	writes  []fieldWrite
	clobber []string
	src     string
}

// verdict is a compiled verdict: a kind and, for jump and goto, the
// index of the target chain.
type verdict struct {
	kind   string // accept, drop, continue, return, jump, goto, queue, stolen
	target int
}

// crule is a compiled rule.
type crule struct {
	id    int
	chain int
	index int // position in its chain
	src   *ir.Rule
	// guard is the conjunction of the matches before the rule's first
	// other statement: when it is false the rule does nothing at all.
	guard *formula
	steps []step
	// atomsUsed lists every atom the rule mentions.
	atomsUsed []int
	// byDim groups the atoms of the rule's statements other than map
	// lookups by dimension (lookups keep their own, see step.byDim);
	// lookups lists the indexes of the lookup steps; guardDims lists the
	// dimensions the guard mentions.
	byDim     dimAtoms
	lookups   []int
	guardDims []int
	// draws marks a rule with steps that test a number generator
	// (program.stepDraws).
	draws bool
	// calls lists the steps that may jump or go to a chain.
	calls []int
}

// cchain is a compiled chain.
type cchain struct {
	id     int
	name   string
	table  *ir.Table
	base   bool
	policy string
	prio   int
	hook   string
	// guard restricts a base chain to some packets (netdev devices,
	// nat chains seeing the first packet of a connection only).
	guard *formula
	rules []int
	// natClobber lists the fields the NAT statements of a nat base
	// chain (and the chains it reaches) translate: for packets of an
	// established connection the chain does not run, but conntrack
	// translates them all the same, to values the model does not know.
	natClobber []string
	// natDone lists the ct status bytes conntrack sets once a nat chain
	// has run for a connection: the nat-done bit of its hook, and the
	// snat or dnat bit when it translated.
	natDone []string
	// order breaks ties of prio: a nat chain's own priority orders it
	// among the nat chains of its hook.
	order int64
}

// Effect is an observable side effect of evaluating a packet: a
// statement that ran, such as a NAT mapping, a mark written, a log
// line, a reject, a set update, or a counter.
type Effect struct {
	Key  string
	Stmt ir.Stmt
	Rule *ir.Rule
	// Counter marks anonymous counters, compared only on request.
	Counter bool
}

// program holds the compiled form of both rulesets for one family and hook.
type program struct {
	dims     []*dimension
	dimIndex map[string]int
	atoms    []atom
	atomKey  map[setKey]int
	// atomForms holds the formula of each atom alone (atomFormula).
	atomForms []*formula
	// firstSide lists the regular chains the first ruleset compiled, for
	// the second to share (compiler.sameChain).
	firstSide map[chainKey]firstChain
	// atomOne finds the atoms whose set is one interval (most of them)
	// without printing the set.
	atomOne map[oneKey]int
	chains  []*cchain
	rules   []*crule
	sides   [2][]int // base chain ids of each ruleset, in evaluation order
	// unknown lists constructs that make a proof impossible.
	unknown []string
	fam     familyRun
	// predDims lists, per uninterpreted match predicate (by key), the
	// dimensions it reads; predOf lists, per dimension, the predicate
	// dimensions that read it.
	predDims map[string][]int
	predOf   map[int][]int
	// predSets lists, per named set or map, the keys of the predicates
	// that look it up: a set update changes their truth.
	predSets map[string][]string
	setPreds map[string][]int
	// clobbers is set when some statement sets a field to a value the
	// model does not know: evaluations then track what they read.
	clobbers bool
	// depCache holds each field's dependency formula.
	depCache map[*ir.Field]*formula
	// shared holds the compiled rules that do not depend on their
	// ruleset (contextFree): the optimized ruleset keeps the rules it
	// does not change, and both sides then compile them once.
	shared map[sharedKey]*crule
	// guardWritten marks the written dimensions some rule guard tests;
	// guardIdx lists, per chain and such dimension, the positions of the
	// rules whose guard tests it.
	guardWritten map[int]bool
	guardIdx     map[int]map[int][]int
	// unguarded marks the dimensions guards leave out: writes other than
	// NAT (and later draws of number generators) may change them from
	// one rule to the next.
	unguarded map[int]bool
	// drawDims lists, per number generator expression (numgen random or
	// inc, by text), the predicate dimensions that test its value, and
	// drawOf the generator of each such dimension; stepDraws lists the
	// generators each step evaluates. Every evaluation draws a new
	// number: from the second draw on a path, the predicates are copies
	// of their own (drawAtom), made when first needed.
	drawDims  map[string][]int
	drawOf    map[int]string
	stepDraws map[*step][]string
	drawAtoms map[drawKey]int
	// frozen is set while goroutines walk the program: a draw atom not
	// made yet cannot be added then, so drawAtom sets missedDraw instead
	// and the walk starts again on one goroutine.
	frozen     bool
	missedDraw atomic.Bool
	// bothSides marks the chains both sides reach (see meeting).
	bothSides []bool
}

// drawKey names the copy of an atom for the n-th draw of its generator.
type drawKey struct{ atom, n int }

// drawAtom returns the atom that tests, for the n-th draw (n >= 2) of
// its generator, what atom tests for the first.
func (p *program) drawAtom(atom, n int) int {
	k := drawKey{atom, n}
	if a, ok := p.drawAtoms[k]; ok {
		return a
	}
	if p.frozen {
		p.missedDraw.Store(true)
		return atom
	}
	at := p.atoms[atom]
	d := p.dimension(fmt.Sprintf("%s (draw %d)", p.dims[at.dim].key, n), p.dims[at.dim].width, nil)
	a := p.atomOf(d, at.set).atom
	if p.drawAtoms == nil {
		p.drawAtoms = map[drawKey]int{}
	}
	p.drawAtoms[k] = a
	return a
}

// familyRun is one kind of packet: which table families see it.
type familyRun struct {
	name     string      // "ip", "ip6", "arp", "bridge", "netdev", or "inet"
	tables   []ir.Family // table families whose chains see such packets
	nfproto  uint64      // fixed meta nfproto value, 0 when free
	protocol uint64      // fixed ether type, 0 when free
	// dual marks inetRun: IPv4 and IPv6 packets in one walk, meta
	// nfproto 2 or 10.
	dual bool
}

// inetRun checks IPv4 and IPv6 packets together at a hook where only
// inet tables have base chains: the ip and ip6 runs would compile the
// same program there, and walking it once leaves undivided the classes
// whose rules do not tell the families apart (see dualJob).
var inetRun = familyRun{name: "inet", tables: []ir.Family{ir.FamilyInet}, dual: true}

var familyRuns = []familyRun{
	{name: "ip", tables: []ir.Family{ir.FamilyIP, ir.FamilyInet}, nfproto: 2, protocol: 0x0800},
	{name: "ip6", tables: []ir.Family{ir.FamilyIP6, ir.FamilyInet}, nfproto: 10, protocol: 0x86dd},
	{name: "arp", tables: []ir.Family{ir.FamilyARP}},
	{name: "bridge", tables: []ir.Family{ir.FamilyBridge}},
	{name: "netdev", tables: []ir.Family{ir.FamilyNetdev}},
}

func (p *program) dimension(key string, width int, f *ir.Field) int {
	if i, ok := p.dimIndex[key]; ok {
		return i
	}
	d := &dimension{key: key, width: width, field: f}
	if f != nil && f.Name == "ct state" {
		for _, s := range ir.SymbolsOf("ct_state") {
			d.domain = append(d.domain, ir.Uint64Value(s.Value, width))
		}
		sort.Slice(d.domain, func(i, j int) bool { return d.domain[i].Compare(d.domain[j]) < 0 })
	}
	p.dims = append(p.dims, d)
	p.dimIndex[key] = len(p.dims) - 1
	return len(p.dims) - 1
}

func (p *program) atomOf(dim int, set ir.IntervalSet) *formula {
	if set.IsEmpty() {
		return fFalse
	}
	if set.IsFull() {
		return fTrue
	}
	if set.Len() == 1 {
		iv := set.Intervals()[0]
		k := oneKey{dim, iv.Lo, iv.Hi}
		i, ok := p.atomOne[k]
		if !ok {
			p.atoms = append(p.atoms, atom{dim: dim, set: set})
			i = len(p.atoms) - 1
			p.atomOne[k] = i
		}
		return p.atomFormula(i)
	}
	key := setKey{dim, set.Key()}
	i, ok := p.atomKey[key]
	if !ok {
		p.atoms = append(p.atoms, atom{dim: dim, set: set})
		i = len(p.atoms) - 1
		p.atomKey[key] = i
	}
	return p.atomFormula(i)
}

// atomFormula returns the formula of atom i alone, one per atom:
// formulas are never changed once built.
func (p *program) atomFormula(i int) *formula {
	for len(p.atomForms) <= i {
		p.atomForms = append(p.atomForms, nil)
	}
	if p.atomForms[i] == nil {
		p.atomForms[i] = &formula{op: 'a', atom: i}
	}
	return p.atomForms[i]
}

// oneKey identifies an atom whose set is the one interval lo..hi.
type oneKey struct {
	dim    int
	lo, hi ir.Value
}

// setKey names the atom of a set of values of a dimension.
type setKey struct {
	dim int
	set string
}

// pred returns the uninterpreted predicate named key.
func (p *program) pred(key string) *formula {
	d := p.dimension("pred: "+key, 1, nil)
	return p.atomOf(d, ir.PointSet(ir.Uint64Value(1, 1)))
}

// compile builds the program for one family run and hook from both rulesets.
func compile(a, b *ir.Ruleset, fr familyRun, hook string) *program {
	p := newProgram(fr)
	p.compileSide(0, a, hook, nil)
	p.compileSide(1, b, hook, nil)
	p.finish()
	return p
}

// newProgram returns a program for family run fr with no side compiled.
func newProgram(fr familyRun) *program {
	p := &program{dimIndex: map[string]int{}, atomKey: map[setKey]int{}, atomOne: map[oneKey]int{}, fam: fr, predDims: map[string][]int{}, predOf: map[int][]int{},
		predSets: map[string][]string{}, setPreds: map[string][]int{}, depCache: map[*ir.Field]*formula{}}
	// Fixed dimensions first, so they are split first.
	p.dimension("meta nfproto", 8, ir.LookupField("meta nfproto"))
	p.dimension("meta l4proto", 8, ir.LookupField("meta l4proto"))
	return p
}

// compileSide compiles the base chains of rs on hook as side 0 or 1,
// side 0 first: dimensions and atoms are numbered in compile order, and
// the walk's order follows their numbers. It reports false, the program
// half built, when stop was set before it finished.
func (p *program) compileSide(side int, rs *ir.Ruleset, hook string, stop *atomic.Bool) bool {
	c := &compiler{p: p, rs: rs, chainOf: map[*ir.Table]map[string]int{}, stop: stop, side: side}
	p.sides[side] = c.baseChains(hook)
	return stop == nil || !stop.Load()
}

// finish completes a program whose sides are compiled.
func (p *program) finish() {
	// A predicate reading a written field changes with the write.
	for key, dims := range p.predDims {
		pd, ok := p.dimIndex["pred: "+key]
		if !ok {
			continue
		}
		for _, d := range dims {
			p.predOf[d] = append(p.predOf[d], pd)
		}
	}
	for d := range p.predOf {
		sort.Ints(p.predOf[d])
	}
	for set, keys := range p.predSets {
		for _, key := range keys {
			if pd, ok := p.dimIndex["pred: "+key]; ok {
				p.setPreds[set] = append(p.setPreds[set], pd)
			}
		}
	}
	p.fixGuards()
}

// compiler compiles one ruleset into a program.
type compiler struct {
	p       *program
	rs      *ir.Ruleset
	table   *ir.Table
	chainOf map[*ir.Table]map[string]int
	// pre is set while compiling chains that run before conntrack
	// (beforeConntrack): a chain reached from both stages is compiled
	// once for each.
	pre    bool
	byName map[*ir.Table]map[string]*ir.Chain
	setsOf map[*ir.Table]map[string]*ir.Set
	// anyOf caches anyBits per dimension and mask: every rule of a
	// zone may test "ct state new".
	anyOf map[anyKey]ir.IntervalSet
	// stop, when set, abandons the compilation (Prepare).
	stop *atomic.Bool
	// side is the ruleset being compiled (0 or 1); same memoizes, on
	// side 1, which chains are the same as side 0's (sameChain).
	side int
	same map[*ir.Chain]int8
}

// anyKey names a set of values with any bit of mask set on a dimension.
type anyKey struct {
	dim  int
	mask ir.Value
}

// lookupSet finds a set or map of table t by name through an index
// (firewalld-like tables hold thousands of sets).
func (c *compiler) lookupSet(t *ir.Table, name string) *ir.Set {
	return indexed(&c.setsOf, t, t.Sets, func(s *ir.Set) string { return s.Name })[name]
}

// lookupChain finds a chain of table t by name through an index.
func (c *compiler) lookupChain(t *ir.Table, name string) *ir.Chain {
	return indexed(&c.byName, t, t.Chains, func(ch *ir.Chain) string { return ch.Name })[name]
}

// indexed returns table t's items by name (the first of a name), built
// once per table into *cache.
func indexed[T any](cache *map[*ir.Table]map[string]T, t *ir.Table, items []T, name func(T) string) map[string]T {
	if *cache == nil {
		*cache = map[*ir.Table]map[string]T{}
	}
	m := (*cache)[t]
	if m == nil {
		m = make(map[string]T, len(items))
		for _, it := range items {
			if _, dup := m[name(it)]; !dup {
				m[name(it)] = it
			}
		}
		(*cache)[t] = m
	}
	return m
}

func (c *compiler) familyMatches(t *ir.Table) bool {
	for _, f := range c.p.fam.tables {
		if t.Family == f {
			return true
		}
	}
	return false
}

// baseChains compiles the base chains on hook of the tables that see
// this family's packets, sorted by priority, and every chain they reach.
func (c *compiler) baseChains(hook string) []int {
	var ids []int
	for _, t := range c.rs.Tables {
		if !c.familyMatches(t) {
			continue
		}
		for _, ch := range t.Chains {
			if ch.Base == nil || ch.Base.Hook != hook {
				continue
			}
			ids = append(ids, c.chain(t, ch))
		}
	}
	sort.SliceStable(ids, func(i, j int) bool {
		a, b := c.p.chains[ids[i]], c.p.chains[ids[j]]
		return a.prio < b.prio || a.prio == b.prio && a.order < b.order
	})
	return ids
}

// chain compiles a chain of table t (once) and returns its index.
func (c *compiler) chain(t *ir.Table, ch *ir.Chain) int {
	m := c.chainOf[t]
	if m == nil {
		m = map[string]int{}
		c.chainOf[t] = m
	}
	savedPre := c.pre
	if ch.Base != nil {
		c.pre = beforeConntrack(t.Family, ch.Base)
	}
	defer func() { c.pre = savedPre }()
	key := ch.Name
	if c.pre {
		key += "\x00before conntrack"
	}
	if id, ok := m[key]; ok {
		return id
	}
	if c.side == 1 && ch.Base == nil && shareChains {
		if id, ok := c.sameChain(t, ch); ok {
			m[key] = id
			return id
		}
	}
	cc := &cchain{id: len(c.p.chains), name: ch.Name, table: t}
	c.p.chains = append(c.p.chains, cc)
	m[key] = cc.id
	if c.side == 0 && ch.Base == nil {
		if c.p.firstSide == nil {
			c.p.firstSide = map[chainKey]firstChain{}
		}
		c.p.firstSide[chainKey{t.Family, t.Name, ch.Name, c.pre}] = firstChain{cc.id, t, ch}
	}
	if ch.Base != nil {
		cc.base = true
		cc.policy = ch.Base.Policy
		if cc.policy == "" {
			cc.policy = "accept"
		}
		cc.hook = ch.Base.Hook
		cc.prio = priorityValue(t.Family, ch.Base)
		var guards []*formula
		if len(ch.Base.Devices) > 0 && t.Family == ir.FamilyNetdev {
			guards = append(guards, c.devices(ch.Base.Devices))
		}
		if ch.Base.Type == "nat" {
			cc.natClobber = c.natFieldsOf(t, ch)
			guards = append(guards, c.natGuard(t, cc))
		}
		cc.guard = and(guards...)
	}
	saved := c.table
	c.table = t
	for i, r := range ch.Rules {
		if c.stop != nil && c.stop.Load() {
			break
		}
		id := c.rule(cc.id, r)
		c.p.rules[id].index = i
		cc.rules = append(cc.rules, id)
	}
	c.table = saved
	return cc.id
}

// shareChains lets the second ruleset use the first one's compiled
// chains where they are the same (sameChain); tests turn it off to
// compare.
var shareChains = true

// chainKey names a regular chain of a table as compiled for one stage
// (before conntrack or not); firstChain is the first ruleset's: its
// compiled id, its table and the chain.
type (
	chainKey struct {
		family      ir.Family
		table, name string
		pre         bool
	}
	firstChain struct {
		id    int
		table *ir.Table
		chain *ir.Chain
	}
)

// sameChain reports, compiling the second ruleset, a regular chain ch of
// table t that compiles to what the first ruleset's chain of that name
// compiled to, and returns that chain's id: the same rules (the
// optimizer keeps the rules it leaves alone), each made only of
// statements compiled from their own text and the table's sets, with
// the same sets in both tables, and jumps only to chains that are the
// same too. The optimizer leaves most chains of a kube-proxy ruleset
// alone: the proof then compiles them once.
func (c *compiler) sameChain(t *ir.Table, ch *ir.Chain) (int, bool) {
	first, ok := c.p.firstSide[chainKey{t.Family, t.Name, ch.Name, c.pre}]
	if !ok || len(first.chain.Rules) != len(ch.Rules) {
		return 0, false
	}
	switch c.same[ch] {
	case 1:
		return first.id, true
	case 2, 3: // not the same, or being decided (a loop)
		return 0, false
	}
	if c.same == nil {
		c.same = map[*ir.Chain]int8{}
	}
	c.same[ch] = 3
	same := true
	for i, r := range ch.Rules {
		if r != first.chain.Rules[i] || !c.sameRule(t, first.table, r) {
			same = false
			break
		}
	}
	c.same[ch] = 2
	if same {
		c.same[ch] = 1
	}
	return first.id, same
}

// sameRule reports a rule of table t (the second ruleset's) that
// compiles in ft (the first's) as it does in t: its statements are
// matches, verdicts, NAT, mark writes, anonymous counters, logs,
// limits, quotas and rejects; the named sets it reads are the same set
// in both tables; and the chains it jumps or goes to (inline chains
// included) are the same (sameChain).
func (c *compiler) sameRule(t, ft *ir.Table, r *ir.Rule) bool {
	for _, s := range r.Stmts {
		es, ok := textExprs(s)
		switch x := s.(type) {
		case *ir.VerdictStmt:
			if x.Verdict != nil && !c.sameTarget(t, ft, x.Verdict) {
				return false
			}
		case *ir.Counter:
			ok = ok && x.Name == nil
		case *ir.Quota:
			ok = ok && x.Name == nil
		}
		if !ok {
			return false
		}
		ok = !slices.ContainsFunc(es, func(e ir.Expr) bool {
			return anyExpr(e, func(e ir.Expr) bool {
				switch x := e.(type) {
				case *ir.SetRef:
					// The same set, whose verdicts (a named verdict
					// map) go to the same chains.
					set := c.lookupSet(t, x.Name)
					return set == nil || set != c.lookupSet(ft, x.Name) || slices.ContainsFunc(set.Elements, func(el *ir.Element) bool {
						v, ok := el.Value.(*ir.Verdict)
						return ok && !c.sameTarget(t, ft, v)
					})
				case *ir.Verdict:
					return !c.sameTarget(t, ft, x)
				}
				return false
			})
		})
		if !ok {
			return false
		}
	}
	return true
}

// sameTarget reports a verdict whose target, if it has one, is the same
// in both rulesets.
func (c *compiler) sameTarget(t, ft *ir.Table, v *ir.Verdict) bool {
	if v.Kind != "jump" && v.Kind != "goto" {
		return true
	}
	if v.Inline != nil {
		return !slices.ContainsFunc(v.Inline, func(r *ir.Rule) bool { return !c.sameRule(t, ft, r) })
	}
	target := c.lookupChain(t, v.Chain)
	if target == nil || target.Base != nil {
		return false
	}
	_, ok := c.sameChain(t, target)
	return ok
}

// natBlock orders the nat chains of a hook after the other base chains
// of the NAT hook's priority, and among themselves by their own.
const natBlock = 1 << 40

// natGuard places a nat base chain of table t and returns the packets
// it sees. In ip, ip6 and inet tables nat chains run inside conntrack's
// NAT hook, at priority -100 (prerouting, output) or 100 (input,
// postrouting) whatever their own priority, which only orders them
// among themselves. They see the first packet of a connection (ct
// state new, or related for an expected connection) while its NAT for
// the hook is not set up: the nat-done bit of ct status is clear. (A
// retransmitted first packet, or an ICMP error about an existing
// connection, gets the translation conntrack already holds, a value the
// model does not know.) Once they ran, conntrack sets that bit (and
// snat or dnat when they translated). Bridge nat chains are plain
// chains on the first packet.
func (c *compiler) natGuard(t *ir.Table, cc *cchain) *formula {
	st := ir.LookupField("ct state")
	sd := c.p.dimension(st.Name, st.Width, st)
	first := ir.PointSet(ir.Uint64Value(8, st.Width))
	if t.Family == ir.FamilyBridge {
		return c.p.atomOf(sd, first)
	}
	first = first.Union(ir.PointSet(ir.Uint64Value(4, st.Width)))
	var done uint64 = 1 << 7 // IPS_SRC_NAT_DONE
	// The NAT hook is one entry of the hook's list: its chains stay
	// together, after the other chains of its priority.
	cc.order, cc.prio = natBlock+int64(cc.prio), 100
	if cc.hook == "prerouting" || cc.hook == "output" {
		done, cc.prio = 1<<8, -100 // IPS_DST_NAT_DONE
	}
	status := ir.LookupField("ct status")
	notDone, _ := c.maskTest(status, ir.Uint64Value(done, 32).Bytes(), make([]byte, 4), true)
	dims := c.byteDims(status)
	// The done bit and the snat (bit 4) and dnat (bit 5) bits.
	cc.natDone = []string{c.p.dims[dims[2]].key, c.p.dims[dims[3]].key}
	return and(c.p.atomOf(sd, first), notDone)
}

// beforeConntrack reports a base chain that runs before conntrack has
// looked the packet up: netdev chains and ingress and egress hooks,
// which conntrack never sees, and prerouting and output chains at
// conntrack's priority (-200) or lower (at -200 the order depends on
// which registered first). There no packet has a conntrack entry yet
// (ct state reads invalid, untracked after notrack, new after a
// template is set) and "ct mark set" writes nothing: its ct matches are
// predicates of their own, and its ct writes values the model does not
// know.
func beforeConntrack(fam ir.Family, b *ir.BaseChain) bool {
	switch {
	case fam == ir.FamilyNetdev || b.Hook == "ingress" || b.Hook == "egress":
		return true
	case b.Hook == "prerouting" || b.Hook == "output":
		return fam != ir.FamilyARP && priorityValue(fam, b) <= -200
	}
	return false
}

// notrack compiles notrack before conntrack: a packet without a
// conntrack entry (ct state invalid) becomes untracked; one that has an
// entry or a template (a looped-back packet, ct zone set) keeps it.
func (c *compiler) notrack() step {
	f := ir.LookupField("ct state")
	d := c.p.dimension(c.preState(), f.Width, f)
	invalid := ir.PointSet(ir.Uint64Value(1, f.Width))
	return step{kind: stepBranch, lookup: &lookup{branches: []branch{
		{cond: c.p.atomOf(d, invalid), writes: []fieldWrite{{d, ir.Uint64Value(64, f.Width)}}, src: "notrack"},
		{cond: c.p.atomOf(d, invalid.Complement()), src: "notrack"},
	}}}
}

// readsCtEntry reports expressions that read a ct key other than ct
// state: a key the packet's conntrack entry holds.
func readsCtEntry(es ...ir.Expr) bool {
	return slices.ContainsFunc(selectorsIn(es...), func(sel *ir.Selector) bool { return needsConntrack(sel.Field) })
}

// preStateKey names the dimension of ct state before conntrack: a value
// of its own, not the one later chains read.
const preStateKey = "ct state before conntrack"

// preState makes the dimension of ct state before conntrack and
// returns its key.
func (c *compiler) preState() string {
	f := ir.LookupField("ct state")
	c.p.dimension(preStateKey, f.Width, f)
	return preStateKey
}

func (c *compiler) devices(devs []string) *formula {
	f := ir.LookupField("meta iifname")
	d := c.p.dimension(f.Name, f.Width, f)
	var set ir.IntervalSet
	for i, dev := range devs {
		s := stringSet(dev, false, f.Width)
		if i == 0 {
			set = s
		} else {
			set = set.Union(s)
		}
	}
	return c.p.atomOf(d, set)
}

// priorityValue is the numeric priority of a base chain.
func priorityValue(fam ir.Family, b *ir.BaseChain) int {
	if b.Priority.Name == "" {
		return b.Priority.Offset
	}
	base := map[string]int{"raw": -300, "mangle": -150, "dstnat": -100, "filter": 0, "security": 50, "srcnat": 100}
	if fam == ir.FamilyBridge {
		base = map[string]int{"dstnat": -300, "filter": -200, "out": 100, "srcnat": 300}
	}
	return base[b.Priority.Name] + b.Priority.Offset
}

// rule compiles one rule.
func (c *compiler) rule(chain int, r *ir.Rule) int {
	if done, ok := c.p.shared[sharedKey{r, c.pre}]; ok {
		cr := *done
		cr.id, cr.chain = len(c.p.rules), chain
		c.p.rules = append(c.p.rules, &cr)
		return cr.id
	}
	cr := &crule{id: len(c.p.rules), chain: chain, src: r, steps: make([]step, 0, len(r.Stmts)+1)}
	c.p.rules = append(c.p.rules, cr)
	if contextFree(r) {
		if c.p.shared == nil {
			c.p.shared = map[sharedKey]*crule{}
		}
		c.p.shared[sharedKey{r, c.pre}] = cr
	}
	var guard []*formula
	inGuard := true
	for _, s := range r.Stmts {
		n := len(cr.steps)
		if readsConntrack(s) {
			// The statement's expression breaks the rule for a packet
			// without a conntrack entry, before the statement acts.
			cond := c.tracked()
			if c.pre {
				cond = c.p.pred("before conntrack: " + ir.StmtKey(s))
			}
			cr.steps = append(cr.steps, step{kind: stepMatch, cond: cond})
		}
		cr.steps = c.stmt(cr.steps, s, r)
		for i := n; i < len(cr.steps); i++ {
			if x := &cr.steps[i]; x.kind == stepMatch && inGuard {
				guard = append(guard, x.cond)
			} else {
				inGuard = false
			}
		}
	}
	cr.guard = and(guard...)
	for i := range cr.steps {
		st := &cr.steps[i]
		if st.cond != nil {
			cr.atomsUsed = st.cond.atoms(cr.atomsUsed)
		}
		if st.kind == stepBranch {
			for _, b := range st.branches {
				cr.atomsUsed = b.cond.atoms(cr.atomsUsed)
			}
			c.p.indexBranches(st)
		}
	}
	cr.atomsUsed = dedupe(cr.atomsUsed)
	for i := range cr.steps {
		if st := &cr.steps[i]; st.kind == stepVerdict && (st.verdict.kind == "jump" || st.verdict.kind == "goto") ||
			st.kind == stepBranch && slices.ContainsFunc(st.branches, func(b branch) bool { return b.verdict.kind == "jump" || b.verdict.kind == "goto" }) {
			cr.calls = append(cr.calls, i)
		}
	}
	var plain []int
	for i := range cr.steps {
		st := &cr.steps[i]
		if st.cond != nil {
			plain = st.cond.atoms(plain)
		}
		if st.kind == stepBranch {
			cr.lookups = append(cr.lookups, i)
		}
	}
	for _, at := range dedupe(plain) {
		d := c.p.atoms[at].dim
		cr.byDim = cr.byDim.add(d, at)
	}
	for _, at := range cr.guard.atoms(plain[:0]) {
		// A guard tests a few dimensions: a list beats a map.
		if d := c.p.atoms[at].dim; !slices.Contains(cr.guardDims, d) {
			cr.guardDims = append(cr.guardDims, d)
		}
	}
	if c.p.drawDims != nil {
		c.p.recordDraws(cr)
	}
	return cr.id
}

// sharedKey names a rule compiled for one stage (before conntrack or
// not).
type sharedKey struct {
	r   *ir.Rule
	pre bool
}

// contextFree reports a rule whose compiled form depends on the rule
// alone, not on its table: no jump or goto (chain ids are per ruleset),
// no verdict map, no named set or map, no expression kept as words (a
// number generator draws), and only statements compiled from their own
// text. The steps of such a rule are
// shared by every compilation of it.
func contextFree(r *ir.Rule) bool {
	for _, s := range r.Stmts {
		es, ok := textExprs(s)
		if v, isVerdict := s.(*ir.VerdictStmt); !ok || isVerdict && (v.Vmap != nil || v.Verdict == nil || v.Verdict.Kind == "jump" || v.Verdict.Kind == "goto") {
			return false
		}
		// Named sets are the table's; words (numgen, fib, ...) may draw
		// numbers or hide anything.
		tableOrWords := func(e ir.Expr) bool {
			switch e.(type) {
			case *ir.SetRef, *ir.Special:
				return true
			}
			return false
		}
		if slices.ContainsFunc(es, func(e ir.Expr) bool { return anyExpr(e, tableOrWords) }) {
			return false
		}
	}
	return true
}

// textExprs returns the expressions of a statement the compiler reads
// from the statement itself: matches, verdicts (a verdict map), NAT,
// writes, counters, logs, limits, quotas and rejects; ok is false for
// any other statement.
func textExprs(s ir.Stmt) (es []ir.Expr, ok bool) {
	switch x := s.(type) {
	case *ir.Match:
		return []ir.Expr{x.Left, x.Right}, true
	case *ir.VerdictStmt:
		if x.Vmap != nil {
			return []ir.Expr{x.Vmap}, true
		}
		return nil, true
	case *ir.Nat:
		return []ir.Expr{x.Addr, x.Port}, true
	case *ir.Mangle:
		return []ir.Expr{x.Left, x.Value}, true
	case *ir.Counter, *ir.Log, *ir.Limit, *ir.Quota, *ir.Reject:
		return nil, true
	}
	return nil, false
}

// anyExpr reports whether f holds for e or any expression inside it.
func anyExpr(e ir.Expr, f func(ir.Expr) bool) bool {
	if e == nil {
		return false
	}
	if f(e) {
		return true
	}
	in := func(es ...ir.Expr) bool {
		return slices.ContainsFunc(es, func(x ir.Expr) bool { return anyExpr(x, f) })
	}
	switch x := e.(type) {
	case *ir.Binop:
		return in(x.X, x.Y)
	case *ir.Concat:
		return in(x.Parts...)
	case *ir.List:
		return in(x.Items...)
	case *ir.MapExpr:
		return in(x.Key, x.Map)
	case *ir.SetExpr:
		for _, el := range x.Elems {
			if in(el.Key, el.Value) {
				return true
			}
		}
	case *ir.Prefix:
		return in(x.X)
	case *ir.Range:
		return in(x.Lo, x.Hi)
	case *ir.Special:
		return in(x.Args...)
	}
	return false
}

// recordDraws notes, for each step of r, the number generators whose
// predicates it tests.
func (p *program) recordDraws(r *crule) {
	for i := range r.steps {
		st := &r.steps[i]
		var fs []*formula
		switch st.kind {
		case stepMatch:
			fs = append(fs, st.cond)
		case stepBranch:
			for _, b := range st.branches {
				fs = append(fs, b.cond)
			}
		}
		var gens []string
		for _, f := range fs {
			f.eachAtom(func(at int) bool {
				if gen, ok := p.drawOf[p.atoms[at].dim]; ok && !slices.Contains(gens, gen) {
					gens = append(gens, gen)
				}
				return true
			})
		}
		if len(gens) > 0 {
			sort.Strings(gens)
			if p.stepDraws == nil {
				p.stepDraws = map[*step][]string{}
			}
			p.stepDraws[st] = gens
			r.draws = true
		}
	}
}

func dedupe(xs []int) []int {
	sort.Ints(xs)
	out := xs[:0]
	for i, x := range xs {
		if i == 0 || x != xs[i-1] {
			out = append(out, x)
		}
	}
	return out
}

// indexBranches indexes a map lookup's branches by the atom each one
// requires on a common dimension, when there is one.
func (p *program) indexBranches(st *step) {
	st.branchDim = -1
	var all []int
	for _, b := range st.branches {
		all = b.cond.atoms(all)
	}
	for _, at := range dedupe(all) {
		d := p.atoms[at].dim
		st.byDim = st.byDim.add(d, at)
	}
	st.common = fTrue
	if len(st.branches) > 0 {
		count := map[int]int{}
		for _, b := range st.branches {
			for _, at := range dedupe(b.cond.topAtoms()) {
				count[at]++
			}
		}
		var ats []int
		for at, n := range count {
			if n == len(st.branches) {
				ats = append(ats, at)
			}
		}
		sort.Ints(ats)
		common := make([]*formula, len(ats))
		for i, at := range ats {
			common[i] = p.atomFormula(at)
		}
		st.common = and(common...)
	}
	st.every = make([]int, len(st.branches))
	for i := range st.every {
		st.every[i] = i
	}
	if len(st.branches) < 8 {
		return
	}
	required := func(f *formula) []int {
		switch f.op {
		case 'a':
			return []int{f.atom}
		case '&':
			var out []int
			for _, k := range f.kids {
				if k.op == 'a' {
					out = append(out, k.atom)
				}
			}
			return out
		}
		return nil
	}
	// Index by the dimension that tells the most branches apart.
	first := required(st.branches[0].cond)
	best, bestIdx := -1, map[int][]int(nil)
	for _, cand := range first {
		d := p.atoms[cand].dim
		idx := map[int][]int{}
		for i, b := range st.branches {
			found := false
			for _, at := range required(b.cond) {
				if p.atoms[at].dim == d {
					idx[at] = append(idx[at], i)
					found = true
					break
				}
			}
			if !found {
				idx = nil
				break
			}
		}
		if idx != nil && (bestIdx == nil || len(idx) > len(bestIdx)) {
			best, bestIdx = d, idx
		}
	}
	if bestIdx == nil {
		return
	}
	st.branchDim, st.branchIndex = best, bestIdx
	for at := range bestIdx {
		st.indexAtoms = append(st.indexAtoms, at)
	}
	sort.Ints(st.indexAtoms)
}

// allBranches lists every branch of a lookup, 0 to n-1: the list
// indexBranches made, or a new one for a lookup it did not index.
func (st *lookup) allBranches() []int {
	if len(st.every) == len(st.branches) {
		return st.every // read only
	}
	out := make([]int, len(st.branches))
	for i := range out {
		out[i] = i
	}
	return out
}

func (c *compiler) effect(s ir.Stmt, r *ir.Rule) *Effect {
	e := &Effect{Key: effectKey(s), Stmt: s, Rule: r}
	if k, ok := s.(*ir.Counter); ok && k.Name == nil {
		e.Counter = true
	}
	return e
}

// stmt compiles one statement into steps appended to dst.
func (c *compiler) stmt(dst []step, s ir.Stmt, r *ir.Rule) []step {
	switch x := s.(type) {
	case *ir.Match:
		return append(dst, step{kind: stepMatch, cond: c.match(x)})
	case *ir.VerdictStmt:
		if x.Vmap != nil {
			return append(dst, c.vmap(x.Vmap, r))
		}
		return append(dst, step{kind: stepVerdict, verdict: c.verdict(x.Verdict)})
	case *ir.Counter:
		return append(dst, step{kind: stepEffect, effect: c.effect(s, r)})
	case *ir.Limit, *ir.Quota:
		// Token buckets and quotas: an effect, and a predicate on their state.
		return append(dst, step{kind: stepEffect, effect: c.effect(s, r)}, step{kind: stepMatch, cond: c.p.pred(ir.StmtKey(s))})
	case *ir.Log:
		return append(dst, step{kind: stepEffect, effect: c.effect(s, r)})
	case *ir.SetStmt:
		// Later lookups of the set may see the element it adds or deletes.
		eff := c.effect(s, r)
		return append(dst, step{kind: stepEffect, effect: eff}, step{kind: stepClobber, change: &change{clobber: []string{"set:" + strings.TrimPrefix(x.Set, "@")}, src: "update " + eff.Key}})
	case *ir.Reject:
		return append(dst, step{kind: stepEffect, effect: c.effect(s, r)}, step{kind: stepVerdict, verdict: verdict{kind: "drop"}})
	case *ir.Nat:
		m, ok := x.Addr.(*ir.MapExpr)
		if !ok && x.Addr == nil {
			m, ok = x.Port.(*ir.MapExpr)
		}
		if ok {
			if br, ok := c.mapBranches(m, s, r, "accept"); ok {
				for i := range br.branches {
					b := &br.branches[i]
					b.writes, b.clobber = c.natEffects(b.effect.Stmt.(*ir.Nat))
					b.src = "nat " + b.effect.Key
				}
				return append(dst, br)
			}
		}
		writes, clobber := c.natEffects(x)
		eff := c.effect(s, r)
		src := "nat " + eff.Key
		steps := append(slices.Grow(dst, len(writes)+3), step{kind: stepEffect, effect: eff})
		changes := make([]change, len(writes))
		for i, w := range writes {
			changes[i] = change{dim: w.dim, value: w.value, src: src}
			steps = append(steps, step{kind: stepWrite, change: &changes[i]})
		}
		if len(clobber) > 0 {
			steps = append(steps, step{kind: stepClobber, change: &change{clobber: clobber, src: src}})
		}
		return append(steps, step{kind: stepVerdict, verdict: verdict{kind: "accept"}})
	case *ir.Mangle:
		return c.mangle(dst, x, r)
	case *ir.Generic:
		steps := append(dst, step{kind: stepEffect, effect: c.effect(s, r)})
		if c.pre && x.Kind == "notrack" {
			steps = append(steps, c.notrack())
		}
		switch x.Kind {
		case "queue":
			steps = append(steps, step{kind: stepVerdict, verdict: verdict{kind: "queue"}})
		case "fwd", "synproxy":
			steps = append(steps, step{kind: stepVerdict, verdict: verdict{kind: "stolen"}})
		case "connlimit":
			steps = append(steps, step{kind: stepMatch, cond: c.p.pred(ir.StmtKey(s))})
		}
		return steps
	}
	return append(dst, step{kind: stepEffect, effect: c.effect(s, r)})
}

// mangle compiles "X set V": a write of a constant to a known dimension
// changes what later matches see; other writes are effects only.
func (c *compiler) mangle(dst []step, m *ir.Mangle, r *ir.Rule) []step {
	eff := step{kind: stepEffect, effect: c.effect(m, r)}
	sel, ok := m.Left.(*ir.Selector)
	if !ok {
		return append(dst, eff)
	}
	d := c.selectorDim(sel)
	if d < 0 {
		return append(dst, eff)
	}
	if c.pre && sel.Field.Base == ir.BaseCT {
		// Before conntrack a ct write sets a template (ct zone) or
		// nothing: the packet's ct state may change too.
		return append(dst, eff, step{kind: stepClobber, change: &change{clobber: []string{c.p.dims[d].key, c.preState()}, src: "write " + eff.effect.Key}})
	}
	if !plainWrite(sel.Field) {
		// The field does not simply take the value.
		return append(dst, eff, step{kind: stepClobber, change: &change{clobber: []string{c.p.dims[d].key}, src: "write " + eff.effect.Key}})
	}
	if k, ok := m.Value.(*ir.Const); ok {
		if v, ok := c.constValue(k, c.p.dims[d].width); ok {
			return append(dst, step{kind: stepWrite, effect: eff.effect, change: &change{dim: d, value: v, src: "write " + eff.effect.Key}})
		}
	}
	if mp, ok := m.Value.(*ir.MapExpr); ok && !mp.Vmap {
		if br, ok := c.mapBranches(mp, m, r, ""); ok {
			for i := range br.branches {
				b := &br.branches[i]
				b.src = "write " + b.effect.Key
				if k, ok := b.effect.Stmt.(*ir.Mangle).Value.(*ir.Const); ok {
					if v, ok := c.constValue(k, c.p.dims[d].width); ok {
						b.writes = []fieldWrite{{d, v}}
						continue
					}
				}
				b.clobber = []string{c.p.dims[d].key}
			}
			return append(dst, br)
		}
	}
	// A computed value: later matches on the field see a value the
	// model does not know.
	return append(dst, eff, step{kind: stepClobber, change: &change{clobber: []string{c.p.dims[d].key}, src: "write " + eff.effect.Key}})
}

// plainWrite reports a field that "X set V" sets to V. Of the ct keys
// only mark and secmark are: "ct label set" adds a label to those the
// connection has, and "ct zone set" and "ct helper set" act only on a
// connection conntrack has not confirmed yet.
func plainWrite(f *ir.Field) bool {
	return f.Base != ir.BaseCT || f.Key == "mark" || f.Key == "secmark"
}

// mapBranches compiles a statement whose value comes from a literal map:
// one branch per element, each with the effect "statement with this
// element". A miss ends the rule.
func (c *compiler) mapBranches(m *ir.MapExpr, s ir.Stmt, r *ir.Rule, terminal string) (step, bool) {
	set, ok := m.Map.(*ir.SetExpr)
	if !ok {
		return step{}, false
	}
	st := step{kind: stepBranch, lookup: &lookup{}}
	for _, el := range set.Elems {
		if el.Value == nil {
			// An element whose value nftopt did not read (written
			// "80:10.0.0.1", one word to its lexer).
			c.p.unknown = append(c.p.unknown, fmt.Sprintf("map element %s has no value nftopt reads", ir.ExprKey(el.Key)))
			return step{}, false
		}
		cond := c.keyMatch(m.Key, el.Key)
		resolved := resolveMapped(s, el.Value)
		st.branches = append(st.branches, branch{
			cond:     cond,
			effect:   &Effect{Key: effectKey(resolved), Stmt: resolved, Rule: r},
			terminal: terminal,
		})
	}
	return st, true
}

// vmap compiles a verdict map.
func (c *compiler) vmap(m *ir.MapExpr, r *ir.Rule) step {
	elems, ok := c.mapElements(m.Map)
	if !ok {
		// A verdict map that is not declared here: its verdict is
		// uninterpreted.
		return step{kind: stepVerdict, verdict: verdict{kind: "vmap " + ir.ExprKey(m)}}
	}
	st := step{kind: stepBranch, lookup: &lookup{}}
	for _, el := range elems {
		v, ok := el.Value.(*ir.Verdict)
		if !ok {
			// An element without a verdict the model reads: it must not
			// be taken for "no element matched".
			c.p.unknown = append(c.p.unknown, fmt.Sprintf("verdict map element %s has no verdict nftopt reads", ir.ExprKey(el.Key)))
			return step{kind: stepVerdict, verdict: verdict{kind: "drop"}}
		}
		b := branch{cond: c.keyMatch(m.Key, el.Key), verdict: c.verdict(v)}
		for _, s := range el.Stmts {
			// Per-element statements (counters) run when the element matches.
			b.effect = c.effect(s, r)
		}
		st.branches = append(st.branches, b)
	}
	return st
}

// mapElements returns the elements of an inline map, or those a named
// map of the current table declares: the map as the ruleset loads it.
// Elements added at run time are outside the proof; Check refuses to
// prove changes to chains only such elements could reach.
func (c *compiler) mapElements(m ir.Expr) ([]*ir.Element, bool) {
	switch x := m.(type) {
	case *ir.SetExpr:
		return x.Elems, true
	case *ir.SetRef:
		if st := c.lookupSet(c.table, strings.TrimPrefix(x.Name, "@")); st != nil && st.Map {
			return st.Elements, true
		}
	}
	return nil, false
}

// verdict compiles a verdict, compiling the chain it jumps to.
func (c *compiler) verdict(v *ir.Verdict) verdict {
	switch v.Kind {
	case "jump", "goto":
		if v.Inline != nil {
			ch := &ir.Chain{Name: fmt.Sprintf("{anonymous %s:%d}", v.Pos().File, v.Pos().Line), Rules: v.Inline}
			return verdict{kind: v.Kind, target: c.chain(c.table, ch)}
		}
		ch := c.lookupChain(c.table, v.Chain)
		if ch == nil {
			c.p.unknown = append(c.p.unknown, fmt.Sprintf("chain %s does not exist in table %s %s", v.Chain, c.table.Family, c.table.Name))
			return verdict{kind: "drop"}
		}
		return verdict{kind: v.Kind, target: c.chain(c.table, ch)}
	}
	return verdict{kind: v.Kind}
}

// selectorDim returns the dimension a selector reads, or -1 when the
// selector is not modeled as a dimension.
func (c *compiler) selectorDim(s *ir.Selector) int {
	f := s.Field
	switch {
	case f.Type.Kind == ir.KindInetAddr:
		return -1
	case f.Name == "ip protocol":
		// For IPv4 packets that are not fragments, as meta l4proto.
		f = ir.LookupField("meta l4proto")
	}
	key := f.Name
	if s.Dir != "" {
		key += " " + s.Dir
	}
	if c.pre && f.Name == "ct state" {
		key = preStateKey
	}
	w := f.Width
	if f.Type.Kind == ir.KindIfindex {
		w = 128 // interface names stand for indexes
	}
	return c.p.dimension(key, w, f)
}

// deps returns the formula of the protocol a field needs.
func (c *compiler) deps(f *ir.Field) *formula {
	if f.Dep == nil && !needsConntrack(f) {
		return fTrue
	}
	if d, ok := c.p.depCache[f]; ok {
		return d
	}
	d := c.depsOf(f)
	c.p.depCache[f] = d
	return d
}

// depsOf builds the dependency formula of f (deps caches it per field).
func (c *compiler) depsOf(f *ir.Field) *formula {
	var fs []*formula
	if needsConntrack(f) {
		fs = append(fs, c.tracked())
	}
	if f.Dep == nil {
		return and(fs...)
	}
	if f.Dep.L3 != "" && (c.p.fam.nfproto != 0 || c.p.fam.dual) {
		want := map[string]uint64{"ip": 2, "ip6": 10}[f.Dep.L3]
		d := c.p.dimIndex["meta nfproto"]
		fs = append(fs, c.p.atomOf(d, ir.PointSet(ir.Uint64Value(want, 8))))
	}
	if f.Dep.L4 >= 0 || f.Proto == "th" {
		d := c.p.dimIndex["meta l4proto"]
		var set ir.IntervalSet
		if f.Dep.L4 >= 0 {
			set = ir.PointSet(ir.Uint64Value(uint64(f.Dep.L4), 8))
		} else {
			set = ir.EmptySet(8)
			for _, n := range []uint64{6, 17, 33, 132, 136} {
				set = set.Union(ir.PointSet(ir.Uint64Value(n, 8)))
			}
		}
		fs = append(fs, c.p.atomOf(d, set))
	}
	return and(fs...)
}

// needsConntrack reports a ct key the kernel reads from the packet's
// conntrack entry: for a packet without one (ct state invalid or
// untracked) the expression breaks the rule, "ct mark != 1" included.
// ct state itself is defined for every packet.
func needsConntrack(f *ir.Field) bool {
	return f.Base == ir.BaseCT && f.Key != "state"
}

// readsConntrack reports a statement other than a match whose value
// reads a ct key that needs a conntrack entry ("meta mark set ct mark").
func readsConntrack(s ir.Stmt) bool {
	var es []ir.Expr
	switch x := s.(type) {
	case *ir.Mangle:
		es = []ir.Expr{x.Value}
	case *ir.Nat:
		es = []ir.Expr{x.Addr, x.Port}
	case *ir.SetStmt:
		es = []ir.Expr{x.Key, x.Data}
	default:
		return false
	}
	return readsCtEntry(es...)
}

// tracked is the formula of "the packet has a conntrack entry": ct state
// established, related or new.
func (c *compiler) tracked() *formula {
	f := ir.LookupField("ct state")
	d := c.p.dimension(f.Name, f.Width, f)
	set := ir.EmptySet(f.Width)
	for _, bit := range []uint64{2, 4, 8} {
		set = set.Union(ir.PointSet(ir.Uint64Value(bit, f.Width)))
	}
	return c.p.atomOf(d, set)
}

// match compiles a match to a formula. What it cannot model becomes an
// uninterpreted predicate named by the match's text.
func (c *compiler) match(m *ir.Match) *formula {
	if c.pre && readsCtEntry(m.Left, m.Right) {
		return c.p.pred("before conntrack: " + ir.StmtKey(m))
	}
	if f, ok := c.matchModel(m); ok {
		return f
	}
	key := ir.StmtKey(m)
	if gen := drawIn(m.Left); gen != "" {
		d := c.p.dimension("pred: "+key, 1, nil)
		if !slices.Contains(c.p.drawDims[gen], d) {
			if c.p.drawDims == nil {
				c.p.drawDims, c.p.drawOf = map[string][]int{}, map[int]string{}
			}
			c.p.drawDims[gen] = append(c.p.drawDims[gen], d)
			c.p.drawOf[d] = gen
		}
	}
	if _, seen := c.p.predDims[key]; !seen {
		var dims []int
		for _, sel := range selectorsIn(m.Left, m.Right) {
			if d := c.selectorDim(sel); d >= 0 {
				dims = append(dims, d)
			}
		}
		c.p.predDims[key] = dims
		for _, set := range setRefsIn(m.Left, m.Right) {
			c.p.predSets[set] = append(c.p.predSets[set], key)
		}
	}
	return c.p.pred(key)
}

// drawIn returns the text of the number generator (numgen random or
// numgen inc) e evaluates, or "". Each evaluation of one draws a new
// number, so two matches on it are not two tests of one value.
func drawIn(e ir.Expr) string {
	switch x := e.(type) {
	case *ir.Special:
		if x.Kind == "numgen" {
			return ir.ExprKey(x)
		}
	case *ir.Binop:
		if g := drawIn(x.X); g != "" {
			return g
		}
		return drawIn(x.Y)
	case *ir.Concat:
		for _, p := range x.Parts {
			if g := drawIn(p); g != "" {
				return g
			}
		}
	}
	return ""
}

// setRefsIn lists the named sets and maps expressions look up.
func setRefsIn(es ...ir.Expr) []string {
	var out []string
	for _, e := range es {
		switch x := e.(type) {
		case *ir.SetRef:
			out = append(out, strings.TrimPrefix(x.Name, "@"))
		case *ir.MapExpr:
			out = append(out, setRefsIn(x.Map)...)
		}
	}
	return out
}

// selectorsIn lists the selectors an expression reads.
func selectorsIn(es ...ir.Expr) []*ir.Selector {
	var out []*ir.Selector
	var walk func(e ir.Expr)
	walk = func(e ir.Expr) {
		switch x := e.(type) {
		case *ir.Selector:
			out = append(out, x)
		case *ir.Binop:
			walk(x.X)
			walk(x.Y)
		case *ir.Concat:
			for _, p := range x.Parts {
				walk(p)
			}
		case *ir.List:
			for _, it := range x.Items {
				walk(it)
			}
		case *ir.SetExpr:
			for _, el := range x.Elems {
				walk(el.Key)
			}
		case *ir.MapExpr:
			walk(x.Key)
		case *ir.Prefix:
			walk(x.X)
		case *ir.Range:
			walk(x.Lo)
			walk(x.Hi)
		case *ir.Special:
			for _, a := range x.Args {
				walk(a)
			}
		}
	}
	for _, e := range es {
		walk(e)
	}
	return out
}

func (c *compiler) matchModel(m *ir.Match) (*formula, bool) {
	if raw, ok := m.Left.(*ir.RawPayload); ok && raw.Len <= 128 {
		// A raw payload read is a dimension like a field of its width.
		m = &ir.Match{Node: m.Node, Left: &ir.Selector{Node: raw.Node, Field: ir.RawField(raw.Base, raw.Offset, raw.Len)}, Op: m.Op, Right: m.Right}
	}
	if f, ok := c.byteWiseMatch(m); ok {
		return and(c.deps(matchedField(m.Left)), f), true
	}
	switch l := m.Left.(type) {
	case *ir.Selector:
		d := c.selectorDim(l)
		if d < 0 {
			return nil, false
		}
		w := c.p.dims[d].width
		var set ir.IntervalSet
		var ok bool
		if l.Field.Type.IsBitmask() && m.Op == ir.OpImplicit && !isSetLiteral(m.Right) {
			set, ok = c.anyBits(d, m.Right, w)
		} else if m.Op == ir.OpNotAny {
			set, ok = c.anyBits(d, m.Right, w)
			set = set.Complement()
		} else {
			set, ok = c.valueSet(m.Right, w, l.Field.Type)
			if ok {
				set, ok = applyOp(m.Op, set)
			}
		}
		if !ok {
			return nil, false
		}
		return and(c.deps(l.Field), c.p.atomOf(d, set)), true
	case *ir.Binop:
		sel, ok1 := l.X.(*ir.Selector)
		mask, ok2 := l.Y.(*ir.Const)
		if !ok1 || !ok2 || l.Op != "&" || (m.Op != ir.OpEq && m.Op != ir.OpImplicit && m.Op != ir.OpNeq) {
			return nil, false
		}
		d := c.selectorDim(sel)
		if d < 0 {
			return nil, false
		}
		w := c.p.dims[d].width
		mv, ok := c.constValue(mask, w)
		if !ok {
			return nil, false
		}
		// The value, or a set of values: the union of their masked sets.
		var vals []ir.Expr
		switch r := m.Right.(type) {
		case *ir.Const:
			vals = []ir.Expr{r}
		case *ir.SetExpr:
			for _, e := range r.Elems {
				vals = append(vals, e.Key)
			}
		default:
			return nil, false
		}
		set := ir.EmptySet(w)
		for _, x := range vals {
			val, ok := x.(*ir.Const)
			if !ok {
				return nil, false
			}
			vv, ok := c.constValue(val, w)
			if !ok {
				return nil, false
			}
			one, ok := c.maskSet(d, mv, vv)
			if !ok {
				return nil, false
			}
			set = set.Union(one)
		}
		if m.Op == ir.OpNeq {
			set = set.Complement()
		}
		return and(c.deps(sel.Field), c.p.atomOf(d, set)), true
	case *ir.Concat:
		s, ok := m.Right.(*ir.SetExpr)
		if !ok || (m.Op != ir.OpImplicit && m.Op != ir.OpEq) {
			return nil, false
		}
		return c.concatSet(l, s)
	}
	return nil, false
}

// matchedField is the field a match's left side reads: a selector,
// possibly masked.
func matchedField(e ir.Expr) *ir.Field {
	if b, ok := e.(*ir.Binop); ok {
		e = b.X
	}
	return e.(*ir.Selector).Field
}

func isSetLiteral(e ir.Expr) bool { _, ok := e.(*ir.SetExpr); return ok }

// concatSet compiles "a . b { x . y, ... }" as a disjunction of conjunctions.
func (c *compiler) concatSet(l *ir.Concat, s *ir.SetExpr) (*formula, bool) {
	var dims []int
	var deps []*formula
	var sels []*ir.Selector
	for _, part := range l.Parts {
		sel, ok := part.(*ir.Selector)
		if raw, isRaw := part.(*ir.RawPayload); isRaw && raw.Len <= 128 {
			sel, ok = &ir.Selector{Field: ir.RawField(raw.Base, raw.Offset, raw.Len)}, true
		}
		if !ok {
			return nil, false
		}
		sels = append(sels, sel)
		d := c.selectorDim(sel)
		if d < 0 {
			return nil, false
		}
		dims = append(dims, d)
		deps = append(deps, c.deps(sel.Field))
	}
	var alts []*formula
	for _, el := range s.Elems {
		k, ok := el.Key.(*ir.Concat)
		if !ok || len(k.Parts) != len(dims) {
			return nil, false
		}
		var conj []*formula
		for i, part := range k.Parts {
			set, ok := c.valueSet(part, c.p.dims[dims[i]].width, sels[i].Field.Type)
			if !ok {
				return nil, false
			}
			conj = append(conj, c.p.atomOf(dims[i], set))
		}
		alts = append(alts, and(conj...))
	}
	return and(and(deps...), or(alts...)), true
}

// keyMatch compiles "key is element" for map lookups.
func (c *compiler) keyMatch(key, elem ir.Expr) *formula {
	m := &ir.Match{Left: key, Op: ir.OpEq, Right: elem}
	if k, ok := key.(*ir.Concat); ok {
		if f, ok := c.concatSet(k, &ir.SetExpr{Elems: []*ir.Element{{Key: elem}}}); ok {
			return f
		}
	}
	return c.match(m)
}

// applyOp turns the set of the right side into the set of values the
// operator accepts.
func applyOp(op ir.Op, set ir.IntervalSet) (ir.IntervalSet, bool) {
	w := set.Width()
	switch op {
	case ir.OpImplicit, ir.OpEq:
		return set, true
	case ir.OpNeq:
		return set.Complement(), true
	}
	lo, ok1 := set.Min()
	ivs := set.Intervals()
	if !ok1 || len(ivs) != 1 || ivs[0].Lo != ivs[0].Hi {
		return set, false
	}
	switch op {
	case ir.OpLt:
		if p, ok := lo.Prev(); ok {
			return ir.RangeSet(ir.ZeroValue(w), p), true
		}
		return ir.EmptySet(w), true
	case ir.OpLe:
		return ir.RangeSet(ir.ZeroValue(w), lo), true
	case ir.OpGt:
		if n, ok := lo.Next(); ok {
			return ir.RangeSet(n, ir.MaxValue(w)), true
		}
		return ir.EmptySet(w), true
	case ir.OpGe:
		return ir.RangeSet(lo, ir.MaxValue(w)), true
	}
	return set, false
}

// anyBits is the set of values with any bit of the flags in e set.
func (c *compiler) anyBits(d int, e ir.Expr, w int) (ir.IntervalSet, bool) {
	var items []ir.Expr
	if l, ok := e.(*ir.List); ok {
		items = l.Items
	} else {
		items = []ir.Expr{e}
	}
	mv, ok := c.orFlags(items, w)
	if !ok {
		return ir.IntervalSet{}, false
	}
	key := anyKey{d, mv}
	if set, ok := c.anyOf[key]; ok {
		return set, true
	}
	none, ok := c.maskSet(d, mv, ir.ZeroValue(w))
	if !ok {
		return ir.IntervalSet{}, false
	}
	if c.anyOf == nil {
		c.anyOf = map[anyKey]ir.IntervalSet{}
	}
	c.anyOf[key] = none.Complement()
	return c.anyOf[key], true
}

// orFlags is the value of width w with every flag of items set.
func (c *compiler) orFlags(items []ir.Expr, w int) (ir.Value, bool) {
	var all []byte
	for _, it := range items {
		k, ok := it.(*ir.Const)
		if !ok || k.Val == nil {
			return ir.Value{}, false
		}
		v, ok := c.constValue(k, w)
		if !ok {
			return ir.Value{}, false
		}
		all = orBytes(all, v.Bytes())
	}
	v, err := ir.ValueOf(all, w)
	return v, err == nil
}

// maskSet is the set of values v with v & mask == value, over the
// dimension's domain when it has one.
func (c *compiler) maskSet(d int, mask, value ir.Value) (ir.IntervalSet, bool) {
	dim := c.p.dims[d]
	if dim.domain != nil {
		set := ir.EmptySet(dim.width)
		for _, v := range dim.domain {
			if andBytesEqual(v.Bytes(), mask.Bytes(), value.Bytes()) {
				set = set.Union(ir.PointSet(v))
			}
		}
		return set, true
	}
	return ir.MaskSet(mask, value)
}

func orBytes(a, b []byte) []byte {
	if len(a) < len(b) {
		a, b = b, a
	}
	out := append([]byte(nil), a...)
	off := len(a) - len(b)
	for i := range b {
		out[off+i] |= b[i]
	}
	return out
}

func andBytesEqual(v, mask, want []byte) bool {
	for i := range v {
		if v[i]&mask[i] != want[i] {
			return false
		}
	}
	return true
}

// valueSet is the set of values a right-hand side denotes.
func (c *compiler) valueSet(e ir.Expr, w int, t *ir.Type) (ir.IntervalSet, bool) {
	switch x := e.(type) {
	case *ir.Const:
		if x.Type != nil && (x.Type.Kind == ir.KindString || x.Type.Kind == ir.KindIfindex) {
			return stringSet(x.Str, x.Wild, w), true
		}
		v, ok := c.constValue(x, w)
		if !ok {
			return ir.IntervalSet{}, false
		}
		return ir.PointSet(v), true
	case *ir.Prefix:
		k, ok := x.X.(*ir.Const)
		if !ok {
			return ir.IntervalSet{}, false
		}
		v, ok := c.constValue(k, w)
		if !ok || x.Len > w {
			return ir.IntervalSet{}, false
		}
		return ir.PrefixSet(v, x.Len), true
	case *ir.Range:
		lo, ok1 := x.Lo.(*ir.Const)
		hi, ok2 := x.Hi.(*ir.Const)
		if !ok1 || !ok2 {
			return ir.IntervalSet{}, false
		}
		a, ok1 := c.constValue(lo, w)
		b, ok2 := c.constValue(hi, w)
		if !ok1 || !ok2 {
			return ir.IntervalSet{}, false
		}
		return ir.RangeSet(a, b), true
	case *ir.List:
		// A flag list after == or != is one value: the flags or'ed
		// together ("tcp flags == syn,ack" is 0x12).
		v, ok := c.orFlags(x.Items, w)
		if !ok {
			return ir.IntervalSet{}, false
		}
		return ir.PointSet(v), true
	case *ir.SetExpr:
		// Collect the intervals and build the set once: n unions would
		// be quadratic in the elements.
		ivs := make([]ir.Interval, 0, len(x.Elems))
		for _, el := range x.Elems {
			s, ok := c.valueSet(el.Key, w, t)
			if !ok {
				return ir.IntervalSet{}, false
			}
			for i := range s.Len() {
				ivs = append(ivs, s.Interval(i))
			}
		}
		return ir.NewIntervalSet(w, ivs...), true
	case *ir.SetRef:
		if s := c.lookupSet(c.table, x.Name); s != nil && hasFlag(s.Flags, "constant") && !s.Map {
			set := ir.EmptySet(w)
			for _, el := range s.Elements {
				es, ok := c.valueSet(el.Key, w, t)
				if !ok {
					return ir.IntervalSet{}, false
				}
				set = set.Union(es)
			}
			return set, true
		}
	}
	return ir.IntervalSet{}, false
}

func hasFlag(flags []string, f string) bool {
	for _, x := range flags {
		if x == f {
			return true
		}
	}
	return false
}

// constValue converts a typed constant to a value of width w.
func (c *compiler) constValue(k *ir.Const, w int) (ir.Value, bool) {
	if k.Sym {
		return ir.Value{}, false
	}
	if k.Type != nil && (k.Type.Kind == ir.KindString || k.Type.Kind == ir.KindIfindex) {
		b := make([]byte, (w+7)/8)
		if len(k.Str) > len(b) {
			return ir.Value{}, false
		}
		copy(b, k.Str)
		v, err := ir.ValueOf(b, w)
		return v, err == nil
	}
	if k.Val == nil {
		return ir.Value{}, false
	}
	v, err := ir.ValueOf(k.Val, w)
	return v, err == nil
}

// stringSet is the set of interface-name values s denotes: the name
// padded with zero bytes, or every name starting with s for a wildcard.
func stringSet(s string, wild bool, w int) ir.IntervalSet {
	n := (w + 7) / 8
	if len(s) > n {
		return ir.EmptySet(w)
	}
	lo := make([]byte, n)
	copy(lo, s)
	lv, _ := ir.ValueOf(lo, w)
	if !wild {
		return ir.PointSet(lv)
	}
	hi := make([]byte, n)
	copy(hi, s)
	for i := len(s); i < n; i++ {
		hi[i] = 0xff
	}
	hv, _ := ir.ValueOf(hi, w)
	return ir.RangeSet(lv, hv)
}

// effectKey names the effect of a statement. The family word of a NAT
// statement ("dnat ip to") is implied by its address, so it is left out.
func effectKey(s ir.Stmt) string {
	if n, ok := s.(*ir.Nat); ok && n.Family != "" {
		m := *n
		m.Family = ""
		return ir.StmtKey(&m)
	}
	return ir.StmtKey(s)
}

// resolveMapped returns statement s as it acts when its map yields v:
// "dnat to tcp dport map { 80 : 10.0.0.1 }" acts as "dnat to 10.0.0.1"
// for port 80, so that both spellings have the same effect.
func resolveMapped(s ir.Stmt, v ir.Expr) ir.Stmt {
	switch x := s.(type) {
	case *ir.Nat:
		n := *x
		if _, ok := x.Addr.(*ir.MapExpr); !ok {
			n.Port = v // "redirect to :tcp dport map { ... }"
			return &n
		}
		n.Addr, n.Port = v, x.Port
		if c, ok := v.(*ir.Concat); ok && len(c.Parts) == 2 {
			n.Addr, n.Port = c.Parts[0], c.Parts[1]
			n.AddrPort = false
		}
		return &n
	case *ir.Mangle:
		m := *x
		m.Value = v
		return &m
	}
	return s
}

// fixGuards finds the dimensions statements write (constants, values
// the model does not know, set updates for the predicates that look the
// set up), sets p.clobbers and p.guardWritten. A match on a written
// dimension sees the written value, not the packet's, so the per-class
// rule filters, which test guards against the packet, hold only until
// the evaluation writes it.
func (p *program) fixGuards() {
	// NAT writes end their base chain (NAT accepts): only later base
	// chains see them. Other writes (marks, set updates) may be read by
	// the very next rule.
	nat, other := map[int]bool{}, map[int]bool{}
	mark := func(to map[int]bool, keys []string) {
		for _, k := range keys {
			if set, ok := strings.CutPrefix(k, "set:"); ok {
				for _, pd := range p.setPreds[set] {
					to[pd] = true
				}
			} else if d, ok := p.dimIndex[k]; ok {
				to[d] = true
			}
		}
	}
	pick := func(src string) map[int]bool {
		if strings.HasPrefix(src, "nat ") {
			return nat
		}
		return other
	}
	for _, ch := range p.chains {
		mark(nat, ch.natClobber)
		mark(nat, ch.natDone)
		p.clobbers = p.clobbers || len(ch.natClobber) > 0 || len(ch.natDone) > 0
	}
	// A number generator's next draw is a new value for the very next
	// rule: like other writes, guards must not rely on it.
	for _, dims := range p.drawDims {
		for _, d := range dims {
			other[d] = true
		}
	}
	for _, r := range p.rules {
		for _, st := range r.steps {
			switch st.kind {
			case stepWrite:
				pick(st.src)[st.dim] = true
				// A constant write renames the predicates that read it.
				p.clobbers = p.clobbers || len(p.predOf[st.dim]) > 0
			case stepClobber:
				mark(pick(st.src), st.clobber)
				p.clobbers = true
			case stepBranch:
				for _, b := range st.branches {
					for _, w := range b.writes {
						pick(b.src)[w.dim] = true
						p.clobbers = p.clobbers || len(p.predOf[w.dim]) > 0
					}
					mark(pick(b.src), b.clobber)
					p.clobbers = p.clobbers || len(b.clobber) > 0
				}
			}
		}
	}
	// Predicates that read a written field are written with it.
	for _, m := range []map[int]bool{nat, other} {
		for d := range m {
			for _, pd := range p.predOf[d] {
				m[pd] = true
			}
		}
	}
	// Guards drop matches on fields other writes change (a guard tests
	// the packet, and the next rule may already see the written value).
	p.unguarded = other
	if len(other) > 0 {
		var ats []int // reused: one rule's atoms at a time
		clean := func(st *step) bool { return st.cond.eachAtom(func(at int) bool { return !other[p.atoms[at].dim] }) }
		for _, r := range p.rules {
			n := 0 // leading matches
			dirty := false
			for n < len(r.steps) && r.steps[n].kind == stepMatch {
				dirty = dirty || !clean(&r.steps[n])
				n++
			}
			if !dirty {
				continue // the guard rule built holds
			}
			var guard []*formula
			for i := range n {
				if clean(&r.steps[i]) {
					guard = append(guard, r.steps[i].cond)
				}
			}
			r.guard = and(guard...)
			r.guardDims = nil
			ats = r.guard.atoms(ats[:0])
			for _, at := range ats {
				// A guard tests a few dimensions: a list beats a map.
				if d := p.atoms[at].dim; !slices.Contains(r.guardDims, d) {
					r.guardDims = append(r.guardDims, d)
				}
			}
		}
	}
	written := nat
	// Guards keep matches on written dimensions: they are right until
	// the evaluation writes one, and from then on it stops using the
	// per-class rule filters (evaluator.unfiltered).
	p.guardWritten = map[int]bool{}
	for _, r := range p.rules {
		for _, d := range r.guardDims {
			if written[d] {
				p.guardWritten[d] = true
			}
		}
	}
	// A rule the per-class filter skipped had its guard tested on the
	// packet: the evaluation records that read when it passes the rule.
	p.guardIdx = map[int]map[int][]int{}
	for _, ch := range p.chains {
		for _, rid := range ch.rules {
			r := p.rules[rid]
			for _, d := range r.guardDims {
				if !p.guardWritten[d] {
					continue
				}
				if p.guardIdx[ch.id] == nil {
					p.guardIdx[ch.id] = map[int][]int{}
				}
				p.guardIdx[ch.id][d] = append(p.guardIdx[ch.id][d], r.index)
			}
		}
	}
}

// topAtoms returns the atoms the formula requires: itself if an atom,
// its atom conjuncts if a conjunction.
func (f *formula) topAtoms() []int {
	switch f.op {
	case 'a':
		return []int{f.atom}
	case '&':
		var out []int
		for _, k := range f.kids {
			if k.op == 'a' {
				out = append(out, k.atom)
			}
		}
		return out
	}
	return nil
}

// natDirection returns the address and port words a NAT kind
// translates: destination for dnat and redirect, source otherwise.
func natDirection(kind string) (addr, port string) {
	if kind == "dnat" || kind == "redirect" {
		return "daddr", "dport"
	}
	return "saddr", "sport"
}

// transportProtos are the headers whose ports NAT translates.
var transportProtos = []string{"tcp", "udp", "th", "sctp", "dccp", "udplite"}

// natKeys lists the field keys a NAT kind translates, for the address
// families fams ("ip", "ip6").
func natKeys(kind string, fams []string, addr, port bool) []string {
	a, p := natDirection(kind)
	var out []string
	if addr {
		for _, f := range fams {
			out = append(out, f+" "+a)
		}
	}
	if port {
		for _, t := range transportProtos {
			out = append(out, t+" "+p)
		}
	}
	return out
}

// natEffects returns what a NAT statement does to the fields later base
// chains on the hook match: constant addresses and ports it writes, and
// the fields it sets to values the model does not know (a redirect's
// local address, a masquerade's, ranges, prefixes).
func (c *compiler) natEffects(n *ir.Nat) ([]fieldWrite, []string) {
	fams := []string{"ip", "ip6"}
	switch {
	case n.Family != "":
		fams = []string{n.Family}
	case c.table != nil && c.table.Family == ir.FamilyIP:
		fams = []string{"ip"}
	case c.table != nil && c.table.Family == ir.FamilyIP6:
		fams = []string{"ip6"}
	}
	var writes []fieldWrite
	var clobber []string
	write := func(keys []string, e ir.Expr) {
		k, ok := e.(*ir.Const)
		if !ok || n.Prefix || n.AddrPort {
			clobber = append(clobber, keys...)
			return
		}
		for _, key := range keys {
			f := ir.LookupField(key)
			if f == nil {
				continue
			}
			if v, ok := c.constValue(k, f.Width); ok {
				writes = append(writes, fieldWrite{c.p.dimension(key, f.Width, f), v})
			} else {
				clobber = append(clobber, key)
			}
		}
	}
	switch {
	case n.Kind == "redirect" || n.Kind == "masquerade":
		clobber = append(clobber, natKeys(n.Kind, fams, true, false)...)
	case n.Addr != nil:
		if k, ok := n.Addr.(*ir.Const); ok && n.Family == "" && len(fams) == 2 {
			// In inet, the address says which family it is.
			if k.Type != nil && k.Type.Kind == ir.KindIPv4 {
				fams = []string{"ip"}
			} else if k.Type != nil && k.Type.Kind == ir.KindIPv6 {
				fams = []string{"ip6"}
			}
		}
		write(natKeys(n.Kind, fams, true, false), n.Addr)
	}
	if n.Port != nil {
		write(natKeys(n.Kind, fams, false, true), n.Port)
	}
	return writes, clobber
}

// natFieldsOf lists the fields the NAT statements of chain ch, and of
// the chains it jumps or goes to, translate.
func (c *compiler) natFieldsOf(t *ir.Table, ch *ir.Chain) []string {
	seen := map[string]bool{ch.Name: true}
	kinds := map[string]bool{}
	var visit func(rules []*ir.Rule)
	visit = func(rules []*ir.Rule) {
		for _, r := range rules {
			for _, s := range r.Stmts {
				if n, ok := s.(*ir.Nat); ok {
					kinds[n.Kind] = true
				}
			}
			for _, v := range ir.Verdicts(t, r) {
				if v.Inline != nil {
					visit(v.Inline)
				} else if v.Chain != "" && !seen[v.Chain] {
					seen[v.Chain] = true
					if target := c.lookupChain(t, v.Chain); target != nil {
						visit(target.Rules)
					}
				}
			}
		}
	}
	visit(ch.Rules)
	keys := map[string]bool{}
	for kind := range kinds {
		for _, k := range natKeys(kind, []string{"ip", "ip6"}, true, true) {
			keys[k] = true
		}
	}
	var out []string
	for k := range keys {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
