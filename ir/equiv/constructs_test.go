package equiv_test

import (
	"testing"

	"github.com/nftopt/nftopt/ir"
	"github.com/nftopt/nftopt/ir/equiv"
)

// TestConstructs checks equivalence verdicts on small pairs, one per construct.
func TestConstructs(t *testing.T) {
	for _, tc := range []struct {
		name  string
		a, b  string
		equal bool
	}{
		{"vmap equals linear rules",
			inputChain("accept", "tcp dport 22 accept", "tcp dport 23 drop", "tcp dport 24 jump sub") + subChain("meta mark set 7"),
			inputChain("accept", "tcp dport vmap { 22 : accept, 23 : drop, 24 : jump sub }") + subChain("meta mark set 7"), true},
		{"vmap with a wrong verdict",
			inputChain("accept", "tcp dport 22 accept", "tcp dport 23 drop"),
			inputChain("accept", "tcp dport vmap { 22 : accept, 23 : accept }"), false},
		{"concatenation equals separate rules",
			inputChain("drop", "ip saddr 10.0.0.1 tcp dport 22 accept", "ip saddr 10.0.0.2 tcp dport 80 accept"),
			inputChain("drop", "ip saddr . tcp dport { 10.0.0.1 . 22, 10.0.0.2 . 80 } accept"), true},
		{"concatenation is not a cross product",
			inputChain("drop", "ip saddr 10.0.0.1 tcp dport 22 accept", "ip saddr 10.0.0.2 tcp dport 80 accept"),
			inputChain("drop", "ip saddr { 10.0.0.1, 10.0.0.2 } tcp dport { 22, 80 } accept"), false},
		{"overlapping prefixes keep first-match order",
			inputChain("accept", "ip saddr 10.0.0.0/8 drop", "ip saddr 10.1.0.0/16 accept"),
			inputChain("accept", "ip saddr 10.1.0.0/16 accept", "ip saddr 10.0.0.0/8 drop"), false},
		{"adjacent prefixes coalesce",
			inputChain("accept", "ip saddr 10.0.0.0/24 drop", "ip saddr 10.0.1.0/24 drop"),
			inputChain("accept", "ip saddr 10.0.0.0/23 drop"), true},
		{"ranges split and joined",
			inputChain("drop", "tcp dport 1-100 accept"),
			inputChain("drop", "tcp dport { 1-50, 51-100 } accept"), true},
		{"negation and its complement",
			inputChain("accept", "tcp dport != 22 drop"),
			inputChain("accept", "tcp dport 22 accept", "meta l4proto tcp drop"), true},
		{"negation needs the protocol",
			inputChain("accept", "tcp dport != 22 drop"),
			inputChain("accept", "tcp dport 22 accept", "drop"), false},
		{"ip rules do not see ip6 packets",
			inputChain("accept", "ip saddr 1.1.1.1 drop"),
			inputChain("accept", "ip saddr 1.1.1.1 drop", "ip6 saddr ::1 accept"), true},
		{"ip6 rules matter for ip6 packets",
			inputChain("accept", "ip saddr 1.1.1.1 drop"),
			inputChain("accept", "ip saddr 1.1.1.1 drop", "ip6 saddr ::1 drop"), false},
		{"inline chain equals named chain",
			inputChain("drop", "tcp dport 22 jump { ip saddr 10.0.0.1 accept; }"),
			inputChain("drop", "tcp dport 22 jump sub") + subChain("ip saddr 10.0.0.1 accept"), true},
		{"goto does not come back",
			inputChain("accept", "jump sub", "drop") + subChain("return"),
			inputChain("accept", "goto sub", "drop") + subChain("return"), false},
		{"accept does not stop a later base chain",
			inputChain("accept", "accept") + "table ip u {\n chain c {\n  type filter hook input priority 10; policy drop;\n }\n}\n",
			inputChain("drop") + "table ip u {\n chain c {\n  type filter hook input priority 10; policy drop;\n }\n}\n", false},
		// A rule on another field between port matches: the first split of
		// the port decides only port 1, and the indexed verdict map
		// after it must refine that class, not read it as "no key".
		{"an indexed vmap after a partly split port",
			inputChain("accept", "tcp dport 1 drop", "meta mark 5 drop",
				"tcp dport vmap { 2 : drop, 3 : drop, 4 : drop, 5 : drop, 6 : drop, 7 : drop, 8 : drop, 9 : accept }"),
			inputChain("accept", "tcp dport 1 drop", "meta mark 5 drop",
				"tcp dport vmap { 2 : drop, 3 : drop, 4 : drop, 5 : drop, 6 : drop, 7 : drop, 8 : drop, 9 : drop }"), false},
		{"an indexed vmap equals a range after a partly split port",
			inputChain("accept", "tcp dport 1 drop", "meta mark 5 drop",
				"tcp dport vmap { 2 : drop, 3 : drop, 4 : drop, 5 : drop, 6 : drop, 7 : drop, 8 : drop, 9 : accept }"),
			inputChain("accept", "tcp dport 1 drop", "meta mark 5 drop", "tcp dport 2-8 drop"), true},
		// Each evaluation of numgen draws a new number: two rules that
		// test it are two draws, not one test twice.
		{"two draws of numgen are not one",
			inputChain("accept", "numgen random mod 2 == 0 drop", "numgen random mod 2 == 0 drop"),
			inputChain("accept", "numgen random mod 2 == 0 drop"), false},
		{"one draw of numgen equals itself",
			inputChain("accept", "meta l4proto tcp numgen random mod 2 vmap { 0 : accept, 1 : drop }", "meta l4proto udp numgen random mod 2 vmap { 0 : accept, 1 : drop }"),
			inputChain("accept", "meta l4proto { tcp, udp } numgen random mod 2 vmap { 0 : accept, 1 : drop }"), true},
		// ct status is 32 bits, modeled byte by byte.
		{"ct status flags fold into any of the bits",
			inputChain("drop", "ct status dnat accept", "ct status snat accept"),
			inputChain("drop", "ct status dnat,snat accept"), true},
		{"ct status flags are not an exact-value set",
			inputChain("drop", "ct status dnat accept", "ct status snat accept"),
			inputChain("drop", "ct status { dnat, snat } accept"), false},
		{"ct status mask test",
			inputChain("drop", "ct status & (dnat | snat) == snat accept"),
			inputChain("drop", "ct status snat ct status ! dnat accept"), true},
		// After meta mark set, a match on the mark reads the written
		// value: a rule that matches the class's own mark does not end
		// the chain, and the rules after it still count.
		{"a written mark is not the packet's",
			inputChain("accept", "meta mark != 0 accept", "meta mark set 1", "tcp dport 22 meta mark 0 drop", "tcp dport 22 accept"),
			inputChain("accept", "meta mark != 0 accept", "meta mark set 1", "tcp dport 22 meta mark 0 drop", "tcp dport 22 drop"), false},
		{"drop in an earlier chain is final",
			inputChain("accept", "tcp dport 22 drop") + "table ip u {\n chain c {\n  type filter hook input priority 10; policy accept;\n  tcp dport 22 accept\n }\n}\n",
			inputChain("accept", "tcp dport 22 drop"), true},
		{"a constant mark write is seen by later matches",
			inputChain("drop", "meta mark set 1", "meta mark 1 accept"),
			inputChain("drop", "meta mark set 1", "accept"), true},
		{"nat map equals nat rules",
			natChain("tcp dport 80 dnat to 10.0.0.1", "tcp dport 81 dnat to 10.0.0.2"),
			natChain("dnat to tcp dport map { 80 : 10.0.0.1, 81 : 10.0.0.2 }"), true},
		{"nat map with a wrong target",
			natChain("tcp dport 80 dnat to 10.0.0.1", "tcp dport 81 dnat to 10.0.0.2"),
			natChain("dnat to tcp dport map { 80 : 10.0.0.1, 81 : 10.0.0.1 }"), false},
		{"merged anonymous counters",
			inputChain("accept", "tcp dport 22 counter drop", "tcp dport 23 counter drop"),
			inputChain("accept", "tcp dport { 22, 23 } counter drop"), true},
		{"uninterpreted predicates tried both ways",
			inputChain("accept", "fib daddr type local tcp dport 22 drop"),
			inputChain("accept", "tcp dport 22 fib daddr type local drop"), true},
		{"an uninterpreted predicate that differs",
			inputChain("accept", "fib daddr type local drop"),
			inputChain("accept", "fib daddr type broadcast drop"), false},
		{"ct state flags",
			inputChain("drop", "ct state established accept", "ct state related accept"),
			inputChain("drop", "ct state established,related accept"), true},
		// A packet without a conntrack entry (ct state invalid or
		// untracked) breaks every ct match but ct state, negated or not.
		{"ct mark and its complement miss untracked packets",
			inputChain("drop", "ct mark 1 drop", "accept"),
			inputChain("drop", "ct mark != 1 accept"), false},
		{"ct mark and its complement over tracked packets",
			inputChain("drop", "ct state { invalid, untracked } drop", "ct mark 1 drop", "accept"),
			inputChain("drop", "ct state { invalid, untracked } drop", "ct mark != 1 accept"), true},
		{"a statement reading ct mark breaks without conntrack",
			inputChain("drop", "meta mark set ct mark accept"),
			inputChain("drop", "meta mark set ct mark", "accept"), false},
		// A flag list after == or != is one value, the flags or'ed.
		{"tcp flags == syn,ack is one value",
			inputChain("accept", "tcp flags == syn,ack drop"),
			inputChain("accept", "tcp flags == 0x12 drop"), true},
		{"tcp flags == syn,ack is not a set",
			inputChain("accept", "tcp flags == syn,ack drop"),
			inputChain("accept", "tcp flags { syn, ack } drop"), false},
		{"ct status == dnat,snat is one value",
			inputChain("accept", "ct status == dnat,snat drop"),
			inputChain("accept", "ct status == 0x30 drop"), true},
		{"ct status != dnat,snat is not none of them",
			inputChain("accept", "ct status != dnat,snat drop"),
			inputChain("accept", "ct status != dnat ct status != snat drop"), false},
		// ct label set adds a label; ct zone set and ct helper set act on
		// unconfirmed connections only: none is a plain write.
		{"ct label set keeps the other labels",
			inputChain("drop", "ct label set 3", "ct label 4 accept"),
			inputChain("drop", "ct label set 3"), false},
		{"ct zone set is not a plain write",
			inputChain("drop", "ct state { invalid, untracked } drop", "ct zone set 1", "ct zone 1 accept"),
			inputChain("drop", "ct state { invalid, untracked } drop", "ct zone set 1", "accept"), false},
		// nat chains run inside conntrack's NAT hook (-100 in
		// prerouting) whatever their priority: a filter chain at -150
		// runs before a nat chain at -200 and sees the packet's own
		// address.
		{"a nat chain runs at the NAT hook's priority",
			natTable("n", "-200", "tcp dport 80 dnat to 10.0.0.1") + filterAt("prerouting", "-150", "ip daddr 10.0.0.1 drop"),
			natTable("n", "-200", "tcp dport 80 dnat to 10.0.0.1") + filterAt("prerouting", "-150", "ip daddr 10.0.0.1 drop", "ct state new tcp dport 80 drop"), false},
		// Conntrack runs the nat chains of a hook until one sets up a
		// translation; the later ones do not see the packet.
		// The NAT hook is one entry of the hook's list: a filter chain
		// at its priority never runs between two nat chains, whatever
		// their own priorities (-150 and 10 here, -150 and -140 there).
		{"nat chains stay together around a chain of their priority",
			natTable("a", "-150", "tcp dport 80 dnat to 10.0.0.1") + filterAt("prerouting", "-100", "meta mark 1 drop") + natTable("b", "10", "meta mark set 1"),
			natTable("a", "-150", "tcp dport 80 dnat to 10.0.0.1") + filterAt("prerouting", "-100", "meta mark 1 drop") + natTable("b", "-140", "meta mark set 1"), true},
		{"the first translation ends the nat chains",
			natTable("a", "-100", "tcp dport 80 dnat to 10.0.0.1") + natTable("b", "-90", "ip daddr 10.0.0.1 drop"),
			natTable("a", "-100", "tcp dport 80 dnat to 10.0.0.1") + natTable("b", "-90", "tcp dport 80 accept", "ip daddr 10.0.0.1 drop"), true},
		{"a later nat chain still sees untranslated packets",
			natTable("a", "-100", "tcp dport 80 dnat to 10.0.0.1") + natTable("b", "-90", "ip daddr 10.0.0.1 drop"),
			natTable("a", "-100", "tcp dport 80 dnat to 10.0.0.1") + natTable("b", "-90", "tcp dport 80 ip daddr 10.0.0.1 drop"), false},
		// "25:accept" is one word to the lexer, but key and verdict to nft.
		{"a verdict map written without spaces",
			inputChain("accept", "tcp dport vmap {25:drop, 28:accept}", "tcp dport 25 accept"),
			inputChain("accept", "tcp dport 25 accept", "tcp dport vmap {25:drop, 28:accept}"), false},
		{"interface wildcards",
			inputChain("drop", `iifname "eth*" accept`),
			inputChain("drop", `iifname "eth0" accept`, `iifname "eth*" accept`), true},
		// IPv4 and IPv6 packets of an inet table are walked together,
		// but meta protocol follows meta nfproto.
		{"meta protocol follows the family in an inet table",
			inputChain("drop", "meta protocol ip accept"),
			inputChain("drop", "meta nfproto ipv4 accept"), true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if tc.equal {
				expectEquivalent(t, tc.a, tc.b)
			} else {
				expectDifferent(t, tc.a, tc.b)
			}
		})
	}
}

