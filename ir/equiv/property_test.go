package equiv_test

import (
	"fmt"
	"math/rand"
	"strings"
	"testing"

	"github.com/nftopt/nftopt/ir/equiv"
	"github.com/nftopt/nftopt/tests/randrs"
)

// randomRuleset writes a small random ruleset over a few fields with
// small domains, so that brute force over the grid below is complete.
func randomRuleset(r *rand.Rand) string {
	matches := []func() string{
		func() string { return fmt.Sprintf("tcp dport %d", 1+r.Intn(6)) },
		func() string { return fmt.Sprintf("tcp dport { %d, %d }", 1+r.Intn(6), 1+r.Intn(6)) },
		func() string { return fmt.Sprintf("tcp dport %d-%d", 1+r.Intn(3), 3+r.Intn(4)) },
		func() string { return fmt.Sprintf("tcp dport != %d", 1+r.Intn(6)) },
		func() string { return fmt.Sprintf("udp dport %d", 1+r.Intn(6)) },
		func() string { return fmt.Sprintf("ip saddr 10.0.0.%d", r.Intn(4)) },
		func() string { return fmt.Sprintf("ip saddr 10.0.0.%d/31", 2*r.Intn(2)) },
		func() string {
			return []string{"tcp flags syn", "tcp flags ack", "tcp flags syn,ack", "tcp flags == syn", "tcp flags ! rst"}[r.Intn(5)]
		},
		func() string {
			return []string{"ct state new", "ct state established,related", "ct state != new"}[r.Intn(3)]
		},
		func() string { return []string{`iifname "a"`, `iifname "b"`, `iifname "a*"`}[r.Intn(3)] },
		func() string { return "meta l4proto " + []string{"tcp", "udp"}[r.Intn(2)] },
		func() string { return "ip6 saddr ::1" },
		func() string { return fmt.Sprintf("meta mark %d", r.Intn(3)) },
	}
	verdicts := []string{"accept", "drop", "jump sub", "goto sub", "continue", "meta mark set 1", "counter"}
	subVerdicts := []string{"accept", "drop", "return", "meta mark set 2", "continue"}
	rule := func(vs []string) string {
		var parts []string
		for k := r.Intn(3); k > 0; k-- {
			parts = append(parts, matches[r.Intn(len(matches))]())
		}
		parts = append(parts, vs[r.Intn(len(vs))])
		return strings.Join(parts, " ")
	}
	var sb strings.Builder
	sb.WriteString("table inet t {\n chain c {\n  type filter hook input priority filter; policy " + []string{"accept", "drop"}[r.Intn(2)] + ";\n")
	for k := 1 + r.Intn(5); k > 0; k-- {
		sb.WriteString("  " + rule(verdicts) + "\n")
	}
	sb.WriteString(" }\n chain sub {\n")
	for k := r.Intn(3); k > 0; k-- {
		sb.WriteString("  " + rule(subVerdicts) + "\n")
	}
	sb.WriteString(" }\n}\n")
	return sb.String()
}

// grid lists packets covering every class of the random rulesets' constants.
func grid(t *testing.T) []equiv.Packet {
	var out []equiv.Packet
	for _, fam := range []string{"ip", "ip6"} {
		for _, proto := range []string{"tcp", "udp"} {
			for port := 0; port <= 7; port++ {
				for _, flags := range []string{"0", "syn", "ack", "0x12", "rst", "0x14"} {
					for _, st := range []string{"new", "established", "invalid"} {
						for _, dev := range []string{"a", "b", "ab"} {
							for _, mark := range []string{"0", "1", "2"} {
								p := equiv.NewPacket(fam, "input")
								set := func(k, v string) {
									if err := p.Set(k, v); err != nil {
										t.Fatal(err)
									}
								}
								set("meta l4proto", proto)
								set(proto+" dport", fmt.Sprint(port))
								if proto == "tcp" {
									set("tcp flags", flags)
								} else if flags != "0" {
									continue
								}
								set("ct state", st)
								set("meta iifname", dev)
								set("meta mark", mark)
								if fam == "ip" {
									set("ip saddr", fmt.Sprintf("10.0.0.%d", port%5))
								} else {
									set("ip6 saddr", []string{"::1", "::2"}[port%2])
								}
								out = append(out, p)
							}
						}
					}
				}
			}
		}
	}
	return out
}

// TestSymbolicAgreesWithBruteForce compares Check with exhaustive
// concrete evaluation on random pairs of rulesets.
func TestSymbolicAgreesWithBruteForce(t *testing.T) {
	r := rand.New(rand.NewSource(randrs.Seed(1)))
	packets := grid(t)
	n := randrs.Cases(200)
	if testing.Short() {
		n = 40
	}
	proved, differ := 0, 0
	for i := 0; i < n; i++ {
		srcA := randomRuleset(r)
		srcB := srcA
		if r.Intn(3) > 0 {
			srcB = randomRuleset(r)
		}
		a, b := parse(t, srcA), parse(t, srcB)
		res := equiv.Check(a, b, equiv.Options{})
		bruteDiff := ""
		machines := map[string][2]*equiv.Machine{}
		for _, fam := range []string{"ip", "ip6"} {
			ma, err1 := equiv.NewMachine(a, fam, "input")
			mb, err2 := equiv.NewMachine(b, fam, "input")
			if err1 != nil || err2 != nil {
				t.Fatal(err1, err2)
			}
			machines[fam] = [2]*equiv.Machine{ma, mb}
		}
		for _, p := range packets {
			oa, err1 := machines[p.Family][0].Run(p)
			ob, err2 := machines[p.Family][1].Run(p)
			if err1 != nil || err2 != nil {
				t.Fatal(err1, err2)
			}
			if oa.Verdict != ob.Verdict || effects(oa) != effects(ob) {
				bruteDiff = fmt.Sprintf("%v: %s %s vs %s %s", p.Fields, oa.Verdict, effects(oa), ob.Verdict, effects(ob))
				break
			}
		}
		switch {
		case res.Equivalent:
			proved++
			if bruteDiff != "" {
				t.Errorf("case %d: proved equivalent, but brute force differs at %s\nA:\n%s\nB:\n%s", i, bruteDiff, srcA, srcB)
			}
		case len(res.Unknown) > 0:
			t.Errorf("case %d: unknown %v", i, res.Unknown)
		default:
			differ++
			d := res.Diffs[0]
			oa, _ := equiv.Evaluate(a, d.Packet)
			ob, _ := equiv.Evaluate(b, d.Packet)
			if oa.Verdict == ob.Verdict && effects(oa) == effects(ob) {
				t.Errorf("case %d: counterexample %v does not differ\nA:\n%s\nB:\n%s", i, d.Packet.Fields, srcA, srcB)
			}
		}
	}
	t.Logf("%d cases: %d proved equivalent, %d with a counterexample", n, proved, differ)
	if proved == 0 || differ == 0 {
		t.Errorf("the random cases should include both outcomes")
	}
}

func effects(o equiv.Outcome) string {
	var ks []string
	for _, e := range o.Effects {
		ks = append(ks, e.Key)
	}
	return strings.Join(ks, "; ")
}
