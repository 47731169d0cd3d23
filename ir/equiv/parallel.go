package equiv

import (
	"fmt"
	"runtime"
	"sync"
	"sync/atomic"
)

// The walk of one hook is a tree: the subtrees below a split are
// independent. walkParallel expands the top of the tree until it has
// enough subtrees for the machine's processors, walks them on as many
// goroutines, each with evaluators of its own, and merges their results
// in the walk's order: the answer does not depend on the schedule.

// tasksPerWorker is how many subtrees per processor the top of the walk
// is expanded into, so that uneven subtrees still share the work out.
const tasksPerWorker = 16

// maxFrontierDepth bounds the levels expanded before the subtrees are
// handed out.
const maxFrontierDepth = 8

// subtree is a class of a split not walked yet: the child of parent for
// class cls of dimension dim, whose live rules sp gives; or, with sp
// nil, the root of the walk.
type subtree struct {
	parent *assignment
	dim    int
	cls    *class
	sp     *splitter
	alive  *aliveSet
	// res holds what walking the subtree found; leaf marks one the
	// expansion finished (a packet class, or a stop).
	res  Result
	leaf bool
}

// open returns the subtree's path and live rules.
func (en *enumerator) open(t *subtree) (*assignment, *aliveSet) {
	if t.sp == nil {
		return t.parent, t.alive
	}
	asg := en.extend(t.parent, t.dim, t.cls)
	return asg, en.child(t.sp, asg)
}

// expand evaluates subtree t: a packet class (or a stop) finishes it,
// else it returns the subtrees of its split.
func (en *enumerator) expand(t *subtree) []*subtree {
	asg, alive := en.open(t)
	en.res, en.done = &t.res, false
	d, classes, sp := en.splitHere(asg, alive)
	if classes == nil {
		t.leaf = true
		return nil
	}
	kids := make([]*subtree, len(classes))
	for i, cls := range classes {
		kids[i] = &subtree{parent: asg, dim: d, cls: cls, sp: sp}
	}
	return kids
}

// walkParallel walks the tree below root on workers goroutines; the
// results go to en.res. A program that draws numbers makes an atom for
// each further draw of a generator on one path when the walk first needs
// it (drawAtom): the goroutines cannot, so such a walk runs on one
// goroutine from the start, where it would have made one.
func (en *enumerator) walkParallel(root *assignment, alive *aliveSet, workers int) {
	en.p.frozen = true
	ok := en.tryParallel(root, alive, workers)
	en.p.frozen = false
	if !ok {
		en.walk(root, alive)
	}
}

// tryParallel is walkParallel on a frozen program; it reports false,
// leaving en.res as it was, when the walk needed a draw atom.
func (en *enumerator) tryParallel(root *assignment, alive *aliveSet, workers int) bool {
	out := en.res
	tasks := []*subtree{{parent: root, alive: alive}}
	for depth := 0; depth < maxFrontierDepth; depth++ {
		open := 0
		for _, t := range tasks {
			if !t.leaf {
				open++
			}
		}
		if open == 0 || open >= workers*tasksPerWorker {
			break
		}
		var next []*subtree
		for _, t := range tasks {
			if t.leaf {
				next = append(next, t)
				continue
			}
			if kids := en.expand(t); kids != nil {
				next = append(next, kids...)
			} else {
				next = append(next, t)
			}
		}
		tasks = next
	}
	en.res, en.done = out, false
	if en.p.missedDraw.Load() {
		return false
	}
	// stopAt is the first task whose result ends the walk (enough
	// differences, or an unknown): the tasks after it need not run.
	var nextTask, stopAt, classes atomic.Int64
	stopAt.Store(int64(len(tasks)))
	var wg sync.WaitGroup
	for range min(workers, len(tasks)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			w := &enumerator{p: en.p, opts: en.opts, hook: en.hook, guardChains: en.guardChains, chainGuardDims: en.chainGuardDims, calls: en.calls, guards: en.guards, stabs: en.stabs, classes: &classes}
			for {
				i := int(nextTask.Add(1) - 1)
				if i >= len(tasks) {
					return
				}
				t := tasks[i]
				if t.leaf || int64(i) > stopAt.Load() || en.p.missedDraw.Load() {
					continue
				}
				w.res, w.done = &t.res, false
				asg, alive := w.open(t)
				w.walk(asg, alive)
				if w.done {
					for {
						cur := stopAt.Load()
						if int64(i) >= cur || stopAt.CompareAndSwap(cur, int64(i)) {
							break
						}
					}
				}
			}
		}()
	}
	wg.Wait()
	if en.p.missedDraw.Load() {
		return false
	}
	for _, t := range tasks {
		r := &t.res
		out.Classes += r.Classes
		out.Evaluated[0] += r.Evaluated[0]
		out.Evaluated[1] += r.Evaluated[1]
		out.Unknown = append(out.Unknown, r.Unknown...)
		out.Diffs = append(out.Diffs, r.Diffs...)
		if en.opts.MaxClasses > 0 && out.Classes > en.opts.MaxClasses && len(out.Unknown) == 0 {
			out.Unknown = append(out.Unknown, fmt.Sprintf("%s %s: more than %d packet classes", en.p.fam.name, en.hook, en.opts.MaxClasses))
		}
		if len(out.Diffs) >= en.opts.MaxDiffs {
			out.Diffs = out.Diffs[:en.opts.MaxDiffs]
			en.done = true
			return true
		}
		if len(out.Unknown) > 0 {
			en.done = true
			return true
		}
	}
	return true
}

// walkers is the number of goroutines a walk may use: one per processor.
func (en *enumerator) walkers() int {
	return runtime.GOMAXPROCS(0)
}
