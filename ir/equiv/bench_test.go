package equiv_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/nftopt/nftopt/ir/equiv"
)

// blocklistPair returns n "ip saddr X drop" rules and the same as one set.
func blocklistPair(n int) (string, string) {
	var rules, elems []string
	for i := 0; i < n; i++ {
		addr := fmt.Sprintf("10.%d.%d.%d", i>>16&255, i>>8&255, i&255)
		rules = append(rules, "ip saddr "+addr+" drop")
		elems = append(elems, addr)
	}
	return inputChain("accept", rules...), inputChain("accept", "ip saddr { "+strings.Join(elems, ", ")+" } drop")
}

// servicePair returns n kube-proxy-like dispatch rules
// "ip daddr X tcp dport P jump svc-i" and the same as a verdict map.
func servicePair(n int) (string, string) {
	var rules, elems, chains []string
	for i := 0; i < n; i++ {
		addr := fmt.Sprintf("172.%d.%d.%d", 16+i>>16&15, i>>8&255, i&255)
		port := 80 + i%3
		rules = append(rules, fmt.Sprintf("ip daddr %s tcp dport %d jump svc-%d", addr, port, i))
		elems = append(elems, fmt.Sprintf("%s . %d : jump svc-%d", addr, port, i))
		chains = append(chains, fmt.Sprintf(" chain svc-%d {\n  meta mark set %d accept\n }\n", i, i+1))
	}
	sub := "table inet t {\n" + strings.Join(chains, "") + "}\n"
	return inputChain("drop", rules...) + sub,
		inputChain("drop", "ip daddr . tcp dport vmap { "+strings.Join(elems, ", ")+" }") + sub
}

func BenchmarkCheck(b *testing.B) {
	for _, n := range []int{1000, 10000} {
		for _, tc := range []struct {
			name string
			gen  func(int) (string, string)
			want bool
		}{
			{"blocklist", blocklistPair, true},
			{"services", servicePair, true},
			{"blocklist-differ", func(n int) (string, string) {
				a, _ := blocklistPair(n)
				c, _ := blocklistPair(n - 1)
				return a, c
			}, false},
		} {
			sa, sb := tc.gen(n)
			a, bb := parse(b, sa), parse(b, sb)
			b.Run(fmt.Sprintf("%s/%d", tc.name, n), func(b *testing.B) {
				b.ReportAllocs()
				for i := 0; i < b.N; i++ {
					res := equiv.Check(a, bb, equiv.Options{})
					if res.Equivalent != tc.want {
						b.Fatalf("equivalent = %v, want %v (unknown %v)", res.Equivalent, tc.want, res.Unknown)
					}
				}
			})
		}
	}
}