// TestNatSetsStatus: once a nat chain ran, conntrack sets the nat-done
// bit of ct status, so a chain after it does not read the packet's own
// status. The model does not know the new value: reading it on one side
// and the old one on the other cannot be proved equal.
func TestNatSetsStatus(t *testing.T) {
	nat := natTable("n", "dstnat", "tcp dport 80 dnat to 10.0.0.1")
	a := parse(t, nat+filterAt("prerouting", "0", "ct state new meta l4proto udp ct status dnat-done drop"))
	b := parse(t, nat+filterAt("prerouting", "-150", "ct state new meta l4proto udp ct status dnat-done drop"))
	if res := equiv.Check(a, b, equiv.Options{}); res.Equivalent {
		t.Errorf("ct status before and after NAT: must not be equivalent, got %+v", res)
	}
	if res := equiv.Check(a, a, equiv.Options{}); !res.Equivalent {
		t.Errorf("the same ruleset: want equivalent, got %+v", res)
	}
}

// TestBeforeConntrack: base chains that run before conntrack (priority
// -200 and lower in prerouting and output, netdev chains) see no
// conntrack entry yet: their ct matches are not the later chains' ones,
// and "ct mark set" there writes nothing later chains read.
func TestBeforeConntrack(t *testing.T) {
	raw := func(rules ...string) string { return filterAt("prerouting", "-300", rules...) }
	later := func(rules ...string) string { return baseChain("g", "filter", "prerouting", "0", rules...) }
	for _, tc := range []struct{ name, a, b string }{
		// At -300 every packet is "invalid" (no entry yet): A drops
		// every packet, B only invalid ones.
		{"ct state before and after conntrack",
			raw("ct state invalid meta mark set 1", "ct state != invalid meta mark set 0") + later("meta mark 1 drop"),
			raw("ct state invalid meta mark set 1", "ct state != invalid meta mark set 0") + later("meta mark 1 ct state invalid drop")},
		// ct mark set before conntrack changes nothing.
		{"ct mark set before conntrack",
			raw("ct mark set 1") + later("ct mark 1 accept", "drop"),
			raw("ct mark set 1") + later("ct state { new, established, related } accept", "drop")},
		// notrack leaves a packet that has an entry already (looped
		// back from output) as it is.
		{"notrack keeps an existing entry",
			raw("notrack", "ct state established accept", "drop"),
			raw("notrack", "drop")},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if res := equiv.Check(parse(t, tc.a), parse(t, tc.b), equiv.Options{}); res.Equivalent {
				t.Errorf("must not be equivalent, got %+v\nA:\n%s\nB:\n%s", res, tc.a, tc.b)
			}
		})
	}
	// The same ruleset is still equivalent to itself, and a chain after
	// conntrack still models ct state.
	a := parse(t, raw("ct state new meta mark set 1")+later("ct state established accept", "ct state related accept"))
	b := parse(t, raw("ct state new meta mark set 1")+later("ct state established,related accept"))
	if res := equiv.Check(a, b, equiv.Options{}); !res.Equivalent {
		t.Errorf("after conntrack: want equivalent, got %+v", res)
	}
	// After notrack no packet is invalid: one without an entry is
	// untracked, the others keep theirs.
	c := parse(t, raw("notrack", "ct state untracked accept", "drop"))
	d := parse(t, raw("notrack", "ct state { established, related, new } drop", "accept"))
	if res := equiv.Check(c, d, equiv.Options{}); !res.Equivalent {
		t.Errorf("notrack: want equivalent, got %+v", res)
	}
}

