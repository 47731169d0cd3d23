package pktharness

import (
	"context"
	"fmt"
	"math/rand/v2"
	"net/netip"
	"os"
	"slices"
	"strings"
	"testing"
	"time"
)

// requireKernel skips t when the harness cannot run here, except under CI
// (CI set and non-empty), where that is a failure: CI must run every
// kernel test.
func requireKernel(t *testing.T) {
	t.Helper()
	if ok, why := Available(); !ok {
		if os.Getenv("CI") != "" {
			t.Fatalf("CI is set, so not skipping: %s", why)
		}
		t.Skip(why)
	}
}

// TCP flags.
const (
	fin = 0x01
	syn = 0x02
	rst = 0x04
	psh = 0x08
	ack = 0x10
)

// pkt returns packet id of protocol proto from src to dst on lan0, of
// family ip or ip6 after the addresses, from port 40000+id.
func pkt(id int, src, dst string, proto uint8) Packet {
	p := Packet{ID: id, Family: "ip", Iif: "lan0", Src: netip.MustParseAddr(src), Dst: netip.MustParseAddr(dst), Proto: proto, Sport: uint16(40000 + id)}
	if p.Src.Is6() {
		p.Family = "ip6"
	}
	return p
}

// tcp returns a TCP packet (see pkt) to port dport with flags.
func tcp(id int, src, dst string, dport uint16, flags uint8) Packet {
	p := pkt(id, src, dst, protoTCP)
	p.Dport, p.TCPFlags = dport, flags
	return p
}

// udp returns a UDP packet (see pkt) to port dport.
func udp(id int, src, dst string, dport uint16) Packet {
	p := pkt(id, src, dst, protoUDP)
	p.Dport = dport
	return p
}

// icmp returns an ICMP (ip) or ICMPv6 (ip6) packet (see pkt) of type typ.
func icmp(id int, src, dst string, typ uint8) Packet {
	p := pkt(id, src, dst, protoICMP)
	if p.Family == "ip6" {
		p.Proto = protoICMPv6
	}
	p.ICMPType = typ
	return p
}

// on returns p arriving on interface iif.
func on(iif string, p Packet) Packet {
	p.Iif = iif
	return p
}

// expectAccepted runs pkts through ruleset and fails t unless exactly the
// packets with IDs want pass the input hook.
func expectAccepted(t *testing.T, ruleset string, pkts []Packet, want ...int) {
	t.Helper()
	requireKernel(t)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	accepted, err := Run(ctx, ruleset, pkts)
	if err != nil {
		t.Fatal(err)
	}
	if len(accepted) != len(pkts) {
		t.Errorf("got answers for %d packets, want %d", len(accepted), len(pkts))
	}
	for _, p := range pkts {
		if got, want := accepted[p.ID], slices.Contains(want, p.ID); got != want {
			t.Errorf("packet %d (%s): accepted %v, want %v", p.ID, describe(p), got, want)
		}
	}
}

// describe prints p for failure messages.
func describe(p Packet) string {
	return fmt.Sprintf("%s %s %v:%d > %v:%d proto %d flags %#x icmp %d/%d ttl %d dscp %d len %d",
		p.Family, p.Iif, p.Src, p.Sport, p.Dst, p.Dport, p.Proto, p.TCPFlags, p.ICMPType, p.ICMPCode, p.TTL, p.DSCP, p.Length)
}

// filterInput returns an inet table whose input chain has policy and
// the rules.
func filterInput(policy string, rules ...string) string {
	return "table inet filter {\n\tchain input {\n\t\ttype filter hook input priority filter; policy " + policy + ";\n\t\t" +
		strings.Join(rules, "\n\t\t") + "\n\t}\n}\n"
}

func TestTCPDport(t *testing.T) {
	expectAccepted(t, filterInput("drop", "tcp dport 22 accept"), []Packet{
		tcp(1, "192.0.2.1", "198.51.100.1", 22, syn),
		tcp(2, "192.0.2.1", "198.51.100.1", 23, syn),
		udp(3, "192.0.2.1", "198.51.100.1", 22),
		tcp(4, "2001:db8::1", "2001:db8::2", 22, syn),
		tcp(5, "2001:db8::1", "2001:db8::2", 2222, syn),
		icmp(6, "192.0.2.1", "198.51.100.1", 8),
		tcp(7, "192.0.2.1", "198.51.100.1", 22, ack),
		udp(8, "2001:db8::1", "2001:db8::2", 22),
	}, 1, 4, 7)
}

