package bench

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/nftopt/nftopt/ir"
	"github.com/nftopt/nftopt/ir/equiv"
	"github.com/nftopt/nftopt/optimize"
	"github.com/nftopt/nftopt/parser"
	"github.com/nftopt/nftopt/tests/nftns"
)

func mustParse(b *testing.B, src string) *ir.Ruleset {
	b.Helper()
	rs, err := parser.Parse("bench.nft", []byte(src), parser.Options{})
	if err != nil {
		b.Fatal(err)
	}
	return rs
}

// BenchmarkEquiv measures equiv.Check on each generator's linear
// ruleset against its optimized (set and map) form.
func BenchmarkEquiv(b *testing.B) {
	for _, g := range Generators {
		b.Run(g.Name, func(b *testing.B) {
			for _, size := range benchSizes {
				b.Run(size.name, func(b *testing.B) {
					a := mustParse(b, g.Gen(size.n))
					res, err := optimize.Run(a, optimize.Options{NoVerify: true})
					if err != nil {
						b.Fatal(err)
					}
					b.ReportAllocs()
					for b.Loop() {
						if r := equiv.Check(a, res.Output, equiv.Options{}); !r.Equivalent {
							b.Fatalf("not proved equivalent: %d diffs, unknown %v", len(r.Diffs), r.Unknown)
						}
					}
					reportPerRule(b, max(size.n, g.MinRules))
				})
			}
		})
	}
}

// BenchmarkEquivDiffer measures finding the one address a blocklist
// lost: n rules against the same n-1.
func BenchmarkEquivDiffer(b *testing.B) {
	for _, size := range benchSizes {
		b.Run(size.name, func(b *testing.B) {
			a, c := mustParse(b, Blocklist(size.n)), mustParse(b, Blocklist(size.n-1))
			b.ReportAllocs()
			for b.Loop() {
				if r := equiv.Check(a, c, equiv.Options{}); r.Equivalent || len(r.Diffs) == 0 {
					b.Fatal("difference not found")
				}
			}
			reportPerRule(b, size.n)
		})
	}
}

// BenchmarkOptimize measures the whole job of "nftopt optimize": parse,
// run the passes, and prove the result equivalent.
func BenchmarkOptimize(b *testing.B) {
	forEachInput(b, func(b *testing.B, src []byte, rules int) {
		b.SetBytes(int64(len(src)))
		b.ReportAllocs()
		for b.Loop() {
			rs, err := parser.Parse("bench.nft", src, parser.Options{})
			if err != nil {
				b.Fatal(err)
			}
			res, err := optimize.Run(rs, optimize.Options{})
			if err != nil {
				b.Fatal(err)
			}
			if len(res.Unverified) > 0 {
				b.Fatalf("unverified: %v", res.Unverified)
			}
		}
		reportPerRule(b, rules)
	})
}

// BenchmarkNftOptimize measures Debian's "nft -c -o -f" on the same
// inputs, in a throwaway network namespace.
func BenchmarkNftOptimize(b *testing.B) {
	nftns.Require(b)
	forEachInput(b, func(b *testing.B, src []byte, rules int) {
		file := filepath.Join(b.TempDir(), "in.nft")
		if err := os.WriteFile(file, src, 0o644); err != nil {
			b.Fatal(err)
		}
		for b.Loop() {
			out, err := exec.Command("unshare", "-n", "nft", "-c", "-o", "-f", file).CombinedOutput()
			if err != nil {
				// nft -o itself aborts on some shapes (an assertion in its
				// merge code): there is nothing to time.
				lines := bytes.Split(bytes.TrimSpace(out), []byte("\n"))
				b.Skipf("nft -c -o -f fails on this input: %v: %s", err, lines[len(lines)-1])
			}
		}
		reportPerRule(b, rules)
	})
}