// TestVmapElementWithoutVerdict: a map element whose verdict or value
// the model cannot read makes the check undecided, never "no element
// matched".
func TestVmapElementWithoutVerdict(t *testing.T) {
	a := parse(t, inputChain("accept", "tcp dport vmap { 25 : drop, 28 : accept }", "tcp dport 25 accept"))
	b := parse(t, inputChain("accept", "tcp dport vmap { 25 : drop, 28 : accept }", "tcp dport 25 drop"))
	for _, rs := range []*ir.Ruleset{a, b} {
		m := rs.Tables[0].Chains[0].Rules[0].Stmts[0].(*ir.VerdictStmt).Vmap
		m.Map.(*ir.SetExpr).Elems[0].Value = nil
	}
	if res := equiv.Check(a, b, equiv.Options{}); res.Equivalent || len(res.Unknown) == 0 {
		t.Errorf("want an undecided check, got %+v", res)
	}
	// The same for a map feeding a statement.
	c := parse(t, natChain("dnat to tcp dport map { 80 : 10.0.0.1, 81 : 10.0.0.2 }", "tcp dport 80 drop"))
	d := parse(t, natChain("tcp dport 80 drop", "dnat to tcp dport map { 80 : 10.0.0.1, 81 : 10.0.0.2 }"))
	for _, rs := range []*ir.Ruleset{c, d} {
		for _, r := range rs.Tables[0].Chains[0].Rules {
			if n, ok := r.Stmts[0].(*ir.Nat); ok {
				n.Addr.(*ir.MapExpr).Map.(*ir.SetExpr).Elems[0].Value = nil
			}
		}
	}
	if res := equiv.Check(c, d, equiv.Options{}); res.Equivalent || len(res.Unknown) == 0 {
		t.Errorf("map: want an undecided check, got %+v", res)
	}
}

