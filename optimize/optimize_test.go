package optimize_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/nftopt/nftopt/emit/nft"
	"github.com/nftopt/nftopt/ir"
	"github.com/nftopt/nftopt/optimize"
	"github.com/nftopt/nftopt/parser"
)

// chain wraps rules in an inet input chain with policy drop.
func chain(rules ...string) string {
	return "table inet t {\n\tchain c {\n\t\ttype filter hook input priority 0; policy drop;\n\t\t" +
		strings.Join(rules, "\n\t\t") + "\n\t}\n}\n"
}

// expectOptimized optimizes in (the proof included) and compares the
// printed rules of the result with want.
func expectOptimized(t *testing.T, opts optimize.Options, in, want string) {
	t.Helper()
	rs, err := parser.Parse("in.nft", []byte(in), parser.Options{})
	if err != nil {
		t.Fatal(err)
	}
	opts.CheckIR = true
	res, err := optimize.Run(rs, opts)
	if err != nil {
		t.Fatalf("optimize: %v", err)
	}
	if len(res.Unverified) > 0 {
		t.Fatalf("not verified: %v", res.Unverified)
	}
	if got := nft.Print(res.Output, nft.Options{}); got != want {
		t.Errorf("optimize\n%s\ngot:\n%s\nwant:\n%s", in, got, want)
	}
}

