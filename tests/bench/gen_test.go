package bench

import (
	"os"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/nftopt/nftopt/ir"
	"github.com/nftopt/nftopt/parser"
	"github.com/nftopt/nftopt/tests/nftns"
)

// countRules returns the number of rules in all chains of rs.
func countRules(rs *ir.Ruleset) int {
	n := 0
	for _, t := range rs.Tables {
		for _, c := range t.Chains {
			n += len(c.Rules)
		}
	}
	return n
}

// TestGeneratorsParse parses every generator's output at sizes 10 and
// 1000 and checks that it holds the promised number of rules and that a
// second call gives the same text.
func TestGeneratorsParse(t *testing.T) {
	for _, g := range Generators {
		for _, n := range []int{10, 1000} {
			t.Run(g.Name+"/"+strconv.Itoa(n), func(t *testing.T) {
				src := g.Gen(n)
				if again := g.Gen(n); again != src {
					t.Fatalf("%s(%d) is not deterministic", g.Name, n)
				}
				rs, err := parser.Parse(g.Name+".nft", []byte(src), parser.Options{})
				if err != nil {
					t.Fatalf("parse %s(%d): %v", g.Name, n, err)
				}
				if got, want := countRules(rs), max(n, g.MinRules); got != want {
					t.Errorf("%s(%d) has %d rules, want %d", g.Name, n, got, want)
				}
			})
		}
	}
}

// TestGeneratorsExact checks the rule count of every generator for each n
// from its minimum up to 60, where the leftover rules vary.
func TestGeneratorsExact(t *testing.T) {
	for _, g := range Generators {
		for n := g.MinRules; n <= 60; n++ {
			rs, err := parser.Parse(g.Name+".nft", []byte(g.Gen(n)), parser.Options{})
			if err != nil {
				t.Fatalf("parse %s(%d): %v", g.Name, n, err)
			}
			if got := countRules(rs); got != n {
				t.Errorf("%s(%d) has %d rules", g.Name, n, got)
			}
		}
	}
}

// TestGeneratorsNftCheck loads a size-200 instance of every generator
// with `nft -c -f` in a throwaway network namespace (`unshare -n`), so
// the host's ruleset is never touched. It needs root, nft and unshare:
// without them it skips, or fails when CI is set.
func TestGeneratorsNftCheck(t *testing.T) {
	nftns.Require(t)
	dir := t.TempDir()
	for _, g := range Generators {
		t.Run(g.Name, func(t *testing.T) {
			file := filepath.Join(dir, g.Name+".nft")
			if err := os.WriteFile(file, []byte(g.Gen(200)), 0o644); err != nil {
				t.Fatal(err)
			}
			if out, err := nftns.CheckFile(file); err != nil {
				t.Fatalf("nft -c -f %s: %v\n%s", file, err, out)
			}
		})
	}
}
