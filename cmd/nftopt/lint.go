package main

import (
	"fmt"
	"os"
	"strings"

	"github.com/nftopt/nftopt/ir"
	"github.com/nftopt/nftopt/lint"
	"github.com/spf13/cobra"
)

func newLint() *cobra.Command {
	var includes []string
	var format, inputFormat, failOn string
	var maxChecks int
	cmd := &cobra.Command{
		Use:   "lint [FILE...|-]",
		Short: "Report dead, duplicate and mergeable rules, overlaps, loops and other problems",
		Long: `lint reports problems in rulesets, each with a stable ID, a severity,
file:line:col and a suggested fix (see "nftopt lint --list" and
docs/lint.md). Rule findings come from the optimizer's proved rewrites,
so lint suggests exactly what "nftopt optimize" would do.

It exits 0 when no finding is at or above --fail-on, 1 when some is,
2 on input errors (and prints nothing else), 3 on internal errors.`,
		Example: `  nftopt lint /etc/nftables.conf
  nftopt lint --format github rules/*.nft
  nftopt lint --format sarif ruleset.nft > nftopt.sarif
  nft -j list ruleset | nftopt lint -`,
		RunE: func(cmd *cobra.Command, args []string) error {
			if list, _ := cmd.Flags().GetBool("list"); list {
				for _, c := range lint.Checks {
					fmt.Fprintf(cmd.OutOrStdout(), "%s %-26s %-8s %s\n", c.ID, c.Name, c.Severity, c.Doc)
				}
				return nil
			}
			threshold, ok := lint.ParseSeverity(failOn)
			if !ok {
				return &exitError{exitInput, fmt.Sprintf("nftopt: --fail-on must be error, warning or info, not %q\n", failOn)}
			}
			switch format {
			case "text", "json", "sarif", "github":
			default:
				return &exitError{exitInput, fmt.Sprintf("nftopt: --format must be text, json, sarif or github, not %q\n", format)}
			}
			if len(args) == 0 {
				args = []string{"-"}
			}
			// Read everything first: an input error prints nothing else.
			var rss []*ir.Ruleset
			for _, a := range args {
				rs, err := readRuleset(cmd, a, includes, inputFormat)
				if err != nil {
					return err
				}
				rss = append(rss, rs)
			}
			var findings []lint.Finding
			for _, rs := range rss {
				fs, err := lint.Run(rs, lint.Options{MaxChecks: maxChecks})
				if err != nil {
					return &exitError{exitInternal, fmt.Sprintf("nftopt: %v\n", err)}
				}
				findings = append(findings, fs...)
			}
			out := cmd.OutOrStdout()
			var err error
			switch format {
			case "text":
				lint.WriteText(out, findings, sourceLines())
			case "json":
				err = lint.WriteJSON(out, findings)
			case "sarif":
				err = lint.WriteSARIF(out, findings, version)
			case "github":
				lint.WriteGitHub(out, findings)
			}
			if err != nil {
				return err
			}
			for _, f := range findings {
				if f.Severity >= threshold {
					return &exitError{code: exitFindings}
				}
			}
			return nil
		},
	}
	cmd.Flags().StringArrayVarP(&includes, "include", "I", nil, "add `DIR` to the include search path")
	cmd.Flags().StringVar(&inputFormat, "input-format", formatAuto, "input format: auto, nft or json")
	cmd.Flags().StringVar(&format, "format", "text", "output format: text, json, sarif (2.1.0) or github (workflow annotations)")
	cmd.Flags().StringVar(&failOn, "fail-on", "warning", "exit 1 when a finding is at or above this severity: error, warning or info")
	cmd.Flags().IntVar(&maxChecks, "max-checks", 16, "accept rules per hook the cross-chain checks (NFT040, NFT041) look at; each costs one or two proofs of the hook")
	cmd.Flags().Bool("list", false, "list the checks and exit")
	return cmd
}

// sourceLines reads source lines from the files findings point to.
func sourceLines() lint.SourceLine {
	cache := map[string][]string{}
	return func(file string, line int) (string, bool) {
		lines, ok := cache[file]
		if !ok {
			if b, err := os.ReadFile(file); err == nil {
				lines = strings.Split(string(b), "\n")
			}
			cache[file] = lines
		}
		if line < 1 || line > len(lines) {
			return "", false
		}
		return lines[line-1], true
	}
}
