package nftns

import (
	"strings"
	"testing"
)

// TestCheck loads a valid and an invalid ruleset with nft -c.
func TestCheck(t *testing.T) {
	Require(t)
	if out, err := Check(strings.NewReader("table inet t {\n chain c {\n  tcp dport 22 accept\n }\n}\n")); err != nil {
		t.Fatalf("nft -c rejects a valid ruleset: %v: %s", err, out)
	}
	out, err := Check(strings.NewReader("table inet t {\n chain c {\n  tcp dport 22 acept\n }\n}\n"))
	if err == nil || !strings.Contains(string(out), "acept") {
		t.Fatalf("nft -c accepts a misspelled verdict (err %v): %s", err, out)
	}
}
