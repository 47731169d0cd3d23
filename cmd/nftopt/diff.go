package main

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/nftopt/nftopt/emit/nft"
	"github.com/nftopt/nftopt/explain"
	"github.com/nftopt/nftopt/ir"
	"github.com/nftopt/nftopt/ir/equiv"
	"github.com/nftopt/nftopt/optimize"
	"github.com/nftopt/nftopt/textdiff"
	"github.com/spf13/cobra"
)

// diffFlags are the output flags shared by diff and optimize --diff.
type diffFlags struct {
	color   string
	format  string
	context int
	max     int
}

func (f *diffFlags) register(cmd *cobra.Command, withFormat bool) {
	cmd.Flags().StringVar(&f.color, "color", "auto", "colour the diff: auto (on a terminal), always or never")
	cmd.Flags().IntVarP(&f.context, "unified", "U", 3, "lines of context around each change")
	cmd.Flags().IntVar(&f.max, "max", 5, "report up to `N` packet classes whose outcome changes")
	if withFormat {
		cmd.Flags().StringVar(&f.format, "format", "text", "output format: text or json")
	}
}

func (f *diffFlags) check() error {
	switch f.color {
	case "auto", "always", "never":
	default:
		return &exitError{exitInput, fmt.Sprintf("nftopt: --color must be auto, always or never, not %q\n", f.color)}
	}
	if f.format != "text" && f.format != "json" {
		return &exitError{exitInput, fmt.Sprintf("nftopt: --format must be text or json, not %q\n", f.format)}
	}
	if f.context < 0 {
		return &exitError{exitInput, "nftopt: --unified must not be negative\n"}
	}
	return nil
}

func newDiff() *cobra.Command {
	var includes []string
	var inputFormat string
	var flags diffFlags
	cmd := &cobra.Command{
		Use:   "diff BEFORE AFTER",
		Short: "Show what changed between two rulesets, and whether any packet is treated differently",
		Long: `diff prints a unified diff of the two rulesets in canonical form (as
"nft list ruleset" prints them, so formatting and variables do not
show), the rules per chain before and after, the rules a packet is
tested against on average, and the verdict of nftopt equiv: equivalent,
or the packet classes whose outcome changes, with one concrete packet
each and the rules involved on both sides.

It exits 0 when the rulesets are equivalent, 1 when some packet is
treated differently, 2 on input errors and 3 when equivalence cannot be
decided.`,
		Example: `  nftopt diff before.nft after.nft
  nftopt diff --color=always old.nft new.nft | less -R
  nftopt diff --format json old.nft new.nft`,
		Args: cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := flags.check(); err != nil {
				return err
			}
			a, err := readRuleset(cmd, args[0], includes, inputFormat)
			if err != nil {
				return err
			}
			b, err := readRuleset(cmd, args[1], includes, inputFormat)
			if err != nil {
				return err
			}
			res := equiv.Check(a, b, equiv.Options{MaxDiffs: flags.max, FullWalk: true})
			rep := diffReport{nameA: args[0], nameB: args[1], a: a, b: b, proof: res}
			if err := rep.write(cmd.OutOrStdout(), flags); err != nil {
				return err
			}
			return rep.exit()
		},
	}
	cmd.Flags().StringArrayVarP(&includes, "include", "I", nil, "add `DIR` to the include search path")
	cmd.Flags().StringVar(&inputFormat, "input-format", formatAuto, "input format: auto, nft or json")
	flags.register(cmd, true)
	return cmd
}

// diffReport is everything diff and optimize --diff print.
type diffReport struct {
	nameA, nameB string
	a, b         *ir.Ruleset
	proof        equiv.Result
	// changes are the optimizer's changes (optimize --diff only).
	changes []optimize.Change
	// unverified is set when no proof was run, and says why.
	unverified string
}

func (r *diffReport) exit() error {
	switch {
	case len(r.proof.Diffs) > 0:
		return &exitError{code: exitFindings}
	case len(r.proof.Unknown) > 0:
		return &exitError{code: exitInternal}
	}
	return nil
}

// useColor decides whether to colour output written to w.
func useColor(mode string, w io.Writer) bool {
	switch mode {
	case "always":
		return true
	case "never":
		return false
	}
	if os.Getenv("NO_COLOR") != "" {
		return false
	}
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}