// TestCountersOption: merged counters are equal by default, not with
// Counters; a counter removed is a difference either way.
func TestCountersOption(t *testing.T) {
	a := parse(t, inputChain("accept", "tcp dport 22 counter drop", "tcp dport 23 counter drop"))
	b := parse(t, inputChain("accept", "tcp dport { 22, 23 } counter drop"))
	if res := equiv.Check(a, b, equiv.Options{}); !res.Equivalent {
		t.Errorf("default: want equivalent, got %+v", res)
	}
	if res := equiv.Check(a, b, equiv.Options{Counters: true}); res.Equivalent {
		t.Errorf("with Counters: a merged counter must be a difference")
	}
	c := parse(t, inputChain("accept", "tcp dport { 22, 23 } drop"))
	if res := equiv.Check(a, c, equiv.Options{}); res.Equivalent {
		t.Errorf("default: a counter removed must be a difference")
	}
}

// TestComputedWrite: a field set to a computed value is a fresh value
// for the matches after it, unless a match read the packet's own value
// before: the model has one value per field, so it cannot decide.
func TestComputedWrite(t *testing.T) {
	a := parse(t, inputChain("drop", "meta mark set ct mark", "meta mark 1 accept"))
	if res := equiv.Check(a, a, equiv.Options{}); !res.Equivalent {
		t.Errorf("fresh value: want equivalent, got %+v", res)
	}
	// (b2 differs from b only by an explicit final drop, so that the
	// check cannot skip the chain as unchanged.)
	b := parse(t, inputChain("drop", "meta mark 2 drop", "meta mark set ct mark", "meta mark 1 accept"))
	b2 := parse(t, inputChain("drop", "meta mark 2 drop", "meta mark set ct mark", "meta mark 1 accept", "drop"))
	if res := equiv.Check(b, b2, equiv.Options{}); res.Equivalent || len(res.Unknown) == 0 {
		t.Errorf("read before and after: want an unknown result, got %+v", res)
	}
	// One side reads the packet's mark, the other the written one.
	c := parse(t, inputChain("drop", "meta mark 1 accept", "meta mark set ct mark"))
	d := parse(t, inputChain("drop", "meta mark set ct mark", "meta mark 1 accept"))
	if res := equiv.Check(c, d, equiv.Options{}); res.Equivalent {
		t.Errorf("read on each side of the write: must not be equivalent, got %+v", res)
	}
}

