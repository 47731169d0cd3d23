package equiv_test

import (
	"slices"
	"testing"

	"github.com/nftopt/nftopt/ir/equiv"
)

// twinTable is a table whose prerouting and output chains (of type typ,
// at the priorities given) run rules pre and out; svc holds the rules
// of chain svc.
func twinTable(typ, prePrio, outPrio, pre, out, svc string) string {
	return "table ip t {\n" +
		" chain pre {\n  type " + typ + " hook prerouting priority " + prePrio + "; policy accept;\n  " + pre + "\n }\n" +
		" chain out {\n  type " + typ + " hook output priority " + outPrio + "; policy accept;\n  " + out + "\n }\n" +
		" chain svc {\n  " + svc + "\n }\n}\n"
}

// TestTwinHooks: prerouting and output chains that run the same rules
// compile to one program, proved once; a difference on either hook is
// still found, and chains that only look alike are checked each.
func TestTwinHooks(t *testing.T) {
	linear := "ip daddr 10.0.0.1 tcp dport 80 dnat to 10.1.0.1\n  ip daddr 10.0.0.2 tcp dport 80 dnat to 10.1.0.2"
	mapped := "dnat to ip daddr . tcp dport map { 10.0.0.1 . 80 : 10.1.0.1, 10.0.0.2 . 80 : 10.1.0.2 }"
	wrong := "dnat to ip daddr . tcp dport map { 10.0.0.1 . 80 : 10.1.0.1, 10.0.0.2 . 80 : 10.1.0.3 }"
	a := parse(t, twinTable("nat", "dstnat", "-100", "jump svc", "jump svc", linear))
	b := parse(t, twinTable("nat", "dstnat", "-100", "jump svc", "jump svc", mapped))

	both := equiv.Check(a, b, equiv.Options{})
	pre := equiv.Check(a, b, equiv.Options{Hooks: []string{"prerouting"}})
	out := equiv.Check(a, b, equiv.Options{Hooks: []string{"output"}})
	if !both.Equivalent || !pre.Equivalent || !out.Equivalent {
		t.Fatalf("not proved equivalent: %+v, %+v, %+v", both, pre, out)
	}
	if pre.Classes == 0 || both.Classes != pre.Classes+out.Classes || both.Evaluated != [2]int{pre.Evaluated[0] + out.Evaluated[0], pre.Evaluated[1] + out.Evaluated[1]} {
		t.Errorf("both hooks: %d classes, %v evaluated; prerouting %d, %v and output %d, %v", both.Classes, both.Evaluated, pre.Classes, pre.Evaluated, out.Classes, out.Evaluated)
	}

	hooksOf := func(res equiv.Result) []string {
		var hs []string
		for _, d := range res.Diffs {
			if !slices.Contains(hs, d.Hook) {
				hs = append(hs, d.Hook)
			}
		}
		slices.Sort(hs)
		return hs
	}
	for _, tc := range []struct {
		name string
		b    string
		want []string
	}{
		{"a wrong map differs on both hooks",
			twinTable("nat", "dstnat", "-100", "jump svc", "jump svc", wrong), []string{"output", "prerouting"}},
		// Hooks are checked in name order: output first.
		{"a prerouting chain with a rule of its own differs on prerouting only",
			twinTable("nat", "dstnat", "-100", "tcp dport 22 dnat to 10.9.9.9\n  jump svc", "jump svc", mapped), []string{"prerouting"}},
	} {
		res := equiv.Check(a, parse(t, tc.b), equiv.Options{MaxDiffs: 100})
		if got := hooksOf(res); res.Equivalent || !slices.Equal(got, tc.want) {
			t.Errorf("%s: equivalent %v, differences on %v; want %v", tc.name, res.Equivalent, got, tc.want)
		}
	}

	// Before conntrack (priority -300) a ct mark match is a predicate of
	// its own: the prerouting chain at priority 0 of fb reads the real
	// mark, so fb differs from fa on prerouting, though both hooks of fa
	// are twins.
	fa := parse(t, twinTable("filter", "-300", "-300", "jump svc", "jump svc", "ct mark 1 drop"))
	fb := parse(t, twinTable("filter", "0", "-300", "jump svc", "jump svc", "ct mark 1 drop"))
	res := equiv.Check(fa, fb, equiv.Options{MaxDiffs: 100})
	if got := hooksOf(res); res.Equivalent || !slices.Equal(got, []string{"prerouting"}) {
		t.Errorf("prerouting chain at another priority: equivalent %v, differences on %v; want prerouting", res.Equivalent, got)
	}
}
