package optimize

import (
	"github.com/nftopt/nftopt/ir"
)

// dropDependencies removes the protocol matches that nft adds by itself
// for the selector that follows them (meta l4proto tcp before tcp
// dport; meta nfproto ipv4 before ip saddr in inet), so that rules
// written with and without them have the same shape and merge: meta
// l4proto tcp tcp dport 22 accept; tcp dport 80 accept becomes one rule.
// nft loads either form into the same bytecode and lists it without the
// dependency, as the printer does, so the pass changes nothing a user
// sees by itself and records no change.
var dropDependencies = Pass{
	Name: "deps",
	Doc:  "drop protocol matches nft adds by itself (meta l4proto tcp before tcp dport), so that such rules merge with the others",
	Run: func(c *Context) error {
		c.eachChain(func(t *ir.Table, ch *ir.Chain) {
			for i, r := range ch.Rules {
				if nr, ok := withoutDependencies(t.Family, r); ok {
					ch.Rules[i] = nr
				}
			}
		})
		return nil
	},
}

// withoutDependencies returns r less the matches ir.ImpliedBy finds
// implied by the statement after them, and whether there were any.
func withoutDependencies(fam ir.Family, r *ir.Rule) (*ir.Rule, bool) {
	drop := func(i int) bool { return i+1 < len(r.Stmts) && ir.ImpliedBy(fam, r.Stmts[i], r.Stmts[i+1]) }
	n := 0
	for i := range r.Stmts {
		if drop(i) {
			n++
		}
	}
	if n == 0 {
		return nil, false
	}
	nr := *r
	nr.Stmts = make([]ir.Stmt, 0, len(r.Stmts)-n)
	for i, s := range r.Stmts {
		if !drop(i) {
			nr.Stmts = append(nr.Stmts, s)
		}
	}
	return &nr, true
}
