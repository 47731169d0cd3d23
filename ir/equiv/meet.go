package equiv

import (
	"maps"
	"slices"
)

// Where the optimizer leaves chains unchanged, both sides of a program
// jump to the same compiled chain (compiler.sameChain). kube-proxy's
// rulesets are made of such chains: the optimizer turns the dispatch on
// a service's address and port into a verdict map, and leaves alone the
// chains it jumps to, which pick an endpoint, mark and translate. The
// walk would still split every class on what those chains test (source
// addresses, number generator draws), once per service, to evaluate the
// same chain on both sides.
//
// Two evaluations of one packet that enter the same chain at the same
// jump depth, in the same state, each with nothing left to run once
// that chain returns but the same policy, end the same way: what the
// chain does from there depends on nothing else. The walk parks both
// sides there (evaluator.meet) and takes the class as proved when they
// meet, without splitting it on what the chain tests.
//
// The same state is the same packet (the class), the same constant
// writes, no write of a value the model does not know (a NAT
// translation, a computed value, a set update: their values may differ
// where the histories differ), the same number generator draws, and
// the same effects so far, in order.
//
// Nothing is left to run after a chain returns when every chain below it
// on the jump stack is at its last rule that can match the class, and
// its base chain is the last one of the hook. "Can match" is read on
// the class's live rules (aliveSet): their guards hold for the packet
// as it came, and keep holding after the chain returns. Guards test no
// field a statement other than NAT may write (program.fixGuards), and a
// NAT statement ends its base chain, so a chain that returns has not
// translated anything.
//
// The packet classes this leaves whole are counted once and their
// rules evaluated only up to where the sides meet: Options.FullWalk
// turns meeting off where Result.Evaluated must count whole paths.

// meeting is where an evaluation parked: entering chain at depth, with
// the policy tail left to apply once it returns.
type meeting struct {
	chain, depth int
	tail         string
}

// meets parks the evaluation when it may meet the other side: it enters
// chain at depth, a chain both sides reach, with only the policy tail
// left once it returns.
func (e *evaluator) meets(chain, depth int, tail string) bool {
	if !e.meet || tail == "" || !e.p.bothSides[chain] {
		return false
	}
	e.parked, e.at = true, meeting{chain, depth, tail}
	return true
}

// metBy reports two parked evaluations that end the same way: they
// meet at the same chain, depth and tail, in the same state.
func (e *evaluator) metBy(o *evaluator, counters bool) bool {
	return e.parked && o.parked && e.at == o.at &&
		len(e.ident) == 0 && len(o.ident) == 0 && e.taintRead == "" && o.taintRead == "" &&
		maps.Equal(e.writes, o.writes) && maps.Equal(e.drawn, o.drawn) &&
		sameEffects(e.out.Effects, o.out.Effects, counters)
}

// markBothSides sets p.bothSides: the chains some jump, goto or verdict
// map of each side can reach from its base chains.
func (p *program) markBothSides() {
	reach := func(s int) []bool {
		seen := make([]bool, len(p.chains))
		work := slices.Clone(p.sides[s])
		for _, id := range work {
			seen[id] = true
		}
		visit := func(v verdict) {
			if (v.kind == "jump" || v.kind == "goto") && !seen[v.target] {
				seen[v.target] = true
				work = append(work, v.target)
			}
		}
		for len(work) > 0 {
			id := work[len(work)-1]
			work = work[:len(work)-1]
			for _, rid := range p.chains[id].rules {
				r := p.rules[rid]
				for _, i := range r.calls {
					switch st := &r.steps[i]; st.kind {
					case stepVerdict:
						visit(st.verdict)
					case stepBranch:
						for _, b := range st.branches {
							visit(b.verdict)
						}
					}
				}
			}
		}
		return seen
	}
	a, b := reach(0), reach(1)
	p.bothSides = make([]bool, len(p.chains))
	for i := range a {
		p.bothSides[i] = a[i] && b[i] && !p.chains[i].base
	}
}