func TestIPSaddrDrop(t *testing.T) {
	ruleset := `table ip filter {
	chain input {
		type filter hook input priority filter; policy accept;
		ip saddr 10.0.0.0/8 drop
	}
}
`
	expectAccepted(t, ruleset, []Packet{
		tcp(1, "10.0.0.1", "192.0.2.1", 80, syn),
		udp(2, "10.255.255.255", "192.0.2.1", 53),
		icmp(3, "10.1.2.3", "192.0.2.1", 8),
		tcp(4, "9.255.255.255", "192.0.2.1", 80, syn),
		tcp(5, "11.0.0.0", "192.0.2.1", 80, syn),
		udp(6, "192.168.1.1", "10.0.0.1", 53),
		tcp(7, "2001:db8::1", "2001:db8::2", 80, syn), // an ip table never sees IPv6
	}, 4, 5, 6, 7)
}

func TestIifname(t *testing.T) {
	expectAccepted(t, filterInput("drop", `iifname "lan0" accept`), []Packet{
		on("lan0", tcp(1, "192.0.2.1", "198.51.100.1", 22, syn)),
		on("wan0", tcp(2, "192.0.2.1", "198.51.100.1", 22, syn)),
		on("lan0", udp(3, "2001:db8::1", "2001:db8::2", 53)),
		on("wan0", udp(4, "2001:db8::1", "2001:db8::2", 53)),
		on("lan0", icmp(5, "192.0.2.1", "198.51.100.1", 8)),
		on("wan0", icmp(6, "2001:db8::1", "2001:db8::2", 128)),
		on("eth0.10", tcp(7, "192.0.2.1", "198.51.100.1", 22, syn)),
		on("help", tcp(8, "192.0.2.1", "198.51.100.1", 22, syn)), // a word ip knows
	}, 1, 3, 5)
}

func TestIP6SaddrDrop(t *testing.T) {
	ruleset := `table ip6 filter {
	chain input {
		type filter hook input priority filter; policy accept;
		ip6 saddr fd00::/8 drop
	}
}
`
	expectAccepted(t, ruleset, []Packet{
		tcp(1, "fd00::1", "2001:db8::2", 22, syn),
		udp(2, "fdff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", "2001:db8::2", 53),
		icmp(3, "fd12:3456::1", "fe80::1", 128),
		tcp(4, "fc00::1", "2001:db8::2", 22, syn),
		tcp(5, "2001:db8::1", "fd00::2", 22, syn),
		udp(6, "fe80::1", "ff02::1", 547),
		tcp(7, "10.0.0.1", "10.0.0.2", 22, syn), // an ip6 table never sees IPv4
	}, 4, 5, 6, 7)
}

func TestTCPFlags(t *testing.T) {
	// All three share one connection tuple, so each must still be a new
	// flow to conntrack; the rules do not use conntrack, but the run
	// flushes it between them.
	pkts := []Packet{
		tcp(1, "192.0.2.1", "198.51.100.1", 22, syn),
		tcp(2, "192.0.2.1", "198.51.100.1", 22, syn|ack),
		tcp(3, "192.0.2.1", "198.51.100.1", 22, ack),
	}
	for i := range pkts {
		pkts[i].Sport = 1234
	}
	t.Run("any", func(t *testing.T) {
		// "tcp flags syn" means (tcp flags & syn) != 0.
		expectAccepted(t, filterInput("drop", "tcp flags syn accept"), pkts, 1, 2)
	})
	t.Run("exact", func(t *testing.T) {
		expectAccepted(t, filterInput("drop", "tcp flags == syn accept"), pkts, 1)
	})
	t.Run("mask", func(t *testing.T) {
		expectAccepted(t, filterInput("drop", "tcp flags & (syn|ack) == syn|ack accept"), pkts, 2)
	})
}

