package equiv

import (
	"fmt"
	"runtime"
	"slices"
	"sort"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/nftopt/nftopt/ir"
)

// Options control an equivalence check.
type Options struct {
	// Counters requires each anonymous counter to count the same
	// packets. By default a counter is compared only as "a counter
	// counted the packet here", so that merged rules may share one
	// counter, but a counter that disappears is a difference.
	Counters bool
	// MaxDiffs is the number of differing packet classes to report; the
	// check stops once it has found them. 0 means 1.
	MaxDiffs int
	// MaxClasses stops the check of a hook, undecided, after this many
	// packet classes of one family at that hook; 0 means no limit.
	MaxClasses int
	// Hooks and Families restrict the check; empty means all.
	Hooks    []string
	Families []string
	// Prepared, when it was started on the first ruleset with the same
	// Hooks and Families, holds programs with that side compiled.
	Prepared *Prepared
	// FullWalk evaluates every packet class to its end on both sides,
	// so that Evaluated counts whole paths. Without it, a class where
	// both sides enter the same chain in the same state, with nothing
	// left to run after it, is proved there (see meeting): Classes and
	// Evaluated then count less.
	FullWalk bool
}

// Result is the answer of an equivalence check.
type Result struct {
	// Equivalent is true when every packet class gets the same outcome
	// and nothing prevented the proof.
	Equivalent bool
	// Classes counts the packet classes evaluated.
	Classes int
	Diffs   []Diff
	// Unknown lists what kept the proof from completing.
	Unknown []string
	// Evaluated sums, per ruleset, the rules each packet class was
	// tested against: divided by Classes, the rules a packet costs on
	// average over the classes (each class counted once).
	Evaluated [2]int
}

// Diff is a packet that the two rulesets treat differently.
type Diff struct {
	Family string
	Hook   string
	Packet Packet
	A, B   Outcome
}

// Check decides whether rulesets a and b treat every packet the same at
// every hook: the same final verdict and the same side effects in the
// same order.
func Check(a, b *ir.Ruleset, opts Options) Result {
	if opts.MaxDiffs <= 0 {
		opts.MaxDiffs = 1
	}
	jobs, twin := planJobs(a, b, opts)
	// The hooks are independent: check them in parallel, then merge
	// the results in order, so that the answer does not depend on the
	// schedule. A job after one that found enough differences is
	// skipped (its result would be dropped).
	results := make([]Result, len(jobs))
	var next, enough atomic.Int64
	enough.Store(int64(len(jobs)))
	var wg sync.WaitGroup
	for range min(runtime.GOMAXPROCS(0), len(jobs)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(1) - 1)
				if i >= len(jobs) {
					return
				}
				if int64(i) > enough.Load() || twin[i] >= 0 {
					continue
				}
				j := jobs[i]
				results[i] = checkJob(j.a, j.b, j.fr, j.hook, opts)
				if len(results[i].Diffs) >= opts.MaxDiffs {
					for {
						cur := enough.Load()
						if int64(i) >= cur || enough.CompareAndSwap(cur, int64(i)) {
							break
						}
					}
				}
			}
		}()
	}
	wg.Wait()
	for i, k := range twin {
		switch {
		case k < 0 || int64(i) > enough.Load():
		case len(results[k].Diffs) == 0 && len(results[k].Unknown) == 0:
			results[i] = Result{Classes: results[k].Classes, Evaluated: results[k].Evaluated}
		default:
			results[i] = checkJob(jobs[i].a, jobs[i].b, jobs[i].fr, jobs[i].hook, opts)
		}
	}
	res := Result{}
	for _, r := range results {
		res.Classes += r.Classes
		res.Evaluated[0] += r.Evaluated[0]
		res.Evaluated[1] += r.Evaluated[1]
		res.Unknown = append(res.Unknown, r.Unknown...)
		res.Diffs = append(res.Diffs, r.Diffs...)
		if len(res.Diffs) >= opts.MaxDiffs {
			res.Diffs = res.Diffs[:opts.MaxDiffs]
			return res
		}
	}
	res.Equivalent = len(res.Diffs) == 0 && len(res.Unknown) == 0
	return res
}

// checkJob compares a and b at one hook for one family. It first checks
// each base chain alone: if every one gives every packet state the same
// outcome on both sides, so does their sequence (each then hands the
// next the same state). If one does not, a later chain may still mask
// the difference: it checks the whole hook.
func checkJob(a, b *ir.Ruleset, fr familyRun, hook string, opts Options) Result {
	if parts, ok := perBaseChain(a, b, hook); ok {
		part := Result{}
		for _, pp := range parts {
			if checkHook(pp[0], pp[1], fr, hook, opts, &part); len(part.Diffs) > 0 || len(part.Unknown) > 0 {
				break
			}
		}
		if len(part.Diffs) == 0 && len(part.Unknown) == 0 {
			return part
		}
	}
	res := Result{}
	checkHook(a, b, fr, hook, opts, &res)
	return res
}

// job is one family run at one hook, of a pair of rulesets: the whole
// rulesets, or a chain no base chain reaches (see unreached).
type job struct {
	fr   familyRun
	a, b *ir.Ruleset
	hook string
}

// planJobs lists the jobs of Check(a, b, opts) in the order their
// results are merged, and for each the earlier job whose program is the
// same (twinHooks), or -1.
func planJobs(a, b *ir.Ruleset, opts Options) ([]job, []int) {
	type pair struct {
		a, b *ir.Ruleset
		hook string
	}
	var pairs []pair
	for _, fr := range familyRuns {
		for _, hook := range hooksOf(fr, a, b) {
			pairs = append(pairs, pair{a, b, hook})
		}
	}
	// Chains no base chain reaches are checked each on its own entry.
	hooks, as, bs := unreached(a, b, opts.Prepared.reachable)
	for i := range hooks {
		pairs = append(pairs, pair{as[i], bs[i], hooks[i]})
	}
	var jobs []job
	seen := map[string]bool{}
	for _, fr := range familyRuns {
		if !wanted(opts.Families, fr.name) {
			continue
		}
		for _, pr := range pairs {
			hook := pr.hook
			if !wanted(opts.Hooks, hook) || seen[fr.name+" "+hook] || !slices.Contains(hooksOf(fr, pr.a, pr.b), hook) {
				continue
			}
			seen[fr.name+" "+hook] = true
			if fr.name == "ip" && wanted(opts.Families, "ip6") && dualHook(pr.a, pr.b, hook) {
				seen["ip6 "+hook] = true
				jobs = append(jobs, job{inetRun, pr.a, pr.b, hook})
				continue
			}
			jobs = append(jobs, job{fr, pr.a, pr.b, hook})
		}
	}
	// A hook whose program is its twin's (twinHooks) is walked only if
	// the twin's was not proved equivalent.
	twin := make([]int, len(jobs))
	for i, j := range jobs {
		twin[i] = -1
		for k := range i {
			if jobs[k].a == a && jobs[k].b == b && j.a == a && j.b == b && jobs[k].fr.name == j.fr.name && twinHooks(a, b, j.fr, jobs[k].hook, j.hook) {
				twin[i] = k
				break
			}
		}
	}
	return jobs, twin
}

