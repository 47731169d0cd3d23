package equiv

import (
	"sync"
	"sync/atomic"

	"github.com/nftopt/nftopt/ir"
)

// Prepared compiles, in the background, the first ruleset's side of the
// programs a later Check of it against another ruleset will need: the
// optimizer starts it on its input before its passes run, and the proof
// after them finds that half of its compiling done. The programs are
// those Check(a, a) plans for whole rulesets on hooks with one base
// chain (a hook with more is first checked chain by chain); Check
// compiles any other itself, so a guess that misses costs time, never
// an answer. A program is the same whether its first side was prepared
// or not: the sides are compiled onto it one after the other either
// way.
type Prepared struct {
	a       *ir.Ruleset
	mu      sync.Mutex
	entries map[string]*prepared
	stop    atomic.Bool
	done    chan struct{}
	// reach holds the chains each of a's tables reaches
	// (ir.Table.Reachable), once reached is closed: the background
	// compiler works them out first.
	reach   map[*ir.Table]map[string]bool
	reached chan struct{}
}

// prepared is one program in the making: state is preparePending until
// the background compiler (prepareCompiling) or Check (prepareTaken)
// claims it; ready closes once p is set (nil when abandoned).
type prepared struct {
	state atomic.Int32
	ready chan struct{}
	p     *program
}

const (
	preparePending int32 = iota
	prepareCompiling
	prepareTaken
)

// Prepare starts compiling a's side of the programs a Check of a with
// the same Families and Hooks will need, on one goroutine. Close it
// when done with it.
func Prepare(a *ir.Ruleset, opts Options) *Prepared {
	pr := &Prepared{a: a, entries: map[string]*prepared{}, done: make(chan struct{}),
		reach: map[*ir.Table]map[string]bool{}, reached: make(chan struct{})}
	jobs, twin := planJobs(a, a, opts)
	type todo struct {
		j job
		e *prepared
	}
	var list []todo
	for i, j := range jobs {
		if twin[i] >= 0 || j.a != a || baseChainCount(a, j.hook) > 1 {
			continue
		}
		e := &prepared{ready: make(chan struct{})}
		pr.entries[j.fr.name+" "+j.hook] = e
		list = append(list, todo{j, e})
	}
	go func() {
		defer close(pr.done)
		for _, t := range a.Tables {
			pr.reach[t] = t.Reachable()
		}
		close(pr.reached)
		for _, t := range list {
			if !t.e.state.CompareAndSwap(preparePending, prepareCompiling) {
				continue
			}
			if !pr.stop.Load() {
				p := newProgram(t.j.fr)
				if p.compileSide(0, a, t.j.hook, &pr.stop) {
					t.e.p = p
				}
			}
			close(t.e.ready)
		}
	}()
	return pr
}

// baseChainCount counts the base chains on hook.
func baseChainCount(rs *ir.Ruleset, hook string) int {
	n := 0
	for _, t := range rs.Tables {
		for _, c := range t.Chains {
			if c.Base != nil && c.Base.Hook == hook {
				n++
			}
		}
	}
	return n
}

// take returns the program for family run fr and hook of a and another
// ruleset, with a's side compiled, waiting for it while the background
// compiler works on it; nil when there is none, or when the background
// compiler has not started it (the caller then compiles it, sooner).
func (pr *Prepared) take(a *ir.Ruleset, fr familyRun, hook string) *program {
	if pr == nil || a != pr.a {
		return nil
	}
	k := fr.name + " " + hook
	pr.mu.Lock()
	e := pr.entries[k]
	delete(pr.entries, k)
	pr.mu.Unlock()
	if e == nil || e.state.CompareAndSwap(preparePending, prepareTaken) {
		return nil
	}
	<-e.ready
	return e.p
}

// reachable returns the chains table t reaches: worked out in the
// background when t is one of the prepared ruleset's tables.
func (pr *Prepared) reachable(t *ir.Table) map[string]bool {
	if pr != nil {
		<-pr.reached
		if r, ok := pr.reach[t]; ok {
			return r
		}
	}
	return t.Reachable()
}

// Close stops compiling programs not taken yet and waits until the
// background compiler has returned. A nil Prepared is closed already.
func (pr *Prepared) Close() {
	if pr == nil {
		return
	}
	pr.stop.Store(true)
	<-pr.done
}
