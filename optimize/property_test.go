package optimize_test

import (
	"fmt"
	"math/rand"
	"testing"

	"github.com/nftopt/nftopt/ir/equiv"
	"github.com/nftopt/nftopt/optimize"
	"github.com/nftopt/nftopt/parser"
	"github.com/nftopt/nftopt/tests/randrs"
)

// TestOptimizeProperty optimizes random rulesets and checks the result
// two ways: Run's own proof must hold, and concrete evaluation of a grid
// of packets must give every packet the same verdict and effects.
func TestOptimizeProperty(t *testing.T) {
	r := rand.New(rand.NewSource(randrs.Seed(7)))
	n := randrs.Cases(300)
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
		src := randrs.Chain(r)
		in, err := parser.Parse("rand.nft", []byte(src), parser.Options{})
		if err != nil {
			t.Fatal(err)
		}
		res, err := optimize.Run(in, optimize.Options{CheckIR: true})
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
