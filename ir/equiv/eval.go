package equiv

import (
	"slices"
	"sort"
	"strings"

	"github.com/nftopt/nftopt/ir"
)

// Outcome is what a ruleset does to a packet at one hook.
type Outcome struct {
	// Verdict is the final verdict: accept, drop, queue, stolen, or the
	// uninterpreted verdict of a named verdict map.
	Verdict string
	// Effects are the side effects in the order they happened.
	Effects []*Effect
	// Rules are the rules the packet matched, in order.
	Rules []*ir.Rule
	// Evaluated counts the rules the kernel tests the packet against:
	// every rule of a chain up to the one that ends it.
	Evaluated int
}

// oracle tells the truth of atoms for one packet or packet class.
type oracle interface {
	// truth tells whether an atom holds: 1 yes, 0 no, -1 not decided
	// (a packet class that has not been split on the atom's dimension).
	truth(atom int) int
	// indexed lists the atoms on a lookup's index dimension that hold,
	// sorted; ok is false when the oracle cannot list them cheaply or
	// does not decide every atom of the index.
	indexed(st *step) (atoms []int, ok bool)
}

// maxDepth is the kernel's jump stack depth.
const maxDepth = 16

// evaluator runs one side of a program for one packet.
type evaluator struct {
	p      *program
	o      oracle
	alive  *aliveSet // the class's live rules; nil for all
	writes map[int]ir.Value
	out    Outcome
	// tooDeep is set when jumps nest deeper than the kernel allows.
	tooDeep bool
	// ident names, per dimension, which value a match would read: ""
	// (absent) for the packet's own, else the statement that last set it
	// to a value the model does not know (a NAT translation, a computed
	// write). read records the first identity read per dimension. The
	// model has one value per dimension and class, so reading two
	// identities of one dimension cannot be decided: taintRead says
	// which dimension it was. Only programs that set such values
	// (p.clobbers) track reads.
	ident, read map[int]string
	taintRead   string
	// unfiltered is set once the evaluation writes a dimension a rule
	// guard tests: the per-class rule filters no longer hold.
	unfiltered bool
	// need is the dimension of the first undecided atom the evaluation
	// needed, or -1; the evaluation stops there. needAtom is that atom.
	need, needAtom int
	// drawn counts the evaluations of each number generator so far.
	drawn map[string]int
	// meet, when set, parks the evaluation where it enters a chain both
	// sides reach with nothing left to run after that chain returns
	// (see meeting); parked is then set and at says where.
	meet   bool
	parked bool
	at     meeting
}

// resolve returns the atom a test of atom a reads now: for the predicate
// of a number generator drawn more than once, the atom of this draw.
func (e *evaluator) resolve(a int) int {
	if e.p.drawOf != nil {
		if g, ok := e.p.drawOf[e.p.atoms[a].dim]; ok && e.drawn[g] > 1 {
			return e.p.drawAtom(a, e.drawn[g])
		}
	}
	return a
}

func (e *evaluator) truth(a int) int {
	a = e.resolve(a)
	at := e.p.atoms[a]
	if v, ok := e.writes[at.dim]; ok {
		if at.set.Contains(v) {
			return 1
		}
		return 0
	}
	e.observe(at.dim)
	return e.o.truth(a)
}

// observe records a read of d's current identity; reading a second
// identity of d sets taintRead.
func (e *evaluator) observe(d int) {
	if !e.p.clobbers {
		return
	}
	id := e.ident[d]
	prev, ok := e.read[d]
	switch {
	case !ok:
		if e.read == nil {
			e.read = map[int]string{}
		}
		e.read[d] = id
	case prev != id && e.taintRead == "":
		e.taintRead = e.p.dims[d].key
	}
}

// write sets d to a constant, which later matches see.
func (e *evaluator) write(d int, v ir.Value, src string) {
	if e.writes == nil {
		e.writes = map[int]ir.Value{}
	}
	e.writes[d] = v
	e.unfiltered = e.unfiltered || e.p.guardWritten[d]
	e.rename(e.p.predOf[d], src)
}

// clobber sets the fields keys name to a value the model does not
// know, which src names.
func (e *evaluator) clobber(keys []string, src string) {
	for _, k := range keys {
		if set, ok := strings.CutPrefix(k, "set:"); ok {
			e.rename(e.p.setPreds[set], src)
			continue
		}
		if d, ok := e.p.dimIndex[k]; ok {
			delete(e.writes, d)
			e.rename([]int{d}, src)
			e.rename(e.p.predOf[d], src)
		}
	}
}

func (e *evaluator) rename(dims []int, src string) {
	for _, d := range dims {
		e.unfiltered = e.unfiltered || e.p.guardWritten[d]
		if e.ident == nil {
			e.ident = map[int]string{}
		}
		e.ident[d] = src
	}
}

