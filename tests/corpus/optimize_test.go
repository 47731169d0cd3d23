package corpus

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/nftopt/nftopt/optimize"
	"github.com/nftopt/nftopt/parser"
)

// upstreamGaps are the cases where nftopt ends with more rules than
// upstream's expected output, and why. The test fails when a case not
// listed here falls behind, and when a listed case catches up (so that
// the list stays true).
var upstreamGaps = map[string]string{}

// TestOptimizeUpstreamCases runs the optimizer on nft's own -o test
// cases: every result must be proved equivalent, and have no more rules
// than upstream's expected output except for the gaps listed above.
// Like upstream's expected outputs, it targets the newest nft: counters
// may sit on verdict map elements (nft 1.0.8 and later; the outputs for
// the installed nft are loaded by tests/kernel's TestOptimizeCorpus).
func TestOptimizeUpstreamCases(t *testing.T) {
	dir := corpusDir(t, "nft-optimizations")
	inputs, err := filepath.Glob(filepath.Join(dir, "*.nft"))
	if err != nil {
		t.Fatal(err)
	}
	sort.Strings(inputs)
	var table strings.Builder
	table.WriteString("| case | input | upstream | nftopt |\n| --- | --- | --- | --- |\n")
	cases := 0
	for _, in := range inputs {
		if strings.HasSuffix(in, ".expected.nft") {
			continue
		}
		name := strings.TrimSuffix(filepath.Base(in), ".nft")
		rs, err := parser.ParseFile(in, parser.Options{IncludeDirs: []string{dir}})
		if err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		res, err := optimize.Run(rs, optimize.Options{CheckIR: true, ElementCounters: true})
		if err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		if len(res.Unverified) > 0 {
			t.Errorf("%s: not verified: %v", name, res.Unverified)
		}
		cases++
		upstream := "-"
		exp := filepath.Join(dir, name+".expected.nft")
		if b, err := os.ReadFile(exp); err == nil && len(strings.TrimSpace(string(b))) > 0 {
			ers, err := parser.Parse(exp, b, parser.Options{})
			if err != nil {
				t.Errorf("%s: expected output: %v", name, err)
				continue
			}
			want, got := optimize.RuleCount(ers), optimize.RuleCount(res.Output)
			upstream = fmt.Sprint(want)
			_, gap := upstreamGaps[name]
			switch {
			case got > want && !gap:
				t.Errorf("%s: %d rules, upstream reaches %d", name, got, want)
			case got <= want && gap:
				t.Errorf("%s: caught up with upstream (%d <= %d): remove it from upstreamGaps", name, got, want)
			}
		}
		fmt.Fprintf(&table, "| %s | %d | %s | %d |\n", name, optimize.RuleCount(rs), upstream, optimize.RuleCount(res.Output))
	}
	if cases == 0 {
		t.Fatal("no cases")
	}
	t.Logf("nft -o test cases, rule counts:\n%s", table.String())
}
