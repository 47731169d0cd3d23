package lint

import (
	"errors"
	"fmt"
	"sort"
	"strings"

	"github.com/nftopt/nftopt/emit/nft"
	"github.com/nftopt/nftopt/ir"
	"github.com/nftopt/nftopt/optimize"
)

// ruleFindings runs the optimizer and turns each proved change into a
// finding: removed rules are shadowed, duplicate or without effect;
// merged rules are mergeable, with the merged rule as the fix.
func ruleFindings(rs *ir.Ruleset) ([]Finding, error) {
	res, err := optimize.Run(rs, optimize.Options{})
	var ve *optimize.VerifyError
	if errors.As(err, &ve) {
		return nil, fmt.Errorf("internal error: the optimizer's rewrite failed its proof (%v); please report it", err)
	}
	if err != nil {
		return nil, err
	}
	var out []Finding
	for _, u := range res.Unverified {
		out = append(out, Finding{Check: NotAnalyzed, Pos: firstPos(rs),
			Message: "rules are not checked for being dead or mergeable: " + u})
	}
	for _, c := range res.Changes {
		if f, ok := changeFinding(c); ok {
			out = append(out, f)
		}
	}
	return out, nil
}

func changeFinding(c optimize.Change) (Finding, bool) {
	fam := c.Table.Family
	print := func(r *ir.Rule) string { return nft.PrintRule(r, fam, nft.Options{}) }
	switch c.Kind {
	case optimize.NoEffect:
		r := c.Sources[0]
		return Finding{Check: NoEffect, Pos: rulePos(r), Message: fmt.Sprintf("rule %q only matches: it has no effect", print(r)),
			Fix: "remove the rule, or give it a verdict or statement"}, true
	case optimize.Shadowed, optimize.AfterVerdict:
		r := c.Sources[0]
		chk, msg := Shadowed, fmt.Sprintf("rule %q is never reached", print(r))
		if c.Cause != nil && sameEffect(r, c.Cause) {
			chk, msg = Duplicate, fmt.Sprintf("rule %q duplicates an earlier rule", print(r))
		}
		f := Finding{Check: chk, Pos: rulePos(r), Message: msg, Fix: "remove the rule"}
		if c.Cause == nil {
			f.Message += ": " + strings.TrimPrefix(c.Note, "never reached: ")
		}
		if c.Cause != nil {
			how := "ends every packet this rule matches"
			if c.Kind == optimize.AfterVerdict {
				how = "ends every packet before this rule"
			}
			f.Message += fmt.Sprintf(": %q %s", print(c.Cause), how)
			f.Related = []Related{{Pos: rulePos(c.Cause), Message: "the covering rule"}}
		}
		return f, true
	case optimize.Merged:
		var pos []ir.Pos
		for _, r := range c.Sources {
			pos = append(pos, origins(r)...)
		}
		sort.Slice(pos, func(i, j int) bool { return posLess(pos[i], pos[j]) })
		pos = uniquePos(pos)
		if len(pos) < 2 {
			return Finding{}, false
		}
		f := Finding{Check: Mergeable, Pos: pos[0], Saved: len(pos) - 1,
			Message: fmt.Sprintf("%d rules can be one (%s), which saves %s for a packet that passes them", len(pos), c.Note, evaluations(len(pos)-1)),
			Fix:     print(c.Result)}
		for _, p := range pos[1:] {
			f.Related = append(f.Related, Related{Pos: p, Message: "merged into the same rule"})
		}
		return f, true
	}
	return Finding{}, false
}

// origins lists the source positions a (possibly already merged) rule
// stands for.
func origins(r *ir.Rule) []ir.Pos {
	var out []ir.Pos
	for _, s := range r.Origin {
		if s.Start.IsValid() {
			out = append(out, s.Start)
		}
	}
	if len(out) == 0 && r.Span.Start.IsValid() {
		out = append(out, r.Span.Start)
	}
	return out
}

// sameEffect reports whether two rules have the same statements apart
// from their matches' spelling: a duplicate, not merely a cover.
func sameEffect(a, b *ir.Rule) bool {
	if len(a.Stmts) != len(b.Stmts) {
		return false
	}
	ka, kb := stmtKeys(a), stmtKeys(b)
	for i := range ka {
		if ka[i] != kb[i] {
			return false
		}
	}
	return true
}

func stmtKeys(r *ir.Rule) []string {
	var out []string
	for _, s := range r.Stmts {
		out = append(out, ir.StmtKey(s))
	}
	sort.Strings(out)
	return out
}

func rulePos(r *ir.Rule) ir.Pos {
	if r.Span.Start.IsValid() {
		return r.Span.Start
	}
	if ps := origins(r); len(ps) > 0 {
		return ps[0]
	}
	return ir.Pos{}
}

func posLess(a, b ir.Pos) bool {
	if a.File != b.File {
		return a.File < b.File
	}
	if a.Line != b.Line {
		return a.Line < b.Line
	}
	return a.Col < b.Col
}

// firstPos is the position of the first table, for findings about the
// whole ruleset.
func firstPos(rs *ir.Ruleset) ir.Pos {
	for _, t := range rs.Tables {
		if t.Span.Start.IsValid() {
			return t.Span.Start
		}
	}
	return ir.Pos{}
}

// describeChain names a chain as "table inet filter chain input".
func describeChain(t *ir.Table, c *ir.Chain) string {
	return strings.Join([]string{"table", t.Family.String(), t.Name, "chain", c.Name}, " ")
}

// uniquePos drops repeated positions from a sorted list.
func uniquePos(ps []ir.Pos) []ir.Pos {
	var out []ir.Pos
	for i, p := range ps {
		if i == 0 || p != ps[i-1] {
			out = append(out, p)
		}
	}
	return out
}

func evaluations(n int) string {
	if n == 1 {
		return "1 rule evaluation"
	}
	return fmt.Sprintf("%d rule evaluations", n)
}
