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

// TestVersion reads the installed nft's version.
func TestVersion(t *testing.T) {
	Require(t)
	v, ok := Version()
	if !ok || v == [3]int{} {
		t.Fatalf("Version() = %v, %v", v, ok)
	}
	if !AtLeast(v) || AtLeast([3]int{v[0] + 1, 0, 0}) {
		t.Fatalf("AtLeast disagrees with Version %v", v)
	}
}
