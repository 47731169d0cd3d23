package parser

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/nftopt/nftopt/emit/nft"
)

// expectPrinted parses src as a whole ruleset and checks that the
// canonical printer gives exactly want.
func expectPrinted(t *testing.T, src, want string) {
	t.Helper()
	expectPrintedOpts(t, src, want, Options{})
}

// expectPrintedOpts is expectPrinted with parser options (include dirs).
func expectPrintedOpts(t *testing.T, src, want string, opts Options) {
	t.Helper()
	rs, err := Parse("x.nft", []byte(src), opts)
	if err != nil {
		t.Errorf("parse %q:\n%v", src, err)
		return
	}
	if got := nft.Print(rs, nft.Options{}); got != want {
		t.Errorf("parse %q:\ngot:\n%s\nwant:\n%s", src, got, want)
	}
}

// expectRule parses rule alone in chain c of table "family t" and checks
// that PrintRule gives exactly want.
func expectRule(t *testing.T, family, rule, want string) {
	t.Helper()
	src := fmt.Sprintf("table %s t {\n\tchain c {\n\t\t%s\n\t}\n}\n", family, rule)
	rs, err := Parse("x.nft", []byte(src), Options{})
	if err != nil {
		t.Errorf("rule %q:\n%v", rule, err)
		return
	}
	tbl := rs.Tables[0]
	rules := tbl.Chain("c").Rules
	if len(rules) != 1 {
		t.Errorf("rule %q: parsed as %d rules", rule, len(rules))
		return
	}
	if got := nft.PrintRule(rules[0], tbl.Family, nft.Options{}); got != want {
		t.Errorf("rule %q:\ngot  %s\nwant %s", rule, got, want)
	}
}

// expectParseError parses src and checks that it fails with a nil
// ruleset and that the first error reads "x.nft:LINE:COL: msg"
// containing want.
func expectParseError(t *testing.T, src, want string) {
	t.Helper()
	expectParseErrorOpts(t, src, want, Options{})
}

// expectParseErrorOpts is expectParseError with parser options.
func expectParseErrorOpts(t *testing.T, src, want string, opts Options) {
	t.Helper()
	rs, err := Parse("x.nft", []byte(src), opts)
	var list ErrorList
	if !errors.As(err, &list) || len(list) == 0 {
		t.Errorf("parse %q: got error %v, want an ErrorList containing %q", src, err, want)
		return
	}
	if rs != nil {
		t.Errorf("parse %q: got a ruleset along with the error", src)
	}
	if got := list[0].Error(); !strings.Contains(got, want) {
		t.Errorf("parse %q:\ngot error  %s\nwant error %s", src, got, want)
	}
}

func TestFamilies(t *testing.T) {
	for _, fam := range []string{"ip", "ip6", "inet", "arp", "bridge", "netdev"} {
		expectPrinted(t, "table "+fam+" t {\n}\n", "table "+fam+" t {\n}\n")
	}
	// A table without a family is an ip table.
	expectPrinted(t, "table t {\n}\n", "table ip t {\n}\n")
	expectPrinted(t, "table inet t { flags dormant; comment \"off\"; }",
		"table inet t {\n\tflags dormant\n\tcomment \"off\"\n}\n")
}

func TestBaseChains(t *testing.T) {
	chain := func(header string) string {
		return "table inet t {\n\tchain c {\n\t\t" + header + "\n\t}\n}\n"
	}
	for _, header := range []string{
		"type filter hook input priority filter; policy drop;",
		"type filter hook input priority filter + 5; policy accept;",
		"type nat hook prerouting priority dstnat - 10; policy accept;",
		"type nat hook postrouting priority srcnat; policy accept;",
		"type filter hook prerouting priority -175; policy accept;",
		"type filter hook output priority 100; policy accept;",
		"type route hook output priority mangle; policy accept;",
		"type filter hook forward priority security; policy accept;",
		"type filter hook prerouting priority raw; policy accept;",
	} {
		expectPrinted(t, chain(header), chain(header))
	}
	// The header may span lines; the policy may come on its own line.
	expectPrinted(t, chain("type filter hook input priority filter\n\t\tpolicy drop"),
		chain("type filter hook input priority filter; policy drop;"))
	expectPrinted(t,
		"table netdev n {\n\tchain i {\n\t\ttype filter hook ingress device lo priority -500; policy accept;\n\t}\n}\n",
		"table netdev n {\n\tchain i {\n\t\ttype filter hook ingress device \"lo\" priority -500; policy accept;\n\t}\n}\n")
	expectPrinted(t,
		"table bridge b {\n\tchain o {\n\t\ttype filter hook output priority out; policy accept;\n\t}\n}\n",
		"table bridge b {\n\tchain o {\n\t\ttype filter hook output priority out; policy accept;\n\t}\n}\n")
	expectPrinted(t,
		"table inet t {\n\tchain c {\n\t\tcomment \"regular\"\n\t\taccept\n\t}\n}\n",
		"table inet t {\n\tchain c {\n\t\tcomment \"regular\"\n\t\taccept\n\t}\n}\n")
}