// unreached lists, as pairs of rulesets to check, the chains that no
// base chain reaches in either ruleset (they may be reached from rules
// or map elements added at run time) and whose rules differ. Each pair
// holds the chain's table with its base chains replaced by one entry
// chain on the hook "chain NAME" that jumps to it, then logs "return"
// (so falling off or returning is told apart from an accept).
func unreached(a, b *ir.Ruleset, reach func(*ir.Table) map[string]bool) (hooks []string, as, bs []*ir.Ruleset) {
	tables := map[string]*ir.Table{}
	for _, t := range b.Tables {
		tables[t.Family.String()+" "+t.Name] = t
	}
	for _, ta := range a.Tables {
		tb := tables[ta.Family.String()+" "+ta.Name]
		if tb == nil || tb == ta {
			continue
		}
		chainsB := map[string]*ir.Chain{}
		for _, c := range tb.Chains {
			chainsB[c.Name] = c
		}
		var ra, rb map[string]bool // computed once needed
		for _, ca := range ta.Chains {
			cb := chainsB[ca.Name]
			if cb == nil || sameRules(ca.Rules, cb.Rules) {
				continue
			}
			if ra == nil {
				ra = reach(ta)
			}
			if ra[ca.Name] {
				continue
			}
			if rb == nil {
				rb = tb.Reachable()
			}
			if rb[ca.Name] {
				continue
			}
			hook := fmt.Sprintf("chain %s %s %s", ta.Family, ta.Name, ca.Name)
			hooks = append(hooks, hook)
			as = append(as, entryRuleset(ta, hook, ca.Name))
			bs = append(bs, entryRuleset(tb, hook, ca.Name))
		}
	}
	return hooks, as, bs
}

// entryFor returns the entry ruleset of a "chain FAMILY TABLE NAME" hook.
func entryFor(rs *ir.Ruleset, hook string) (*ir.Ruleset, bool) {
	f := strings.Fields(hook)
	if len(f) != 4 || f[0] != "chain" {
		return nil, false
	}
	for _, t := range rs.Tables {
		if t.Family.String() == f[1] && t.Name == f[2] && t.Chain(f[3]) != nil {
			return entryRuleset(t, hook, f[3]), true
		}
	}
	return nil, false
}

// entryRuleset is t without its base chains, plus an entry base chain
// on hook that jumps to chain and logs when the jump returns.
func entryRuleset(t *ir.Table, hook, chain string) *ir.Ruleset {
	nt := *t
	entry := &ir.Chain{Name: "nftopt entry", Base: &ir.BaseChain{Type: "filter", Hook: hook, Policy: "accept"}, Rules: []*ir.Rule{
		{Stmts: []ir.Stmt{&ir.VerdictStmt{Verdict: &ir.Verdict{Kind: "jump", Chain: chain}}}},
		{Stmts: []ir.Stmt{&ir.Log{Prefix: &ir.Const{Type: ir.TypeString, Str: "returned from " + chain, Quoted: true}}}},
	}}
	nt.Chains = []*ir.Chain{entry}
	for _, c := range t.Chains {
		if c.Base == nil {
			nt.Chains = append(nt.Chains, c)
		}
	}
	return &ir.Ruleset{Tables: []*ir.Table{&nt}}
}

// sameRules compares two rule lists statement by statement.
func sameRules(a, b []*ir.Rule) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] == b[i] {
			continue
		}
		if len(a[i].Stmts) != len(b[i].Stmts) {
			return false
		}
		for j := range a[i].Stmts {
			if ir.StmtKey(a[i].Stmts[j]) != ir.StmtKey(b[i].Stmts[j]) {
				return false
			}
		}
	}
	return true
}

// checkHook compares a and b at one hook for one family, adding to res.
func checkHook(a, b *ir.Ruleset, fr familyRun, hook string, opts Options, res *Result) {
	p := opts.Prepared.take(a, fr, hook)
	if p != nil {
		p.compileSide(1, b, hook, nil)
		p.finish()
	} else {
		p = compile(a, b, fr, hook)
	}
	if len(p.unknown) > 0 {
		for _, u := range p.unknown {
			res.Unknown = append(res.Unknown, fmt.Sprintf("%s %s: %s", fr.name, hook, u))
		}
		return
	}
	if fr.dual {
		if _, ok := p.dimIndex["meta protocol"]; ok {
			// meta protocol follows meta nfproto, which one walk leaves
			// free: walk the program once per family, as the ip and
			// ip6 runs would.
			for _, one := range familyRuns[:2] {
				p.fam = one
				en := &enumerator{p: p, opts: opts, res: res, hook: hook}
				if en.run(); len(res.Diffs) >= opts.MaxDiffs || len(res.Unknown) > 0 {
					return
				}
			}
			return
		}
		nfproto := p.dims[p.dimIndex["meta nfproto"]]
		nfproto.domain = []ir.Value{ir.Uint64Value(2, 8), ir.Uint64Value(10, 8)}
	}
	en := &enumerator{p: p, opts: opts, res: res, hook: hook}
	en.run()
}

// dualHook reports a hook where only inet tables have base chains, in
// both rulesets: the ip and ip6 runs would compile the same program
// from the same chains, and inetRun checks both families at once.
func dualHook(a, b *ir.Ruleset, hook string) bool {
	for _, rs := range []*ir.Ruleset{a, b} {
		for _, t := range rs.Tables {
			if t.Family != ir.FamilyIP && t.Family != ir.FamilyIP6 {
				continue
			}
			for _, c := range t.Chains {
				if c.Base != nil && c.Base.Hook == hook {
					return false
				}
			}
		}
	}
	return true
}

