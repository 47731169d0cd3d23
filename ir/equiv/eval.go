package equiv

import (
	"sort"

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
}

// oracle tells the truth of atoms for one packet or packet class.
type oracle interface {
	truth(atom int) bool
	// trueAtoms lists the atoms on dim that hold, sorted; ok is false
	// when the oracle cannot list them cheaply.
	trueAtoms(dim int) (atoms []int, ok bool)
}

// maxDepth is the kernel's jump stack depth.
const maxDepth = 16

// evaluator runs one side of a program for one packet.
type evaluator struct {
	p      *program
	o      oracle
	alive  func(chain int) []int
	writes map[int]ir.Value
	out    Outcome
	// tooDeep is set when jumps nest deeper than the kernel allows.
	tooDeep bool
}

func (e *evaluator) truth(a int) bool {
	at := e.p.atoms[a]
	if v, ok := e.writes[at.dim]; ok {
		return at.set.Contains(v)
	}
	return e.o.truth(a)
}

func (e *evaluator) eval(f *formula) bool {
	switch f.op {
	case 'T':
		return true
	case 'F':
		return false
	case 'a':
		return e.truth(f.atom)
	case '&':
		for _, k := range f.kids {
			if !e.eval(k) {
				return false
			}
		}
		return true
	}
	for _, k := range f.kids {
		if e.eval(k) {
			return true
		}
	}
	return false
}

// run evaluates side s (0 or 1) and returns its outcome.
func (e *evaluator) run(s int) Outcome {
	e.out = Outcome{Verdict: "accept"}
	for _, id := range e.p.sides[s] {
		ch := e.p.chains[id]
		if ch.guard != nil && !e.eval(ch.guard) {
			continue
		}
		v := e.chain(id, 0)
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

func (e *evaluator) rulesOf(chain int) []int {
	if e.alive != nil {
		return e.alive(chain)
	}
	return e.p.chains[chain].rules
}

// chain runs a chain and returns its verdict; kind "" means the end of
// the chain was reached.
func (e *evaluator) chain(id, depth int) verdict {
	if depth >= maxDepth {
		e.tooDeep = true
		return verdict{kind: "drop"}
	}
	for _, rid := range e.rulesOf(id) {
		v := e.rule(e.p.rules[rid])
		switch v.kind {
		case "", "continue":
			continue
		case "jump":
			sub := e.chain(v.target, depth+1)
			if sub.kind == "" || sub.kind == "return" || sub.kind == "continue" {
				continue
			}
			return sub
		case "goto":
			sub := e.chain(v.target, depth+1)
			if sub.kind == "" || sub.kind == "return" || sub.kind == "continue" {
				return verdict{kind: "return"}
			}
			return sub
		default:
			return v
		}
	}
	return verdict{}
}

// rule runs one rule; kind "" means it ended without a verdict.
func (e *evaluator) rule(r *crule) verdict {
	for _, st := range r.steps {
		switch st.kind {
		case stepMatch:
			if !e.eval(st.cond) {
				return verdict{}
			}
		case stepEffect:
			e.out.Effects = append(e.out.Effects, st.effect)
		case stepWrite:
			e.out.Effects = append(e.out.Effects, st.effect)
			if e.writes == nil {
				e.writes = map[int]ir.Value{}
			}
			e.writes[st.dim] = st.value
		case stepVerdict:
			e.hit(r)
			return st.verdict
		case stepBranch:
			found := false
			for _, bi := range e.candidates(&st) {
				b := st.branches[bi]
				if !e.eval(b.cond) {
					continue
				}
				found = true
				if b.effect != nil {
					e.out.Effects = append(e.out.Effects, b.effect)
				}
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
			if ats, ok := e.o.trueAtoms(st.branchDim); ok {
				var out []int
				for _, at := range ats {
					out = append(out, st.branchIndex[at]...)
				}
				sort.Ints(out)
				return out
			}
		}
	}
	out := make([]int, len(st.branches))
	for i := range out {
		out[i] = i
	}
	return out
}
