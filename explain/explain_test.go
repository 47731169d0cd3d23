package explain

import (
	"strings"
	"testing"

	"github.com/nftopt/nftopt/optimize"
	"github.com/nftopt/nftopt/parser"
)

// TestWrite explains a real run: a merge with its sources (file:line) and
// result, and a removed rule.
func TestWrite(t *testing.T) {
	src := "table inet t {\n chain c {\n  type filter hook input priority 0; policy drop;\n  tcp dport 22 accept\n  tcp dport 80 accept\n  drop\n  udp dport 53 accept\n }\n}\n"
	rs, err := parser.Parse("in.nft", []byte(src), parser.Options{})
	if err != nil {
		t.Fatal(err)
	}
	res, err := optimize.Run(rs, optimize.Options{})
	if err != nil {
		t.Fatal(err)
	}
	var sb strings.Builder
	Write(&sb, res.Changes)
	want := "dead: table inet t chain c: never reached: the rule at in.nft:6:3 ends every packet before it\n" +
		"    in.nft:7:3: udp dport 53 accept\n" +
		"  => removed\n" +
		"merge: table inet t chain c: anonymous set\n" +
		"    in.nft:4:3: tcp dport 22 accept\n" +
		"    in.nft:5:3: tcp dport 80 accept\n" +
		"  => tcp dport { 22, 80 } accept\n"
	if sb.String() != want {
		t.Fatalf("got:\n%s\nwant:\n%s", sb.String(), want)
	}
}
