package nft

import (
	"fmt"
	"runtime"
	"strings"
	"testing"

	"github.com/nftopt/nftopt/ir"
)

// TestConstants checks how values of each datatype kind print.
func TestConstants(t *testing.T) {
	f := func(name string) *ir.Type { return ir.LookupField(name).Type }
	for _, tc := range []struct {
		c    *ir.Const
		opts Options
		want string
	}{
		{&ir.Const{Type: f("ip saddr"), Val: []byte{10, 0, 0, 1}}, Options{}, "10.0.0.1"},
		{&ir.Const{Type: f("ip6 saddr"), Val: []byte{0xfe, 0x80, 15: 1}}, Options{}, "fe80::1"},
		{&ir.Const{Type: f("ether saddr"), Val: []byte{0, 0x11, 0x22, 0x33, 0x44, 0x55}}, Options{}, "00:11:22:33:44:55"},
		{&ir.Const{Type: f("meta mark"), Val: []byte{0, 0, 0, 0x10}}, Options{}, "0x00000010"},
		{&ir.Const{Type: f("tcp dport"), Val: []byte{0, 22}}, Options{}, "22"},
		{&ir.Const{Type: f("meta l4proto"), Val: []byte{6}}, Options{}, "tcp"},
		{&ir.Const{Type: f("meta l4proto"), Val: []byte{6}}, Options{NumericProto: true}, "6"},
		{&ir.Const{Type: f("ct state"), Val: []byte{0, 0, 0, 6}}, Options{}, "established | related"},
		{&ir.Const{Type: f("tcp flags"), Val: []byte{0x12}}, Options{}, "syn | ack"},
		{&ir.Const{Type: f("icmp type"), Val: []byte{8}}, Options{}, "echo-request"},
		{&ir.Const{Type: f("ct expiration"), Val: []byte{0, 0, 0xea, 0x60}}, Options{}, "1m"},
		{&ir.Const{Type: f("meta iifname"), Str: "eth"}, Options{}, `"eth"`},
		{&ir.Const{Type: f("meta iifname"), Str: "eth", Wild: true}, Options{}, `"eth*"`},
		{&ir.Const{Type: f("meta priority"), Val: []byte{0, 1, 0, 2}}, Options{}, "1:2"},
		{&ir.Const{Type: f("meta oifgroup"), Val: []byte{0, 0, 0, 0}}, Options{}, `"default"`},
		{&ir.Const{Str: "unknown_user", Sym: true}, Options{}, "unknown_user"},
		// A ct label is its bit's number, as nft lists it (not a mask).
		{&ir.Const{Type: f("ct label"), Val: []byte{15: 127}}, Options{}, "127"},
		{&ir.Const{Type: f("ct label"), Val: []byte{15: 1}}, Options{}, "1"},
		// ct status names after dnat are nft 1.1.4's: older targets get
		// numbers, which every release parses.
		{&ir.Const{Type: f("ct status"), Val: []byte{0, 0, 3, 0}}, Options{}, "dnat-done | dying"},
		{&ir.Const{Type: f("ct status"), Val: []byte{0, 0, 3, 0}}, Options{Target: Version{1, 1, 4}}, "dnat-done | dying"},
		{&ir.Const{Type: f("ct status"), Val: []byte{0, 0, 3, 0}}, Options{Target: Version{1, 0, 6}}, "dying | 0x100"},
		{&ir.Const{Type: f("ct status"), Val: []byte{0, 0, 1, 0}}, Options{Target: Version{1, 0, 6}}, "0x100"},
		{&ir.Const{Type: f("ct status"), Val: []byte{0, 0, 0, 0x30}}, Options{Target: Version{1, 0, 6}}, "snat | dnat"},
	} {
		if got := PrintExpr(tc.c, ir.FamilyInet, tc.opts); got != tc.want {
			t.Errorf("%s: got %q, want %q", tc.c.Type.Name, got, tc.want)
		}
	}
}

