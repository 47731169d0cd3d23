package equiv_test

import (
	"fmt"
	"reflect"
	"runtime"
	"testing"

	"github.com/nftopt/nftopt/ir"
	"github.com/nftopt/nftopt/ir/equiv"
)

// TestParallelWalkDeterministic: the walk of one hook runs on several
// goroutines; its answer (the differences found, in order, and the class
// count) must be the one a single goroutine finds.
func TestParallelWalkDeterministic(t *testing.T) {
	var ra, rb []string
	for i := range 300 {
		ra = append(ra, fmt.Sprintf("ip saddr 10.0.%d.%d tcp dport %d drop", i/200, i%200+1, 1000+i%7))
		v := "drop"
		if i%11 == 3 {
			v = "accept"
		}
		rb = append(rb, fmt.Sprintf("ip saddr 10.0.%d.%d tcp dport %d %s", i/200, i%200+1, 1000+i%7, v))
	}
	a := parse(t, inputChain("accept", ra...))
	b := parse(t, inputChain("accept", rb...))
	run := func(procs int, opts equiv.Options) equiv.Result {
		defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(procs))
		return equiv.Check(a, b, opts)
	}
	for _, opts := range []equiv.Options{{MaxDiffs: 1}, {MaxDiffs: 7}, {MaxDiffs: 100}} {
		one := run(1, opts)
		if len(one.Diffs) == 0 {
			t.Fatalf("MaxDiffs %d: no difference found", opts.MaxDiffs)
		}
		for _, procs := range []int{2, 4, 8} {
			many := run(procs, opts)
			if many.Classes != one.Classes || len(many.Diffs) != len(one.Diffs) {
				t.Fatalf("MaxDiffs %d, %d goroutines: %d classes, %d diffs; one goroutine: %d, %d",
					opts.MaxDiffs, procs, many.Classes, len(many.Diffs), one.Classes, len(one.Diffs))
			}
			for i := range one.Diffs {
				if !reflect.DeepEqual(one.Diffs[i].Packet, many.Diffs[i].Packet) {
					t.Errorf("MaxDiffs %d, %d goroutines: difference %d is %v, one goroutine finds %v", opts.MaxDiffs, procs, i, many.Diffs[i].Packet, one.Diffs[i].Packet)
				}
			}
		}
	}
	// Disjoint rules in reverse order: equivalent, over as many classes
	// whatever the number of goroutines.
	rev := make([]string, len(ra))
	for i, r := range ra {
		rev[len(ra)-1-i] = r
	}
	c := parse(t, inputChain("accept", rev...))
	check := func(procs int) equiv.Result {
		defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(procs))
		return equiv.Check(a, c, equiv.Options{})
	}
	one, many := check(1), check(4)
	if !one.Equivalent || !many.Equivalent || one.Classes != many.Classes {
		t.Errorf("reordered disjoint rules: one goroutine %+v, four %+v", one, many)
	}
}

// TestParallelWalkWithDraws: a path that draws a number generator twice
// needs an atom for the second draw, which goroutines cannot make; the
// walk then runs again on one goroutine, and the answer is the same.
func TestParallelWalkWithDraws(t *testing.T) {
	var ra, rb []string
	for i := range 200 {
		ra = append(ra, fmt.Sprintf("ip saddr 10.0.0.%d numgen random mod 2 == 0 drop", i+1))
		v := "drop"
		if i%13 == 5 {
			v = "accept"
		}
		rb = append(rb, fmt.Sprintf("ip saddr 10.0.0.%d numgen random mod 2 == 0 %s", i+1, v))
	}
	// The second draw: a packet the first one let through.
	ra = append(ra, "numgen random mod 2 == 1 drop")
	rb = append(rb, "numgen random mod 2 == 1 drop")
	a := parse(t, inputChain("accept", ra...))
	b := parse(t, inputChain("accept", rb...))
	run := func(procs int, x, y int) equiv.Result {
		defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(procs))
		sides := []*ir.Ruleset{a, b}
		return equiv.Check(sides[x], sides[y], equiv.Options{MaxDiffs: 5})
	}
	for _, pair := range [][2]int{{0, 1}, {0, 0}} {
		one := run(1, pair[0], pair[1])
		if want := pair[0] == pair[1]; one.Equivalent != want || len(one.Unknown) > 0 {
			t.Fatalf("sides %v: equivalent %v, unknown %v; want equivalent %v", pair, one.Equivalent, one.Unknown, want)
		}
		for _, procs := range []int{2, 4} {
			many := run(procs, pair[0], pair[1])
			if many.Classes != one.Classes || many.Equivalent != one.Equivalent || len(many.Diffs) != len(one.Diffs) {
				t.Fatalf("sides %v, %d goroutines: %+v; one goroutine: %+v", pair, procs, many, one)
			}
			for i := range one.Diffs {
				if !reflect.DeepEqual(one.Diffs[i].Packet, many.Diffs[i].Packet) {
					t.Errorf("sides %v, %d goroutines: difference %d is %v, one goroutine finds %v", pair, procs, i, many.Diffs[i].Packet, one.Diffs[i].Packet)
				}
			}
		}
	}
}
