package optimize_test

import (
	"fmt"
	"math/rand"
	"strings"
	"testing"

	"github.com/nftopt/nftopt/ir/equiv"
	"github.com/nftopt/nftopt/optimize"
	"github.com/nftopt/nftopt/parser"
)

// randomChain writes a chain of rules drawn from shapes that merge, with
// small value domains so that they overlap, repeat and interleave.
func randomChain(r *rand.Rand) string {
	matches := []func() string{
		func() string { return fmt.Sprintf("tcp dport %d", 1+r.Intn(6)) },
		func() string { return fmt.Sprintf("tcp dport %d-%d", 1+r.Intn(3), 3+r.Intn(4)) },
		func() string { return fmt.Sprintf("udp dport %d", 1+r.Intn(6)) },
		func() string { return fmt.Sprintf("ip saddr 10.0.0.%d", r.Intn(4)) },
		func() string { return fmt.Sprintf("ip saddr 10.0.0.%d/31", 2*r.Intn(2)) },
		func() string { return []string{"tcp flags syn", "tcp flags ack", "tcp flags fin"}[r.Intn(3)] },
		func() string { return []string{"ct state new", "ct state established", "ct state invalid"}[r.Intn(3)] },
		func() string { return []string{`iifname "a"`, `iifname "b"`}[r.Intn(2)] },
	}
	verdicts := []string{"accept", "drop", "accept", "drop", "counter accept", "jump sub"}
	var sb strings.Builder
	sb.WriteString("table inet t {\n chain sub {\n  tcp dport 1 accept\n }\n chain c {\n  type filter hook input priority 0; policy " + []string{"accept", "drop"}[r.Intn(2)] + ";\n")
	for k := 2 + r.Intn(10); k > 0; k-- {
		var parts []string
		for m := 1 + r.Intn(2); m > 0; m-- {
			parts = append(parts, matches[r.Intn(len(matches))]())
		}
		parts = append(parts, verdicts[r.Intn(len(verdicts))])
		sb.WriteString("  " + strings.Join(parts, " ") + "\n")
	}
	sb.WriteString(" }\n}\n")
	return sb.String()
}

// TestOptimizeProperty optimizes random rulesets and checks the result
// two ways: Run's own proof must hold, and concrete evaluation of a grid
// of packets must give every packet the same verdict and effects.
func TestOptimizeProperty(t *testing.T) {
	r := rand.New(rand.NewSource(7))
	n := 300
	if testing.Short() {
		n = 50
	}
	var packets []equiv.Packet
	for _, proto := range []string{"tcp", "udp"} {
		for port := 0; port <= 7; port++ {
			for _, flags := range []string{"syn", "ack", "fin", "0x12"} {
				for _, st := range []string{"new", "established", "invalid"} {
					for _, dev := range []string{"a", "b"} {
						for host := 0; host < 5; host++ {
							p := equiv.NewPacket("ip", "input")
							for k, v := range map[string]string{"meta l4proto": proto, proto + " dport": fmt.Sprint(port), "ct state": st, "meta iifname": dev, "ip saddr": fmt.Sprintf("10.0.0.%d", host)} {
								if err := p.Set(k, v); err != nil {
									t.Fatal(err)
								}
							}
							if proto == "tcp" {
								if err := p.Set("tcp flags", flags); err != nil {
									t.Fatal(err)
								}
							}
							packets = append(packets, p)
						}
					}
				}
			}
		}
	}
	changed := 0
	for i := 0; i < n; i++ {
		src := randomChain(r)
		in, err := parser.Parse("rand.nft", []byte(src), parser.Options{})
		if err != nil {
			t.Fatal(err)
		}
		res, err := optimize.Run(in, optimize.Options{})
		if err != nil {
			t.Fatalf("case %d: %v\n%s", i, err, src)
		}
		if len(res.Changes) > 0 {
			changed++
		}
		ma, _ := equiv.NewMachine(in, "ip", "input")
		mb, _ := equiv.NewMachine(res.Output, "ip", "input")
		for _, p := range packets {
			oa, _ := ma.Run(p)
			ob, _ := mb.Run(p)
			if oa.Verdict != ob.Verdict || len(oa.Effects) != len(ob.Effects) {
				t.Fatalf("case %d: packet %v: %s (%d effects) became %s (%d effects)\n%s", i, p.Fields, oa.Verdict, len(oa.Effects), ob.Verdict, len(ob.Effects), src)
			}
		}
	}
	t.Logf("%d random chains, %d rewritten, all equal on %d packets each", n, changed, len(packets))
	if changed < n/4 {
		t.Errorf("only %d of %d random chains were rewritten", changed, n)
	}
}