// TestStatements checks statement forms that nft lists in one spelling.
func TestStatements(t *testing.T) {
	mark := ir.LookupField("meta mark")
	proto := ir.LookupField("ip protocol")
	for _, tc := range []struct {
		s    ir.Stmt
		fam  ir.Family
		want string
	}{
		{&ir.Limit{Rate: 10, Per: "second"}, ir.FamilyIP, "limit rate 10/second burst 5 packets"},
		{&ir.Limit{Rate: 1, Unit: "mbytes", Per: "second"}, ir.FamilyIP, "limit rate 1 mbytes/second"},
		{&ir.Log{Level: "warn"}, ir.FamilyIP, "log"},
		{&ir.Nat{Kind: "masquerade", Flags: []string{"persistent", "random"}}, ir.FamilyIP, "masquerade random,persistent"},
		{&ir.Reject{With: "icmp", Code: &ir.Const{Type: ir.TypeIcmpCode, Val: []byte{3}}}, ir.FamilyIP, "reject"},
		{&ir.Reject{With: "icmp", Code: &ir.Const{Type: ir.TypeIcmpCode, Val: []byte{1}}}, ir.FamilyIP, "reject with icmp host-unreachable"},
		{&ir.Mangle{Left: &ir.Selector{Field: mark}, Value: &ir.Const{Type: mark.Type, Val: []byte{0, 0, 0, 1}}}, ir.FamilyIP, "meta mark set 0x00000001"},
		{&ir.Mangle{Left: &ir.Selector{Field: proto}, Value: &ir.Const{Type: proto.Type, Val: []byte{1}}}, ir.FamilyIP, "ip protocol set 1"},
		{&ir.Counter{}, ir.FamilyIP, "counter"},
		{&ir.Counter{Packets: 1, Bytes: 2, HasValues: true}, ir.FamilyIP, "counter packets 1 bytes 2"},
	} {
		if got := PrintStmt(tc.s, tc.fam, Options{}); got != tc.want {
			t.Errorf("%T: got %q, want %q", tc.s, got, tc.want)
		}
	}
}

// TestPrologue checks the commands printed before the tables.
func TestPrologue(t *testing.T) {
	rs := &ir.Ruleset{Prologue: []*ir.Command{{Verb: "flush", Object: "ruleset"}, {Verb: "delete", Object: "table", Family: ir.FamilyInet, Table: "t"}}}
	want := "flush ruleset\ntable inet t\ndelete table inet t\n"
	if got := Print(rs, Options{}); got != want {
		t.Errorf("got:\n%s\nwant:\n%s", got, want)
	}
}

// TestParallelChains: a table with many rules prints its chains on all
// processors; the text is the one a single goroutine prints, chains and
// rules in order.
func TestParallelChains(t *testing.T) {
	tb := &ir.Table{Family: ir.FamilyInet, Name: "t"}
	for c := range 300 {
		ch := &ir.Chain{Name: fmt.Sprintf("c%03d", c)}
		for r := range c % 40 {
			ch.Rules = append(ch.Rules, &ir.Rule{Stmts: []ir.Stmt{&ir.VerdictStmt{Verdict: &ir.Verdict{Kind: "accept"}}}, Comment: fmt.Sprintf("c%03d r%02d", c, r)})
		}
		tb.Chains = append(tb.Chains, ch)
	}
	rs := &ir.Ruleset{Tables: []*ir.Table{tb}}
	print := func(procs int) string {
		defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(procs))
		return Print(rs, Options{})
	}
	one := print(1)
	if n := strings.Count(one, "accept comment"); n < parallelRules {
		t.Fatalf("only %d rules: the test must reach the parallel path", n)
	}
	if many := print(4); many != one {
		t.Fatalf("4 goroutines print another text than 1")
	}
	at := -1
	for c := range 300 {
		for r := range c % 40 {
			i := strings.Index(one, fmt.Sprintf(`"c%03d r%02d"`, c, r))
			if i <= at {
				t.Fatalf("rule %d of chain %d is out of place", r, c)
			}
			at = i
		}
	}
}
