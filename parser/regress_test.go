package parser

import "testing"

// TestRegressions holds cases the fuzzer and review found.
func TestRegressions(t *testing.T) {
	// A body line that expands to nothing is an error, not a panic.
	expectParseError(t, "table ip t {\n set s { $x }\n}\n", "unknown identifier 'x'")
	expectParseError(t, "table ip t {\n counter c { $x }\n}\n", "unknown identifier 'x'")
	// Devices on the type line, as nft lists multi-device chains.
	expectPrinted(t, "table netdev t {\n chain c {\n  type filter hook ingress devices = { \"lo\", \"eth0\" } priority 0;\n }\n}\n",
		"table netdev t {\n\tchain c {\n\t\ttype filter hook ingress devices = { \"lo\", \"eth0\" } priority 0;\n\t}\n}\n")
	// An empty anonymous chain stays one.
	expectRule(t, "ip", "jump { }", "jump { ; }")
	// Priorities in hex.
	expectPrinted(t, "table ip t {\n chain c {\n  type filter hook input priority 0x10;\n }\n}\n",
		"table ip t {\n\tchain c {\n\t\ttype filter hook input priority 16;\n\t}\n}\n")
	// A policy on the type line must be accept or drop.
	expectParseError(t, "table ip t {\n chain c {\n  type filter hook input priority 0 policy foo\n }\n}\n", "policy must be accept or drop")
	// Commands without an object point at the verb.
	expectParseError(t, "flush\n", "x.nft:1:1:")
	expectParseError(t, "flush foo ip t c\n", "x.nft:1:7: syntax error")
	// A statement kept as words ends where the next statement starts.
	expectRule(t, "ip", "tproxy to :8999 mark set 0xff accept", "tproxy to :8999 meta mark set 0x000000ff accept")
	// An IPv6 address that starts with "::" is not a port.
	expectRule(t, "ip6", "dnat ::99", "dnat to ::99")
	// A packet limit needs a burst.
	expectParseError(t, "table ip t {\n chain c {\n  limit rate 10/minute burst 0 packets\n }\n}\n", "burst of at least 1")
	// Deleting what the file declared first declares it again, so the
	// delete works whatever the kernel held.
	expectPrinted(t, "table ip t {\n chain a { }\n set s { type ipv4_addr; elements = { 1.1.1.1, 2.2.2.2 } }\n}\ndelete chain ip t a\ndelete element ip t s { 1.1.1.1 }\n",
		"table ip t\nchain ip t a\ndelete chain ip t a\ntable ip t\nset ip t s { type ipv4_addr; }\nadd element ip t s { 1.1.1.1 }\ndelete element ip t s { 1.1.1.1 }\n"+
			"table ip t {\n\tset s {\n\t\ttype ipv4_addr\n\t\telements = { 2.2.2.2 }\n\t}\n}\n")
}