func TestPasses(t *testing.T) {
	for _, tc := range []struct {
		name      string
		in, want  []string
		keepCount bool
	}{
		{"set of ports", []string{"tcp dport 22 accept", "tcp dport 80 accept", "tcp dport 443 accept"},
			[]string{"tcp dport { 22, 80, 443 } accept"}, false},
		{"prefixes coalesce", []string{"ip saddr 10.0.0.0/24 drop", "ip saddr 10.0.1.0/24 drop", "ip saddr 10.0.2.0/23 drop"},
			[]string{"ip saddr 10.0.0.0/22 drop"}, false},
		{"concatenation", []string{"ip saddr 10.0.0.1 tcp dport 22 accept", "ip saddr 10.0.0.2 tcp dport 80 accept"},
			[]string{"ip saddr . tcp dport { 10.0.0.1 . 22, 10.0.0.2 . 80 } accept"}, false},
		{"verdict map", []string{"tcp dport 22 accept", "tcp dport 23 drop", "tcp dport 24 accept"},
			[]string{"tcp dport vmap { 22 : accept, 24 : accept, 23 : drop }"}, false},
		{"overlapping prefixes keep first-match order", []string{"ip saddr 10.0.0.0/24 drop", "ip saddr 10.0.0.0/16 accept"},
			[]string{"ip saddr vmap { 10.0.0.0/24 : drop, 10.0.1.0-10.0.255.255 : accept }"}, false},
		{"tcp flags fold into any-of-bits, never a set", []string{"tcp flags syn accept", "tcp flags ack accept"},
			[]string{"tcp flags syn,ack accept"}, false},
		{"flags with different verdicts: a verdict map over the masked bits, first match per combination", []string{"tcp flags syn drop", "tcp flags ack accept"},
			[]string{"tcp flags & (syn | ack) vmap { syn : drop, ack : accept, syn | ack : drop }"}, false},
		{"ct state holds one state: a verdict map", []string{"ct state invalid drop", "ct state established,related accept"},
			[]string{"ct state vmap { invalid : drop, established : accept, related : accept }"}, false},
		{"shared guard stays", []string{`iifname "lan0" tcp dport 22 accept`, `iifname "lan0" tcp dport 80 accept`},
			[]string{`iifname "lan0" tcp dport { 22, 80 } accept`}, false},
		{"comments become element comments", []string{`tcp dport 22 accept comment "ssh"`, `tcp dport 80 accept comment "web"`, "tcp dport 443 accept"},
			[]string{`tcp dport { 22 comment "ssh", 80 comment "web", 443 } accept`}, false},
		{"a map element takes the comment of the rule that owns it", []string{`ip daddr 10.0.0.0/24 drop comment "x"`, `ip daddr 10.0.0.0/16 accept comment "y"`},
			[]string{`ip daddr vmap { 10.0.0.0/24 comment "x" : drop, 10.0.1.0-10.0.255.255 comment "y" : accept }`}, false},
		{"coalesced values join their comments", []string{`ip saddr 10.0.0.0/24 drop comment "lab"`, `ip saddr 10.0.1.0/24 drop comment "office"`},
			[]string{`ip saddr 10.0.0.0/23 drop comment "lab; office"`}, false},
		{"a shared comment stays the rule's", []string{`udp dport 53 accept comment "dns"`, `udp dport 67 accept comment "dns"`},
			[]string{`udp dport { 53, 67 } accept comment "dns"`}, false},
		{"a set's adjacent prefixes coalesce", []string{"ip saddr { 10.0.0.0/24, 10.0.1.0/24, 10.0.3.0/24 } drop"},
			[]string{"ip saddr { 10.0.0.0/23, 10.0.3.0/24 } drop"}, false},
		{"overlapping ranges in a set coalesce", []string{"tcp dport != { 1-10, 5-20, 30 } drop"},
			[]string{"tcp dport != { 1-20, 30 } drop"}, false},
		{"counters merge", []string{"tcp dport 22 counter accept", "tcp dport 80 counter accept"},
			[]string{"tcp dport { 22, 80 } counter accept"}, false},
		{"counters kept apart on request", []string{"tcp dport 22 counter accept", "tcp dport 80 counter accept"},
			[]string{"tcp dport 22 counter accept", "tcp dport 80 counter accept"}, true},
		{"limits are barriers", []string{"tcp dport 22 limit rate 10/second accept", "tcp dport 80 limit rate 10/second accept"},
			[]string{"tcp dport 22 limit rate 10/second burst 5 packets accept", "tcp dport 80 limit rate 10/second burst 5 packets accept"}, false},
		{"no merge across an interleaved rule", []string{"tcp dport 22 accept", "ip saddr 1.1.1.1 drop", "tcp dport 80 accept"},
			[]string{"tcp dport 22 accept", "ip saddr 1.1.1.1 drop", "tcp dport 80 accept"}, false},
		{"reorder across rules no packet matches together", []string{"tcp dport 22 accept", "udp dport 53 accept", "tcp dport 80 accept", "udp dport 67 accept"},
			[]string{"tcp dport { 22, 80 } accept", "udp dport { 53, 67 } accept"}, false},
		{"duplicate and shadowed rules", []string{"tcp dport 22 accept", "tcp dport 22 accept", "ip saddr 10.0.0.1 tcp dport 22 drop", "udp dport 53 accept"},
			[]string{"tcp dport 22 accept", "udp dport 53 accept"}, false},
		{"rules after an unconditional verdict", []string{"tcp dport 22 accept", "drop", "udp dport 53 accept"},
			[]string{"tcp dport 22 accept", "drop"}, false},
		{"rules that only match do nothing", []string{"tcp dport 22", "udp dport 53 accept"},
			[]string{"udp dport 53 accept"}, false},
		{"raw payload reads merge like fields", []string{"meta l4proto udp @th,64,16 0x1 accept", "meta l4proto udp @th,64,16 0x2 drop"},
			[]string{"meta l4proto udp @th,64,16 vmap { 0x1 : accept, 0x2 : drop }"}, false},
		{"neighbouring verdict maps merge", []string{"tcp dport vmap { 22 : accept, 23 : drop }", "tcp dport 24 drop"},
			[]string{"tcp dport vmap { 22 : accept, 23 : drop, 24 : drop }"}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			expectOptimized(t, optimize.Options{KeepCounters: tc.keepCount}, chain(tc.in...), chain(tc.want...))
		})
	}
}

func TestNatMaps(t *testing.T) {
	nat := func(rules ...string) string {
		return "table ip n {\n\tchain pre {\n\t\ttype nat hook prerouting priority dstnat;\n\t\t" + strings.Join(rules, "\n\t\t") + "\n\t}\n}\n"
	}
	expectOptimized(t, optimize.Options{},
		nat("ip saddr 4.4.4.4 dnat to 1.1.1.1", "ip saddr 5.5.5.5 dnat to 2.2.2.2"),
		nat("dnat to ip saddr map { 4.4.4.4 : 1.1.1.1, 5.5.5.5 : 2.2.2.2 }"))
	expectOptimized(t, optimize.Options{},
		nat("tcp dport 80 dnat to 1.1.1.1:8001", "tcp dport 81 dnat to 2.2.2.2:9001"),
		nat("meta l4proto tcp dnat ip to tcp dport map { 80 : 1.1.1.1 . 8001, 81 : 2.2.2.2 . 9001 }"))
}

