package equiv

import (
	"os"
	"testing"

	"github.com/nftopt/nftopt/parser"
)

func BenchmarkZZ(b *testing.B) {
	fa, fb := os.Getenv("DBG_A"), os.Getenv("DBG_B")
	a, _ := parser.ParseFile(fa, parser.Options{})
	bb, _ := parser.ParseFile(fb, parser.Options{})
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		Check(a, bb, Options{})
	}
}