func TestCtState(t *testing.T) {
	pkts := []Packet{
		tcp(1, "192.0.2.1", "198.51.100.1", 22, syn),     // new
		tcp(2, "192.0.2.1", "198.51.100.1", 22, ack),     // picked up mid-stream: new
		tcp(3, "192.0.2.1", "198.51.100.1", 22, syn|ack), // invalid as a first packet
		tcp(4, "192.0.2.1", "198.51.100.1", 22, rst),     // invalid
		tcp(5, "192.0.2.1", "198.51.100.1", 22, fin|ack), // invalid
		tcp(6, "192.0.2.1", "198.51.100.1", 22, psh|ack), // new
		udp(7, "192.0.2.1", "198.51.100.1", 53),
		udp(8, "198.51.100.1", "192.0.2.1", 40007),  // the reply tuple of 7
		icmp(9, "192.0.2.1", "198.51.100.1", 8),     // echo request: new
		icmp(10, "192.0.2.1", "198.51.100.1", 0),    // echo reply: invalid
		icmp(11, "2001:db8::1", "2001:db8::2", 128), // echo request: new
		icmp(12, "2001:db8::1", "2001:db8::2", 129), // echo reply: invalid
		tcp(13, "2001:db8::1", "2001:db8::2", 22, syn),
		tcp(14, "2001:db8::1", "2001:db8::2", 22, syn), // the same tuple again: new
	}
	for i := range 6 {
		pkts[i].Sport = 1234
	}
	pkts[7].Sport = 53
	pkts[13].Sport = pkts[12].Sport
	t.Run("new", func(t *testing.T) {
		expectAccepted(t, filterInput("drop", "ct state new accept"), pkts, 1, 2, 6, 7, 8, 9, 11, 13, 14)
	})
	t.Run("invalid", func(t *testing.T) {
		expectAccepted(t, filterInput("accept", "ct state invalid drop"), pkts, 1, 2, 6, 7, 8, 9, 11, 13, 14)
	})
	t.Run("established", func(t *testing.T) {
		// Each packet is a flow of its own: nothing is established.
		expectAccepted(t, filterInput("drop", "ct state established,related accept"), pkts)
	})
}

// TestChecksums checks the harness's checksums against the kernel:
// conntrack verifies them in prerouting and marks a packet with a wrong
// one invalid.
func TestChecksums(t *testing.T) {
	var pkts []Packet
	for _, a := range [][2]string{{"192.0.2.1", "198.51.100.1"}, {"2001:db8::1", "2001:db8::2"}} {
		for _, length := range []int{0, 99, 100, 1500, 9001} {
			for _, p := range []Packet{tcp(0, a[0], a[1], 80, syn), udp(0, a[0], a[1], 53), icmp(0, a[0], a[1], 8)} {
				if p.Family == "ip6" && p.ICMPType == 8 {
					p.ICMPType = 128
				}
				p.ID = len(pkts)
				p.Sport += uint16(p.ID)
				p.Length = length
				pkts = append(pkts, p)
			}
		}
	}
	var want []int
	for _, p := range pkts {
		want = append(want, p.ID)
	}
	expectAccepted(t, filterInput("accept", "ct state invalid drop"), pkts, want...)
}

func TestICMPEcho(t *testing.T) {
	expectAccepted(t, filterInput("drop", "icmp type echo-request accept", "icmpv6 type echo-request accept"), []Packet{
		icmp(1, "192.0.2.1", "198.51.100.1", 8),
		icmp(2, "192.0.2.1", "198.51.100.1", 0),
		icmp(3, "192.0.2.1", "198.51.100.1", 3),
		icmp(4, "2001:db8::1", "2001:db8::2", 128),
		icmp(5, "2001:db8::1", "2001:db8::2", 129),
		icmp(6, "2001:db8::1", "2001:db8::2", 135),
		tcp(7, "192.0.2.1", "198.51.100.1", 8, syn),
		pkt(8, "192.0.2.1", "198.51.100.1", protoICMPv6), // not ICMP for an ip packet
	}, 1, 4)
}

func TestJumpGoto(t *testing.T) {
	ruleset := `table inet filter {
	chain tcp_in {
		tcp dport 22 accept
		tcp dport 23 drop
	}

	chain udp_in {
		udp dport 53 accept
	}

	chain input {
		type filter hook input priority filter; policy drop;
		meta l4proto tcp jump tcp_in
		tcp dport 24 accept
		meta l4proto udp goto udp_in
		udp dport 54 accept
	}
}
`
	expectAccepted(t, ruleset, []Packet{
		tcp(1, "192.0.2.1", "198.51.100.1", 22, syn),
		tcp(2, "192.0.2.1", "198.51.100.1", 23, syn),
		tcp(3, "192.0.2.1", "198.51.100.1", 24, syn), // back from the jump
		tcp(4, "192.0.2.1", "198.51.100.1", 25, syn),
		udp(5, "2001:db8::1", "2001:db8::2", 53),
		udp(6, "2001:db8::1", "2001:db8::2", 54), // no return from a goto: the policy
		udp(7, "2001:db8::1", "2001:db8::2", 55),
	}, 1, 3, 5)
}