func TestMarkMaps(t *testing.T) {
	mangle := func(rules ...string) string {
		return "table inet t {\n\tchain c {\n\t\ttype filter hook prerouting priority mangle; policy accept;\n\t\t" + strings.Join(rules, "\n\t\t") + "\n\t}\n}\n"
	}
	expectOptimized(t, optimize.Options{},
		mangle("tcp dport 22 meta mark set 1", "tcp dport 80 meta mark set 2"),
		mangle("meta l4proto tcp meta mark set tcp dport map { 22 : 0x00000001, 80 : 0x00000002 }"))
	// A packet matching two writes keeps the last value: not a map.
	expectOptimized(t, optimize.Options{},
		mangle("tcp dport 22 meta mark set 1", "tcp dport 22 meta mark set 2"),
		mangle("tcp dport 22 meta mark set 0x00000001", "tcp dport 22 meta mark set 0x00000002"))
}

func TestPassTable(t *testing.T) {
	names := optimize.PassNames()
	index := map[string]int{}
	for i, n := range names {
		index[n] = i
	}
	if index["chains"] != 0 {
		t.Errorf("pipeline %v: chains must run first, so that no pass works on chains it removes", names)
	}
	if index["dead"] > index["reorder"] || index["dead"] > index["merge"] {
		t.Errorf("pipeline %v: dead must run before reorder and merge so that shadowed rules do not break merge runs", names)
	}
	if !strings.Contains(optimize.Describe(), "merge") {
		t.Errorf("Describe lacks the merge pass:\n%s", optimize.Describe())
	}
}

func TestUnreachableChains(t *testing.T) {
	in := "table inet t {\n\tmap m {\n\t\ttype ifname : verdict\n\t\telements = { \"eth0\" : jump named }\n\t}\n" +
		"\tchain c {\n\t\ttype filter hook input priority 0; policy drop;\n\t\tjump used\n\t}\n" +
		"\tchain used {\n\t\ttcp dport 22 accept\n\t\ttcp dport 80 accept\n\t}\n" +
		"\tchain named {\n\t\taccept\n\t}\n" +
		"\tchain orphan {\n\t\ttcp dport 22 accept\n\t\ttcp dport 80 accept\n\t}\n}\n"
	rs, err := parser.Parse("in.nft", []byte(in), parser.Options{})
	if err != nil {
		t.Fatal(err)
	}
	for _, remove := range []bool{false, true} {
		res, err := optimize.Run(rs, optimize.Options{RemoveUnreachableChains: remove})
		if err != nil {
			t.Fatal(err)
		}
		var reported []string
		for _, c := range res.Changes {
			if c.Kind == optimize.UnreachableChain {
				reported = append(reported, fmt.Sprintf("%s removed=%v", c.Chain.Name, c.Removed))
			}
		}
		out := nft.Print(res.Output, nft.Options{})
		want := []string{"named removed=false", fmt.Sprintf("orphan removed=%v", remove)}
		if fmt.Sprint(reported) != fmt.Sprint(want) {
			t.Errorf("remove=%v: reported %v, want %v", remove, reported, want)
		}
		// The named map's chain stays; the orphan goes only on request,
		// and is optimized (and proved) when it stays.
		if !strings.Contains(out, "chain named") || strings.Contains(out, "chain orphan") == remove {
			t.Errorf("remove=%v:\n%s", remove, out)
		}
		if !remove && strings.Count(out, "tcp dport { 22, 80 } accept") != 2 {
			t.Errorf("orphan not optimized:\n%s", out)
		}
	}
	// --table and --chain restrict the passes.
	res, err := optimize.Run(rs, optimize.Options{Chains: []string{"orphan"}})
	if err != nil {
		t.Fatal(err)
	}
	if out := nft.Print(res.Output, nft.Options{}); strings.Count(out, "tcp dport { 22, 80 } accept") != 1 || !strings.Contains(out, "chain used {\n\t\ttcp dport 22 accept") {
		t.Errorf("--chain orphan:\n%s", out)
	}
	res, err = optimize.Run(rs, optimize.Options{Tables: []string{"ip/t"}})
	if err != nil {
		t.Fatal(err)
	}
	if out := nft.Print(res.Output, nft.Options{}); strings.Contains(out, "{ 22, 80 }") {
		t.Errorf("--table ip/t touched inet t:\n%s", out)
	}
}

