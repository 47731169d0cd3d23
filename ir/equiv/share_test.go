package equiv_test

import (
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/nftopt/nftopt/ir"
	"github.com/nftopt/nftopt/ir/equiv"
	"github.com/nftopt/nftopt/optimize"
	"github.com/nftopt/nftopt/parser"
	"github.com/nftopt/nftopt/tests/bench"
)

// checkBothWays checks a against b with the sharing of unchanged chains
// and without, walking every class to its end, and fails unless both
// give the same answer; and unless the walk where the sides may meet in
// shared chains gives the same answer too. It returns the full walk's.
func checkBothWays(t *testing.T, name string, a, b *ir.Ruleset) equiv.Result {
	t.Helper()
	opts := equiv.Options{MaxDiffs: 5, FullWalk: true}
	shared := equiv.Check(a, b, opts)
	*equiv.ShareChains = false
	alone := equiv.Check(a, b, opts)
	*equiv.ShareChains = true
	sameAnswer(t, name, shared, equiv.Check(a, b, equiv.Options{MaxDiffs: 5}))
	if shared.Classes != alone.Classes || shared.Equivalent != alone.Equivalent || !reflect.DeepEqual(shared.Unknown, alone.Unknown) || len(shared.Diffs) != len(alone.Diffs) {
		t.Fatalf("%s: sharing chains gives %+v, compiling each alone %+v", name, shared, alone)
	}
	for i := range shared.Diffs {
		if !reflect.DeepEqual(shared.Diffs[i].Packet, alone.Diffs[i].Packet) {
			t.Errorf("%s: difference %d: %v, alone %v", name, i, shared.Diffs[i].Packet, alone.Diffs[i].Packet)
		}
	}
	return shared
}

// TestSharedChains: the second ruleset uses the first one's compiled
// chains where the optimizer left them alone, and the answer is the one
// compiling each ruleset on its own gives: on the benchmark shapes and
// the realworld corpus, optimized; and where a chain keeps its rules but
// one it jumps to, or a set it reads, changed, the change is found.
func TestSharedChains(t *testing.T) {
	for _, g := range bench.Generators {
		a, err := parser.Parse(g.Name, []byte(g.Gen(2000)), parser.Options{})
		if err != nil {
			t.Fatal(err)
		}
		res, err := optimize.Run(a, optimize.Options{NoVerify: true})
		if err != nil {
			t.Fatal(err)
		}
		if r := checkBothWays(t, g.Name, a, res.Output); !r.Equivalent {
			t.Errorf("%s: not proved equivalent: %+v", g.Name, r)
		}
	}
	files, _ := filepath.Glob("../../../shared/corpus/realworld/*/*.nft")
	if len(files) == 0 && os.Getenv("CI") == "" {
		t.Log("no realworld corpus beside the repository")
	}
	for _, f := range files {
		a, err := parser.ParseFile(f, parser.Options{IncludeDirs: []string{filepath.Dir(f)}})
		if err != nil {
			continue // the corpus holds files nftopt rejects on purpose
		}
		res, err := optimize.Run(a, optimize.Options{NoVerify: true})
		if err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		checkBothWays(t, f, a, res.Output)
	}

	src := `table ip t {
	set s { type ipv4_addr; flags constant; elements = { 10.0.0.1 } }
	chain in {
		type filter hook input priority filter; policy accept;
		tcp dport 22 jump x
	}
	chain x {
		ip saddr @s drop
		jump y
	}
	chain y {
		ip saddr 10.0.0.2 drop
	}
}
`
	a, err := parser.Parse("a.nft", []byte(src), parser.Options{})
	if err != nil {
		t.Fatal(err)
	}
	// x keeps its rule, y changes: x must not be shared.
	b := a.MapChains(func(_ *ir.Table, c *ir.Chain) *ir.Chain {
		nc := *c
		nc.Rules = append([]*ir.Rule(nil), c.Rules...)
		if c.Name == "y" {
			other, err := parser.Parse("y.nft", []byte(strings.Replace(src, "10.0.0.2 drop", "10.0.0.3 drop", 1)), parser.Options{})
			if err != nil {
				t.Fatal(err)
			}
			nc.Rules = other.Tables[0].Chain("y").Rules
		}
		return &nc
	})
	if r := checkBothWays(t, "changed target", a, b); r.Equivalent {
		t.Errorf("a chain jumped to changed: must differ, got %+v", r)
	}
	// The set (constant: its elements are known) changes: chain x,
	// which reads it, is not the same.
	c := a.MapChains(func(_ *ir.Table, ch *ir.Chain) *ir.Chain { return ch })
	other, err := parser.Parse("s.nft", []byte(strings.Replace(src, "10.0.0.1 }", "10.0.0.9 }", 1)), parser.Options{})
	if err != nil {
		t.Fatal(err)
	}
	c.Tables[0].Sets = other.Tables[0].Sets
	if r := checkBothWays(t, "changed set", a, c); r.Equivalent {
		t.Errorf("a set changed: must differ, got %+v", r)
	}
}