// draw counts an evaluation of each of the number generators gens:
// from the second one on a path, the generator's predicates test a new
// number, with atoms of their own (see truth).
func (e *evaluator) draw(gens []string) {
	for _, g := range gens {
		if e.drawn == nil {
			e.drawn = map[string]int{}
		}
		e.drawn[g]++
	}
}

// eval3 evaluates a formula: 1 true, 0 false, -1 undecided.
func (e *evaluator) eval3(f *formula) int {
	switch f.op {
	case 'T':
		return 1
	case 'F':
		return 0
	case 'a':
		return e.truth(f.atom)
	case '&':
		r := 1
		for _, k := range f.kids {
			switch e.eval3(k) {
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
		switch e.eval3(k) {
		case 1:
			return 1
		case -1:
			r = -1
		}
	}
	return r
}

// firstUndecided returns an undecided atom of f, or -1.
func (e *evaluator) firstUndecided(f *formula) int {
	found := -1
	f.eachAtom(func(at int) bool {
		if e.truth(at) < 0 {
			found = e.resolve(at)
			return false
		}
		return true
	})
	return found
}

// eval decides a formula; when it cannot, it records the dimension it
// needs and stops the evaluation.
func (e *evaluator) eval(f *formula) bool {
	switch e.eval3(f) {
	case 1:
		return true
	case 0:
		return false
	}
	if e.need < 0 {
		if at := e.firstUndecided(f); at >= 0 {
			e.need, e.needAtom = e.p.atoms[at].dim, at
		}
	}
	return false
}

// stopped reports an evaluation that needs an undecided dimension.
func (e *evaluator) stopped() bool { return e.need >= 0 || e.parked }

// clone copies an outcome out of an evaluator's buffers.
func (o Outcome) clone() Outcome {
	o.Effects = slices.Clone(o.Effects)
	o.Rules = slices.Clone(o.Rules)
	return o
}

// reset prepares an evaluator for another packet class, keeping its
// maps and buffers: the outcome of the previous run is overwritten.
func (e *evaluator) reset(o oracle, alive *aliveSet) {
	e.o, e.alive = o, alive
	clear(e.writes)
	clear(e.ident)
	clear(e.read)
	clear(e.drawn)
	e.tooDeep, e.taintRead, e.unfiltered, e.parked = false, "", false, false
}

// run evaluates side s (0 or 1) and returns its outcome.
func (e *evaluator) run(s int) Outcome {
	e.out = Outcome{Verdict: "accept", Effects: e.out.Effects[:0], Rules: e.out.Rules[:0]}
	e.need = -1
	// The nat chains of the hook run together inside conntrack's NAT
	// hook: conntrack decides once whether they run (natOn: 1 yes, -1
	// no), skips the rest once one has set up a translation (natSet),
	// and then sets ct status bits (done, for the chains after them).
	var natOn int8
	var natSet bool
	var done []string
	for k, id := range e.p.sides[s] {
		ch := e.p.chains[id]
		if done != nil && ch.natDone == nil {
			e.clobber(done, "conntrack")
			done = nil
		}
		runs := true
		switch {
		case ch.natDone != nil:
			if natOn == 0 {
				natOn = 1
				if !e.eval(ch.guard) {
					if e.stopped() {
						return e.out
					}
					natOn = -1
				}
			}
			runs = natOn > 0
			if runs && natSet {
				continue
			}
		case ch.guard != nil:
			runs = e.eval(ch.guard)
			if e.stopped() {
				return e.out
			}
		}
		if !runs {
			// A nat chain does not see later packets of a connection,
			// which conntrack translates all the same.
			e.clobber(ch.natClobber, "conntrack")
			continue
		}
		n := len(e.out.Effects)
		// After the last base chain only its policy is left to apply.
		tail := ""
		if k == len(e.p.sides[s])-1 {
			tail = ch.policy
		}
		v := e.chain(id, 0, tail)
		if e.stopped() {
			return e.out
		}
		if ch.natDone != nil {
			done = ch.natDone
			natSet = natSet || translates(e.out.Effects[n:])
		}
		switch v.kind {
		case "accept":
			continue
		case "", "return", "continue":
			if ch.policy == "drop" {
				e.out.Verdict = "drop"
				return e.out
			}
			continue
		default:
			e.out.Verdict = v.kind
			return e.out
		}
	}
	return e.out
}

// translates reports a NAT statement among effects.
func translates(effects []*Effect) bool {
	for _, ef := range effects {
		if _, ok := ef.Stmt.(*ir.Nat); ok {
			return true
		}
	}
	return false
}

func (e *evaluator) rulesOf(chain int) []int {
	if e.alive != nil && !e.unfiltered {
		return e.alive.get(chain)
	}
	return e.p.chains[chain].rules
}

// chain runs a chain and returns its verdict; kind "" means the end of
// the chain was reached. tail, when not empty, says that nothing is
// left to run once the chain returns but the policy tail of the last
// base chain (see meeting).
func (e *evaluator) chain(id, depth int, tail string) verdict {
	if depth >= maxDepth {
		e.tooDeep = true
		return verdict{kind: "drop"}
	}
	ended := func(rid int) { e.out.Evaluated += e.p.rules[rid].index + 1 }
	rules := e.rulesOf(id)
	last := -1 // position of the last rule run
	for i := 0; i < len(rules); i++ {
		rid := rules[i]
		filtered := !e.unfiltered
		if filtered {
			e.skipped(id, last, e.p.rules[rid].index)
		}
		last = e.p.rules[rid].index
		v := e.rule(e.p.rules[rid])
		if filtered && e.unfiltered {
			// The rule wrote a guarded dimension: go on with every rule
			// after it, not the filtered list.
			rules, i = e.p.chains[id].rules, e.p.rules[rid].index
		}
		if e.stopped() {
			return verdict{}
		}
		switch v.kind {
		case "", "continue":
			continue
		case "jump":
			// rules lists the rules that can still match: none after
			// this one leaves nothing to run when the target returns.
			after := ""
			if i == len(rules)-1 {
				after = tail
			}
			if e.meets(v.target, depth+1, after) {
				return verdict{}
			}
			sub := e.chain(v.target, depth+1, after)
			if e.stopped() {
				return verdict{}
			}
			if sub.kind == "" || sub.kind == "return" || sub.kind == "continue" {
				continue
			}
			ended(rid)
			return sub
		case "goto":
			if e.meets(v.target, depth+1, tail) {
				return verdict{}
			}
			sub := e.chain(v.target, depth+1, tail)
			if e.stopped() {
				return verdict{}
			}
			ended(rid)
			if sub.kind == "" || sub.kind == "return" || sub.kind == "continue" {
				return verdict{kind: "return"}
			}
			return sub
		default:
			ended(rid)
			return v
		}
	}
	if !e.unfiltered {
		e.skipped(id, last, len(e.p.chains[id].rules))
	}
	e.out.Evaluated += len(e.p.chains[id].rules)
	return verdict{}
}

// skipped records the guard reads of the rules the per-class filter
// skipped between positions from and to (exclusive) of a chain: their
// guards were tested on the packet's values.
func (e *evaluator) skipped(chain, from, to int) {
	for d, idx := range e.p.guardIdx[chain] {
		i, _ := slices.BinarySearch(idx, from+1)
		if i < len(idx) && idx[i] < to {
			e.observe(d)
		}
	}
}

// rule runs one rule; kind "" means it ended without a verdict.
func (e *evaluator) rule(r *crule) verdict {
	for i := range r.steps {
		st := &r.steps[i]
		if r.draws {
			e.draw(e.p.stepDraws[st])
		}
		switch st.kind {
		case stepMatch:
			if !e.eval(st.cond) {
				return verdict{}
			}
		case stepEffect:
			e.out.Effects = append(e.out.Effects, st.effect)
		case stepWrite:
			if st.effect != nil {
				e.out.Effects = append(e.out.Effects, st.effect)
			}
			e.write(st.dim, st.value, st.src)
		case stepClobber:
			e.clobber(st.clobber, st.src)
		case stepVerdict:
			e.hit(r)
			return st.verdict
		case stepBranch:
			found := false
			for _, bi := range e.candidates(st) {
				b := st.branches[bi]
				if !e.eval(b.cond) {
					if e.stopped() {
						return verdict{}
					}
					continue
				}
				found = true
				if b.effect != nil {
					e.out.Effects = append(e.out.Effects, b.effect)
				}
				for _, w := range b.writes {
					e.write(w.dim, w.value, b.src)
				}
				e.clobber(b.clobber, b.src)
				if b.verdict.kind != "" {
					e.hit(r)
					return b.verdict
				}
				if b.terminal != "" {
					e.hit(r)
					return verdict{kind: b.terminal}
				}
				break
			}
			if !found {
				return verdict{}
			}
		}
	}
	e.hit(r)
	return verdict{}
}

func (e *evaluator) hit(r *crule) { e.out.Rules = append(e.out.Rules, r.src) }

// candidates lists, in order, the branches of a map lookup that can hold.
func (e *evaluator) candidates(st *step) []int {
	if st.branchDim >= 0 {
		if _, written := e.writes[st.branchDim]; !written {
			e.observe(st.branchDim)
			if ats, ok := e.o.indexed(st); ok {
				if len(ats) == 1 {
					return st.branchIndex[ats[0]] // sorted; read only
				}
				var out []int
				for _, at := range ats {
					out = append(out, st.branchIndex[at]...)
				}
				sort.Ints(out)
				return out
			}
		}
	}
	return st.allBranches()
}
