package equiv

import (
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/nftopt/nftopt/ir"
)

// TestRefineMatchesPartition: refine must split a class into the classes
// partition finds, in the same order, with the same representatives,
// true atoms and decided atoms, whenever it does not leave the split to
// partition. Random atoms of points, ranges and sets of both on one
// dimension; a class of a first split is refined on random atoms, old
// and new.
func TestRefineMatchesPartition(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	const width = 10
	v := func(x int) ir.Value { return ir.Uint64Value(uint64(x), width) }
	randomSet := func() ir.IntervalSet {
		var s ir.IntervalSet
		for k := range 1 + rng.IntN(3) {
			lo := rng.IntN(1 << width)
			var part ir.IntervalSet
			if rng.IntN(2) == 0 {
				part = ir.PointSet(v(lo))
			} else {
				part = ir.RangeSet(v(lo), v(min(lo+rng.IntN(64), 1<<width-1)))
			}
			if k == 0 {
				s = part
			} else {
				s = s.Union(part)
			}
		}
		return s
	}
	compared, fellBack := 0, 0
	for iter := range 400 {
		p := &program{dimIndex: map[string]int{}, atomKey: map[setKey]int{}, atomOne: map[oneKey]int{}}
		d := p.dimension("x", width, nil)
		var atoms []int
		n := 4 + rng.IntN(40)
		if iter%8 == 0 {
			n = 100 + rng.IntN(200) // decided lists as well as bitsets
		}
		for range n {
			if f := p.atomOf(d, randomSet()); f.op == 'a' {
				atoms = append(atoms, f.atom)
			}
		}
		atoms = dedupe(atoms)
		en := &enumerator{p: p}
		en.stabs = newStabIndexes(p)
		pick := func() []int {
			var out []int
			for _, a := range atoms {
				if rng.IntN(3) == 0 {
					out = append(out, a)
				}
			}
			return out
		}
		first := pick()
		if len(first) == 0 {
			continue
		}
		classes := en.partition(d, first, &decided{atoms: first}, nil)
		for _, cur := range classes {
			ats := pick()
			fast, ok := en.refine(d, ats, cur)
			all := union(ats, cur.dec.list())
			slow := en.partition(d, all, &decided{atoms: all}, cur)
			if !ok {
				fellBack++
				continue
			}
			compared++
			if len(fast) != len(slow) {
				t.Fatalf("iteration %d: refine gives %d classes, partition %d", iter, len(fast), len(slow))
			}
			for i := range fast {
				f, s := fast[i], slow[i]
				if f.rep != s.rep || !slices.Equal(f.true, s.true) || !slices.Equal(f.dec.list(), s.dec.list()) || f.least != s.least {
					t.Fatalf("iteration %d, class %d: refine %v %v, partition %v %v", iter, i, f.rep, f.true, s.rep, s.true)
				}
			}
		}
	}
	if compared < 500 || fellBack == 0 {
		t.Errorf("refine compared on %d splits and left %d to partition: the test must exercise both", compared, fellBack)
	}
	t.Logf("refine compared on %d splits, left %d to partition", compared, fellBack)
}
