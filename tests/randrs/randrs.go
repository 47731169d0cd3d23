// Package randrs generates random rulesets for property tests: rules
// drawn from shapes that merge, over small value domains, so that they
// overlap, repeat and interleave.
package randrs

import (
	"fmt"
	"math/rand"
	"os"
	"strconv"
	"strings"
)

// Seed returns NFTOPT_SEED when set, else def: long runs explore more
// with NFTOPT_SEED and NFTOPT_CASES.
func Seed(def int64) int64 {
	if s, err := strconv.ParseInt(os.Getenv("NFTOPT_SEED"), 10, 64); err == nil {
		return s
	}
	return def
}

// Cases returns NFTOPT_CASES when set, else def.
func Cases(def int) int {
	if n, err := strconv.Atoi(os.Getenv("NFTOPT_CASES")); err == nil && n > 0 {
		return n
	}
	return def
}

// Chain writes a ruleset with one input chain of rules drawn from shapes that merge, with
// small value domains so that they overlap, repeat and interleave.
func Chain(r *rand.Rand) string {
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
		l4 := ""
		for m := 1 + r.Intn(2); m > 0; m-- {
			p := matches[r.Intn(len(matches))]()
			// nft rejects two transport protocols in one rule.
			if proto, _, _ := strings.Cut(p, " "); proto == "tcp" || proto == "udp" {
				if l4 != "" && l4 != proto {
					continue
				}
				l4 = proto
			}
			parts = append(parts, p)
		}
		parts = append(parts, verdicts[r.Intn(len(verdicts))])
		sb.WriteString("  " + strings.Join(parts, " ") + "\n")
	}
	sb.WriteString(" }\n}\n")
	return sb.String()
}
