package parser

import (
	"errors"
	"fmt"
	"strings"
	"testing"
)

// TestBatchedRules: rules are lowered in batches on all processors; the
// rules must land in their chains in order and the errors come in the
// order of their lines, as when lowering rules one by one. Definitions
// are seen where they are in scope and not before: a rule that uses a
// name defined after it fails.
func TestBatchedRules(t *testing.T) {
	var b strings.Builder
	// S makes the table's scope before the chains: R, defined into
	// it after them, must not reach them.
	b.WriteString("define P = 22\ntable ip t {\n\tdefine S = 1\n")
	var bad []int // lines with an error, in order
	line := 4
	w := func(format string, args ...any) {
		fmt.Fprintf(&b, format+"\n", args...)
		line++
	}
	for c := range 3 {
		w("\tchain c%d {", c)
		for i := range 700 {
			switch {
			case i%233 == 7:
				w("\t\ttcp dport %d acept", i)
				bad = append(bad, line-1)
			case c == 1 && i == 350:
				w("\t\tdefine Q = 80")
			case c == 1 && i > 350:
				w("\t\ttcp dport $Q ip saddr 10.0.%d.%d accept", i/256, i%256)
			case c == 2 && i == 10:
				w("\t\ttcp dport $R drop") // R is defined after the chain
				bad = append(bad, line-1)
			default:
				w("\t\ttcp dport $P ip saddr 10.0.%d.%d accept", i/256, i%256)
			}
		}
		w("\t}")
	}
	w("\tdefine R = 443")
	w("}")
	_, err := Parse("x.nft", []byte(b.String()), Options{})
	var list ErrorList
	if !errors.As(err, &list) {
		t.Fatalf("want errors, got %v", err)
	}
	var lines []int
	for _, e := range list { // a line may have more than one error
		if n := len(lines); n == 0 || lines[n-1] != e.Pos.Line {
			lines = append(lines, e.Pos.Line)
		}
	}
	if fmt.Sprint(lines) != fmt.Sprint(bad) {
		t.Fatalf("errors on lines %v, want %v:\n%v", lines, bad, err)
	}
	if !strings.Contains(list.Format(), "x.nft:1419:13: unknown identifier 'R'") {
		t.Errorf("want x.nft:1419:13: unknown identifier 'R' among the errors:\n%s", list.Format())
	}

	// Without the errors: every rule in place, in order, and later
	// top-level commands add to them or flush them.
	good := strings.NewReplacer("acept", "accept", "$R", "$P").Replace(b.String())
	good += "add rule ip t c0 counter\nflush chain ip t c2\n"
	rs, err := Parse("x.nft", []byte(good), Options{})
	if err != nil {
		t.Fatal(err)
	}
	tb := rs.Tables[0]
	for c, want := range []int{701, 699, 0} {
		rules := tb.Chain(fmt.Sprintf("c%d", c)).Rules
		if len(rules) != want {
			t.Errorf("chain c%d: %d rules, want %d", c, len(rules), want)
			continue
		}
		for i := 1; i < len(rules); i++ {
			if rules[i-1].Span.Start.Line >= rules[i].Span.Start.Line && rules[i].Span.Start.Line != 0 {
				t.Fatalf("chain c%d: rule %d (line %d) after rule %d (line %d)", c, i, rules[i].Span.Start.Line, i-1, rules[i-1].Span.Start.Line)
			}
		}
	}
}
