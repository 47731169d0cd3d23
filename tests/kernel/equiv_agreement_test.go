package kernel

import (
	"math/rand"
	"net/netip"
	"os"
	"strconv"
	"testing"

	"github.com/nftopt/nftopt/ir/equiv"
	"github.com/nftopt/nftopt/parser"
	"github.com/nftopt/nftopt/tests/kernel/pktharness"
)

// agreementRulesets are the rulesets on which the evaluator must agree
// with the kernel, one construct each (the list).
var agreementRulesets = []struct {
	name string
	src  string
	// ctFlows sends TCP packets as SYNs only, so that conntrack sees a
	// valid new connection whatever the flags would be.
	ctFlows bool
	// notrack53 marks rulesets whose raw prerouting chain exempts UDP
	// port 53 from conntrack: those packets reach input untracked.
	notrack53 bool
}{
	{"anonymous sets", chainText("drop", `tcp dport { 22, 80, 443 } accept`, `udp dport { 53, 1000-2000 } accept`), false, false},
	{"verdict maps", subText(`udp dport 53 drop`) + chainText("accept", `ip saddr vmap { 10.0.0.0/24 : accept, 10.0.1.0/24 : drop, 192.168.1.0/24 : jump sub }`, `tcp dport vmap { 22 : drop, 80 : accept }`), false, false},
	{"concatenations", chainText("drop", `ip saddr . tcp dport { 10.0.0.1 . 22, 10.0.0.2 . 80, 192.168.1.1 . 443 } accept`, `ip saddr . meta l4proto { 8.8.8.8 . udp } accept`), false, false},
	{"jumps and gotos", subText(`ip saddr 10.0.0.1 accept`, `ip saddr 10.0.0.2 return`, `meta l4proto tcp drop`) + chainText("accept", `tcp dport 22 jump sub`, `tcp dport 22 drop`, `udp dport 53 goto sub`, `udp dport 53 drop`), false, false},
	{"overlapping prefixes", chainText("accept", `ip saddr 10.0.0.0/8 drop`, `ip saddr 10.0.0.0/24 accept`, `ip saddr 10.1.0.0/16 accept`), false, false},
	{"ranges", chainText("drop", `tcp dport 1000-2000 accept`, `tcp sport 1-1023 accept`, `udp dport != 53 accept`), false, false},
	{"negation", chainText("accept", `ip saddr != 10.0.0.0/8 drop`, `ip6 saddr != fd00::/8 drop`, `tcp dport != { 22, 80 } drop`), false, false},
	{"tcp flags", chainText("drop", `tcp flags syn tcp flags ! ack accept`, `tcp flags & (syn | ack) == ack drop`, `tcp flags fin,rst accept`, `tcp flags == 0x0 accept`), false, false},
	{"ct state new", chainText("drop", `ct state established,related accept`, `ct state new tcp dport 22 accept`, `ct state invalid drop`, `ct state new meta l4proto udp accept`), true, false},
	{"interfaces", chainText("drop", `iifname { "lan0", "lan1" } accept`, `iifname "wan*" tcp dport 22 accept`), false, false},
	{"inet ip and ip6", chainText("drop", `ip saddr 10.0.0.1 drop`, `ip6 saddr fd00::/8 drop`, `meta l4proto { icmp, ipv6-icmp } accept`, `meta nfproto ipv4 tcp dport 80 accept`, `ip6 daddr 2001:db8::1 tcp dport 443 accept`), false, false},
	{"two base chains", chainText("accept", `tcp dport 22 accept`, `udp dport 53 drop`) +
		"table ip second {\n\tchain in {\n\t\ttype filter hook input priority 10; policy drop;\n\t\ttcp dport { 22, 80 } accept\n\t\tmeta l4proto udp accept\n\t}\n}\n", false, false},
	{"tcp flag lists", chainText("drop", `tcp flags == syn,ack accept`, `tcp flags != fin,syn tcp flags syn drop`, `tcp flags != 0x0 tcp dport 22 accept`), false, false},
	// ct status of the first packet of a connection at input: no bit
	// set yet (conntrack confirms the entry after the input hook).
	{"ct status", chainText("drop", `ct status dnat accept`, `ct status ! confirmed tcp dport 22 accept`, `ct status == 0x0 udp dport 53 accept`, `ct status & (snat | dnat) == 0 meta l4proto icmp accept`), true, false},
	// ct keys other than ct state break the rule for an untracked
	// packet, negated or not; a statement reading one stops the rule.
	{"untracked packets", "table inet raw {\n\tchain pre {\n\t\ttype filter hook prerouting priority raw;\n\t\tudp dport 53 notrack\n\t}\n}\n" +
		chainText("drop", `ct mark != 1 tcp dport 22 accept`, `meta mark set ct mark udp sport 1000-2000 accept`, `ct state untracked udp sport 22 accept`, `ct mark 0 meta l4proto udp ip saddr 10.0.0.0/8 accept`, `ct status ! dnat meta l4proto icmp accept`), true, true},
}

func chainText(policy string, rules ...string) string {
	s := "table inet t {\n\tchain in {\n\t\ttype filter hook input priority 0; policy " + policy + ";\n"
	for _, r := range rules {
		s += "\t\t" + r + "\n"
	}
	return s + "\t}\n}\n"
}

func subText(rules ...string) string {
	s := "table inet t {\n\tchain sub {\n"
	for _, r := range rules {
		s += "\t\t" + r + "\n"
	}
	return s + "\t}\n}\n"
}