func TestInetFamilies(t *testing.T) {
	ruleset := filterInput("drop",
		"ip saddr 192.0.2.0/24 accept",
		"ip6 saddr 2001:db8::/32 tcp dport 443 accept",
		"meta nfproto ipv4 udp dport 53 accept",
		"ip6 daddr ff02::1 accept")
	expectAccepted(t, ruleset, []Packet{
		tcp(1, "192.0.2.7", "198.51.100.1", 80, syn),
		tcp(2, "198.51.100.2", "198.51.100.1", 443, syn),
		tcp(3, "2001:db8::1", "2001:db8::2", 443, syn),
		tcp(4, "2001:db8::1", "2001:db8::2", 80, syn),
		tcp(5, "2001:db9::1", "2001:db8::2", 443, syn),
		udp(6, "198.51.100.2", "198.51.100.1", 53),
		udp(7, "2001:db9::1", "2001:db8::2", 53),
		icmp(8, "fe80::1", "ff02::1", 128),
		icmp(9, "::ffff:192.0.2.7", "2001:db8::2", 128), // IPv4-mapped is IPv6
	}, 1, 3, 6, 8)
}

// TestEveryBaseChain checks that a packet must pass every base chain: an
// accept is final only within its chain, and chains at other hooks on the
// way in (ingress, prerouting) apply too.
func TestEveryBaseChain(t *testing.T) {
	ruleset := `flush ruleset
table ip first {
	chain input {
		type filter hook input priority -10; policy accept;
		tcp dport 22 accept
	}
}
table ip second {
	chain input {
		type filter hook input priority 10; policy accept;
		tcp dport 22 drop
		tcp dport 23 reject with tcp reset
	}
}
table inet early {
	chain prerouting {
		type filter hook prerouting priority raw; policy accept;
		udp dport 53 drop
	}
}
table netdev ingress {
	chain lan0 {
		type filter hook ingress device "lan0" priority -2147483648; policy accept;
		udp dport 54 drop
	}
}
`
	expectAccepted(t, ruleset, []Packet{
		tcp(1, "192.0.2.1", "198.51.100.1", 22, syn),
		tcp(2, "192.0.2.1", "198.51.100.1", 23, syn),
		tcp(3, "192.0.2.1", "198.51.100.1", 24, syn),
		udp(4, "192.0.2.1", "198.51.100.1", 53),
		udp(5, "2001:db8::1", "2001:db8::2", 53),
		udp(6, "192.0.2.1", "198.51.100.1", 54),
		on("wan0", udp(7, "192.0.2.1", "198.51.100.1", 54)),
		tcp(8, "2001:db8::1", "2001:db8::2", 22, syn),
	}, 3, 7, 8)
}

// lastChain is a ruleset with an input chain at the sentinel's priority.
const lastChain = `table ip last {
	chain input {
		type filter hook input priority 2147483647; policy accept;
		tcp dport 25 drop
	}
}
`

// TestLastPriority checks that the harness observes packets after a
// ruleset's input chain at the highest priority, its own.
func TestLastPriority(t *testing.T) {
	expectAccepted(t, lastChain, []Packet{
		tcp(1, "192.0.2.1", "198.51.100.1", 25, syn),
		tcp(2, "192.0.2.1", "198.51.100.1", 26, syn),
	}, 2)
}

