package json

import (
	"fmt"
	"testing"

	"github.com/nftopt/nftopt/ir"
	"github.com/nftopt/nftopt/parser"
	"github.com/nftopt/nftopt/tests/bench"
)

// benchSizes are the rule counts of the JSON benchmarks.
var benchSizes = []int{1000, 10000, 100000}

// blocklistRuleset parses the generated blocklist of n rules
// ("ip saddr X drop").
func blocklistRuleset(b *testing.B, n int) *ir.Ruleset {
	b.Helper()
	rs, err := parser.Parse("blocklist.nft", []byte(bench.Blocklist(n)), parser.Options{})
	if err != nil {
		b.Fatal(err)
	}
	return rs
}

func sizeName(n int) string {
	if n >= 1000 && n%1000 == 0 {
		return fmt.Sprintf("%dk", n/1000)
	}
	return fmt.Sprint(n)
}

// BenchmarkJSONRead measures Parse on the JSON command list of a
// blocklist of n rules.
func BenchmarkJSONRead(b *testing.B) {
	for _, n := range benchSizes {
		b.Run(sizeName(n), func(b *testing.B) {
			doc, err := Print(blocklistRuleset(b, n))
			if err != nil {
				b.Fatal(err)
			}
			b.SetBytes(int64(len(doc)))
			b.ReportAllocs()
			b.ResetTimer()
			for range b.N {
				if _, err := Parse("blocklist.json", doc); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkJSONWrite measures Print of a blocklist of n rules.
func BenchmarkJSONWrite(b *testing.B) {
	for _, n := range benchSizes {
		b.Run(sizeName(n), func(b *testing.B) {
			rs := blocklistRuleset(b, n)
			b.ReportAllocs()
			b.ResetTimer()
			var size int
			for range b.N {
				doc, err := Print(rs)
				if err != nil {
					b.Fatal(err)
				}
				size = len(doc)
			}
			b.SetBytes(int64(size))
		})
	}
}
