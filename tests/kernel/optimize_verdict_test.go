package kernel

import (
	"math/rand"
	"os"
	"testing"

	"github.com/nftopt/nftopt/emit/nft"
	"github.com/nftopt/nftopt/optimize"
	"github.com/nftopt/nftopt/parser"
	"github.com/nftopt/nftopt/tests/kernel/pktharness"
)

// trickyRulesets are rulesets where a careless merge changes verdicts.
var trickyRulesets = []struct {
	name    string
	src     string
	ctFlows bool
}{
	{"bitmask flags", chainText("drop", `tcp flags syn accept`, `tcp flags ack accept`, `tcp flags fin drop`, `tcp flags rst accept`), false},
	{"overlapping prefixes, different verdicts", chainText("accept", `ip saddr 10.0.0.0/24 drop`, `ip saddr 10.0.0.0/8 accept`, `ip saddr 10.1.0.0/16 drop`, `ip saddr 192.168.0.0/16 drop`), false},
	{"overlapping ranges", chainText("drop", `tcp dport 1-1000 accept`, `tcp dport 500-1500 drop`, `tcp dport 1400-2000 accept`, `tcp dport 2001 accept`), false},
	{"concatenations with overlaps", chainText("drop", `ip saddr 10.0.0.1 tcp dport 22 accept`, `ip saddr 10.0.0.1 tcp dport 80 drop`, `ip saddr 10.0.0.2 tcp dport 22 drop`, `ip saddr 10.0.0.1 tcp dport 22 drop`, `ip saddr 10.0.0.2 tcp dport 80 accept`), false},
	{"interleaved rules", chainText("drop", `tcp dport 22 accept`, `ip saddr 10.0.0.1 drop`, `tcp dport 80 accept`, `udp dport 53 accept`, `ip saddr 8.8.8.8 drop`, `udp dport 1000 accept`), false},
	{"negation", chainText("accept", `tcp dport != 22 drop`, `tcp dport != 80 drop`, `ip saddr != 10.0.0.0/8 drop`), false},
	{"inet with ip and ip6", chainText("drop", `ip saddr 10.0.0.1 accept`, `ip saddr 10.0.0.2 accept`, `ip6 saddr fd00::1 accept`, `ip6 saddr 2001:db8::1 accept`, `meta nfproto ipv4 tcp dport 80 accept`, `meta nfproto ipv4 tcp dport 443 accept`), false},
	{"jumps and gotos", subText(`tcp dport 22 accept`, `tcp dport 80 accept`, `return`) + chainText("drop", `ip saddr 10.0.0.1 jump sub`, `ip saddr 10.0.0.2 jump sub`, `ip saddr 192.168.1.1 goto sub`, `udp dport 53 accept`), false},
	{"duplicates and dead rules", chainText("drop", `tcp dport 22 accept`, `tcp dport 22 accept`, `tcp dport 22 ip saddr 10.0.0.1 drop`, `udp dport 53 accept`, `accept`, `tcp dport 80 drop`), false},
	{"verdict maps", chainText("accept", `tcp dport 22 drop`, `tcp dport 80 accept`, `tcp dport 443 drop`, `udp dport 53 accept`, `udp dport 1000 drop`), false},
	{"interfaces", chainText("drop", `iifname "lan0" accept`, `iifname "lan1" accept`, `iifname "wan0" tcp dport 22 accept`, `iifname "wan1" tcp dport 22 accept`), false},
	{"ct state", chainText("drop", `ct state established accept`, `ct state related accept`, `ct state new tcp dport 22 accept`, `ct state new tcp dport 80 accept`), true},
	// The dispatch becomes a verdict map and the chains it jumps to stay
	// as they are: the proof's two sides meet in them (ir/equiv/meet.go).
	{"dispatch to chains left alone", `table inet t {
	chain svc1 {
		ip saddr 10.0.0.1 drop
		ip saddr 10.0.0.2 meta mark set 1
	}
	chain svc2 {
		ip saddr 10.0.0.1 accept
		udp dport 53 accept
	}
}
` + chainText("drop", `ip daddr 10.0.0.77 tcp dport 22 jump svc1`, `ip daddr 10.0.1.5 tcp dport 80 jump svc2`, `ip daddr 10.1.2.3 tcp dport 22 jump svc1`,
		`ip daddr 192.168.1.1 tcp dport 443 jump svc2`, `ip daddr 10.0.0.77 tcp dport 443 jump svc2`, `tcp dport 80 accept`), false},
}

// TestOptimizedVerdictsInKernel loads each ruleset and its optimized
// form into the real kernel and sends both the same 1000 packets: every
// packet must get the same verdict.
func TestOptimizedVerdictsInKernel(t *testing.T) {
	if ok, why := pktharness.Available(); !ok {
		if os.Getenv("CI") != "" {
			t.Fatalf("kernel packet harness unavailable under CI: %s", why)
		}
		t.Skip(why)
	}
	merged := 0
	for i, rs := range trickyRulesets {
		t.Run(rs.name, func(t *testing.T) {
			in, err := parser.Parse(rs.name+".nft", []byte(rs.src), parser.Options{})
			if err != nil {
				t.Fatal(err)
			}
			res, err := optimize.Run(in, optimize.Options{})
			if err != nil {
				t.Fatal(err)
			}
			if len(res.Unverified) > 0 {
				t.Fatalf("not verified: %v", res.Unverified)
			}
			out := nft.Print(res.Output, nft.Options{})
			before, after := optimize.RuleCount(in), optimize.RuleCount(res.Output)
			if after < before {
				merged++
			}
			pkts := randomPackets(rand.New(rand.NewSource(int64(100+i))), 1000, rs.ctFlows)
			want, err := pktharness.Run(t.Context(), rs.src, pkts)
			if err != nil {
				t.Fatal(err)
			}
			got, err := pktharness.Run(t.Context(), out, pkts)
			if err != nil {
				t.Fatalf("optimized ruleset: %v\n%s", err, out)
			}
			bad := 0
			for _, p := range pkts {
				if want[p.ID] != got[p.ID] {
					bad++
					if bad <= 5 {
						t.Errorf("packet %+v: original accepted=%v, optimized accepted=%v", p, want[p.ID], got[p.ID])
					}
				}
			}
			if bad > 0 {
				t.Errorf("%d of %d packets changed verdict; optimized:\n%s", bad, len(pkts), out)
			}
			t.Logf("%d -> %d rules, 1000 packets with identical verdicts", before, after)
		})
	}
	if merged < len(trickyRulesets)/2 {
		t.Errorf("only %d of %d rulesets were optimized at all", merged, len(trickyRulesets))
	}
}