func TestHeaderFields(t *testing.T) {
	ruleset := filterInput("accept",
		"ip dscp ef drop",
		"ip ttl 1 drop",
		"ip length > 1000 drop",
		"ip6 dscp cs1 drop",
		"ip6 hoplimit 255 drop",
		"ip6 length > 9000 drop", // the payload length
		"ip id 4242 drop",
		"ip6 flowlabel 4243 drop",
		"ip6 flowlabel 4244 drop",
		"ip id 4245 drop")
	with := func(p Packet, f func(*Packet)) Packet {
		f(&p)
		return p
	}
	base4, base6 := udp(0, "192.0.2.1", "198.51.100.1", 53), udp(0, "2001:db8::1", "2001:db8::2", 53)
	expectAccepted(t, ruleset, []Packet{
		with(base4, func(p *Packet) { p.ID, p.DSCP = 1, 46 }),
		with(base4, func(p *Packet) { p.ID, p.DSCP = 2, 45 }),
		with(base4, func(p *Packet) { p.ID, p.TTL = 3, 1 }),
		with(base4, func(p *Packet) { p.ID, p.TTL = 4, 0 }),
		with(base4, func(p *Packet) { p.ID, p.Length = 5, 1001 }),
		with(base4, func(p *Packet) { p.ID, p.Length = 6, 1000 }),
		with(base4, func(p *Packet) { p.ID, p.Length = 7, maxLength }),
		with(base6, func(p *Packet) { p.ID, p.DSCP = 8, 8 }),
		with(base6, func(p *Packet) { p.ID, p.DSCP = 9, 63 }),
		with(base6, func(p *Packet) { p.ID, p.TTL = 10, 255 }),
		with(base6, func(p *Packet) { p.ID, p.TTL = 11, 254 }),
		with(base6, func(p *Packet) { p.ID, p.Length = 12, 9040 }),
		with(base6, func(p *Packet) { p.ID, p.Length = 13, 9041 }),
		with(base6, func(p *Packet) { p.ID, p.Length = 14, maxLength }),
		with(base4, func(p *Packet) { p.ID = 4242 }),
		with(base6, func(p *Packet) { p.ID = 4243 }),
		with(base4, func(p *Packet) { p.ID = 4244 }), // flowlabel is IPv6 only
		with(base6, func(p *Packet) { p.ID = 4245 }), // ip id is IPv4 only
		with(base4, func(p *Packet) { p.ID = 65535 }),
		with(base6, func(p *Packet) { p.ID = 0 }),
	}, 2, 4, 6, 9, 11, 12, 4244, 4245, 65535, 0)
}

// TestRawProtocols sends protocols the harness builds no header for.
func TestRawProtocols(t *testing.T) {
	expectAccepted(t, filterInput("drop", "meta l4proto { gre, sctp } accept", "ip protocol 200 accept", "ip6 nexthdr 59 accept"), []Packet{
		pkt(1, "192.0.2.1", "198.51.100.1", 47),
		pkt(2, "192.0.2.1", "198.51.100.1", 132),
		pkt(3, "192.0.2.1", "198.51.100.1", 200),
		pkt(4, "192.0.2.1", "198.51.100.1", 201),
		pkt(5, "2001:db8::1", "2001:db8::2", 47),
		pkt(6, "2001:db8::1", "2001:db8::2", 59),
		pkt(7, "2001:db8::1", "2001:db8::2", 200),
	}, 1, 2, 3, 5, 6)
}

func TestThousandPackets(t *testing.T) {
	requireKernel(t)
	r := rand.New(rand.NewPCG(1, 2))
	var pkts []Packet
	var want []int
	for id := range 1000 {
		var p Packet
		if r.IntN(2) == 0 {
			p = pkt(id, netip.AddrFrom4([4]byte{10, byte(r.IntN(256)), byte(r.IntN(256)), byte(1 + r.IntN(254))}).String(), "192.0.2.1", protoTCP)
		} else {
			p = pkt(id, fmt.Sprintf("2001:db8::%x", r.IntN(0x10000)), "2001:db8:1::1", protoTCP)
		}
		p.Iif = []string{"lan0", "wan0"}[r.IntN(2)]
		p.Sport = uint16(1024 + r.IntN(64512))
		p.Dport = uint16(r.IntN(2001))
		p.TCPFlags = syn
		if p.Dport >= 1 && p.Dport <= 1000 {
			want = append(want, id)
		}
		pkts = append(pkts, p)
	}
	start := time.Now()
	expectAccepted(t, filterInput("drop", "tcp dport { 1-1000 } accept"), pkts, want...)
	t.Logf("1000 packets (%d accepted) in %v", len(want), time.Since(start))
}

// TestSharedFlow sends many packets of two connection tuples, in both
// directions, so that the run flushes conntrack before each. (The kernel's
// RST to a TCP packet for a closed port ends a TCP connection anyway; the
// UDP packets are what need the flush.)
func TestSharedFlow(t *testing.T) {
	var pkts []Packet
	var want []int
	for id := range 500 {
		var p Packet
		switch id % 5 {
		case 0:
			p = udp(id, "192.0.2.1", "198.51.100.1", 53)
			p.Sport = 1234
		case 1:
			p = udp(id, "198.51.100.1", "192.0.2.1", 1234)
			p.Sport = 53
		default:
			p = tcp(id, "2001:db8::1", "2001:db8::2", 22, []uint8{syn, ack, syn | ack}[id%5-2])
			p.Sport = 1234
		}
		if id%5 != 4 {
			want = append(want, id)
		}
		pkts = append(pkts, p)
	}
	start := time.Now()
	expectAccepted(t, filterInput("drop", "ct state new accept"), pkts, want...)
	t.Logf("500 packets of two tuples in %v", time.Since(start))
}

