package optimize

import (
	"fmt"
	"slices"
	"strings"

	"github.com/nftopt/nftopt/ir"
	"github.com/nftopt/nftopt/ir/equiv"
)

// Pipeline is the ordered list of passes. Order matters:
//   - chains runs first, so that no pass spends time on chains it removes;
//   - deps runs before the passes that compare rules, so that a rule
//     written with nft's implied protocol match compares equal to one
//     written without;
//   - dead runs before merge, so that shadowed rules do not break merge runs;
//   - intervals runs before merge, so that runs see coalesced sets;
//   - reorder runs before merge, to bring rules of one shape together;
//   - merge runs twice: the second round merges rules that the first
//     made alike (sets of the same shape next to each other).
var Pipeline = []Pass{unreachableChains, dropDependencies, deadRules, coalesceIntervals, reorderRules, mergeRules, mergeRules}

// Result is the outcome of Run.
type Result struct {
	// Output is the optimized ruleset (the input itself when nothing
	// could be proved).
	Output  *ir.Ruleset
	Changes []Change
	// Proof is the equivalence check of Output against the input.
	Proof equiv.Result
	// Unverified explains why the input was kept unchanged, when it was.
	Unverified []string
}

// VerifyError is returned when the optimized ruleset is not equivalent
// to the input: an internal error, with the counterexample.
type VerifyError struct{ Proof equiv.Result }

func (e *VerifyError) Error() string {
	return fmt.Sprintf("optimized ruleset is not equivalent to the input (%d packet classes differ)", len(e.Proof.Diffs))
}

// Run optimizes rs (which it does not modify) and proves the result
// equivalent. When the proof fails it returns a *VerifyError; when the
// checker cannot decide (constructs it does not model), the input is
// returned unchanged with the reasons in Unverified.
func Run(rs *ir.Ruleset, opts Options) (*Result, error) {
	c := &Context{RS: cloneRuleset(rs), Opts: opts}
	inputOK := !opts.CheckIR || ir.Check(rs) == nil
	var prep *equiv.Prepared
	if !opts.NoVerify {
		// The input's side of the proof compiles while the passes run.
		prep = equiv.Prepare(rs, equiv.Options{})
		defer prep.Close()
	}
	for _, p := range Pipeline {
		if len(opts.Passes) > 0 && !slices.Contains(opts.Passes, p.Name) {
			continue
		}
		if err := runPass(p, c); err != nil {
			return nil, err
		}
		if opts.CheckIR && inputOK {
			if err := ir.Check(c.RS); err != nil {
				return nil, fmt.Errorf("pass %s broke the ruleset: %w", p.Name, err)
			}
		}
		if opts.AfterPass != nil {
			opts.AfterPass(p.Name, c.RS)
		}
	}
	res := &Result{Output: c.RS, Changes: c.Changes}
	if opts.NoVerify || !rewritten(c.Changes) {
		return res, nil
	}
	res.Proof = equiv.Check(rs, c.RS, equiv.Options{MaxDiffs: 3, Prepared: prep, FullWalk: opts.FullProof})
	switch {
	case len(res.Proof.Diffs) > 0:
		return res, &VerifyError{Proof: res.Proof}
	case len(res.Proof.Unknown) > 0:
		res.Unverified = res.Proof.Unknown
		res.Output = rs
		res.Changes = nil
	}
	return res, nil
}

// runPass runs one pass, turning a panic into an error that names the
// pass and the table and chain it was working on.
func runPass(p Pass, c *Context) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("pass %s panicked in %s: %v", p.Name, c.at, r)
		}
	}()
	if err := p.Run(c); err != nil {
		return fmt.Errorf("pass %s: %w", p.Name, err)
	}
	return nil
}

// PassNames lists the pipeline's pass names in order, without repeats.
func PassNames() []string {
	var out []string
	for _, p := range Pipeline {
		if !slices.Contains(out, p.Name) {
			out = append(out, p.Name)
		}
	}
	return out
}

// Describe returns the pipeline as "name: doc" lines.
func Describe() string {
	var sb strings.Builder
	width := 0
	for _, p := range Pipeline {
		width = max(width, len(p.Name))
	}
	seen := map[string]bool{}
	for _, p := range Pipeline {
		if seen[p.Name] {
			continue
		}
		seen[p.Name] = true
		fmt.Fprintf(&sb, "%-*s %s\n", width, p.Name, p.Doc)
	}
	return sb.String()
}

// cloneRuleset copies the ruleset down to its rule lists; passes treat
// rules, statements and expressions as immutable and build new ones.
func cloneRuleset(rs *ir.Ruleset) *ir.Ruleset {
	return rs.MapChains(func(_ *ir.Table, c *ir.Chain) *ir.Chain {
		nc := *c
		nc.Rules = append([]*ir.Rule(nil), c.Rules...)
		return &nc
	})
}

// RuleCount counts the rules of a ruleset.
func RuleCount(rs *ir.Ruleset) int {
	n := 0
	for _, t := range rs.Tables {
		for _, c := range t.Chains {
			n += len(c.Rules)
		}
	}
	return n
}

// ChainCount is the number of rules of one chain before and after a
// rewrite (0 on the side where the chain does not exist).
type ChainCount struct {
	Family, Table, Chain string
	Before, After        int
}

// ChainCounts lists the rules per chain of two rulesets, in the order
// the chains first appear (before's chains, then after's new ones).
func ChainCounts(before, after *ir.Ruleset) []ChainCount {
	var out []ChainCount
	index := map[string]int{}
	for side, rs := range []*ir.Ruleset{before, after} {
		for _, t := range rs.Tables {
			for _, c := range t.Chains {
				key := t.Family.String() + " " + t.Name + " " + c.Name
				i, ok := index[key]
				if !ok {
					i = len(out)
					index[key] = i
					out = append(out, ChainCount{Family: t.Family.String(), Table: t.Name, Chain: c.Name})
				}
				if side == 0 {
					out[i].Before += len(c.Rules)
				} else {
					out[i].After += len(c.Rules)
				}
			}
		}
	}
	return out
}

// rewritten reports whether some change rewrote the ruleset (not only
// reported something).
func rewritten(cs []Change) bool {
	for _, c := range cs {
		if c.Kind != UnreachableChain || c.Removed {
			return true
		}
	}
	return false
}
