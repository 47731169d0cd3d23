package main

import (
	"fmt"

	"github.com/nftopt/nftopt/emit/nft"
	"github.com/spf13/cobra"
)

func newFmt() *cobra.Command {
	var includes []string
	var out string
	var numericProto bool
	target := "auto"
	inputFormat, format := formatAuto, formatNft
	cmd := &cobra.Command{
		Use:   "fmt [FILE|-]",
		Short: "Parse a ruleset and print it in canonical nft syntax",
		Long: `fmt parses an nft ruleset (with its defines and includes resolved) and
prints it in the canonical layout of "nft list ruleset". Loading the
output with "nft -f" gives the same kernel state as loading the input.
It reads libnftables JSON too ("nft -j list ruleset", --input-format),
and with --format json prints a JSON command list for "nft -j -f".`,
		Example: `  nftopt fmt /etc/nftables.conf
  nftopt fmt -I /etc/nftables.d ruleset.nft -o ruleset.canonical.nft
  cat ruleset.nft | nftopt fmt -
  nft -j list ruleset | nftopt fmt -
  nftopt fmt --format json ruleset.nft | nft -j -f -`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			arg := "-"
			if len(args) == 1 {
				arg = args[0]
			}
			if format != formatNft && format != formatJSON {
				return &exitError{exitInput, fmt.Sprintf("nftopt: unknown output format %q (want nft or json)\n", format)}
			}
			version, err := targetVersion(target)
			if err != nil {
				return &exitError{exitInput, "nftopt: " + err.Error() + "\n"}
			}
			rs, err := readRuleset(cmd, arg, includes, inputFormat)
			if err != nil {
				return err
			}
			text, err := formatRuleset(rs, format, nft.Options{NumericProto: numericProto, Target: version})
			if err != nil {
				return err
			}
			return writeOutput(cmd, out, text)
		},
	}
	cmd.Flags().StringArrayVarP(&includes, "include", "I", nil, "add `DIR` to the include search path")
	cmd.Flags().StringVarP(&out, "output", "o", "", "write to `FILE` (atomically) instead of stdout")
	cmd.Flags().BoolVarP(&numericProto, "numeric-protocol", "p", false, "print protocol numbers instead of names")
	cmd.Flags().StringVar(&target, "target-nft", target, "the nft `VERSION` the output must load on (auto: the nft on PATH, or the newest when there is none); before 1.1.4, ct status bits after dnat print as numbers")
	cmd.Flags().StringVar(&inputFormat, "input-format", inputFormat, "read the input as `auto`, nft or json (auto: JSON when it starts with '{')")
	cmd.Flags().StringVar(&format, "format", format, "print the ruleset as `nft` text or json (libnftables JSON, for nft -j -f)")
	return cmd
}
