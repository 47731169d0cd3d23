package kernel

import (
	"context"
	"fmt"
	"math/rand"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/nftopt/nftopt/emit/nft"
	"github.com/nftopt/nftopt/optimize"
	"github.com/nftopt/nftopt/parser"
	"github.com/nftopt/nftopt/tests/randrs"
)

// TestOptimizedRandomLoads optimizes random rulesets (the optimizer's
// own proof must hold) and checks that nft accepts every result:
// nft -c -f on each, in a throwaway network namespace.
func TestOptimizedRandomLoads(t *testing.T) {
	requireNetns(t)
	r := rand.New(rand.NewSource(randrs.Seed(11)))
	dir := t.TempDir()
	var files []string
	changed := 0
	for i := 0; i < randrs.Cases(200); i++ {
		src := randrs.Chain(r)
		rs, err := parser.Parse("rand.nft", []byte(src), parser.Options{})
		if err != nil {
			t.Fatal(err)
		}
		res, err := optimize.Run(rs, optimize.Options{CheckIR: true})
		if err != nil {
			t.Fatalf("case %d: %v\n%s", i, err, src)
		}
		if len(res.Changes) > 0 {
			changed++
		}
		p := filepath.Join(dir, fmt.Sprintf("%03d.nft", i))
		if err := os.WriteFile(p, []byte(nft.Print(res.Output, nft.Options{})), 0o644); err != nil {
			t.Fatal(err)
		}
		files = append(files, p)
	}
	script := `for f in "$@"; do nft -c -f "$f" 2>&1 || echo "REJECTED $f"; done`
	out, err := inFreshNetns(context.Background(), dir, nil, nil, script, files...)
	if err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	for _, l := range strings.Split(string(out), "\n") {
		if f, ok := strings.CutPrefix(l, "REJECTED "); ok {
			b, _ := os.ReadFile(f)
			t.Errorf("nft rejects an optimized ruleset:\n%s\n%s", out, b)
			break
		}
	}
	t.Logf("%d random rulesets, %d rewritten, all accepted by nft -c", len(files), changed)
}
