package bench

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/nftopt/nftopt/emit/nft"
	"github.com/nftopt/nftopt/parser"
	"github.com/nftopt/nftopt/tests/nftns"
)

// benchSizes are the rule counts every benchmark runs at, by name.
var benchSizes = []struct {
	name string
	n    int
}{{"1k", 1_000}, {"10k", 10_000}, {"30k", 30_000}, {"100k", 100_000}}

// reportPerRule reports the time per rule of the b.N iterations of a
// benchmark over a ruleset of n rules as the metric ns/rule.
func reportPerRule(b *testing.B, n int) {
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(n), "ns/rule")
}

// forEachInput runs bench as the sub-benchmark <generator>/<size> for
// every generator and size, with the generated source and its number of
// rules. The source is generated before bench starts timing.
func forEachInput(b *testing.B, bench func(b *testing.B, src []byte, rules int)) {
	for _, g := range Generators {
		b.Run(g.Name, func(b *testing.B) {
			for _, size := range benchSizes {
				b.Run(size.name, func(b *testing.B) {
					bench(b, []byte(g.Gen(size.n)), max(size.n, g.MinRules))
				})
			}
		})
	}
}

// BenchmarkParse measures parser.Parse on each generator's ruleset.
func BenchmarkParse(b *testing.B) {
	forEachInput(b, func(b *testing.B, src []byte, rules int) {
		b.SetBytes(int64(len(src)))
		b.ReportAllocs()
		for b.Loop() {
			if _, err := parser.Parse("bench.nft", src, parser.Options{}); err != nil {
				b.Fatal(err)
			}
		}
		reportPerRule(b, rules)
	})
}

// BenchmarkPrint measures nft.Print on each generator's ruleset, parsed
// once before timing starts.
func BenchmarkPrint(b *testing.B) {
	forEachInput(b, func(b *testing.B, src []byte, rules int) {
		rs, err := parser.Parse("bench.nft", src, parser.Options{})
		if err != nil {
			b.Fatal(err)
		}
		b.SetBytes(int64(len(src)))
		b.ReportAllocs()
		for b.Loop() {
			nft.Print(rs, nft.Options{})
		}
		reportPerRule(b, rules)
	})
}

// BenchmarkParsePrint measures parsing and printing together, the work
// of `nftopt fmt` without its file I/O.
func BenchmarkParsePrint(b *testing.B) {
	forEachInput(b, func(b *testing.B, src []byte, rules int) {
		b.SetBytes(int64(len(src)))
		b.ReportAllocs()
		for b.Loop() {
			rs, err := parser.Parse("bench.nft", src, parser.Options{})
			if err != nil {
				b.Fatal(err)
			}
			nft.Print(rs, nft.Options{})
		}
		reportPerRule(b, rules)
	})
}

// BenchmarkNftCheck runs the real `nft -c -f` on the Blocklist ruleset of
// each size inside a throwaway network namespace (`unshare -n`), to set
// nft's own parse-and-check time beside nftopt's. Each iteration includes
// starting unshare and nft. It skips without root, nft or unshare.
func BenchmarkNftCheck(b *testing.B) {
	nftns.Require(b)
	for _, size := range benchSizes {
		b.Run(size.name, func(b *testing.B) {
			src := Blocklist(size.n)
			file := filepath.Join(b.TempDir(), "blocklist.nft")
			if err := os.WriteFile(file, []byte(src), 0o644); err != nil {
				b.Fatal(err)
			}
			b.SetBytes(int64(len(src)))
			for b.Loop() {
				if out, err := nftns.CheckFile(file); err != nil {
					b.Fatalf("nft -c -f %s: %v\n%s", file, err, out)
				}
			}
			reportPerRule(b, size.n)
		})
	}
}
