package equiv

import (
	"slices"

	"github.com/nftopt/nftopt/ir"
)

// Two hooks of one family can compile to the same program: kube-proxy
// and many hand-written rulesets jump from a prerouting and an output
// nat chain to one chain of services. Such a twin is not walked again
// once its first hook proved equivalent.

// hookKind names what the compiler derives from a base chain's hook
// (see natGuard and beforeConntrack): prerouting and output chains run
// before conntrack at priority -200 or lower and NAT the destination;
// input and postrouting chains NAT the source. Other hooks have no twin.
func hookKind(hook string) string {
	switch hook {
	case "prerouting", "output":
		return "dnat"
	case "input", "postrouting":
		return "snat"
	}
	return ""
}

// hookBases lists, in table order, the base chains on hook of the tables
// of rs that see fr's packets.
func hookBases(rs *ir.Ruleset, fr familyRun, hook string) (tables []*ir.Table, chains []*ir.Chain) {
	for _, t := range rs.Tables {
		if !slices.Contains(fr.tables, t.Family) {
			continue
		}
		for _, c := range t.Chains {
			if c.Base != nil && c.Base.Hook == hook {
				tables = append(tables, t)
				chains = append(chains, c)
			}
		}
	}
	return tables, chains
}

// twinHooks reports that compile(a, b, fr, h1) and compile(a, b, fr, h2)
// build the same program: the hooks are of one kind, and on each side
// the base chains on h1 pair up, in order, with those on h2: same table,
// name on the other side, type, priority, policy, devices and rules.
func twinHooks(a, b *ir.Ruleset, fr familyRun, h1, h2 string) bool {
	if h1 == h2 || hookKind(h1) == "" || hookKind(h1) != hookKind(h2) {
		return false
	}
	var names [2][2][]string
	for side, rs := range []*ir.Ruleset{a, b} {
		t1, c1 := hookBases(rs, fr, h1)
		t2, c2 := hookBases(rs, fr, h2)
		if len(c1) == 0 || len(c1) != len(c2) {
			return false
		}
		for i := range c1 {
			x, y := c1[i].Base, c2[i].Base
			if t1[i] != t2[i] || x.Type != y.Type || priorityValue(t1[i].Family, x) != priorityValue(t2[i].Family, y) ||
				x.Policy != y.Policy || !slices.Equal(x.Devices, y.Devices) || !sameRules(c1[i].Rules, c2[i].Rules) {
				return false
			}
			names[side][0] = append(names[side][0], c1[i].Name)
			names[side][1] = append(names[side][1], c2[i].Name)
		}
	}
	// A base chain's name is part of its outcomes (a policy verdict):
	// the sides must name their chains alike on both hooks.
	return slices.Equal(names[0][0], names[1][0]) && slices.Equal(names[0][1], names[1][1])
}
