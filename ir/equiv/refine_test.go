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
			plain := (&enumerator{p: p}).partition(d, all, &decided{atoms: all}, cur)
			sameClasses(t, iter, "partition with sorted boundaries", slow, "partition", plain)
			if !ok {
				fellBack++
				continue
			}
			compared++
			sameClasses(t, iter, "refine", fast, "partition", slow)
		}
	}
	if compared < 500 || fellBack == 0 {
		t.Errorf("refine compared on %d splits and left %d to partition: the test must exercise both", compared, fellBack)
	}
	t.Logf("refine compared on %d splits, left %d to partition", compared, fellBack)
}

// sameClasses fails the test unless two splits found the same classes,
// in the same order, with the same representatives, true atoms and
// decided atoms.
func sameClasses(t *testing.T, iter int, nameA string, a []*class, nameB string, b []*class) {
	t.Helper()
	if len(a) != len(b) {
		t.Fatalf("iteration %d: %s gives %d classes, %s %d", iter, nameA, len(a), nameB, len(b))
	}
	for i := range a {
		f, s := a[i], b[i]
		if f.rep != s.rep || !slices.Equal(f.true, s.true) || !slices.Equal(f.dec.list(), s.dec.list()) || f.least != s.least {
			t.Fatalf("iteration %d, class %d: %s %v %v, %s %v %v", iter, i, nameA, f.rep, f.true, nameB, s.rep, s.true)
		}
	}
}

// TestSortedBoundaries: the boundaries of a subset of a dimension's
// atoms, read from the dimension's sorted list through a mask, must be
// those the subset's own sort gives, in an order that differs at most
// among boundaries at one value.
func TestSortedBoundaries(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	const width = 12
	p := &program{dimIndex: map[string]int{}, atomKey: map[setKey]int{}, atomOne: map[oneKey]int{}}
	d := p.dimension("x", width, nil)
	var atoms []int
	for range 500 {
		lo := rng.IntN(1 << width)
		set := ir.RangeSet(ir.Uint64Value(uint64(lo), width), ir.Uint64Value(uint64(min(lo+rng.IntN(32), 1<<width-1)), width))
		if f := p.atomOf(d, set); f.op == 'a' {
			atoms = append(atoms, f.atom)
		}
	}
	atoms = dedupe(atoms)
	x := newStabIndexes(p)
	byValue := func(a, b boundary) int {
		if c := a.at.Compare(b.at); c != 0 {
			return c
		}
		if a.atom != b.atom {
			return a.atom - b.atom
		}
		switch {
		case a.start == b.start:
			return 0
		case a.start:
			return 1
		}
		return -1
	}
	filtered := 0
	for _, share := range []int{1, 2, 4, 16, 64} {
		var ats []int
		for _, a := range atoms {
			if rng.IntN(share) == 0 {
				ats = append(ats, a)
			}
		}
		bl, want := x.boundaries(p, d, ats), boundaries(p, ats)
		var got []boundary
		for i := bl.next(0); i < len(bl.evs); i = bl.next(i + 1) {
			got = append(got, bl.evs[i])
		}
		if bl.in != nil {
			filtered++
		}
		if !slices.IsSortedFunc(got, func(a, b boundary) int { return a.at.Compare(b.at) }) {
			t.Fatalf("share 1/%d: boundaries not sorted by value", share)
		}
		slices.SortFunc(got, byValue)
		slices.SortFunc(want, byValue)
		if !slices.Equal(got, want) {
			t.Fatalf("share 1/%d: %d boundaries, want %d (or not the same)", share, len(got), len(want))
		}
	}
	if filtered == 0 {
		t.Error("no subset was filtered from the dimension's list: the test must exercise it")
	}
}

// TestSubset compares subset with a set lookup on random sorted lists.
func TestSubset(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	for range 2000 {
		sorted := func(n, max int) []int {
			out := make([]int, n)
			for i := range out {
				out[i] = rng.IntN(max)
			}
			slices.Sort(out)
			return slices.Compact(out)
		}
		ys := sorted(rng.IntN(60), 80)
		xs := sorted(rng.IntN(4), 80)
		if rng.IntN(2) == 0 && len(ys) > 0 {
			xs = []int{ys[rng.IntN(len(ys))], ys[len(ys)-1]} // often inside
			xs = slices.Compact(xs)
		}
		want := true
		for _, x := range xs {
			want = want && slices.Contains(ys, x)
		}
		if got := subset(xs, ys); got != want {
			t.Fatalf("subset(%v, %v) = %v", xs, ys, got)
		}
	}
}
