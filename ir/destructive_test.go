package ir_test

import (
	"strings"
	"testing"

	"github.com/nftopt/nftopt/emit/nft"
	"github.com/nftopt/nftopt/parser"
)

// TestDestructive checks the state after destructive commands, as the
// text parser applies them through ir.Destructive.
func TestDestructive(t *testing.T) {
	for _, tc := range []struct{ src, has, hasNot string }{
		{"table ip t { set s { type ipv4_addr; elements = { 1.1.1.1, 2.2.2.2 }; } }\ndelete element ip t s { 1.1.1.1 }\n",
			"add element ip t s { 1.1.1.1 }\ndelete element ip t s { 1.1.1.1 }", "elements = { 1.1.1.1"},
		// reset element resets counters: the elements stay.
		{"table ip t { set s { type ipv4_addr; elements = { 1.1.1.1 }; } }\nreset element ip t s { 1.1.1.1 }\n",
			"elements = { 1.1.1.1 }", "delete element"},
		{"table ip t { chain c { accept; } }\nflush chain ip t c\n", "chain c {\n\t}", "accept"},
		{"table ip t { chain c { accept; } }\ndelete table ip t\ntable ip t { chain d { drop; } }\n", "delete table ip t", "chain c"},
		{"table ip t { chain c { accept; } }\nflush ruleset\ntable ip u { chain d { drop; } }\n", "flush ruleset", "table ip t"},
	} {
		rs, err := parser.Parse("t.nft", []byte(tc.src), parser.Options{})
		if err != nil {
			t.Fatalf("%v\n%s", err, tc.src)
		}
		out := nft.Print(rs, nft.Options{})
		if !strings.Contains(out, tc.has) || strings.Contains(out, tc.hasNot) {
			t.Errorf("input:\n%s\ngot:\n%s\nwant %q and not %q", tc.src, out, tc.has, tc.hasNot)
		}
	}
}