func TestRunErrors(t *testing.T) {
	requireKernel(t)
	ok := []Packet{tcp(1, "192.0.2.1", "198.51.100.1", 22, syn)}
	for _, tc := range []struct {
		name, ruleset string
		pkts          []Packet
		want          string
	}{
		{"syntax", "table inet filter {\n", ok, "load ruleset: nft -f -: exit status 1"},
		{"reserved table", "table netdev nftopt_sentinel {\n}\n", ok, "add sentinel tables"},
		{"unknown interface", filterInput("accept", `iif "eth9" drop`), ok, "load ruleset"},
		{"flushed sentinel", "flush ruleset\n" + lastChain, ok, "input chains at priority 2147483647 (ip last input)"},
		{"duplicate id", "", append(ok, ok...), "packet 1: id used twice"},
		{"martian", "", []Packet{tcp(2, "0.0.0.0", "198.51.100.1", 22, syn)}, "packet 2: the kernel drops IPv4 packets from 0.0.0.0"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Run(context.Background(), tc.ruleset, tc.pkts)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("got error %v, want one containing %q", err, tc.want)
			}
		})
	}
}

// TestEmpty loads a ruleset without sending anything.
func TestEmpty(t *testing.T) {
	requireKernel(t)
	accepted, err := Run(context.Background(), filterInput("drop"), nil)
	if err != nil || len(accepted) != 0 {
		t.Errorf("Run without packets = %v, %v; want an empty answer", accepted, err)
	}
}

// TestUnsendable checks checkAddrs against the kernel: the packets it
// refuses never reach the input hook of an empty ruleset, and the
// borderline packets it allows all do.
func TestUnsendable(t *testing.T) {
	requireKernel(t)
	pairs := [][2]string{
		// refused
		{"0.0.0.0", "198.51.100.1"},
		{"224.0.0.5", "198.51.100.1"},
		{"255.255.255.255", "198.51.100.1"},
		{"192.0.2.1", "0.0.0.0"},
		{"192.0.2.1", "224.0.0.2"},
		{"192.0.2.1", "239.1.1.1"},
		{"::1", "2001:db8::2"},
		{"ff02::1", "2001:db8::2"},
		{"2001:db8::1", "::1"},
		{"2001:db8::1", "ff02::2"},
		{"2001:db8::1", "ff01::1"},
		{"2001:db8::1", "ff05::1"},
		// allowed
		{"127.0.0.1", "198.51.100.1"},
		{"192.0.2.1", "127.0.0.1"},
		{"127.1.2.3", "127.4.5.6"},
		{"0.0.0.0", "255.255.255.255"},
		{"192.0.2.1", "255.255.255.255"},
		{"192.0.2.1", "224.0.0.1"},
		{"240.0.0.1", "240.0.0.2"},
		{"192.0.2.1", "192.0.2.1"},
		{"169.254.1.1", "169.254.1.2"},
		{"::", "2001:db8::2"},
		{"2001:db8::1", "::"},
		{"fe80::1", "fe80::2"},
		{"2001:db8::1", "fe80::2"},
		{"2001:db8::1", "ff02::1"},
		{"::ffff:192.0.2.1", "::ffff:198.51.100.1"},
		{"2001:db8::1", "2001:db8::1"},
	}
	var pkts []Packet
	for i, a := range pairs {
		for j, p := range []Packet{tcp(0, a[0], a[1], 22, syn), udp(0, a[0], a[1], 53)} {
			p.ID = 2*i + j
			p.Iif = []string{"lan0", "wan0"}[i%2]
			pkts = append(pkts, p)
		}
	}
	var accepted map[int]bool
	err := inNewNetns(func() error {
		var err error
		accepted, err = run(context.Background(), "", pkts)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range pkts {
		refused := checkAddrs(p.Src, p.Dst)
		if accepted[p.ID] == (refused != nil) {
			t.Errorf("%s: reached the input hook %v, but checkAddrs says %v", describe(p), accepted[p.ID], refused)
		}
	}
}
