package equiv_test

import (
	"fmt"
	"math/rand"
	"slices"
	"strings"
	"testing"

	"github.com/nftopt/nftopt/ir"
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
		func() string {
			return []string{"ct status dnat", "ct status snat,dnat", "ct status & (snat | dnat) == snat", "ct status != confirmed", "ct status { dnat, snat }", "ct status ! dnat", "ct status == dnat,snat"}[r.Intn(7)]
		},
		func() string {
			return []string{"ct mark 1", "ct mark != 1", "tcp flags == syn,ack", "tcp flags != syn,ack"}[r.Intn(4)]
		},
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

// randomChains writes a random ruleset with several regular chains
// reached through jumps, gotos and verdict maps, so that the
// enumeration splits dimensions below the top of a walk over many
// chains, each reached by only some packet classes.
func randomChains(r *rand.Rand) string {
	matches := []func() string{
		func() string { return fmt.Sprintf("tcp dport %d", 1+r.Intn(6)) },
		func() string { return fmt.Sprintf("tcp dport != %d", 1+r.Intn(6)) },
		func() string { return fmt.Sprintf("udp dport { %d, %d }", 1+r.Intn(6), 1+r.Intn(6)) },
		func() string { return fmt.Sprintf("ip saddr 10.0.0.%d", r.Intn(4)) },
		func() string { return fmt.Sprintf("ip saddr != 10.0.0.%d/31", 2*r.Intn(2)) },
		func() string { return []string{"ct state new", "ct state != new"}[r.Intn(2)] },
		func() string { return []string{`iifname "a"`, `iifname "b"`}[r.Intn(2)] },
		func() string { return fmt.Sprintf("meta mark %d", r.Intn(3)) },
	}
	const chains = 5
	// Chain k calls only chains after it, so there is no loop.
	target := func(k int) string { return fmt.Sprintf("s%d", k+1+r.Intn(chains-k)) }
	verdict := func(k int) string {
		if k < chains {
			switch r.Intn(8) {
			case 0:
				return "jump " + target(k)
			case 1:
				return "goto " + target(k)
			case 2:
				return fmt.Sprintf("tcp dport vmap { %d : jump %s, %d-%d : goto %s }", 1+r.Intn(6), target(k), 1+r.Intn(3), 3+r.Intn(4), target(k))
			case 3:
				return fmt.Sprintf("ip saddr vmap { 10.0.0.%d : jump %s, 10.0.0.%d : drop }", r.Intn(4), target(k), r.Intn(4))
			case 4:
				// Eight keys or more: the lookup is indexed by port.
				var elems []string
				for port := 0; port <= 7; port++ {
					v := []string{"accept", "drop", "jump " + target(k), "goto " + target(k)}[r.Intn(4)]
					elems = append(elems, fmt.Sprintf("%d : %s", port, v))
				}
				return "tcp dport vmap { " + strings.Join(elems, ", ") + " }"
			}
		}
		vs := []string{"accept", "drop", "return", "meta mark set 2", "counter", "continue"}
		if k == 0 {
			vs[2] = "meta mark set 1"
		}
		return vs[r.Intn(len(vs))]
	}
	rule := func(k int) string {
		var parts []string
		for n := r.Intn(3); n > 0; n-- {
			parts = append(parts, matches[r.Intn(len(matches))]())
		}
		return strings.Join(append(parts, verdict(k)), " ")
	}
	var sb strings.Builder
	sb.WriteString("table inet t {\n chain s0 {\n  type filter hook input priority filter; policy " + []string{"accept", "drop"}[r.Intn(2)] + ";\n")
	for k := 0; k <= chains; k++ {
		if k > 0 {
			fmt.Fprintf(&sb, " chain s%d {\n", k)
		}
		for n := r.Intn(5); n > 0; n-- {
			sb.WriteString("  " + rule(k) + "\n")
		}
		sb.WriteString(" }\n")
	}
	sb.WriteString("}\n")
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
								set("ct mark", mark)
								// ct status varies with the other fields
								// (a full cross product would be slow).
								set("ct status", []string{"0", "0x20", "0x10", "0x30", "0x8", "0x28"}[(port+len(dev)+len(st))%6])
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
	agreesWithBruteForce(t, randomRuleset)
}

// TestSymbolicAgreesWithBruteForceChains does the same on rulesets
// with several chains, verdict maps and gotos.
func TestSymbolicAgreesWithBruteForceChains(t *testing.T) {
	agreesWithBruteForce(t, randomChains)
}

func agreesWithBruteForce(t *testing.T, randomRuleset func(*rand.Rand) string) {
	r := rand.New(rand.NewSource(randrs.Seed(1)))
	packets := grid(t)
	n := randrs.Cases(200)
	if testing.Short() {
		n = 40
	}
	proved, differ, met := 0, 0, 0
	for i := 0; i < n; i++ {
		srcA := randomRuleset(r)
		srcB := srcA
		switch r.Intn(3) {
		case 1:
			srcB = randomRuleset(r)
		case 2:
			srcB = mutate(r, srcA)
		}
		a, b := parse(t, srcA), parse(t, srcB)
		b = shareUnchanged(a, b)
		res := equiv.Check(a, b, equiv.Options{})
		full := equiv.Check(a, b, equiv.Options{FullWalk: true})
		sameAnswer(t, fmt.Sprintf("case %d", i), full, res)
		if res.Classes < full.Classes {
			met++
		}
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
	t.Logf("%d cases: %d proved equivalent, %d with a counterexample; the sides met in %d", n, proved, differ, met)
	if proved == 0 || differ == 0 {
		t.Errorf("the random cases should include both outcomes")
	}
}

// shareUnchanged gives b a's regular chains where b's have the same
// rules, as the optimizer leaves the chains it does not change: the two
// sides of a proof then share them, and may meet there.
func shareUnchanged(a, b *ir.Ruleset) *ir.Ruleset {
	text := func(c *ir.Chain) string {
		var sb strings.Builder
		for _, r := range c.Rules {
			for _, st := range r.Stmts {
				sb.WriteString(ir.StmtKey(st) + " ")
			}
			sb.WriteString("\n")
		}
		return sb.String()
	}
	return b.MapChains(func(t *ir.Table, c *ir.Chain) *ir.Chain {
		for _, ta := range a.Tables {
			if own := ta.Chain(c.Name); ta.Family == t.Family && ta.Name == t.Name && c.Base == nil && own != nil && text(own) == text(c) {
				return own
			}
		}
		return c
	})
}

// mutate swaps, drops or repeats one rule of src, or moves it to
// another chain: often a change no packet can see (rules that match
// disjoint packets swapped, a rule shadowed by the one before it
// repeated), often not, which is where a checker that is too eager to
// say "equivalent" shows.
func mutate(r *rand.Rand, src string) string {
	lines := strings.Split(src, "\n")
	var rules []int
	for i, l := range lines {
		if strings.HasPrefix(l, "  ") && !strings.HasPrefix(l, "  type ") {
			rules = append(rules, i)
		}
	}
	if len(rules) == 0 {
		return src
	}
	i := rules[r.Intn(len(rules))]
	switch r.Intn(4) {
	case 0: // swap with the next rule of the same chain
		if i+1 < len(lines) && strings.HasPrefix(lines[i+1], "  ") {
			lines[i], lines[i+1] = lines[i+1], lines[i]
		}
	case 1:
		lines = slices.Delete(lines, i, i+1)
	case 2:
		lines = slices.Insert(lines, i, lines[i])
	default: // move it before another rule, maybe of another chain
		j := rules[r.Intn(len(rules))]
		if strings.Contains(lines[i], "jump") || strings.Contains(lines[i], "goto") {
			// A call moved into a later chain could make a loop.
			return src
		}
		l := lines[i]
		lines = slices.Insert(slices.Delete(lines, i, i+1), min(j, len(lines)-1), l)
	}
	return strings.Join(lines, "\n")
}

func effects(o equiv.Outcome) string {
	var ks []string
	for _, e := range o.Effects {
		ks = append(ks, e.Key)
	}
	return strings.Join(ks, "; ")
}
