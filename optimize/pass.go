// Package optimize rewrites a ruleset into nftables' fast forms (sets,
// concatenations, verdict maps) and removes rules that can never fire,
// without changing what the ruleset does to any packet. The pipeline is
// one ordered table of passes (pipeline.go); Run proves the result
// equivalent to the input with ir/equiv before returning it.
package optimize

import (
	"fmt"

	"github.com/nftopt/nftopt/ir"
)

// Pass is one rewrite step of the pipeline.
type Pass struct {
	Name string
	Doc  string
	Run  func(*Context) error
}

// Options control the optimizer.
type Options struct {
	// KeepCounters makes rules with counters barriers: they are never merged.
	KeepCounters bool
	// Passes restricts the pipeline to these pass names; empty means all.
	Passes []string
	// NoVerify skips the equivalence proof.
	NoVerify bool
}

// Change records what a pass did: which source rules became which rule.
type Change struct {
	Pass  string
	Table *ir.Table
	Chain *ir.Chain
	// Sources are the input rules; Result is the rule they became (nil
	// when they were removed).
	Sources []*ir.Rule
	Result  *ir.Rule
	Note    string
}

// Context is what a pass works on.
type Context struct {
	RS      *ir.Ruleset
	Opts    Options
	Changes []Change
}

func (c *Context) record(pass string, t *ir.Table, ch *ir.Chain, src []*ir.Rule, res *ir.Rule, format string, args ...any) {
	c.Changes = append(c.Changes, Change{Pass: pass, Table: t, Chain: ch, Sources: src, Result: res, Note: fmt.Sprintf(format, args...)})
}

// eachChain calls fn for every chain of the ruleset.
func (c *Context) eachChain(fn func(t *ir.Table, ch *ir.Chain)) {
	for _, t := range c.RS.Tables {
		for _, ch := range t.Chains {
			fn(t, ch)
		}
	}
}
