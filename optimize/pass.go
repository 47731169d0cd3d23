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
	// ElementCounters lets rules with an anonymous counter merge into a
	// verdict map whose elements each carry a counter (ip saddr vmap {
	// 10.0.0.1 counter : drop, ... }), as nft -o does. nft accepts
	// statements on anonymous map elements from 1.0.8 on (commit aceea86d,
	// "evaluate: allow stateful statements with anonymous verdict maps");
	// Debian's 1.0.6 rejects them, so the zero value leaves them out.
	ElementCounters bool
	// Passes restricts the pipeline to these pass names; empty means all.
	Passes []string
	// NoVerify skips the equivalence proof.
	NoVerify bool
	// FullProof walks every packet class of the proof to its end on both
	// sides (equiv.Options.FullWalk), so that Result.Proof.Evaluated
	// counts the rules of whole paths, as statistics need.
	FullProof bool
	// Tables restricts the passes to these tables ("family/name", or
	// "name" for every family); empty means all.
	Tables []string
	// Chains restricts the passes to chains with these names; empty
	// means all.
	Chains []string
	// RemoveUnreachableChains removes the regular chains no base chain
	// reaches (they are reported either way).
	RemoveUnreachableChains bool
	// CheckIR runs ir.Check after every pass: a pass that breaks an
	// invariant the input kept is an error naming the pass.
	CheckIR bool
	// AfterPass, when set, is called with the ruleset after each pass
	// (for --debug dumps). It must not modify it.
	AfterPass func(pass string, rs *ir.Ruleset)
}

// Kind says what a change did.
type Kind string

// The kinds of changes.
const (
	// NoEffect removed a rule made only of matches.
	NoEffect Kind = "no-effect"
	// Shadowed removed a rule whose packets earlier rules end (Cause,
	// when one rule does).
	Shadowed Kind = "shadowed"
	// AfterVerdict removed a rule after an unconditional verdict (Cause).
	AfterVerdict Kind = "after-verdict"
	// Merged replaced the Sources by one rule, Result.
	Merged Kind = "merged"
	// Moved moved the one source up, next to Cause.
	Moved Kind = "moved"
	// UnreachableChain reports Chain, which no base chain reaches;
	// Removed tells whether it was removed.
	UnreachableChain Kind = "unreachable-chain"
)

// Change records what a pass did: which source rules became which rule.
type Change struct {
	Pass  string
	Kind  Kind
	Table *ir.Table
	Chain *ir.Chain
	// Sources are the input rules; Result is the rule they became (nil
	// when they were removed).
	Sources []*ir.Rule
	Result  *ir.Rule
	// Cause is the earlier rule that made the sources dead, if any.
	Cause   *ir.Rule
	Removed bool
	Note    string
}

// Context is what a pass works on.
type Context struct {
	RS      *ir.Ruleset
	Opts    Options
	Changes []Change
	// at names the table and chain eachChain is in, for error reports.
	at string
}

func (c *Context) record(ch Change, format string, args ...any) {
	ch.Note = fmt.Sprintf(format, args...)
	c.Changes = append(c.Changes, ch)
}

// eachChain calls fn for every chain of the ruleset that the options
// select.
func (c *Context) eachChain(fn func(t *ir.Table, ch *ir.Chain)) {
	for _, t := range c.RS.Tables {
		if !c.tableSelected(t) {
			continue
		}
		for _, ch := range t.Chains {
			if c.chainSelected(ch) {
				c.at = fmt.Sprintf("table %s %s: chain %s", t.Family, t.Name, ch.Name)
				fn(t, ch)
			}
		}
		c.at = ""
	}
}