func TestDefines(t *testing.T) {
	expectPrinted(t, `define wan = eth0
define ports = { 22, 80 }
define open_ports = { $ports, 443 }
table inet t {
	chain c {
		iifname $wan tcp dport $open_ports accept
		tcp dport != $ports drop
	}
}
`, `table inet t {
	chain c {
		iifname "eth0" tcp dport { 22, 80, 443 } accept
		tcp dport != { 22, 80 } drop
	}
}
`)
	// Definitions bind when they are made: redefine does not change
	// the values already used, nor definitions made from them.
	expectPrinted(t, `define a = 22
define b = $a
redefine a = 80
table ip t {
	chain c {
		tcp dport $a accept
		tcp dport $b accept
	}
}
`, `table ip t {
	chain c {
		tcp dport 80 accept
		tcp dport 22 accept
	}
}
`)
	expectPrinted(t, `define x = 1.1.1.1
undefine x
define x = 8.8.8.8
table ip t {
	chain c {
		ip daddr $x accept
	}
}
`, `table ip t {
	chain c {
		ip daddr 8.8.8.8 accept
	}
}
`)
	// Defines inside a table body, variables as chain and set elements.
	expectPrinted(t, `define target = other
table ip t {
	define lan = 10.0.0.0/8
	set s {
		type ipv4_addr
		flags interval
		elements = { $lan }
	}
	chain c {
		ip saddr $lan jump $target
	}
	chain other {
	}
}
`, `table ip t {
	set s {
		type ipv4_addr
		flags interval
		elements = { 10.0.0.0/8 }
	}

	chain c {
		ip saddr 10.0.0.0/8 jump other
	}

	chain other {
	}
}
`)
	// A concatenation inside a variable, used in an anonymous set.
	expectRuleWithDefines(t, "define hp = 10.0.0.1 . 22",
		"ip daddr . tcp dport { $hp, 10.0.0.2 . 80 } accept",
		"ip daddr . tcp dport { 10.0.0.1 . 22, 10.0.0.2 . 80 } accept")
}

// expectRuleWithDefines is expectRule for an ip table with defines
// placed before the table.
func expectRuleWithDefines(t *testing.T, defines, rule, want string) {
	t.Helper()
	src := defines + "\ntable ip t {\n\tchain c {\n\t\t" + rule + "\n\t}\n}\n"
	expectPrinted(t, src, "table ip t {\n\tchain c {\n\t\t"+want+"\n\t}\n}\n")
}