// randomPackets draws n packets from pools of the values the rulesets test.
func randomPackets(r *rand.Rand, n int, ctFlows bool) []pktharness.Packet {
	v4 := []string{"10.0.0.1", "10.0.0.2", "10.0.0.77", "10.0.1.5", "10.1.2.3", "10.200.0.1", "192.168.1.1", "8.8.8.8", "172.16.0.9"}
	v6 := []string{"fd00::1", "fd12::5", "2001:db8::1", "2001:db8::2", "2a00::7"}
	ifaces := []string{"lan0", "lan1", "wan0", "wan1", "dmz0"}
	ports := []uint16{22, 53, 80, 443, 999, 1000, 1500, 2000, 2001, 8080, 1023, 1024}
	out := make([]pktharness.Packet, n)
	for i := range out {
		p := pktharness.Packet{ID: i + 1, Family: "ip", Iif: ifaces[r.Intn(len(ifaces))]}
		if r.Intn(10) < 3 {
			p.Family = "ip6"
			p.Src = netip.MustParseAddr(v6[r.Intn(len(v6))])
			p.Dst = netip.MustParseAddr(v6[r.Intn(len(v6))])
		} else {
			p.Src = netip.MustParseAddr(v4[r.Intn(len(v4))])
			p.Dst = netip.MustParseAddr(v4[r.Intn(len(v4))])
		}
		switch r.Intn(4) {
		case 0, 1:
			p.Proto = 6
			p.Sport, p.Dport = ports[r.Intn(len(ports))], ports[r.Intn(len(ports))]
			p.TCPFlags = uint8(r.Intn(64))
			if ctFlows {
				p.TCPFlags = 0x02
			}
		case 2:
			p.Proto = 17
			p.Sport, p.Dport = ports[r.Intn(len(ports))], ports[r.Intn(len(ports))]
		default:
			p.Proto, p.ICMPType = 1, 8
			if p.Family == "ip6" {
				p.Proto, p.ICMPType = 58, 128
			}
		}
		out[i] = p
	}
	return out
}

// modelPacket is the evaluator's view of a harness packet: the first
// packet of a new connection at the input hook.
func modelPacket(t *testing.T, p pktharness.Packet, notrack53 bool) equiv.Packet {
	e := equiv.NewPacket(p.Family, "input")
	set := func(k, v string) {
		if err := e.Set(k, v); err != nil {
			t.Fatal(err)
		}
	}
	set("meta iifname", p.Iif)
	set("meta iif", p.Iif)
	if notrack53 && p.Proto == 17 && p.Dport == 53 {
		set("ct state", "untracked")
	} else {
		set("ct state", "new")
	}
	set("meta l4proto", strconv.Itoa(int(p.Proto)))
	pre := "ip"
	if p.Family == "ip6" {
		pre = "ip6"
	}
	set(pre+" saddr", p.Src.String())
	set(pre+" daddr", p.Dst.String())
	switch p.Proto {
	case 6:
		set("tcp sport", strconv.Itoa(int(p.Sport)))
		set("tcp dport", strconv.Itoa(int(p.Dport)))
		set("tcp flags", strconv.Itoa(int(p.TCPFlags)))
	case 17:
		set("udp sport", strconv.Itoa(int(p.Sport)))
		set("udp dport", strconv.Itoa(int(p.Dport)))
	case 1:
		set("icmp type", strconv.Itoa(int(p.ICMPType)))
	case 58:
		set("icmpv6 type", strconv.Itoa(int(p.ICMPType)))
	}
	return e
}

// TestEvaluatorAgreesWithKernel sends 1000 packets per ruleset into the
// real kernel and requires the evaluator to give every one the verdict
// the kernel gave it.
func TestEvaluatorAgreesWithKernel(t *testing.T) {
	if ok, why := pktharness.Available(); !ok {
		if os.Getenv("CI") != "" {
			t.Fatalf("kernel packet harness unavailable under CI: %s", why)
		}
		t.Skip(why)
	}
	const perRuleset = 1000
	total := 0
	for i, rs := range agreementRulesets {
		t.Run(rs.name, func(t *testing.T) {
			ir, err := parser.Parse(rs.name+".nft", []byte(rs.src), parser.Options{})
			if err != nil {
				t.Fatal(err)
			}
			pkts := randomPackets(rand.New(rand.NewSource(int64(i+1))), perRuleset, rs.ctFlows)
			accepted, err := pktharness.Run(t.Context(), rs.src, pkts)
			if err != nil {
				t.Fatal(err)
			}
			machines := map[string]*equiv.Machine{}
			for _, fam := range []string{"ip", "ip6"} {
				m, err := equiv.NewMachine(ir, fam, "input")
				if err != nil {
					t.Fatal(err)
				}
				machines[fam] = m
			}
			bad := 0
			for _, p := range pkts {
				out, err := machines[p.Family].Run(modelPacket(t, p, rs.notrack53))
				if err != nil {
					t.Fatal(err)
				}
				if got := out.Verdict == "accept"; got != accepted[p.ID] {
					bad++
					if bad <= 5 {
						t.Errorf("packet %+v: evaluator says %s, kernel accepted=%v", p, out.Verdict, accepted[p.ID])
					}
				}
			}
			if bad > 0 {
				t.Errorf("%d of %d packets disagree", bad, len(pkts))
			}
			n := 0
			for _, ok := range accepted {
				if ok {
					n++
				}
			}
			if n == 0 || n == len(pkts) {
				t.Errorf("the kernel accepted %d of %d packets: the ruleset should split them", n, len(pkts))
			}
			t.Logf("%d of %d packets accepted by the kernel, all as the evaluator says", n, len(pkts))
			total += len(pkts)
		})
	}
	t.Logf("evaluator agreement: %d rulesets, %d packets", len(agreementRulesets), total)
}