// perBaseChain splits a hook with several base chains into pairs of
// rulesets with one base chain on the hook each, for the chains both
// sides have (same table, name and hook settings), leaving out those
// unchanged (same rules here and in every chain they reach, same sets).
// It reports false when the sides' base chains on the hook do not pair
// up, or when there is only one.
func perBaseChain(a, b *ir.Ruleset, hook string) ([][2]*ir.Ruleset, bool) {
	type base struct {
		t *ir.Table
		c *ir.Chain
	}
	list := func(rs *ir.Ruleset) map[string]base {
		m := map[string]base{}
		for _, t := range rs.Tables {
			for _, c := range t.Chains {
				if c.Base != nil && c.Base.Hook == hook {
					m[t.Family.String()+" "+t.Name+" "+c.Name] = base{t, c}
				}
			}
		}
		return m
	}
	la, lb := list(a), list(b)
	if len(la) < 2 || len(la) != len(lb) {
		return nil, false
	}
	var keys []string
	for k, x := range la {
		y, ok := lb[k]
		if !ok || !sameBase(x.c.Base, y.c.Base) {
			return nil, false
		}
		if !sameSets(x.t, y.t) || !sameSubtree(x.t, y.t, x.c, y.c) {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	only := func(rs *ir.Ruleset, keep string) *ir.Ruleset {
		return rs.MapChains(func(t *ir.Table, c *ir.Chain) *ir.Chain {
			if c.Base == nil || c.Base.Hook != hook || t.Family.String()+" "+t.Name+" "+c.Name == keep {
				return c
			}
			return nil
		})
	}
	var out [][2]*ir.Ruleset
	for _, k := range keys {
		out = append(out, [2]*ir.Ruleset{only(a, k), only(b, k)})
	}
	return out, true
}

func sameBase(x, y *ir.BaseChain) bool {
	return x.Type == y.Type && x.Hook == y.Hook && x.Priority == y.Priority && x.Policy == y.Policy &&
		strings.Join(x.Devices, ",") == strings.Join(y.Devices, ",")
}

// sameSets compares the sets and maps of two tables.
func sameSets(x, y *ir.Table) bool {
	if len(x.Sets) != len(y.Sets) {
		return false
	}
	for i := range x.Sets {
		sx, sy := x.Sets[i], y.Sets[i]
		if sx.Name != sy.Name || len(sx.Elements) != len(sy.Elements) {
			return false
		}
		for j := range sx.Elements {
			ex, ey := sx.Elements[j], sy.Elements[j]
			if ir.ExprKey(ex.Key) != ir.ExprKey(ey.Key) || (ex.Value == nil) != (ey.Value == nil) ||
				ex.Value != nil && ir.ExprKey(ex.Value) != ir.ExprKey(ey.Value) {
				return false
			}
		}
	}
	return true
}

// chainIndex indexes a table's chains by name.
func chainIndex(t *ir.Table) map[string]*ir.Chain {
	m := make(map[string]*ir.Chain, len(t.Chains))
	for _, c := range t.Chains {
		m[c.Name] = c
	}
	return m
}

// sameSubtree compares two chains and every chain they reach.
func sameSubtree(ta, tb *ir.Table, ca, cb *ir.Chain) bool {
	ia, ib := chainIndex(ta), chainIndex(tb)
	seen := map[string]bool{}
	var walk func(x, y *ir.Chain) bool
	walk = func(x, y *ir.Chain) bool {
		if seen[x.Name] {
			return true
		}
		seen[x.Name] = true
		if !sameRules(x.Rules, y.Rules) {
			return false
		}
		for _, r := range x.Rules {
			for _, v := range ir.Verdicts(ta, r) {
				if v.Chain == "" || v.Inline != nil {
					continue
				}
				nx, ny := ia[v.Chain], ib[v.Chain]
				if nx == nil || ny == nil || !walk(nx, ny) {
					return false
				}
			}
		}
		return true
	}
	return walk(ca, cb)
}

func wanted(list []string, x string) bool {
	return len(list) == 0 || slices.Contains(list, x)
}

// hooksOf lists the hooks with base chains that see packets of fr.
func hooksOf(fr familyRun, rss ...*ir.Ruleset) []string {
	seen := map[string]bool{}
	var hooks []string
	for _, rs := range rss {
		for _, t := range rs.Tables {
			ok := false
			for _, f := range fr.tables {
				ok = ok || t.Family == f
			}
			if !ok {
				continue
			}
			for _, c := range t.Chains {
				if c.Base != nil && !seen[c.Base.Hook] {
					seen[c.Base.Hook] = true
					hooks = append(hooks, c.Base.Hook)
				}
			}
		}
	}
	sort.Strings(hooks)
	return hooks
}

// class is one part of a dimension's values: every atom the class
// decides (dec) holds for all of its values or for none; true lists
// those that hold, and rep is one of its values. A class decides only
// the atoms its split needed: an evaluation that needs another atom on
// the dimension refines the class (splits it again).
type class struct {
	rep  ir.Value
	true []int // sorted atom ids
	dec  *decided
	// least is set when rep is the class's least value (a class of a
	// dimension without a domain, split by partition or refine).
	least bool
}

// decided is the set of atoms a split decides, shared by its classes,
// with a cache of which lookup indexes it covers. It is a sorted list,
// or (refine, for a dimension with many decided atoms) a bitset over
// the dimension's atoms: a chain of refinements then copies a bit per
// atom of the dimension at each step, not a word per decided atom.
type decided struct {
	atoms []int
	// bits, when set, marks the decided atoms of dimension dim by their
	// index among its atoms (stabIndexes.local); n counts them.
	bits []uint64
	x    *stabIndexes
	dim  int
	n    int
	// mu guards covers: the classes of a split are shared by the
	// goroutines of a parallel walk.
	mu     sync.Mutex
	covers map[*int]bool
}

// has reports whether atom a is decided.
func (d *decided) has(a int) bool {
	if d.bits == nil {
		_, ok := slices.BinarySearch(d.atoms, a)
		return ok
	}
	if a >= len(d.x.local) || int(d.x.atomDim[a]) != d.dim {
		return false
	}
	l := d.x.local[a]
	return d.bits[l/64]&(1<<(l%64)) != 0
}

// count is the number of decided atoms.
func (d *decided) count() int {
	if d.bits == nil {
		return len(d.atoms)
	}
	return d.n
}

// list returns the decided atoms, sorted.
func (d *decided) list() []int {
	if d.bits == nil {
		return d.atoms
	}
	out := make([]int, 0, d.n)
	for l, a := range d.x.byDim[d.dim] {
		if d.bits[l/64]&(1<<(l%64)) != 0 {
			out = append(out, a)
		}
	}
	return out
}

// truth tells whether atom holds for the class: 1 yes, 0 no, -1 not
// decided.
func (c *class) truth(atom int) int {
	if _, ok := slices.BinarySearch(c.true, atom); ok {
		return 1
	}
	if c.dec.has(atom) {
		return 0
	}
	return -1
}

// indexed returns the atoms of a lookup's index that hold for the
// class, when the class decides all of them.
func (c *class) indexed(st *step) ([]int, bool) {
	if len(st.indexAtoms) == 0 || !c.decides(st.indexAtoms) {
		return nil, false
	}
	return c.true, true
}

// decides reports whether the class decides every atom of the sorted
// list keys; the answer is cached per list, which must not change.
func (c *class) decides(keys []int) bool {
	if len(keys) == 0 {
		return true
	}
	k := &keys[0]
	c.dec.mu.Lock()
	defer c.dec.mu.Unlock()
	ok, seen := c.dec.covers[k]
	if !seen {
		if c.dec.bits == nil {
			ok = subset(keys, c.dec.atoms)
		} else {
			ok = !slices.ContainsFunc(keys, func(a int) bool { return !c.dec.has(a) })
		}
		if c.dec.covers == nil {
			c.dec.covers = map[*int]bool{}
		}
		c.dec.covers[k] = ok
	}
	return ok
}

// subset reports whether the sorted list xs is contained in the sorted
// list ys. xs is usually a rule's few atoms and ys a class's many: each
// is searched for in what is left of ys.
func subset(xs, ys []int) bool {
	for _, x := range xs {
		i, found := slices.BinarySearch(ys, x)
		if !found {
			return false
		}
		ys = ys[i+1:]
	}
	return true
}

// assignment is a path of the enumeration: a class for each dimension
// split so far (the innermost one counts: a refinement of a dimension
// sits below the class it refines).
type assignment struct {
	dim    int
	cls    *class
	parent *assignment
	depth  int
	// idx, on every indexStride-th node of a path, holds the innermost
	// class of every dimension, so that a lookup on a deep path (many
	// refinements) walks at most indexStride nodes.
	idx []*class
}

// indexStride is the distance between indexed nodes of a path.
const indexStride = 32

func (a *assignment) lookup(dim int) *class {
	for ; a != nil; a = a.parent {
		if a.idx != nil {
			if dim >= len(a.idx) {
				// A dimension made after the index (a later draw of a
				// number generator): nothing above split it.
				return nil
			}
			return a.idx[dim]
		}
		if a.dim == dim {
			return a.cls
		}
	}
	return nil
}

// extend returns the path p followed by class c of dimension d.
func (en *enumerator) extend(p *assignment, d int, c *class) *assignment {
	a := &assignment{dim: d, cls: c, parent: p}
	if p != nil {
		a.depth = p.depth + 1
	}
	if a.depth%indexStride == indexStride-1 {
		var below []*assignment
		x := a
		for ; x != nil && x.idx == nil; x = x.parent {
			below = append(below, x)
		}
		a.idx = make([]*class, len(en.p.dims))
		if x != nil {
			copy(a.idx, x.idx)
		}
		for i := len(below) - 1; i >= 0; i-- {
			a.idx[below[i].dim] = below[i].cls
		}
	}
	return a
}

// truth3 evaluates a formula under a partial assignment: 1 true, 0 false, -1 unknown.
func (a *assignment) truth3(p *program, f *formula) int {
	switch f.op {
	case 'T':
		return 1
	case 'F':
		return 0
	case 'a':
		c := a.lookup(p.atoms[f.atom].dim)
		if c == nil {
			return -1
		}
		return c.truth(f.atom)
	case '&':
		r := 1
		for _, k := range f.kids {
			switch a.truth3(p, k) {
			case 0:
				return 0
			case -1:
				r = -1
			}
		}
		return r
	}
	r := 0
	for _, k := range f.kids {
		switch a.truth3(p, k) {
		case 1:
			return 1
		case -1:
			r = -1
		}
	}
	return r
}

// leafOracle answers atoms at a leaf from its assignment.
type leafOracle struct {
	p   *program
	asg *assignment
}

func (o leafOracle) truth(atom int) int {
	c := o.asg.lookup(o.p.atoms[atom].dim)
	if c == nil {
		return -1
	}
	return c.truth(atom)
}

func (o leafOracle) indexed(st *step) ([]int, bool) {
	c := o.asg.lookup(st.branchDim)
	if c == nil {
		return nil, false
	}
	return c.indexed(st)
}

// aliveSet gives, for each chain, the rules that can still do something
// on the current path. A child overrides only the chains it changed:
// a few, kept in a list, or many, in a map.
type aliveSet struct {
	parent *aliveSet
	list   []aliveRules
	many   map[int][]int
}

// aliveRules is one override of an aliveSet: the rules of chain.
type aliveRules struct {
	chain int
	rules []int
}

// aliveListMax is the number of overrides kept in a list before an
// aliveSet moves them to a map.
const aliveListMax = 8

func (a *aliveSet) get(chain int) []int {
	for ; a != nil; a = a.parent {
		if a.many != nil {
			if r, ok := a.many[chain]; ok {
				return r
			}
			continue
		}
		for _, o := range a.list {
			if o.chain == chain {
				return o.rules
			}
		}
	}
	return nil
}

// set overrides the rules of chain; each chain is set at most once.
func (a *aliveSet) set(chain int, rules []int) {
	if a.many != nil {
		a.many[chain] = rules
		return
	}
	if len(a.list) < aliveListMax {
		a.list = append(a.list, aliveRules{chain, rules})
		return
	}
	a.many = make(map[int][]int, 2*aliveListMax)
	for _, o := range a.list {
		a.many[o.chain] = o.rules
	}
	a.list = nil
	a.many[chain] = rules
}

// empty reports an aliveSet that overrides nothing.
func (a *aliveSet) empty() bool { return len(a.list) == 0 && len(a.many) == 0 }

type enumerator struct {
	p    *program
	opts Options
	res  *Result
	hook string
	done bool
	// guardChains lists, per dimension, the chains with rules whose
	// guard mentions it; chainGuardDims lists, per chain, those
	// dimensions (sorted), so that a split below the top of the walk
	// looks only at the few chains it reaches, not at every chain that
	// tests the dimension.
	guardChains    map[int][]int
	chainGuardDims [][]int
	// calls marks the chains with a rule that may jump or go to another;
	// guards indexes the rules by the atoms of their guards.
	calls  []bool
	guards *guardIndex
	// stabs indexes, per dimension, which atoms hold for a value (refine).
	stabs *stabIndexes
	// evs are the two sides' evaluators, reused from leaf to leaf;
	// visited and visit mark the chains reachable walks: chain i was
	// seen in the current walk when visited[i] == visit.
	evs     [2]*evaluator
	visited []int
	visit   int
	// reach is reachable's buffer: its result lives until the next call.
	reach []int
	// links and live are child's buffers.
	links []needLink
	live  []int
	// oracle answers the evaluators' atoms at the current leaf.
	oracle *leafOracle
	// classes counts the packet classes of all the goroutines of a
	// parallel walk, for MaxClasses; nil when the walk is sequential.
	classes *atomic.Int64
}

func (en *enumerator) run() {
	if en.p.bothSides == nil {
		en.p.markBothSides()
	}
	en.guards = newGuardIndex(en.p)
	en.stabs = newStabIndexes(en.p)
	en.guardChains = map[int][]int{}
	en.chainGuardDims = make([][]int, len(en.p.chains))
	en.calls = make([]bool, len(en.p.chains))
	for _, ch := range en.p.chains {
		seen := map[int]bool{}
		for _, rid := range ch.rules {
			en.calls[ch.id] = en.calls[ch.id] || len(en.p.rules[rid].calls) > 0
			for _, d := range en.p.rules[rid].guardDims {
				if !seen[d] {
					seen[d] = true
					en.guardChains[d] = append(en.guardChains[d], ch.id)
					en.chainGuardDims[ch.id] = append(en.chainGuardDims[ch.id], d)
				}
			}
		}
		sort.Ints(en.chainGuardDims[ch.id])
	}
	all := &aliveSet{}
	for _, ch := range en.p.chains {
		all.set(ch.id, ch.rules)
	}
	var root *assignment
	// Fix the family's protocol dimensions.
	if en.p.fam.nfproto != 0 {
		d := en.p.dimIndex["meta nfproto"]
		root = en.extend(root, d, en.fixedClass(d, en.p.fam.nfproto))
		if d, ok := en.p.dimIndex["meta protocol"]; ok {
			root = en.extend(root, d, en.fixedClass(d, en.p.fam.protocol))
		}
	}
	alive := all
	for a := root; a != nil; a = a.parent {
		alive = en.filter(a, alive, a.dim)
	}
	if w := en.walkers(); w > 1 {
		en.walkParallel(root, alive, w)
		return
	}
	en.walk(root, alive)
}

// fixedClass is the class of a dimension fixed to value v.
func (en *enumerator) fixedClass(d int, v uint64) *class {
	val := ir.Uint64Value(v, en.p.dims[d].width)
	c := &class{rep: val, dec: &decided{}}
	for i, at := range en.p.atoms {
		if at.dim == d {
			c.dec.atoms = append(c.dec.atoms, i)
			if at.set.Contains(val) {
				c.true = append(c.true, i)
			}
		}
	}
	return c
}

// filter drops, from the chains whose guards mention dim, the rules
// whose guard is false under asg.
func (en *enumerator) filter(asg *assignment, alive *aliveSet, dim int) *aliveSet {
	out := &aliveSet{parent: alive}
	for _, ch := range en.guardChains[dim] {
		rules := alive.get(ch)
		var kept []int
		changed := false
		for i, rid := range rules {
			if asg.truth3(en.p, en.p.rules[rid].guard) == 0 {
				if !changed {
					kept = append(make([]int, 0, len(rules)), rules[:i]...)
					changed = true
				}
				continue
			}
			if changed {
				kept = append(kept, rid)
			}
		}
		if changed {
			out.set(ch, kept)
		}
	}
	if out.empty() {
		return alive
	}
	return out
}

// splitter filters the chains of a node for each class of dimension d
// without re-evaluating every rule for every class: rules that may hold
// with every atom on d false are kept for all classes; the others are
// indexed by their atoms on d and tried only for classes where one holds.
type splitter struct {
	keep map[int][]int // chain -> rules kept whatever the class
	// need lists, per atom, the rules (and their chains) that need it;
	// a class only rebuilds the chains its atoms touch.
	need needIndex
	// base holds the kept rules of every chain the split filters,
	// shared by all classes.
	base *aliveSet
}

// needIndex maps an atom to the rules that need it: one map and one
// array of links for a whole split, not a list per atom (most atoms of
// a blocklist have one rule).
type needIndex struct {
	head  map[int]int32 // atom -> 1 + its last link, 0 for none
	links []needLink
}

// needLink is a rule of a chain that needs an atom, and 1 + the atom's
// previous link (0 for none).
type needLink struct{ ch, rid, next int32 }

func (x *needIndex) add(at, ch, rid int) {
	if x.head == nil {
		x.head = map[int]int32{}
	}
	x.links = append(x.links, needLink{int32(ch), int32(rid), x.head[at]})
	x.head[at] = int32(len(x.links))
}

// appendAtom appends the links of atom at to out.
func (x *needIndex) appendAtom(out []needLink, at int) []needLink {
	for i := x.head[at]; i != 0; i = x.links[i-1].next {
		out = append(out, x.links[i-1])
	}
	return out
}

// splitChains lists the chains a split on d filters: those of chains
// (the reachable ones) whose rules' guards mention d. Chains no packet
// of this class reaches stay unreachable below: their rules need no
// filtering. It walks whichever list is shorter, so that a split deep
// in the walk costs what it reaches, not every chain that tests d.
func (en *enumerator) splitChains(d int, chains []int) []int {
	all := en.guardChains[d]
	var out []int
	if len(chains) < len(all) {
		for _, ch := range chains {
			gd := en.chainGuardDims[ch]
			if i := sort.SearchInts(gd, d); i < len(gd) && gd[i] == d {
				out = append(out, ch)
			}
		}
		sort.Ints(out)
		return out
	}
	reach := make(map[int]bool, len(chains))
	for _, id := range chains {
		reach[id] = true
	}
	for _, ch := range all {
		if reach[ch] {
			out = append(out, ch)
		}
	}
	return out
}

// newSplitter prepares the filters of a split of d whose classes all
// decide the atoms of dec (ats, and those of base); base is the class
// being refined, or nil.
func (en *enumerator) newSplitter(asg *assignment, alive *aliveSet, d int, chains []int, base *class, dec *decided, ats []int) *splitter {
	sp := &splitter{base: &aliveSet{parent: alive}}
	// none is the class with the fewest atoms true: those of base.
	none := &assignment{dim: d, cls: &class{dec: dec}, parent: asg}
	if base != nil {
		none.cls.true = base.true
	}
	split := en.splitChains(d, chains)
	if en.splitByAtoms(sp, none, alive, d, split, base, ats) {
		return sp
	}
	for _, ch := range split {
		rules := alive.get(ch)
		// keep is rules less those dropped; while the dropped ones are
		// all in front (a refinement drops the rule it passed), it is a
		// shared suffix of rules, not a copy.
		var keep []int
		needed := false
		front, copied, kept := 0, false, false
		for i, rid := range rules {
			r := en.p.rules[rid]
			if none.truth3(en.p, r.guard) != 0 {
				kept = true
				if copied {
					keep = append(keep, rid)
				}
				continue
			}
			needed = true
			switch {
			case !kept:
				front++
			case !copied:
				copied = true
				keep = append(make([]int, 0, len(rules)-front-1), rules[front:i]...)
			}
			// The rule's atoms on d include its guard's.
			for _, at := range r.byDim.get(d) {
				sp.need.add(at, ch, rid)
			}
		}
		if !needed {
			continue
		}
		if !copied {
			keep = rules[front:len(rules):len(rules)]
		}
		sp.setKeep(ch, keep)
	}
	sp.finish(alive)
	return sp
}

// chainCount counts the chains of links, sorted by chain.
func chainCount(links []needLink) int {
	n := 0
	for i, l := range links {
		if i == 0 || l.ch != links[i-1].ch {
			n++
		}
	}
	return n
}

// setKeep records the rules of chain ch that every class of the split
// keeps.
func (sp *splitter) setKeep(ch int, keep []int) {
	if sp.keep == nil {
		sp.keep = map[int][]int{}
	}
	sp.keep[ch] = keep
	sp.base.set(ch, keep)
}

// finish makes a split that drops no rule share the live rules above it.
func (sp *splitter) finish(alive *aliveSet) {
	if sp.base.empty() {
		sp.base = alive
	}
}

// guardIndex lists, per atom, the rules whose guard mentions it, with
// their chains: the rules of atom a are refs[start[a]:start[a+1]], in
// rule order. Atoms made after it (later draws) have none.
type guardIndex struct {
	start []int32
	refs  []needLink // next unused
}

// newGuardIndex indexes the guards of p's rules.
func newGuardIndex(p *program) *guardIndex {
	x := &guardIndex{start: make([]int32, len(p.atoms)+1)}
	var ats []int
	for _, r := range p.rules {
		ats = r.guard.atoms(ats[:0])
		for _, at := range dedupe(ats) {
			x.start[at+1]++
		}
	}
	for i := 1; i < len(x.start); i++ {
		x.start[i] += x.start[i-1]
	}
	x.refs = make([]needLink, x.start[len(x.start)-1])
	fill := slices.Clone(x.start)
	for _, r := range p.rules {
		ats = r.guard.atoms(ats[:0])
		for _, at := range dedupe(ats) {
			x.refs[fill[at]] = needLink{ch: int32(r.chain), rid: int32(r.id)}
			fill[at]++
		}
	}
	return x
}

// rules returns the rules whose guard mentions atom at.
func (x *guardIndex) rules(at int) []needLink {
	if at+1 >= len(x.start) {
		return nil
	}
	return x.refs[x.start[at]:x.start[at+1]]
}

// splitByAtoms is newSplitter's way for a split that decides few atoms
// base did not (a refinement) in chains with many live rules: a live
// rule's guard holds or is undecided under the split's parent, so only
// a guard that mentions one of the new atoms can turn false for none,
// and the index finds those rules without a scan of every live rule.
// It reports false, leaving sp alone, when a scan costs less.
func (en *enumerator) splitByAtoms(sp *splitter, none *assignment, alive *aliveSet, d int, split []int, base *class, ats []int) bool {
	if en.guards == nil {
		return false
	}
	fresh := ats
	if base != nil {
		fresh = nil
		for _, at := range ats {
			if !base.dec.has(at) {
				fresh = append(fresh, at)
			}
		}
	}
	scan, lookups := 0, 0
	for _, ch := range split {
		scan += len(alive.get(ch))
	}
	for _, at := range fresh {
		lookups += len(en.guards.rules(at))
	}
	if lookups*8 >= scan {
		return false
	}
	inSplit := func(ch int) bool { _, ok := slices.BinarySearch(split, ch); return ok }
	var dropped []needLink
	for _, at := range fresh {
		for _, l := range en.guards.rules(at) {
			ch, rid := int(l.ch), int(l.rid)
			if !inSplit(ch) {
				continue
			}
			if _, live := slices.BinarySearch(alive.get(ch), rid); !live {
				continue
			}
			if none.truth3(en.p, en.p.rules[rid].guard) == 0 {
				dropped = append(dropped, l)
			}
		}
	}
	slices.SortFunc(dropped, func(a, b needLink) int {
		if a.ch != b.ch {
			return int(a.ch - b.ch)
		}
		return int(a.rid - b.rid)
	})
	dropped = slices.CompactFunc(dropped, func(a, b needLink) bool { return a.ch == b.ch && a.rid == b.rid })
	for _, ch := range split {
		i, _ := slices.BinarySearchFunc(dropped, ch, func(l needLink, ch int) int { return int(l.ch) - ch })
		j := i
		for j < len(dropped) && int(dropped[j].ch) == ch {
			j++
		}
		if i == j {
			continue
		}
		gone := dropped[i:j]
		rules := alive.get(ch)
		var keep []int
		if front := len(gone); front <= len(rules) && int(gone[front-1].rid) == rules[front-1] {
			// The dropped rules are the list's first ones: keep shares
			// the rest.
			keep = rules[front:len(rules):len(rules)]
		} else {
			keep = make([]int, 0, len(rules)-len(gone))
			k := 0
			for _, rid := range rules {
				if k < len(gone) && int(gone[k].rid) == rid {
					k++
					continue
				}
				keep = append(keep, rid)
			}
		}
		for _, l := range gone {
			// The rule's atoms on d include its guard's.
			for _, at := range en.p.rules[l.rid].byDim.get(d) {
				sp.need.add(at, ch, int(l.rid))
			}
		}
		sp.setKeep(ch, keep)
	}
	sp.finish(alive)
	return true
}

// child returns the live rules for the class at child. A chain's list
// ends at the first rule that always ends the chain for the class (a
// blocklist rule for its own address): the rules after it are never
// evaluated for the class, and copying them for each of many classes
// would make the split quadratic.
func (en *enumerator) child(sp *splitter, child *assignment) *aliveSet {
	links := en.links[:0]
	for _, at := range child.cls.true {
		links = sp.need.appendAtom(links, at)
	}
	en.links = links
	if len(links) == 0 {
		return sp.base
	}
	slices.SortFunc(links, func(a, b needLink) int {
		if a.ch != b.ch {
			return int(a.ch - b.ch)
		}
		return int(a.rid - b.rid)
	})
	var out *aliveSet
	switch k := chainCount(links); {
	case k == 1:
		// The usual case: the set and its one override in one allocation.
		b := &struct {
			set  aliveSet
			list [1]aliveRules
		}{}
		b.set.list = b.list[:0]
		out = &b.set
	case k <= aliveListMax:
		out = &aliveSet{list: make([]aliveRules, 0, k)}
	default:
		out = &aliveSet{}
	}
	out.parent = sp.base
	for len(links) > 0 {
		ch := int(links[0].ch)
		n := 1
		for n < len(links) && int(links[n].ch) == ch {
			n++
		}
		live := en.live[:0]
		for i, l := range links[:n] {
			if i > 0 && l.rid == links[i-1].rid {
				continue
			}
			if child.truth3(en.p, en.p.rules[l.rid].guard) != 0 {
				live = append(live, int(l.rid))
			}
		}
		en.live = live
		links = links[n:]
		keep := sp.keep[ch]
		if len(live) == 0 {
			// Lists are never appended to in place: share it.
			out.set(ch, keep)
			continue
		}
		for i, rid := range live {
			if en.alwaysEnds(child, en.p.rules[rid]) {
				live = live[:i+1]
				// Rule ids follow the order of the chain.
				n, _ := slices.BinarySearch(keep, rid)
				keep = keep[:n]
				break
			}
		}
		merged := make([]int, 0, len(keep)+len(live))
		i, j := 0, 0
		for i < len(keep) || j < len(live) {
			if j == len(live) || i < len(keep) && keep[i] < live[j] {
				merged = append(merged, keep[i])
				i++
				continue
			}
			merged = append(merged, live[j])
			j++
		}
		out.set(ch, merged)
	}
	return out
}

// alwaysEnds reports a rule that matches every packet of the class and
// ends the chain: all its matches come before its other statements and
// hold, none reads a field that statements other than NAT write (a NAT
// write turns the per-class lists off, see evaluator.unfiltered; other
// writes do not), it writes nothing, and it ends in a verdict other
// than jump or continue.
func (en *enumerator) alwaysEnds(asg *assignment, r *crule) bool {
	matches := true
	for i := range r.steps {
		st := &r.steps[i]
		switch st.kind {
		case stepMatch:
			if !matches || asg.truth3(en.p, st.cond) != 1 {
				return false
			}
			// A match on a field a statement may have written since
			// reads the written value, not the class's.
			if len(en.p.unguarded) > 0 && !st.cond.eachAtom(func(at int) bool { return !en.p.unguarded[en.p.atoms[at].dim] }) {
				return false
			}
		case stepEffect:
			matches = false
		case stepVerdict:
			k := st.verdict.kind
			return k != "" && k != "jump" && k != "continue"
		default:
			return false
		}
	}
	return false
}

// reachable returns the chains a packet can reach from the base chains
// through the live rules.
func (en *enumerator) reachable(asg *assignment, alive *aliveSet) []int {
	if en.visited == nil {
		en.visited = make([]int, len(en.p.chains))
	}
	en.visit++
	// order is also the queue of chains to expand, in order: the
	// buffer is the enumerator's, reused from split to split.
	order := en.reach[:0]
	visit := func(id int) {
		if en.visited[id] == en.visit {
			return
		}
		en.visited[id] = en.visit
		order = append(order, id)
	}
	expand := func(id int) {
		if !en.calls[id] {
			return
		}
		for _, rid := range alive.get(id) {
			r := en.p.rules[rid]
			for _, i := range r.calls {
				st := &r.steps[i]
				switch st.kind {
				case stepVerdict:
					if st.verdict.kind == "jump" || st.verdict.kind == "goto" {
						visit(st.verdict.target)
					}
				case stepBranch:
					for _, bi := range en.branchCandidates(asg, st) {
						b := st.branches[bi]
						if (b.verdict.kind == "jump" || b.verdict.kind == "goto") && asg.truth3(en.p, b.cond) != 0 {
							visit(b.verdict.target)
						}
					}
				}
			}
		}
	}
	for s := 0; s < 2; s++ {
		for _, id := range en.p.sides[s] {
			ch := en.p.chains[id]
			if ch.guard != nil && asg.truth3(en.p, ch.guard) == 0 {
				continue
			}
			visit(id)
		}
	}
	for i := 0; i < len(order); i++ {
		expand(order[i])
	}
	en.reach = order
	return order
}

// branchCandidates lists the branches of a lookup that can hold on this path.
func (en *enumerator) branchCandidates(asg *assignment, st *step) []int {
	if st.branchDim >= 0 {
		if c := asg.lookup(st.branchDim); c != nil {
			if ats, ok := c.indexed(st); ok {
				if len(ats) == 1 {
					return st.branchIndex[ats[0]] // read only
				}
				var out []int
				for _, at := range ats {
					out = append(out, st.branchIndex[at]...)
				}
				return out
			}
		}
	}
	return st.allBranches()
}

// atomsOn returns the atoms on dimension d a split should decide: need
// (the atom the evaluation stopped at) and those the live rules of the
// reachable chains (and their guards) use, in each chain up to the
// first rule that does not use d but needs another dimension that is
// not decided yet. Splitting on the atoms past that rule would multiply
// the classes of d with those of the other dimension even where that
// rule ends the packet's walk (a blocklist rule between port rules):
// they are split later, by refining the class, where still needed.
func (en *enumerator) atomsOn(asg *assignment, chains []int, alive *aliveSet, d, need int) []int {
	ats := []int{need} // sorted and made unique at the end
	// A dimension with few values (ct state, a predicate) is split on
	// all of its atoms at once: refining it later costs more than the
	// classes it saves.
	small := en.p.dims[d].domain != nil || en.p.dims[d].field == nil
	for _, id := range chains {
		if g := en.p.chains[id].guard; g != nil {
			g.eachAtom(func(at int) bool {
				if en.p.atoms[at].dim == d {
					ats = append(ats, at)
				}
				return true
			})
		}
		for _, rid := range alive.get(id) {
			r := en.p.rules[rid]
			own := r.byDim.get(d)
			uses := len(own) > 0
			ats = append(ats, own...)
			for _, li := range r.lookups {
				st := &r.steps[li]
				if asg.truth3(en.p, st.common) == 0 {
					continue
				}
				if l := en.lookupAtoms(asg, st, d); len(l) > 0 {
					ats = append(ats, l...)
					uses = true
				}
			}
			if !small && !uses && en.blocked(asg, r, d) {
				break
			}
		}
	}
	slices.Sort(ats)
	return slices.Compact(ats)
}

// blocked reports a rule that needs an atom on a dimension other than
// d that asg does not decide.
func (en *enumerator) blocked(asg *assignment, r *crule, d int) bool {
	undecided := func(byDim dimAtoms) bool {
		for _, l := range byDim {
			e, ats := l.dim, l.atoms
			if e == d || len(ats) == 0 {
				continue
			}
			if c := asg.lookup(e); c == nil || !c.decides(ats) {
				return true
			}
		}
		return false
	}
	if undecided(r.byDim) {
		return true
	}
	for _, li := range r.lookups {
		st := &r.steps[li]
		if asg.truth3(en.p, st.common) != 0 && undecided(st.byDim) {
			return true
		}
	}
	return false
}

func (en *enumerator) walk(asg *assignment, alive *aliveSet) {
	if en.done {
		return
	}
	d, classes, sp := en.splitHere(asg, alive)
	for _, cls := range classes {
		child := en.extend(asg, d, cls)
		en.walk(child, en.child(sp, child))
		if en.done {
			return
		}
	}
}

// splitHere evaluates both sides as far as the class at asg decides;
// the first undecided atom they need names the dimension d to split (or
// to refine, when the class on it does not decide that atom). It
// returns d's classes below asg and their splitter, or no classes when
// the class needed no split (a packet class, or a stop).
func (en *enumerator) splitHere(asg *assignment, alive *aliveSet) (int, []*class, *splitter) {
	d, need := en.leaf(asg, alive)
	if d < 0 {
		return d, nil, nil
	}
	cur := asg.lookup(d)
	chains := en.reachable(asg, alive)
	ats := en.atomsOn(asg, chains, alive, d, need)
	classes := en.split(d, ats, cur)
	return d, classes, en.newSplitter(asg, alive, d, chains, cur, classes[0].dec, ats)
}

// split partitions dimension d into the classes of values that the
// atoms ats cannot tell apart; when cur is not nil, it partitions cur
// (and the classes also decide cur's atoms).
func (en *enumerator) split(d int, ats []int, cur *class) []*class {
	if cur != nil {
		if classes, ok := en.refine(d, ats, cur); ok {
			return classes
		}
		ats = union(ats, cur.dec.list())
	}
	return en.partition(d, ats, &decided{atoms: ats}, cur)
}

// union merges two sorted lists of atoms.
func union(xs, ys []int) []int {
	out := make([]int, 0, len(xs)+len(ys))
	out = append(out, xs...)
	out = append(out, ys...)
	slices.Sort(out)
	return slices.Compact(out)
}

// partition splits dimension d into the classes of values that the
// sorted atoms ats cannot tell apart; each class decides dec. When cur
// is not nil, only the values inside it count: those where cur's
// atoms hold as they do for cur.
func (en *enumerator) partition(d int, ats []int, dec *decided, cur *class) []*class {
	dim := en.p.dims[d]
	// inside counts, for the atoms active at a value, how many agree
	// with cur: a value is inside cur when all of cur's true atoms and
	// none of its false ones are active.
	role := func(at int) int { return 0 }
	want := 0
	if cur != nil {
		want = len(cur.true)
		role = func(at int) int {
			if _, ok := slices.BinarySearch(cur.true, at); ok {
				return 1
			}
			if cur.dec.has(at) {
				return -1 - want // a false atom of cur: never inside
			}
			return 0
		}
	}
	// Classes are found by a hash of their atoms, and a hash match is
	// checked atom by atom: two different classes are never merged.
	// first holds 1 + the index of the first class of a hash, next
	// 1 + that of the class after each with the same hash (0: none).
	first := map[uint64]int32{}
	var next []int32
	var classes []*class
	var slab []class // the classes, allocated a chunk at a time
	known := func(h uint64, n int, has func(int) bool) bool {
		for i := first[h]; i != 0; i = next[i-1] {
			c := classes[i-1]
			if len(c.true) != n {
				continue
			}
			same := true
			for _, at := range c.true {
				if !has(at) {
					same = false
					break
				}
			}
			if same {
				return true
			}
		}
		return false
	}
	add := func(h uint64, rep ir.Value, active []int, least bool) {
		// active is the caller's fresh list.
		slices.Sort(active)
		if len(slab) == cap(slab) {
			slab = make([]class, 0, min(max(2*cap(slab), 4), 256))
		}
		slab = append(slab, class{rep: rep, true: active, dec: dec, least: least})
		classes = append(classes, &slab[len(slab)-1])
		next = append(next, first[h])
		first[h] = int32(len(classes))
	}
	if dim.domain != nil {
		for _, v := range dim.domain {
			var h uint64
			var active []int
			inside := 0
			for _, at := range ats {
				if en.p.atoms[at].set.Contains(v) {
					h ^= zobrist(at)
					active = append(active, at)
					inside += role(at)
				}
			}
			inActive := func(at int) bool { return slices.Contains(active, at) }
			if inside == want && !known(h, len(active), inActive) {
				add(h, v, active, false)
			}
		}
		return classes
	}
	bl := en.stabs.boundaries(en.p, d, ats)
	evs := bl.evs
	active := map[int]bool{}
	var h uint64
	inside := 0
	at := ir.ZeroValue(dim.width)
	for i := bl.next(0); i <= len(evs); i = bl.next(i + 1) {
		if i == len(evs) || evs[i].at.Compare(at) > 0 {
			// [at, evs[i].at-1] (or to the end) is one elementary
			// interval; list its atoms only if it is inside cur and its
			// class is new.
			if inside == want && !known(h, len(active), func(a int) bool { return active[a] }) {
				list := make([]int, 0, len(active))
				for a := range active {
					list = append(list, a)
				}
				add(h, at, list, true)
			}
			if i == len(evs) {
				break
			}
			at = evs[i].at
		}
		e := evs[i]
		if e.start {
			active[e.atom] = true
			inside += role(e.atom)
		} else {
			delete(active, e.atom)
			inside -= role(e.atom)
		}
		h ^= zobrist(e.atom)
	}
	return classes
}

// zobrist gives each atom a random-looking 64-bit code (splitmix64).
func zobrist(atom int) uint64 {
	z := uint64(atom+1) * 0x9e3779b97f4a7c15
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9
	z = (z ^ (z >> 27)) * 0x94d049bb133111eb
	return z ^ (z >> 31)
}

// leaf evaluates both rulesets on one packet class and compares them.
// When the class does not decide an atom the evaluation needs, it
// returns that atom's dimension and the atom instead; otherwise -1.
func (en *enumerator) leaf(asg *assignment, alive *aliveSet) (int, int) {
	if en.p.frozen && en.p.missedDraw.Load() {
		en.done = true // the walk starts again on one goroutine
		return -1, -1
	}
	if en.oracle == nil {
		en.oracle = &leafOracle{p: en.p}
	}
	en.oracle.asg = asg
	var outs [2]Outcome
	evs := &en.evs
	for s := range evs {
		if evs[s] == nil {
			evs[s] = &evaluator{p: en.p}
		}
	}
	run := func(s int, meet bool) {
		evs[s].reset(en.oracle, alive)
		evs[s].meet = meet
		outs[s] = evs[s].run(s)
	}
	// Side 0 may park where it enters a chain both sides reach; side 1
	// then may park there too, and the class is proved (see meeting).
	// Otherwise the class is split, or compared, as the full walk would:
	// on the first atom side 0 needs, then on the first side 1 needs.
	// An evaluation needs the same atoms up to where it parks either
	// way, so the walk is the full walk's with subtrees left out.
	run(0, !en.opts.FullWalk)
	if evs[0].need >= 0 {
		return evs[0].need, evs[0].needAtom
	}
	if !evs[0].parked && en.unknown(evs[0]) {
		return -1, -1
	}
	run(1, evs[0].parked)
	if evs[0].parked {
		if evs[1].parked && evs[0].metBy(evs[1], en.opts.Counters) {
			en.countClass(outs)
			return -1, -1
		}
		if run(0, false); evs[0].need >= 0 {
			return evs[0].need, evs[0].needAtom
		}
		if en.unknown(evs[0]) {
			return -1, -1
		}
		if evs[1].parked {
			run(1, false)
		}
	}
	if evs[1].need >= 0 {
		return evs[1].need, evs[1].needAtom
	}
	if en.unknown(evs[1]) {
		return -1, -1
	}
	// The two sides must read the same value of every dimension both read.
	if d := conflictingReads(evs[0], evs[1]); d >= 0 {
		en.res.Unknown = append(en.res.Unknown, fmt.Sprintf("%s %s: %s is matched after a statement (NAT, or a computed write) set it to a value nftopt does not know", en.p.fam.name, en.hook, en.p.dims[d].key))
		en.done = true
		return -1, -1
	}
	if !en.countClass(outs) || sameOutcome(outs[0], outs[1], en.opts.Counters) {
		return -1, -1
	}
	// The outcomes share the evaluators' buffers, reused by the next leaf.
	pkt := en.packet(asg)
	en.res.Diffs = append(en.res.Diffs, Diff{Family: pkt.Family, Hook: en.hook, Packet: pkt, A: outs[0].clone(), B: outs[1].clone()})
	if len(en.res.Diffs) >= en.opts.MaxDiffs {
		en.done = true
	}
	return -1, -1
}

// unknown reports an evaluation the model cannot decide (jumps too
// deep, a read of a value it does not know), ending the walk with the
// reason.
func (en *enumerator) unknown(ev *evaluator) bool {
	switch {
	case ev.tooDeep:
		en.res.Unknown = append(en.res.Unknown, fmt.Sprintf("%s %s: jumps nest deeper than %d", en.p.fam.name, en.hook, maxDepth))
	case ev.taintRead != "":
		en.res.Unknown = append(en.res.Unknown, fmt.Sprintf("%s %s: %s is matched after a statement (NAT, or a computed write) set it to a value nftopt does not know", en.p.fam.name, en.hook, ev.taintRead))
	default:
		return false
	}
	en.done = true
	return true
}

// countClass counts a packet class and the rules its outcomes evaluated;
// it reports false, ending the walk, past Options.MaxClasses.
func (en *enumerator) countClass(outs [2]Outcome) bool {
	en.res.Classes++
	total := int64(en.res.Classes)
	if en.classes != nil {
		total = en.classes.Add(1)
	}
	if en.opts.MaxClasses > 0 && total > int64(en.opts.MaxClasses) {
		en.res.Unknown = append(en.res.Unknown, fmt.Sprintf("%s %s: more than %d packet classes", en.p.fam.name, en.hook, en.opts.MaxClasses))
		en.done = true
		return false
	}
	en.res.Evaluated[0] += outs[0].Evaluated
	en.res.Evaluated[1] += outs[1].Evaluated
	return true
}

// conflictingReads returns a dimension the two evaluations read with
// different identities (one the packet's value, the other a value some
// statement set), or -1.
func conflictingReads(a, b *evaluator) int {
	for d, id := range a.read {
		if other, ok := b.read[d]; ok && other != id {
			return d
		}
	}
	return -1
}

// sameOutcome compares verdicts and effects.
func sameOutcome(a, b Outcome, counters bool) bool {
	return a.Verdict == b.Verdict && sameEffects(a.Effects, b.Effects, counters)
}

// sameEffects compares two lists of effects by name. An anonymous
// counter is "a counter counted the packet here"; with counters set it
// is also the rule that holds it, so that a merged counter is a
// difference.
func sameEffects(a, b []*Effect, counters bool) bool {
	if len(a) != len(b) {
		return false
	}
	for i, x := range a {
		y := b[i]
		if x.Key != y.Key || counters && ruleOfCounter(x) != ruleOfCounter(y) {
			return false
		}
	}
	return true
}

// ruleOfCounter is where the rule of an anonymous counter starts, or
// the zero position for any other effect.
func ruleOfCounter(e *Effect) ir.Pos {
	if e.Counter && e.Rule != nil {
		return e.Rule.Span.Start
	}
	return ir.Pos{}
}

// packet builds a concrete packet of a leaf's class.
func (en *enumerator) packet(asg *assignment) Packet {
	pkt := Packet{Family: en.p.fam.name, Hook: en.hook, Fields: map[string]ir.Value{}, Preds: map[string]bool{}}

	wholes, seenByte := map[string][]byte{}, map[int]bool{}
	for a := asg; a != nil; a = a.parent {
		// The innermost class of a dimension is the most refined.
		dim := en.p.dims[a.dim]
		if dim.field == nil {
			k := dim.key[len("pred: "):]
			if _, ok := pkt.Preds[k]; !ok {
				pkt.Preds[k] = a.cls.rep == ir.Uint64Value(1, 1)
			}
			continue
		}
		if dim.whole != "" {
			// A byte of a wider field: put it in place.
			if _, ok := seenByte[a.dim]; ok {
				continue
			}
			seenByte[a.dim] = true
			b, ok := wholes[dim.whole]
			if !ok {
				b = make([]byte, dim.field.Width/8)
				wholes[dim.whole] = b
			}
			b[dim.byteIdx] = a.cls.rep.Bytes()[0]
			continue
		}
		if _, ok := pkt.Fields[dim.key]; !ok {
			pkt.Fields[dim.key] = a.cls.rep
		}
	}
	for name, b := range wholes {
		if v, err := ir.ValueOf(b, 8*len(b)); err == nil {
			pkt.Fields[name] = v
		}
	}
	if en.p.fam.dual {
		pkt.setFamily()
	}
	pkt.prune()
	return pkt
}

// lookupAtoms returns the atoms on dim of the branches of a lookup that
// can still hold, using the branch index when its dimension is decided.
func (en *enumerator) lookupAtoms(asg *assignment, st *step, dim int) []int {
	if st.branchDim >= 0 && st.branchDim != dim {
		if c := asg.lookup(st.branchDim); c != nil {
			ats, ok := c.indexed(st)
			if !ok {
				return st.byDim.get(dim)
			}
			var out []int
			for _, at := range ats {
				for _, bi := range st.branchIndex[at] {
					st.branches[bi].cond.eachAtom(func(a int) bool {
						if en.p.atoms[a].dim == dim {
							out = append(out, a)
						}
						return true
					})
				}
			}
			return out
		}
	}
	return st.byDim.get(dim)
}
