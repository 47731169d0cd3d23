package equiv_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/nftopt/nftopt/ir"
	"github.com/nftopt/nftopt/ir/equiv"
	"github.com/nftopt/nftopt/optimize"
	"github.com/nftopt/nftopt/parser"
	"github.com/nftopt/nftopt/tests/bench"
)

// sameAnswer fails unless a walk where the sides may meet (met) answers
// as the full walk (full) does: equivalent, or a difference found, or
// (only where the full walk met a construct it does not model) either
// an unknown or a proof; and in no more classes.
func sameAnswer(t *testing.T, name string, full, met equiv.Result) {
	t.Helper()
	switch {
	case met.Classes > full.Classes:
		t.Errorf("%s: meeting walks %d classes, the full walk %d", name, met.Classes, full.Classes)
	case (len(full.Diffs) > 0) != (len(met.Diffs) > 0):
		t.Errorf("%s: the full walk finds %d differences, meeting %d", name, len(full.Diffs), len(met.Diffs))
	case len(full.Unknown) == 0 && met.Equivalent != full.Equivalent:
		t.Errorf("%s: the full walk answers %+v, meeting %+v", name, full, met)
	}
}

// TestMeeting: where both sides jump to a chain the optimizer left
// alone, with nothing left to run after it, the walk proves the class
// there: kube-proxy's services are proved in far fewer classes, with
// the answer the full walk gives. Each case after it changes one thing
// the meeting must see (what runs after the chain, state before it, the
// jump depth, the policy), and the difference must be found.
func TestMeeting(t *testing.T) {
	a, err := parser.Parse("kube", []byte(bench.KubeProxy(1000)), parser.Options{})
	if err != nil {
		t.Fatal(err)
	}
	res, err := optimize.Run(a, optimize.Options{NoVerify: true})
	if err != nil {
		t.Fatal(err)
	}
	full := equiv.Check(a, res.Output, equiv.Options{FullWalk: true})
	met := equiv.Check(a, res.Output, equiv.Options{})
	if !full.Equivalent || !met.Equivalent {
		t.Fatalf("kube-proxy: full walk %+v, meeting %+v", full, met)
	}
	if 2*met.Classes > full.Classes {
		t.Errorf("kube-proxy: meeting walks %d classes of the full walk's %d: the sides do not meet", met.Classes, full.Classes)
	}

	// c returns for every packet but tcp to port 80, after testing
	// the source address and marking.
	const c = `
	chain c {
		ip saddr 10.0.0.1 meta mark set 7
		tcp dport 80 accept
	}`
	table := func(policy, input, extra string) string {
		return fmt.Sprintf("table ip t {%s%s\n\tchain in {\n\t\ttype filter hook input priority filter; policy %s;\n%s\n\t}\n}\n", c, extra, policy, input)
	}
	nest := func(n int) string {
		var sb strings.Builder
		for i := 1; i < n; i++ {
			fmt.Fprintf(&sb, "\n\tchain n%d { jump n%d }", i, i+1)
		}
		fmt.Fprintf(&sb, "\n\tchain n%d { jump c }", n)
		return sb.String()
	}
	cases := []struct {
		name, a, b string
		equal      bool
	}{
		{"a set for two rules", table("accept", "\t\tip daddr 1.1.1.1 jump c\n\t\tip daddr 2.2.2.2 jump c", ""),
			table("accept", "\t\tip daddr { 1.1.1.1, 2.2.2.2 } jump c", ""), true},
		{"a rule left after the jump", table("accept", "\t\tip daddr 1.1.1.1 jump c\n\t\tdrop", ""),
			table("accept", "\t\tip daddr 1.1.1.1 jump c", ""), false},
		{"a rule that reads the mark after the jump", table("accept", "\t\tip daddr 1.1.1.1 jump c\n\t\tmeta mark 7 drop", ""),
			table("accept", "\t\tip daddr 1.1.1.1 jump c", ""), false},
		{"goto against jump", table("accept", "\t\tip daddr 1.1.1.1 goto c\n\t\tdrop", ""),
			table("accept", "\t\tip daddr 1.1.1.1 jump c\n\t\tdrop", ""), false},
		{"another policy", table("accept", "\t\tjump c", ""),
			table("drop", "\t\tjump c", ""), false},
		{"a base chain after", table("accept", "\t\tjump c", "\n\tchain late {\n\t\ttype filter hook input priority 10; policy accept;\n\t\tmeta mark 7 drop\n\t}"),
			table("accept", "\t\tjump c", "\n\tchain late {\n\t\ttype filter hook input priority 10; policy accept;\n\t}"), false},
		{"goto from a chain with rules left below it", table("accept", "\t\tjump x\n\t\tdrop", "\n\tchain x { goto c }"),
			table("accept", "\t\tjump y", "\n\tchain y { jump c }"), false},
		{"another mark before", table("accept", "\t\tmeta mark set 1 jump c", ""),
			table("accept", "\t\tmeta mark set 2 jump c", ""), false},
		{"a log before", table("accept", "\t\tlog jump c", ""),
			table("accept", "\t\tjump c", ""), false},
		{"too deep on one side", table("accept", "\t\tjump c", nest(15)),
			table("accept", "\t\tjump n1", nest(15)), false},
	}
	for _, tc := range cases {
		a, err := parser.Parse("a.nft", []byte(tc.a), parser.Options{})
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		parsed, err := parser.Parse("b.nft", []byte(tc.b), parser.Options{})
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		// b's regular chains are a's own, as the optimizer leaves them:
		// the sides share them.
		b := parsed.MapChains(func(_ *ir.Table, ch *ir.Chain) *ir.Chain {
			if own := a.Tables[0].Chain(ch.Name); ch.Base == nil && own != nil {
				return own
			}
			return ch
		})
		full := equiv.Check(a, b, equiv.Options{FullWalk: true})
		met := equiv.Check(a, b, equiv.Options{})
		if full.Equivalent != tc.equal || met.Equivalent != tc.equal {
			t.Errorf("%s: full walk %+v, meeting %+v; want equivalent %v", tc.name, full, met, tc.equal)
		}
		if tc.equal && met.Classes >= full.Classes {
			t.Errorf("%s: meeting walks %d classes, the full walk %d: the sides do not meet", tc.name, met.Classes, full.Classes)
		}
		sameAnswer(t, tc.name, full, met)
	}
}
