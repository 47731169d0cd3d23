package main

import (
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"github.com/nftopt/nftopt/emit/nft"
	"github.com/nftopt/nftopt/explain"
	"github.com/nftopt/nftopt/ir"
	"github.com/nftopt/nftopt/optimize"
	"github.com/spf13/cobra"
)

func newOptimize() *cobra.Command {
	var includes, passes, tables, chains, debug []string
	var removeUnreachable bool
	var out, inputFormat, format string
	var target string
	var inPlace, stats, showExplain, keepCounters, noVerify, showDiff bool
	var dflags diffFlags
	cmd := &cobra.Command{
		Use:   "optimize [FILE|-]",
		Short: "Rewrite a ruleset into sets, maps and concatenations, proved equivalent",
		Long: `optimize merges linear rules into anonymous sets, concatenations and
verdict maps, removes rules no packet can reach, and proves the result
equivalent to the input (nftopt equiv) before printing it, as canonical
nft text that "nft -f" loads.

If the proof finds a difference, nothing is printed and the exit status
is 3 (an nftopt bug: please report it with the counterexample). If the
checker cannot decide, the input is printed unchanged with a warning.`,
		Example: `  nftopt optimize ruleset.nft
  nftopt optimize --stats --explain /etc/nftables.conf -o optimized.nft
  nftopt optimize --in-place ruleset.nft
  nftopt optimize --diff ruleset.nft`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			arg := "-"
			if len(args) == 1 {
				arg = args[0]
			}
			if inPlace {
				if arg == "-" || out != "" {
					return &exitError{exitInput, "nftopt: --in-place needs a file and no -o\n"}
				}
				out = arg
			}
			for _, p := range passes {
				if !slices.Contains(optimize.PassNames(), p) {
					return &exitError{exitInput, fmt.Sprintf("nftopt: unknown pass %q (passes: %s)\n", p, strings.Join(optimize.PassNames(), ", "))}
				}
			}
			dflags.format = "text"
			if err := dflags.check(); err != nil {
				return err
			}
			version, err := targetVersion(target)
			if err != nil {
				return &exitError{exitInput, "nftopt: " + err.Error() + "\n"}
			}
			opts := optimize.Options{KeepCounters: keepCounters, Passes: passes, NoVerify: noVerify,
				Tables: tables, Chains: chains, RemoveUnreachableChains: removeUnreachable, ElementCounters: elementCounters(version),
				FullProof: stats || showDiff}
			clock, err := debugOptions(&opts, debug, cmd.ErrOrStderr())
			if err != nil {
				return err
			}
			rs, err := readRuleset(cmd, arg, includes, inputFormat)
			if err != nil {
				return err
			}
			clock.mark("read")
			res, err := optimize.Run(rs, opts)
			if noVerify {
				clock.mark("finish")
			} else {
				clock.mark("verify")
			}
			var ve *optimize.VerifyError
			if errors.As(err, &ve) {
				var sb strings.Builder
				sb.WriteString("nftopt: internal error: the optimized ruleset is not equivalent to the input; nothing was written.\n")
				writeEquivText(&sb, ve.Proof, "input", "optimized")
				return &exitError{exitInternal, sb.String()}
			}
			if err != nil {
				return &exitError{exitInternal, fmt.Sprintf("nftopt: internal error: %v\n", err)}
			}
			errw := cmd.ErrOrStderr()
			for _, u := range res.Unverified {
				fmt.Fprintf(errw, "nftopt: warning: not optimized, the result could not be verified: %s\n", u)
			}
			if showExplain {
				explain.Write(errw, res.Changes)
			}
			if stats {
				writeStats(errw, rs, res)
			}
			clock.reset()
			text, err := formatRuleset(res.Output, format, nft.Options{Target: version})
			if err != nil {
				return err
			}
			clock.mark("format")
			if !showDiff {
				err := writeOutput(cmd, out, text)
				clock.mark("write")
				return err
			}
			if out != "" {
				if err := writeOutput(cmd, out, text); err != nil {
					return err
				}
			}
			name := arg
			if arg == "-" {
				name = "<stdin>"
			}
			rep := diffReport{nameA: name, nameB: name + " (optimized)", a: rs, b: res.Output, proof: res.Proof, changes: res.Changes}
			switch {
			case noVerify:
				rep.unverified = "--no-verify"
			case len(res.Changes) == 0:
				rep.unverified = "nothing changed"
			}
			return rep.write(cmd.OutOrStdout(), dflags)
		},
	}
	cmd.Flags().StringArrayVarP(&includes, "include", "I", nil, "add `DIR` to the include search path")
	cmd.Flags().StringVarP(&out, "output", "o", "", "write to `FILE` (atomically) instead of stdout")
	cmd.Flags().BoolVar(&inPlace, "in-place", false, "rewrite the input file (atomically)")
	cmd.Flags().BoolVar(&stats, "stats", false, "print rules and evaluations per packet before and after, on stderr")
	cmd.Flags().BoolVar(&showExplain, "explain", false, "print which source rules became which rule, on stderr")
	cmd.Flags().StringSliceVar(&passes, "passes", nil, "run only these passes (see nftopt passes)")
	cmd.Flags().BoolVar(&keepCounters, "keep-counters", false, "never merge rules that have counters")
	cmd.Flags().StringVar(&target, "target-nft", "auto", "the nft `VERSION` the output must load on (auto: the nft on PATH, or the newest when there is none); from 1.0.8 on, counters may sit on verdict map elements; before 1.1.4, ct status bits after dnat print as numbers")
	cmd.Flags().BoolVar(&noVerify, "no-verify", false, "skip the equivalence proof")
	cmd.Flags().StringVar(&inputFormat, "input-format", formatAuto, "input format: auto, nft or json")
	cmd.Flags().StringVar(&format, "format", formatNft, "output format: nft or json")
	cmd.Flags().StringSliceVar(&tables, "table", nil, "optimize only these tables (`FAMILY/NAME`, or NAME for any family)")
	cmd.Flags().StringSliceVar(&chains, "chain", nil, "optimize only chains with these `NAME`s")
	cmd.Flags().BoolVar(&removeUnreachable, "remove-unreachable-chains", false, "remove regular chains no base chain reaches (always reported with --explain)")
	cmd.Flags().StringSliceVar(&debug, "debug", nil, "debugging: check (ir.Check after every pass), dump (the ruleset after every pass, on stderr), PASS/dump, or time (the time of each phase, on stderr)")
	cmd.Flags().BoolVar(&showDiff, "diff", false, "print the diff between input and output, the changes and the proof instead of the ruleset (with -o, write the ruleset there too)")
	dflags.register(cmd, false)
	return cmd
}

