package equiv_test

import (
	"fmt"
	"reflect"
	"runtime"
	"testing"

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
