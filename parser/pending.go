package parser

import (
	"runtime"
	"slices"
	"sync"
	"sync/atomic"

	"github.com/nftopt/nftopt/ir"
)

// The rule lines of chain blocks are read in order but lowered in
// batches, on all processors: a generated ruleset's table block holds
// most of its text as rules, and lowering a rule reads nothing the
// lowering of another writes. A rule's lowering reads only the
// definitions in scope (define), so a batch is flushed before anything
// that changes them (define, redefine, undefine, include) and before
// each top-level line, which may read or change the rules of a chain
// (add rule, delete rule, flush chain). Each rule keeps its place in
// its chain, and its errors their place among the others: the result,
// errors included, is the one lowering rules one by one gives.

// pendingRule is a rule line waiting in the batch.
type pendingRule struct {
	t      *ir.Table
	c      *ir.Chain
	slot   int // its index in c.Rules, nil until the flush
	line   *lineAST
	scopes []map[string][]tok
	errAt  int // len(l.errs) when the line was read
	rule   *ir.Rule
	errs   ErrorList
}

// rulesPerTask is how many rules a goroutine of a flush takes at once
// (a chunk of the batch); a batch of one chunk is lowered on the
// caller's goroutine.
const rulesPerTask = 256

// deferRule adds the rule line of chain c to the batch.
func (l *lowerer) deferRule(t *ir.Table, c *ir.Chain, line *lineAST) {
	if l.snap == nil {
		l.snap = slices.Clone(l.scopes)
	}
	// The batch grows in chunks of a task each, never copied.
	if n := len(l.pending); n == 0 || len(l.pending[n-1]) == rulesPerTask {
		l.pending = append(l.pending, make([]pendingRule, 0, rulesPerTask))
	}
	last := &l.pending[len(l.pending)-1]
	*last = append(*last, pendingRule{t: t, c: c, slot: len(c.Rules), line: line, scopes: l.snap, errAt: len(l.errs)})
	c.Rules = append(c.Rules, nil)
}

// flushRules lowers the batch and puts each rule, and its errors, in
// place.
func (l *lowerer) flushRules() {
	chunks := l.pending
	if len(chunks) == 0 {
		return
	}
	l.pending = nil
	lower := func(p *pendingRule) {
		// The lowerer's maps are only read while a batch is lowered.
		w := *l
		w.errs, w.scopes, w.pending, w.snap = nil, p.scopes, nil, nil
		p.rule = w.rule(p.t, toks(p.line))
		p.errs = w.errs
	}
	lowerChunk := func(ps []pendingRule) {
		for i := range ps {
			lower(&ps[i])
		}
	}
	if workers := min(runtime.GOMAXPROCS(0), len(chunks)); workers < 2 {
		for _, ps := range chunks {
			lowerChunk(ps)
		}
	} else {
		var next atomic.Int64
		var wg sync.WaitGroup
		for range workers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for {
					i := int(next.Add(1) - 1)
					if i >= len(chunks) {
						return
					}
					lowerChunk(chunks[i])
				}
			}()
		}
		wg.Wait()
	}
	var holes []*ir.Chain
	nerrs := 0
	for _, ps := range chunks {
		for i := range ps {
			p := &ps[i]
			p.c.Rules[p.slot] = p.rule
			if p.rule == nil && (len(holes) == 0 || holes[len(holes)-1] != p.c) {
				holes = append(holes, p.c)
			}
			nerrs += len(p.errs)
		}
	}
	for _, c := range holes {
		c.Rules = slices.DeleteFunc(c.Rules, func(r *ir.Rule) bool { return r == nil })
	}
	if nerrs == 0 {
		return
	}
	errs := make(ErrorList, 0, len(l.errs)+nerrs)
	done := 0
	for _, ps := range chunks {
		for i := range ps {
			p := &ps[i]
			errs = append(errs, l.errs[done:p.errAt]...)
			errs = append(errs, p.errs...)
			done = p.errAt
		}
	}
	l.errs = append(errs, l.errs[done:]...)
}