func newPasses() *cobra.Command {
	return &cobra.Command{
		Use:   "passes",
		Short: "List the optimizer's passes in pipeline order",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			_, err := io.WriteString(cmd.OutOrStdout(), optimize.Describe())
			return err
		},
	}
}

// writeStats prints rule counts and the estimated rule evaluations a
// packet costs before and after: the rules of every chain, as a packet
// that walks each chain to its end would evaluate them.
func writeStats(w io.Writer, before *ir.Ruleset, res *optimize.Result) {
	b, a := optimize.RuleCount(before), optimize.RuleCount(res.Output)
	fmt.Fprintf(w, "rules: %d -> %d", b, a)
	if b > 0 {
		fmt.Fprintf(w, " (%.1f%% fewer)", 100*float64(b-a)/float64(b))
	}
	fmt.Fprintf(w, "\nrules a packet may evaluate in the longest chain: %d -> %d\n", worstWalk(before), worstWalk(res.Output))
	unreachable, removed := 0, 0
	for _, c := range res.Changes {
		if c.Kind == optimize.UnreachableChain {
			unreachable++
			if c.Removed {
				removed++
			}
		}
	}
	if unreachable > 0 {
		fmt.Fprintf(w, "chains no base chain reaches: %d (%d removed)\n", unreachable, removed)
	}
	if n := res.Proof.Classes; n > 0 {
		fmt.Fprintf(w, "rules evaluated per packet, averaged over packet classes: %.1f -> %.1f\n",
			float64(res.Proof.Evaluated[0])/float64(n), float64(res.Proof.Evaluated[1])/float64(n))
		fmt.Fprintf(w, "verified equivalent over %d packet classes\n", n)
	}
}

// worstWalk is the number of rules of the longest chain: what a packet
// that reaches its end evaluates there.
func worstWalk(rs *ir.Ruleset) int {
	n := 0
	for _, t := range rs.Tables {
		for _, c := range t.Chains {
			if len(c.Rules) > n {
				n = len(c.Rules)
			}
		}
	}
	return n
}

// debugOptions applies --debug values: "check" runs ir.Check after
// every pass; "dump" prints the ruleset after every pass and
// "PASS/dump" after that pass, on w, as nft text that parses again;
// "time" returns a clock that prints how long each phase took.
func debugOptions(opts *optimize.Options, values []string, w io.Writer) (*phaseClock, error) {
	dump := map[string]bool{}
	var clock *phaseClock
	for _, v := range values {
		pass, ok := strings.CutSuffix(v, "/dump")
		switch {
		case v == "check":
			opts.CheckIR = true
		case v == "dump":
			dump[""] = true
		case v == "time":
			clock = &phaseClock{w: w, last: time.Now()}
		case ok && slices.Contains(optimize.PassNames(), pass):
			dump[pass] = true
		default:
			return nil, &exitError{exitInput, fmt.Sprintf("nftopt: unknown --debug value %q (check, dump, time, or PASS/dump with PASS one of %s)\n", v, strings.Join(optimize.PassNames(), ", "))}
		}
	}
	if len(dump) == 0 && clock == nil {
		return nil, nil
	}
	n := 0
	opts.AfterPass = func(pass string, rs *ir.Ruleset) {
		n++
		clock.mark("pass " + pass)
		if dump[""] || dump[pass] {
			fmt.Fprintf(w, "# after pass %d (%s)\n%s", n, pass, nft.Print(rs, nft.Options{}))
			clock.reset()
		}
	}
	return clock, nil
}

// phaseClock prints, for --debug time, the wall time of each phase of a
// run on w; a nil clock prints nothing.
type phaseClock struct {
	w    io.Writer
	last time.Time
}

// mark prints the time since the previous mark (or the start) as the
// time of phase.
func (c *phaseClock) mark(phase string) {
	if c == nil {
		return
	}
	now := time.Now()
	fmt.Fprintf(c.w, "nftopt: time: %-16s %8.3f s\n", phase, now.Sub(c.last).Seconds())
	c.last = now
}

// reset starts the next phase now, leaving out what happened since the
// last mark (a dump).
func (c *phaseClock) reset() {
	if c != nil {
		c.last = time.Now()
	}
}