// TestPassFailuresNamePass: a panicking pass is an error naming the
// pass, table and chain; a pass that breaks the ir fails ir.Check.
func TestPassFailuresNamePass(t *testing.T) {
	rs, err := parser.Parse("in.nft", []byte(chain("tcp dport 22 accept")), parser.Options{})
	if err != nil {
		t.Fatal(err)
	}
	saved := optimize.Pipeline
	defer func() { optimize.Pipeline = saved }()
	optimize.Pipeline = []optimize.Pass{{Name: "boom", Run: func(c *optimize.Context) error {
		for _, ch := range c.RS.Tables[0].Chains {
			_ = ch.Rules[5]
		}
		return nil
	}}}
	if _, err := optimize.Run(rs, optimize.Options{}); err == nil || !strings.Contains(err.Error(), "pass boom panicked") {
		t.Errorf("panic: got %v", err)
	}
	optimize.Pipeline = []optimize.Pass{{Name: "breaker", Run: func(c *optimize.Context) error {
		c.RS.Tables[0].Chains[0].Rules[0] = &ir.Rule{}
		return nil
	}}}
	if _, err := optimize.Run(rs, optimize.Options{CheckIR: true}); err == nil || !strings.Contains(err.Error(), "pass breaker broke the ruleset") {
		t.Errorf("broken ir: got %v", err)
	}
	var dumped []string
	optimize.Pipeline = saved
	if _, err := optimize.Run(rs, optimize.Options{AfterPass: func(p string, _ *ir.Ruleset) { dumped = append(dumped, p) }}); err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(dumped) != fmt.Sprint(func() []string {
		var n []string
		for _, p := range saved {
			n = append(n, p.Name)
		}
		return n
	}()) {
		t.Errorf("AfterPass saw %v", dumped)
	}
}

// TestSharedKeysAndReturningVerdicts: a key two rules share goes to the
// first in a map, which is wrong when the first jumps (it returns, and
// the second applies): such runs are not merged into maps.
func TestSharedKeysAndReturningVerdicts(t *testing.T) {
	withSub := func(rules ...string) string {
		return "table inet t {\n\tchain sub {\n\t\ttcp dport 1 accept\n\t}\n\n\tchain c {\n\t\ttype filter hook input priority 0; policy drop;\n\t\t" +
			strings.Join(rules, "\n\t\t") + "\n\t}\n}\n"
	}
	for _, rules := range [][]string{
		{"tcp flags syn jump sub", "tcp flags fin drop"},
		{"tcp dport 1-4 jump sub", "tcp dport 3-6 drop"},
		{"ip saddr 10.0.0.1 tcp dport 2 jump sub", "ip saddr 10.0.0.1 tcp dport 2 drop"},
	} {
		expectOptimized(t, optimize.Options{}, withSub(rules...), withSub(rules...))
	}
	// Without sharing, a jump is a map value like any other.
	expectOptimized(t, optimize.Options{}, withSub("tcp dport 2 jump sub", "tcp dport 3 drop"), withSub("tcp dport vmap { 2 : jump sub, 3 : drop }"))
}

// TestWritesThatChain: rules whose key reads the mark they write chain
// (mark 1 becomes 2, which the next rule turns into 3): no mark map.
func TestWritesThatChain(t *testing.T) {
	mangle := func(rules ...string) string {
		return "table inet t {\n\tchain c {\n\t\ttype filter hook prerouting priority mangle; policy accept;\n\t\t" + strings.Join(rules, "\n\t\t") + "\n\t}\n}\n"
	}
	for _, sel := range []string{"meta mark", "ct mark"} {
		in := mangle(sel+" 0x00000001 "+sel+" set 0x00000002", sel+" 0x00000002 "+sel+" set 0x00000003")
		expectOptimized(t, optimize.Options{}, in, in)
	}
}
