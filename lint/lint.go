// Package lint finds problems in a ruleset: rules that never fire,
// rules that could be one set or map, overlapping elements, chains no
// rule reaches, jump loops, verdicts another base chain overrides, and
// rules that nft -o would merge unsoundly. Every finding has a stable
// ID, a severity, a position and, where there is one, a suggested fix.
//
// Findings about rules come from the optimizer's own passes (so lint
// suggests exactly what nftopt optimize would do, and only what its
// proof accepts) and from ir/equiv.
package lint

import (
	"fmt"
	"sort"

	"github.com/nftopt/nftopt/ir"
)

// Severity orders findings: Info < Warning < Error.
type Severity int

// The severities.
const (
	Info Severity = iota
	Warning
	Error
)

var severityNames = [...]string{"info", "warning", "error"}

// String returns "info", "warning" or "error".
func (s Severity) String() string { return severityNames[s] }

// ParseSeverity maps "info", "warning" or "error" to a Severity.
func ParseSeverity(s string) (Severity, bool) {
	for i, n := range severityNames {
		if n == s {
			return Severity(i), true
		}
	}
	return 0, false
}

// Check describes one kind of finding.
type Check struct {
	ID       string
	Name     string
	Severity Severity
	Doc      string
}

// The checks, by ID. IDs never change meaning; retired IDs are not reused.
var (
	Shadowed = Check{"NFT001", "shadowed-rule", Warning,
		"a rule no packet reaches: an earlier rule of the chain ends every packet it matches"}
	Duplicate = Check{"NFT002", "duplicate-rule", Warning,
		"a rule identical in effect to an earlier rule of the chain, which ends every packet it matches"}
	NoEffect = Check{"NFT003", "no-effect-rule", Warning,
		"a rule made only of matches: it changes nothing and decides nothing"}
	Mergeable = Check{"NFT010", "mergeable-rules", Warning,
		"rules that can be one rule with an anonymous set, a concatenation or a map (what nftopt optimize does)"}
	Overlap = Check{"NFT020", "overlapping-elements", Warning,
		"elements of a set or map that overlap; in a map with different values nft rejects them (conflicting intervals)"}
	UnreachableChain = Check{"NFT030", "unreachable-chain", Warning,
		"a regular chain that no rule jumps or goes to"}
	JumpLoop = Check{"NFT031", "jump-loop", Error,
		"chains that jump or go to each other in a cycle; the kernel rejects the ruleset"}
	AcceptOverridden = Check{"NFT040", "accept-overridden", Warning,
		"an accept that never lets a packet through: a later base chain on the same hook drops every packet it accepts"}
	Unreached = Check{"NFT041", "unreached-rule", Warning,
		"an accept in a base chain that shares its hook with others, which no packet reaches (found by the equivalence checker: typically an earlier base chain drops every packet it matches)"}
	NftOUnsound = Check{"NFT050", "nft-o-unsound", Warning,
		"adjacent rules that nft -o (nftables' own optimizer) would merge wrongly: a bitmask folded into exact values, or overlapping keys with different verdicts"}
	NotAnalyzed = Check{"NFT090", "not-analyzed", Info,
		"part of the ruleset that lint cannot reason about (a construct the equivalence checker does not model)"}
)

// Checks lists every check, by ID.
var Checks = []Check{Shadowed, Duplicate, NoEffect, Mergeable, Overlap, UnreachableChain, JumpLoop,
	AcceptOverridden, Unreached, NftOUnsound, NotAnalyzed}

// Related is a second position a finding refers to.
type Related struct {
	Pos     ir.Pos
	Message string
}

// Finding is one problem at one place.
type Finding struct {
	Check
	Pos     ir.Pos
	Message string
	// Fix is the suggested fix: nft text to write instead, or what to do.
	Fix     string
	Related []Related
	// Saved is the number of rule evaluations a packet that walks past
	// the rules saves once the fix is applied (mergeable rules).
	Saved int
}

func (f Finding) String() string {
	return fmt.Sprintf("%s: %s: %s [%s %s]", f.Pos, f.Severity, f.Message, f.ID, f.Name)
}

// Options control lint.
type Options struct {
	// MaxChecks bounds the accept rules per hook the cross-chain checks
	// (NFT040, NFT041) look at, each with one or two equivalence checks
	// of the hook; 0 means 16. Past it, an NFT090 finding says so.
	MaxChecks int
}

// Run lints a ruleset and returns its findings sorted by position.
func Run(rs *ir.Ruleset, opts Options) ([]Finding, error) {
	if opts.MaxChecks <= 0 {
		opts.MaxChecks = 16
	}
	var out []Finding
	rules, err := ruleFindings(rs)
	if err != nil {
		return nil, err
	}
	out = append(out, rules...)
	// Rules already reported as never reached or useless are not checked
	// against the other base chains again.
	dead := map[ir.Pos]bool{}
	for _, f := range rules {
		switch f.ID {
		case Shadowed.ID, Duplicate.ID, NoEffect.ID:
			dead[f.Pos] = true
		}
	}
	out = append(out, overlapFindings(rs)...)
	out = append(out, chainFindings(rs)...)
	out = append(out, hookFindings(rs, opts, dead)...)
	out = append(out, nftOFindings(rs)...)
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].Pos != out[j].Pos {
			return posLess(out[i].Pos, out[j].Pos)
		}
		return out[i].ID < out[j].ID
	})
	return out, nil
}

// Count returns the number of findings per check ID.
func Count(fs []Finding) map[string]int {
	m := map[string]int{}
	for _, f := range fs {
		m[f.ID]++
	}
	return m
}