func subChain(rules ...string) string {
	s := "table inet t {\n chain sub {\n"
	for _, r := range rules {
		s += "  " + r + "\n"
	}
	return s + " }\n}\n"
}

// baseChain is table ip NAME holding one base chain of type typ on hook
// at priority prio, with rules.
func baseChain(name, typ, hook, prio string, rules ...string) string {
	s := "table ip " + name + " {\n chain c {\n  type " + typ + " hook " + hook + " priority " + prio + "; policy accept;\n"
	for _, r := range rules {
		s += "  " + r + "\n"
	}
	return s + " }\n}\n"
}

func natChain(rules ...string) string { return baseChain("n", "nat", "prerouting", "dstnat", rules...) }

func natTable(name, prio string, rules ...string) string {
	return baseChain(name, "nat", "prerouting", prio, rules...)
}

func filterAt(hook, prio string, rules ...string) string {
	return baseChain("f", "filter", hook, prio, rules...)
}

// TestInetFamilies: an inet table's IPv4 and IPv6 packets are checked in
// one walk. A difference only one family has is found on a packet of that
// family; a rule both families see costs no more classes than in one.
func TestInetFamilies(t *testing.T) {
	for _, tc := range []struct {
		name, b, family string
	}{
		{"ip6 only", inputChain("accept", "ip6 saddr ::1 drop"), "ip6"},
		{"ip only", inputChain("accept", "ip saddr 10.0.0.1 drop"), "ip"},
	} {
		res := equiv.Check(parse(t, inputChain("accept")), parse(t, tc.b), equiv.Options{MaxDiffs: 10})
		if len(res.Diffs) != 1 || res.Diffs[0].Family != tc.family || res.Diffs[0].Packet.Family != tc.family {
			t.Errorf("%s: want one difference on an %s packet, got %+v", tc.name, tc.family, res.Diffs)
			continue
		}
		want := map[string]uint64{"ip": 2, "ip6": 10}[tc.family]
		if got := res.Diffs[0].Packet.Fields["meta nfproto"]; got != ir.Uint64Value(want, 8) {
			t.Errorf("%s: packet has meta nfproto %v", tc.name, got)
		}
	}
	ports := inputChain("drop", "tcp dport 22 accept", "tcp dport 80 accept")
	set := inputChain("drop", "tcp dport { 22, 80 } accept")
	both := equiv.Check(parse(t, ports), parse(t, set), equiv.Options{})
	ip := equiv.Check(parse(t, ports), parse(t, set), equiv.Options{Families: []string{"ip"}})
	if !both.Equivalent || !ip.Equivalent || both.Classes != ip.Classes {
		t.Errorf("family-blind rules: both families %+v, ip alone %+v", both, ip)
	}
}