// writeFiles creates files (name to content) under dir.
func writeFiles(t *testing.T, dir string, files map[string]string) {
	t.Helper()
	for name, content := range files {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

func TestIncludes(t *testing.T) {
	dir := t.TempDir()
	writeFiles(t, dir, map[string]string{
		"defs.nft":          "define ssh = 22\n",
		"rules.nft":         "tcp dport $ssh accept\n",
		"sets.d/10-a.nft":   "set a { type ipv4_addr; }\n",
		"sets.d/20-b.nft":   "set b { type ipv4_addr; }\n",
		"cycle/a.nft":       "include \"cycle/b.nft\"\n",
		"cycle/b.nft":       "include \"cycle/a.nft\"\n",
		"bad/broken.nft":    "define = \n",
		"bad/unknown.nft":   "table ip t {\n\tchain c {\n\t\tip saddr $nope\n\t}\n}\n",
		"nested/outer.nft":  "include \"defs.nft\"\n",
		"chains/input.nft":  "chain input {\n\ttype filter hook input priority filter; policy drop;\n}\n",
		"chains/output.nft": "chain output {\n\ttype filter hook output priority filter; policy accept;\n}\n",
	})
	opts := Options{IncludeDirs: []string{dir}}
	// A relative include is found in the -I directory; defines carry
	// over to the including file, and includes work inside a chain.
	expectPrintedOpts(t, `include "defs.nft"
table ip t {
	chain c {
		include "rules.nft"
	}
}
`, "table ip t {\n\tchain c {\n\t\ttcp dport 22 accept\n\t}\n}\n", opts)
	expectPrintedOpts(t, "include \"nested/outer.nft\"\ntable ip t {\n\tchain c {\n\t\ttcp dport $ssh accept\n\t}\n}\n",
		"table ip t {\n\tchain c {\n\t\ttcp dport 22 accept\n\t}\n}\n", opts)
	// A glob includes the matching files in name order, here in a table body.
	expectPrintedOpts(t, "table ip t {\n\tinclude \"sets.d/*.nft\"\n}\n",
		"table ip t {\n\tset a {\n\t\ttype ipv4_addr\n\t}\n\n\tset b {\n\t\ttype ipv4_addr\n\t}\n}\n", opts)
	expectPrintedOpts(t, "table inet f {\n\tinclude \"chains/*.nft\"\n}\n", `table inet f {
	chain input {
		type filter hook input priority filter; policy drop;
	}

	chain output {
		type filter hook output priority filter; policy accept;
	}
}
`, opts)
	// A glob that matches nothing is no error, as in nft.
	expectPrintedOpts(t, "include \"none.d/*.nft\"\ntable ip t {\n}\n", "table ip t {\n}\n", opts)
	expectParseErrorOpts(t, `include "cycle/a.nft"`, "include cycle", opts)
	expectParseErrorOpts(t, "\ninclude \"missing.nft\"", "x.nft:2:9: file not found: missing.nft", opts)
	// Errors in included files point into them.
	expectParseErrorOpts(t, `include "bad/unknown.nft"`, "unknown.nft:3:12: unknown identifier 'nope'", opts)
	expectParseErrorOpts(t, `include "bad/broken.nft"`, "broken.nft:1:1:", opts)
	// Without the -I directory the file is not found.
	expectParseError(t, `include "defs.nft"`, "x.nft:1:9: file not found: defs.nft")
}

func TestCommands(t *testing.T) {
	expectPrinted(t, `flush ruleset
table ip t {
	chain c {
		accept
	}
}
`, "flush ruleset\ntable ip t {\n\tchain c {\n\t\taccept\n\t}\n}\n")
	// flush ruleset drops what the file declared before it.
	expectPrinted(t, "table ip old {\n}\nflush ruleset\ntable ip new {\n}\n",
		"flush ruleset\ntable ip new {\n}\n")
	// The usual way to replace a table: declare it so that delete
	// cannot fail, delete it, declare it anew.
	expectPrinted(t, `table inet x
delete table inet x
table inet x {
	chain c {
		accept
	}
}
`, "table inet x\ndelete table inet x\ntable inet x {\n\tchain c {\n\t\taccept\n\t}\n}\n")
	expectPrinted(t, `add table ip t
add chain ip t c { type filter hook input priority filter; policy accept; }
add chain ip t d
add rule ip t c tcp dport 22 accept
add rule ip t c jump d
add set ip t s { type ipv4_addr; }
add element ip t s { 1.2.3.4 }
add map ip t m { type ipv4_addr : verdict; }
add element ip t m { 1.2.3.4 : drop }
add rule t d ip saddr @s drop
`, `table ip t {
	set s {
		type ipv4_addr
		elements = { 1.2.3.4 }
	}

	map m {
		type ipv4_addr : verdict
		elements = { 1.2.3.4 : drop }
	}

	chain c {
		type filter hook input priority filter; policy accept;
		tcp dport 22 accept
		jump d
	}

	chain d {
		ip saddr @s drop
	}
}
`)
	// The verb add may be left out.
	expectPrinted(t, "table ip t\nchain ip t c\nrule ip t c drop\n",
		"table ip t {\n\tchain c {\n\t\tdrop\n\t}\n}\n")
	// Inserted rules go before those the chain held already; printed
	// as insert commands they come out in the same order.
	expectPrinted(t, `table ip t {
	chain c {
		accept
	}
}
add rule ip t c drop
insert rule ip t c ip saddr 1.1.1.1 drop
insert rule ip t c ip saddr 2.2.2.2 drop
`, `table ip t {
	chain c {
		accept
		drop
	}
}
insert rule ip t c ip saddr 1.1.1.1 drop
insert rule ip t c ip saddr 2.2.2.2 drop
`)
	expectPrinted(t, "table ip t {\n\tchain c {\n\t\tdrop\n\t}\n}\nflush chain ip t c\nadd rule ip t c accept\n",
		"table ip t\nchain ip t c\nflush chain ip t c\ntable ip t {\n\tchain c {\n\t\taccept\n\t}\n}\n")
}

func TestSetsAndMaps(t *testing.T) {
	expectPrinted(t, `table inet t {
	set allowed {
		type ipv4_addr
		flags interval
		elements = { 10.0.0.0/8, 192.168.1.1 }
	}
}
`, `table inet t {
	set allowed {
		type ipv4_addr
		flags interval
		elements = { 10.0.0.0/8,
			     192.168.1.1 }
	}
}
`)
	expectPrinted(t, `table inet t {
	set blk {
		type ipv4_addr . inet_service
		size 1024
		flags dynamic,timeout
		timeout 1h
		elements = { 10.0.0.1 . 22 timeout 10m comment "probe" }
	}
}
`, `table inet t {
	set blk {
		type ipv4_addr . inet_service
		size 1024
		flags dynamic,timeout
		timeout 1h
		elements = { 10.0.0.1 . 22 timeout 10m comment "probe" }
	}
}
`)
	expectPrinted(t, `table ip t {
	set s {
		typeof ip saddr . tcp dport
		comment "typed by expressions"
		elements = { 10.0.0.1 . 22 }
	}
}
`, `table ip t {
	set s {
		typeof ip saddr . tcp dport
		comment "typed by expressions"
		elements = { 10.0.0.1 . 22 }
	}
}
`)
	expectPrinted(t, `table ip t {
	set c {
		type ipv4_addr
		counter
		elements = { 1.2.3.4 counter packets 1 bytes 2 }
	}
}
`, `table ip t {
	set c {
		type ipv4_addr
		counter
		elements = { 1.2.3.4 counter packets 1 bytes 2 }
	}
}
`)
	expectPrinted(t, `table inet t {
	map pm {
		type inet_service : verdict
		elements = { 22 : accept, 23 : jump c }
	}
	map nm {
		typeof ip daddr . tcp dport : ip daddr . tcp dport
		elements = { 10.0.0.1 . 80 : 192.168.0.1 . 8080 }
	}
	map marks {
		type ipv4_addr : mark
		elements = { 10.0.0.1 : 0x1 }
	}
	map ranges {
		type inet_service : ipv4_addr
		flags interval
		elements = { 1-100 : 10.0.0.1 }
	}
	chain c {
		tcp dport vmap @pm
	}
}
`, `table inet t {
	map pm {
		type inet_service : verdict
		elements = { 22 : accept,
			     23 : jump c }
	}

	map nm {
		typeof ip daddr . tcp dport : ip daddr . tcp dport
		elements = { 10.0.0.1 . 80 : 192.168.0.1 . 8080 }
	}

	map marks {
		type ipv4_addr : mark
		elements = { 10.0.0.1 : 0x00000001 }
	}

	map ranges {
		type inet_service : ipv4_addr
		flags interval
		elements = { 1-100 : 10.0.0.1 }
	}

	chain c {
		tcp dport vmap @pm
	}
}
`)
	// Element values take the set's datatype: names become numbers.
	expectPrinted(t, "table ip t {\n\tset p {\n\t\ttype inet_service\n\t\telements = { ssh }\n\t}\n}\n",
		"table ip t {\n\tset p {\n\t\ttype inet_service\n\t\telements = { 22 }\n\t}\n}\n")
	expectPrinted(t, "table ip t {\n\tset e {\n\t\ttype ether_addr\n\t\telements = { 00:11:22:33:44:55 }\n\t}\n}\n",
		"table ip t {\n\tset e {\n\t\ttype ether_addr\n\t\telements = { 00:11:22:33:44:55 }\n\t}\n}\n")
}

func TestMatches(t *testing.T) {
	expectRule(t, "ip", "tcp dport 22 accept", "tcp dport 22 accept")
	expectRule(t, "ip", "tcp dport ssh accept", "tcp dport 22 accept")
	expectRule(t, "ip", "tcp dport 0x16 accept", "tcp dport 22 accept")
	expectRule(t, "ip", "ip saddr 10.0.0.0/8 drop", "ip saddr 10.0.0.0/8 drop")
	expectRule(t, "ip", "ip saddr != 10.0.0.0/8 drop", "ip saddr != 10.0.0.0/8 drop")
	expectRule(t, "ip", "ip daddr 10.0.0.1-10.0.0.9 accept", "ip daddr 10.0.0.1-10.0.0.9 accept")
	expectRule(t, "ip6", "ip6 saddr fe80::/10 accept", "ip6 saddr fe80::/10 accept")
	expectRule(t, "ip6", "ip6 daddr ::1 accept", "ip6 daddr ::1 accept")
	expectRule(t, "ip6", "ip6 saddr ::ffff:10.0.0.1 drop", "ip6 saddr ::ffff:10.0.0.1 drop")
	expectRule(t, "inet", "tcp dport { 22, 80-90, 443 } accept", "tcp dport { 22, 80-90, 443 } accept")
	expectRule(t, "inet", "tcp dport != 1-1024 drop", "tcp dport != 1-1024 drop")
	expectRule(t, "inet", "tcp dport >= 1024 accept", "tcp dport >= 1024 accept")
	expectRule(t, "inet", "udp dport { domain, ntp } accept", "udp dport { 53, 123 } accept")
	expectRule(t, "inet", "meta l4proto { tcp, udp } th dport 53 accept", "meta l4proto { tcp, udp } th dport 53 accept")
	expectRule(t, "inet", "ip protocol { 1, 6, 17 } accept", "ip protocol { icmp, tcp, udp } accept")
	expectRule(t, "inet", "iifname eth0 accept", `iifname "eth0" accept`)
	expectRule(t, "inet", `iifname { "eth*", "wl*" } accept`, `iifname { "eth*", "wl*" } accept`)
	expectRule(t, "inet", "meta iifname lo oif lo accept", `iifname "lo" oif "lo" accept`)
	expectRule(t, "inet", "mark 0x1 accept", "meta mark 0x00000001 accept")
	expectRule(t, "inet", "ether saddr 00:11:22:33:44:55 drop", "ether saddr 00:11:22:33:44:55 drop")
	expectRule(t, "inet", "icmp type echo-request accept", "icmp type echo-request accept")
	expectRule(t, "inet", "icmpv6 type { nd-router-advert, nd-neighbor-solicit } accept", "icmpv6 type { nd-router-advert, nd-neighbor-solicit } accept")
	expectRule(t, "inet", "ip6 nexthdr icmpv6 accept", "ip6 nexthdr ipv6-icmp accept")
	expectRule(t, "inet", "ip dscp 0x2e accept", "ip dscp ef accept")
	expectRule(t, "inet", "ip saddr . tcp dport { 10.0.0.1 . 22, 10.0.0.2 . 80 } accept", "ip saddr . tcp dport { 10.0.0.1 . 22, 10.0.0.2 . 80 } accept")
	expectRule(t, "inet", "ip saddr . tcp dport { 10.0.0.1-10.0.0.5 . 22 } accept", "ip saddr . tcp dport { 10.0.0.1-10.0.0.5 . 22 } accept")
	expectRule(t, "inet", "meta l4proto . th dport { tcp . 22, udp . 53 } accept", "meta l4proto . th dport { tcp . 22, udp . 53 } accept")
	expectRule(t, "inet", "ip saddr @allowed accept", "ip saddr @allowed accept")
	expectRule(t, "inet", "fib saddr . iif oif missing drop", "fib saddr . iif oif missing drop")
	expectRule(t, "inet", "@nh,0,8 0x45 accept", "@nh,0,8 0x45 accept")
	expectRule(t, "inet", "ct original ip saddr 10.0.0.1 accept", "ct original ip saddr 10.0.0.1 accept")
	expectRule(t, "inet", `meta hour "08:00"-"17:00" accept`, `meta hour "08:00"-"17:00" accept`)
	expectRule(t, "bridge", "ether type arp accept", "ether type arp accept")
	expectRule(t, "bridge", "vlan id 100 accept", "vlan id 100 accept")
	expectRule(t, "arp", "arp operation { request, reply } accept", "arp operation { request, reply } accept")
	expectRule(t, "arp", "arp saddr ip 10.0.0.1 accept", "arp saddr ip 10.0.0.1 accept")
	expectRule(t, "netdev", "meta protocol ip udp dport 53 accept", "meta protocol ip udp dport 53 accept")
}

func TestBitmasks(t *testing.T) {
	expectRule(t, "inet", "ct state established,related accept", "ct state established,related accept")
	expectRule(t, "inet", "ct state { established, related } accept", "ct state { established, related } accept")
	expectRule(t, "inet", "ct state != established drop", "ct state != established drop")
	expectRule(t, "inet", "ct status assured,confirmed accept", "ct status assured,confirmed accept")
	// "value / mask" is listed as the operation it stands for.
	expectRule(t, "inet", "tcp flags syn / fin,syn,rst,ack counter", "tcp flags & (fin | syn | rst | ack) == syn counter")
	expectRule(t, "inet", "tcp flags != syn / fin,syn", "tcp flags & (fin | syn) != syn")
	expectRule(t, "inet", "tcp flags & (syn|ack) == syn|ack accept", "tcp flags & (syn | ack) == syn | ack accept")
	expectRule(t, "inet", "tcp flags syn,ack accept", "tcp flags syn,ack accept")
	expectRule(t, "inet", "tcp flags ! syn,ack accept", "tcp flags ! syn,ack accept")
	expectRule(t, "inet", "tcp flags & syn != 0 drop", "tcp flags syn drop")
	expectRule(t, "inet", "tcp flags == syn accept", "tcp flags == syn accept")
	expectRule(t, "inet", "ct state & established == established accept", "ct state & established == established accept")
	expectRule(t, "inet", "ct event set new,related", "ct event set new,related")
}

func TestBinops(t *testing.T) {
	// Operations on constants are folded, as nft does.
	expectRule(t, "inet", "meta mark set 0x12 or 0x11", "meta mark set 0x00000013")
	expectRule(t, "inet", "meta mark set 0x10 and 0xff", "meta mark set 0x00000010")
	expectRule(t, "inet", "meta mark set meta mark or 0x10", "meta mark set meta mark | 0x00000010")
	expectRule(t, "inet", "ct mark set mark and 0xff", "ct mark set meta mark & 0x000000ff")
	expectRule(t, "inet", "meta mark & 0xff == 0x1 accept", "meta mark & 0x000000ff == 0x00000001 accept")
	expectRule(t, "inet", "ip frag-off & 0x1fff != 0 drop", "ip frag-off & 0x1fff != 0x0 drop")
	expectRule(t, "inet", "meta mark set ct mark", "meta mark set ct mark")
	expectRule(t, "inet", "meta mark set tcp dport map { 22 : 0x1, 80 : 0x2 }", "meta mark set tcp dport map { 22 : 0x00000001, 80 : 0x00000002 }")
	expectRule(t, "inet", "meta mark set jhash ip saddr mod 2", "meta mark set jhash ip saddr mod 2")
	expectRule(t, "inet", "ip daddr set numgen inc mod 2 map { 0 : 10.0.0.1, 1 : 10.0.0.2 }", "ip daddr set numgen inc mod 2 map { 0 : 10.0.0.1, 1 : 10.0.0.2 }")
	expectRule(t, "inet", "ip dscp set cs1", "ip dscp set cs1")
	expectRule(t, "inet", "tcp option maxseg size set rt mtu", "tcp option maxseg size set rt mtu")
}

func TestNat(t *testing.T) {
	expectRule(t, "ip", "tcp dport 80 dnat to 10.0.0.1:8080", "tcp dport 80 dnat to 10.0.0.1:8080")
	expectRule(t, "ip", "tcp dport 80 dnat to 10.0.0.1:80-90", "tcp dport 80 dnat to 10.0.0.1:80-90")
	expectRule(t, "ip", "dnat to 10.0.0.1", "dnat to 10.0.0.1")
	expectRule(t, "ip", "snat to 192.168.1.1-192.168.1.10", "snat to 192.168.1.1-192.168.1.10")
	expectRule(t, "ip", "snat to 10.0.0.1 fully-random", "snat to 10.0.0.1 fully-random")
	expectRule(t, "inet", "dnat ip to ip daddr . tcp dport map { 10.0.0.1 . 80 : 192.168.1.1 . 8080 }", "dnat ip to ip daddr . tcp dport map { 10.0.0.1 . 80 : 192.168.1.1 . 8080 }")
	expectRule(t, "ip", "dnat to tcp dport map { 80 : 192.168.1.1, 443 : 192.168.1.2 }", "dnat to tcp dport map { 80 : 192.168.1.1, 443 : 192.168.1.2 }")
	expectRule(t, "ip", "snat ip prefix to ip saddr map { 10.0.0.0/8 : 192.168.0.0/16 }", "snat ip prefix to ip saddr map { 10.0.0.0/8 : 192.168.0.0/16 }")
	expectRule(t, "ip6", "tcp dport 80 dnat to [fe80::1]:80-90", "tcp dport 80 dnat to [fe80::1]:80-90")
	expectRule(t, "inet", "tcp dport 80 dnat ip6 to [fe80::1]:8080", "tcp dport 80 dnat ip6 to [fe80::1]:8080")
	expectRule(t, "ip", "tcp dport 80 redirect to :8080", "tcp dport 80 redirect to :8080")
	// The port of redirect may be written without its colon.
	expectRule(t, "ip", "tcp dport 80 redirect to 8080", "tcp dport 80 redirect to :8080")
	expectRule(t, "ip", "masquerade", "masquerade")
	// nat flags are listed in nft's order.
	expectRule(t, "ip", "masquerade persistent,random", "masquerade random,persistent")
	expectRule(t, "ip", "meta l4proto tcp masquerade to :1024-2048", "meta l4proto tcp masquerade to :1024-2048")
}

func TestStatements(t *testing.T) {
	expectRule(t, "ip", `log prefix "drop: " level debug`, `log prefix "drop: " level debug`)
	// warn is the default level.
	expectRule(t, "ip", "log level warn", "log")
	expectRule(t, "ip", "log group 2 snaplen 64 queue-threshold 10", "log group 2 snaplen 64 queue-threshold 10")
	expectRule(t, "ip", `log prefix "x" flags ip options flags skuid`, `log prefix "x" flags ip options flags skuid`)
	expectRule(t, "ip", "log flags tcp sequence,options", "log flags tcp sequence,options")
	expectRule(t, "ip", "limit rate 10/second burst 20 packets", "limit rate 10/second burst 20 packets")
	expectRule(t, "ip", "limit rate 1 mbytes/second burst 2 mbytes", "limit rate 1 mbytes/second burst 2 mbytes")
	expectRule(t, "ip", "limit rate over 1 mbytes/second", "limit rate over 1 mbytes/second")
	expectRule(t, "ip", "quota over 25 mbytes", "quota over 25 mbytes")
	expectRule(t, "ip", "quota until 25 mbytes", "quota 25 mbytes")
	expectRule(t, "ip", "counter packets 10 bytes 100", "counter packets 10 bytes 100")
	expectRule(t, "ip", "reject with tcp reset", "reject with tcp reset")
	expectRule(t, "ip", "reject with icmp type host-unreachable", "reject with icmp host-unreachable")
	expectRule(t, "inet", "reject with icmpx type admin-prohibited", "reject with icmpx admin-prohibited")
	expectRule(t, "ip6", "reject with icmpv6 admin-prohibited", "reject with icmpv6 admin-prohibited")
	expectRule(t, "ip", "ct count over 10 drop", "ct count over 10 drop")
	expectRule(t, "ip", `counter name "cnt"`, `counter name "cnt"`)
	expectRule(t, "ip", `tcp dport 21 ct helper set "ftp-std"`, `tcp dport 21 ct helper set "ftp-std"`)
	expectRule(t, "ip", "notrack", "notrack")
	expectRule(t, "ip", "tcp dport vmap {25:accept, 28:drop, 29:jump x}", "tcp dport vmap { 25 : accept, 28 : drop, 29 : jump x }")
	expectRule(t, "ip", "dnat to tcp dport map { 80:10.0.0.1, 81 : 10.0.0.2 }", "dnat to tcp dport map { 80 : 10.0.0.1, 81 : 10.0.0.2 }")
	expectRule(t, "ip", "dnat to 192.168.3.2-192.168.3.4:8080", "dnat to 192.168.3.2-192.168.3.4:8080")
	expectRule(t, "ip", "dnat to 192.168.3.2-192.168.3.4:8080-8999", "dnat to 192.168.3.2-192.168.3.4:8080-8999")
	expectRule(t, "ip", "tcp dport 80 tproxy to :8080", "tcp dport 80 tproxy to :8080")
	expectRule(t, "netdev", `fwd to "lo"`, `fwd to "lo"`)
	expectRule(t, "ip", "synproxy mss 1460 wscale 7 timestamp sack-perm", "synproxy mss 1460 wscale 7 timestamp sack-perm")
	expectRule(t, "ip", "update @s { ip saddr timeout 10s }", "update @s { ip saddr timeout 10s }")
	expectRule(t, "ip", "add @s { ip saddr . tcp dport }", "add @s { ip saddr . tcp dport }")
}

func TestVerdicts(t *testing.T) {
	for _, v := range []string{"accept", "drop", "continue", "return", "jump other-chain", "goto x"} {
		expectRule(t, "ip", v, v)
	}
	expectRule(t, "inet", "tcp dport vmap { 22 : accept, 80 : drop }", "tcp dport vmap { 22 : accept, 80 : drop }")
	expectRule(t, "inet", "ip saddr vmap { 10.0.0.0/8 : accept, 192.168.0.0/16 : drop }", "ip saddr vmap { 10.0.0.0/8 : accept, 192.168.0.0/16 : drop }")
	expectRule(t, "inet", "ip daddr . tcp dport vmap { 10.0.0.1 . 22 : accept }", "ip daddr . tcp dport vmap { 10.0.0.1 . 22 : accept }")
	expectRule(t, "inet", "tcp dport vmap { 22 : jump a, 80 : goto b }", "tcp dport vmap { 22 : jump a, 80 : goto b }")
	// Anonymous chains keep their rules in order.
	expectRule(t, "ip", "jump { tcp dport 22 accept; udp dport 53 accept; }", "jump { tcp dport 22 accept; udp dport 53 accept; }")
	expectRule(t, "ip", "iifname \"eth*\" jump {\n\t\t\tip daddr 1.2.3.4 accept\n\t\t}", `iifname "eth*" jump { ip daddr 1.2.3.4 accept; }`)
}

func TestComments(t *testing.T) {
	expectRule(t, "ip", `tcp dport 22 counter packets 0 bytes 0 accept comment "ssh"`, `tcp dport 22 counter packets 0 bytes 0 accept comment "ssh"`)
	expectRule(t, "ip", `accept comment "#1 rule"`, `accept comment "#1 rule"`)
	// A '#' comment ends the rule; a backslash continues it.
	expectRule(t, "ip", "tcp dport 22 accept # ssh", "tcp dport 22 accept")
	expectRule(t, "ip", "tcp dport 22 \\\n\t\t\taccept", "tcp dport 22 accept")
	expectPrinted(t, "# header\ntable ip t { # the table\n\tchain c { ; accept; drop; }\n}\n",
		"table ip t {\n\tchain c {\n\t\taccept\n\t\tdrop\n\t}\n}\n")
}

func TestParseErrors(t *testing.T) {
	expectParseError(t, "table ip t {\n\tchain c {\n\t\ttcp dport 22 acept\n\t}\n}\n",
		`x.nft:3:16: syntax error, unexpected "acept"`)
	expectParseError(t, "table ip t {\n\tchain c {\n\t\tip saddr $foo accept\n\t}\n}\n",
		"x.nft:3:12: unknown identifier 'foo'")
	expectParseError(t, "table ip t {\n\tchain c {\n\t\tip saddr 10.0.0.300 accept\n\t}\n}\n",
		`x.nft:3:12: "10.0.0.300" is not an IPv4 address`)
	expectParseError(t, "table ip t {\n\tchain c {\n\t\tip saddr 10.0.0.0/33 accept\n\t}\n}\n",
		`x.nft:3:12: invalid prefix length in "10.0.0.0/33"`)
	expectParseError(t, "table ip6 t {\n\tchain c {\n\t\tip6 saddr fe80::/129\n\t}\n}\n",
		`x.nft:3:13: invalid prefix length in "fe80::/129"`)
	expectParseError(t, "table ip t {\n\tset s {\n\t\ttype ipv4_adr\n\t}\n}\n",
		"x.nft:3:8: unknown datatype ipv4_adr")
	expectParseError(t, "table ip t {\n\tchain c {\n\t\taccept\n}\n",
		"x.nft:1:12: syntax error, this '{' is not closed before the end of the file")
	expectParseError(t, "table ip t {\n\tchain c {\n\t\ttcp dport 22 jump\n\t}\n}\n",
		"x.nft:3:20: syntax error, unexpected end of rule, expecting chain name")
	expectParseError(t, "table ip t {\n\tchain c {\n\t\ttype filter hook input priority foo;\n\t}\n}\n",
		"x.nft:3:35: 'foo' is not a valid priority")
	expectParseError(t, "table ip t {\n\tchain c {\n\t\tip6 saddr 10.0.0.1\n\t}\n}\n",
		`x.nft:3:13: "10.0.0.1" is not an IPv6 address`)
	expectParseError(t, "table ip t {\n\tchain c {\n\t\tether saddr 00:11:22:33:44\n\t}\n}\n",
		`x.nft:3:15: "00:11:22:33:44" is not an ethernet address`)
	expectParseError(t, "table ip t {\n\tchain c {\n\t\tmeta foo 1\n\t}\n}\n",
		`x.nft:3:8: syntax error, unexpected "foo", expecting a meta key`)
	expectParseError(t, "table ip t { chain c { ip frob 1; } }",
		`x.nft:1:27: syntax error, unexpected "frob", expecting a field of ip`)
	expectParseError(t, "define x = 1\ndefine x = 2\n", "x.nft:2:8: redefinition of symbol 'x'")
	expectParseError(t, "undefine y\n", "x.nft:1:10: undefined symbol 'y'")
	expectParseError(t, "foo bar\n", `x.nft:1:1: syntax error, unexpected "foo", expecting table, chain`)
	expectParseError(t, "add rule ip t c accept\n", "x.nft:1:5: table 'ip t' does not exist")
	expectParseError(t, "list ruleset\n", "x.nft:1:1: the list command does not belong in a ruleset file")
	expectParseError(t, "table ip t {\n\tchain c {\n\t\tpolicy drop\n\t}\n}\n",
		"x.nft:3:3: policy is only allowed on base chains")
	expectParseError(t, "table ip t {\n\tmap m {\n\t\ttype ipv4_addr\n\t}\n}\n",
		"x.nft:3:3: a map needs a data type: type KEY : DATA")
	expectParseError(t, "table ip t {\n\tchain c {\n\t\tcomment \"unterminated\n\t}\n}\n",
		"x.nft:3:11: syntax error, unterminated string")
	expectParseError(t, "table ip t {\n\tchain c {\n\t\ttcp dport 1-\n\t}\n}\n",
		"x.nft:3:15: syntax error, unexpected end of rule, expecting the end of a range")
}