func (r *diffReport) write(w io.Writer, flags diffFlags) error {
	text := textdiff.Unified(r.nameA, r.nameB, nft.Print(r.a, nft.Options{}), nft.Print(r.b, nft.Options{}), flags.context)
	counts := optimize.ChainCounts(r.a, r.b)
	if flags.format == "json" {
		return r.writeJSON(w, text, counts)
	}
	if useColor(flags.color, w) {
		text = textdiff.Colorize(text)
	}
	if text == "" {
		text = "no textual difference in canonical form\n"
	}
	io.WriteString(w, text)
	if len(r.changes) > 0 {
		fmt.Fprintf(w, "\nchanges (source rules -> rule):\n")
		var sb strings.Builder
		explain.Write(&sb, r.changes)
		io.WriteString(w, indent(sb.String(), "  "))
	}
	fmt.Fprintf(w, "\nrules per chain (before -> after):\n")
	for _, c := range counts {
		mark := ""
		if c.Before != c.After {
			mark = " *"
		}
		fmt.Fprintf(w, "  %s %s %s: %d -> %d%s\n", c.Family, c.Table, c.Chain, c.Before, c.After, mark)
	}
	ba, aa := optimize.RuleCount(r.a), optimize.RuleCount(r.b)
	fmt.Fprintf(w, "  total: %d -> %d\n", ba, aa)
	if n := r.proof.Classes; n > 0 && len(r.proof.Diffs) == 0 {
		fmt.Fprintf(w, "rules evaluated per packet, averaged over packet classes: %.1f -> %.1f\n",
			float64(r.proof.Evaluated[0])/float64(n), float64(r.proof.Evaluated[1])/float64(n))
	}
	fmt.Fprintln(w)
	if r.unverified != "" {
		fmt.Fprintf(w, "equivalence not checked: %s\n", r.unverified)
		return nil
	}
	if len(r.proof.Diffs) > 0 {
		writeChangedClasses(w, r.proof)
	}
	writeEquivText(w, r.proof, "before", "after")
	return nil
}

// writeChangedClasses prints one line per packet class whose outcome
// changes: its family and hook, the verdicts before and after, and a
// packet of the class.
func writeChangedClasses(w io.Writer, res equiv.Result) {
	fmt.Fprintf(w, "packet classes whose outcome changes:\n")
	fmt.Fprintf(w, "  %-3s %-7s %-12s %-8s %-8s %s\n", "#", "family", "hook", "before", "after", "packet")
	for i, d := range res.Diffs {
		before, after := d.A.Verdict, d.B.Verdict
		if before == after {
			before += "*"
			after += "*"
		}
		fmt.Fprintf(w, "  %-3d %-7s %-12s %-8s %-8s %s\n", i+1, d.Family, d.Hook, before, after, strings.Join(packetText(d.Packet), ", "))
	}
	for _, d := range res.Diffs {
		if d.A.Verdict == d.B.Verdict {
			fmt.Fprintf(w, "  (* same verdict, different side effects)\n")
			break
		}
	}
	fmt.Fprintln(w)
}

func indent(s, pre string) string {
	lines := strings.SplitAfter(s, "\n")
	for i, l := range lines {
		if l != "" {
			lines[i] = pre + l
		}
	}
	return strings.Join(lines, "")
}

type jsonChainCount struct {
	Family string `json:"family"`
	Table  string `json:"table"`
	Chain  string `json:"chain"`
	Before int    `json:"before"`
	After  int    `json:"after"`
}

type jsonChange struct {
	Pass    string   `json:"pass"`
	Table   string   `json:"table"`
	Chain   string   `json:"chain"`
	Note    string   `json:"note"`
	Sources []string `json:"sources"`
	Result  string   `json:"result,omitempty"`
}

func (r *diffReport) writeJSON(w io.Writer, text string, counts []optimize.ChainCount) error {
	out := struct {
		Before      string           `json:"before"`
		After       string           `json:"after"`
		Diff        string           `json:"diff"`
		Chains      []jsonChainCount `json:"chains"`
		Changes     []jsonChange     `json:"changes,omitempty"`
		Evaluations *[2]float64      `json:"evaluations_per_packet,omitempty"`
		Equivalent  bool             `json:"equivalent"`
		Unverified  string           `json:"unverified,omitempty"`
		Classes     int              `json:"classes"`
		Diffs       []jsonDiff       `json:"diffs"`
		Unknown     []string         `json:"unknown"`
	}{Before: r.nameA, After: r.nameB, Diff: text, Chains: []jsonChainCount{}, Equivalent: r.proof.Equivalent,
		Classes: r.proof.Classes, Diffs: jsonDiffs(r.proof), Unknown: r.proof.Unknown, Unverified: r.unverified}
	for _, c := range counts {
		out.Chains = append(out.Chains, jsonChainCount(c))
	}
	for _, c := range r.changes {
		jc := jsonChange{Pass: c.Pass, Table: c.Table.Family.String() + " " + c.Table.Name, Chain: c.Chain.Name, Note: c.Note, Sources: []string{}}
		for _, s := range c.Sources {
			jc.Sources = append(jc.Sources, fmt.Sprintf("%s: %s", s.Span.Start, nft.PrintRule(s, c.Table.Family, nft.Options{})))
		}
		if c.Result != nil {
			jc.Result = nft.PrintRule(c.Result, c.Table.Family, nft.Options{})
		}
		out.Changes = append(out.Changes, jc)
	}
	if n := r.proof.Classes; n > 0 && len(r.proof.Diffs) == 0 {
		out.Evaluations = &[2]float64{float64(r.proof.Evaluated[0]) / float64(n), float64(r.proof.Evaluated[1]) / float64(n)}
	}
	if out.Unknown == nil {
		out.Unknown = []string{}
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(out)
}
