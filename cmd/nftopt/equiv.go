package main

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"

	"github.com/nftopt/nftopt/emit/nft"
	"github.com/nftopt/nftopt/ir"
	"github.com/nftopt/nftopt/ir/equiv"
	"github.com/spf13/cobra"
)

func newEquiv() *cobra.Command {
	var includes, hooks, families []string
	var format, inputFormat string
	var maxDiffs int
	var counters bool
	cmd := &cobra.Command{
		Use:   "equiv A B",
		Short: "Decide whether two rulesets treat every packet the same",
		Long: `equiv compares two rulesets by symbolic packet-class enumeration: it
splits the packet space into the classes the rules' constants can tell
apart and evaluates both rulesets on every class, at every hook.

It exits 0 when they are equivalent, 1 when they are not (and prints
counterexample packets with each side's verdict, effects and the rules
they hit), 2 on input errors, and 3 when the proof could not be
completed (a construct nftopt cannot reason about).`,
		Example: `  nftopt equiv before.nft after.nft
  nftopt equiv --hook input --family ip --max 5 a.nft b.nft
  nftopt equiv --format json a.nft b.nft`,
		Args: cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			if format != "text" && format != "json" {
				return &exitError{exitInput, fmt.Sprintf("nftopt: --format must be text or json, not %q\n", format)}
			}
			a, err := readRuleset(cmd, args[0], includes, inputFormat)
			if err != nil {
				return err
			}
			b, err := readRuleset(cmd, args[1], includes, inputFormat)
			if err != nil {
				return err
			}
			res := equiv.Check(a, b, equiv.Options{Counters: counters, MaxDiffs: maxDiffs, Hooks: hooks, Families: families})
			out := cmd.OutOrStdout()
			if format == "json" {
				err = writeEquivJSON(out, res)
			} else {
				writeEquivText(out, res, args[0], args[1])
			}
			if err != nil {
				return err
			}
			switch {
			case len(res.Diffs) > 0:
				return &exitError{code: exitFindings}
			case len(res.Unknown) > 0:
				return &exitError{code: exitInternal}
			}
			return nil
		},
	}
	cmd.Flags().StringArrayVarP(&includes, "include", "I", nil, "add `DIR` to the include search path")
	cmd.Flags().StringSliceVar(&hooks, "hook", nil, "check only these hooks (input, forward, ...)")
	cmd.Flags().StringSliceVar(&families, "family", nil, "check only packets of these families (ip, ip6, arp, bridge, netdev)")
	cmd.Flags().StringVar(&format, "format", "text", "output format: text or json")
	cmd.Flags().StringVar(&inputFormat, "input-format", formatAuto, "input format: auto, nft or json")
	cmd.Flags().IntVar(&maxDiffs, "max", 1, "report up to `N` counterexamples")
	cmd.Flags().BoolVar(&counters, "counters", false, "also require each anonymous counter to count the same packets as before")
	return cmd
}

// packetText prints a counterexample packet as nft-style field values.
func packetText(p equiv.Packet) []string {
	var out []string
	for _, name := range p.FieldNames() {
		out = append(out, name+" "+fieldValue(name, p.Fields[name]))
	}
	for k, v := range p.Preds {
		out = append(out, fmt.Sprintf("(%s) is %v", k, v))
	}
	return out
}

// fieldValue prints a value in its field's datatype.
func fieldValue(name string, v ir.Value) string {
	base := strings.TrimSuffix(strings.TrimSuffix(name, " original"), " reply")
	f := ir.LookupField(base)
	if f == nil {
		return v.String()
	}
	c := &ir.Const{Type: f.Type, Val: v.Bytes()}
	if f.Type.Kind == ir.KindString || f.Type.Kind == ir.KindIfindex {
		c.Val = nil
		c.Str = strings.TrimRight(string(v.Bytes()), "\x00")
	}
	return nft.PrintExpr(c, ir.FamilyInet, nft.Options{})
}

func outcomeLines(o equiv.Outcome) (string, []string, []string) {
	var effects, rules []string
	for _, e := range o.Effects {
		if e.Stmt != nil {
			effects = append(effects, nft.PrintStmt(e.Stmt, ir.FamilyInet, nft.Options{}))
		}
	}
	for _, r := range o.Rules {
		at := r.Span.Start.String()
		if !r.Span.Start.IsValid() {
			at = "(entry)"
		}
		rules = append(rules, fmt.Sprintf("%s: %s", at, nft.PrintRule(r, ir.FamilyInet, nft.Options{})))
	}
	return o.Verdict, effects, rules
}

func writeEquivText(w io.Writer, res equiv.Result, nameA, nameB string) {
	switch {
	case len(res.Diffs) > 0:
		fmt.Fprintf(w, "not equivalent: %d packet class(es) differ\n", len(res.Diffs))
	case len(res.Unknown) > 0:
		fmt.Fprintf(w, "cannot decide equivalence:\n")
		for _, u := range res.Unknown {
			fmt.Fprintf(w, "  %s\n", u)
		}
		return
	default:
		fmt.Fprintf(w, "equivalent (proved over %d packet classes)\n", res.Classes)
		return
	}
	for i, d := range res.Diffs {
		fmt.Fprintf(w, "\n%d. %s packet at hook %s:\n", i+1, d.Family, d.Hook)
		for _, l := range packetText(d.Packet) {
			fmt.Fprintf(w, "     %s\n", l)
		}
		for _, side := range []struct {
			name string
			o    equiv.Outcome
		}{{nameA, d.A}, {nameB, d.B}} {
			v, effects, rules := outcomeLines(side.o)
			fmt.Fprintf(w, "   %s: %s\n", side.name, v)
			for _, e := range effects {
				fmt.Fprintf(w, "     effect: %s\n", e)
			}
			for _, r := range rules {
				fmt.Fprintf(w, "     rule %s\n", r)
			}
		}
	}
}

type jsonOutcome struct {
	Verdict string   `json:"verdict"`
	Effects []string `json:"effects"`
	Rules   []string `json:"rules"`
}

type jsonDiff struct {
	Family string            `json:"family"`
	Hook   string            `json:"hook"`
	Packet map[string]string `json:"packet"`
	A      jsonOutcome       `json:"a"`
	B      jsonOutcome       `json:"b"`
}

// jsonDiffs converts the differing packet classes of a proof.
func jsonDiffs(res equiv.Result) []jsonDiff {
	out := []jsonDiff{}
	for _, d := range res.Diffs {
		jd := jsonDiff{Family: d.Family, Hook: d.Hook, Packet: map[string]string{}}
		for _, n := range d.Packet.FieldNames() {
			jd.Packet[n] = fieldValue(n, d.Packet.Fields[n])
		}
		for k, v := range d.Packet.Preds {
			jd.Packet["("+k+")"] = fmt.Sprint(v)
		}
		for i, o := range []equiv.Outcome{d.A, d.B} {
			v, e, r := outcomeLines(o)
			jo := jsonOutcome{Verdict: v, Effects: e, Rules: r}
			if i == 0 {
				jd.A = jo
			} else {
				jd.B = jo
			}
		}
		out = append(out, jd)
	}
	return out
}

func writeEquivJSON(w io.Writer, res equiv.Result) error {
	out := struct {
		Equivalent bool       `json:"equivalent"`
		Classes    int        `json:"classes"`
		Diffs      []jsonDiff `json:"diffs"`
		Unknown    []string   `json:"unknown"`
	}{Equivalent: res.Equivalent, Classes: res.Classes, Diffs: jsonDiffs(res), Unknown: res.Unknown}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(out)
}
