package main

import (
	"github.com/nftopt/nftopt/emit/nft"
	"github.com/spf13/cobra"
)

func newFmt() *cobra.Command {
	var includes []string
	var out string
	var numericProto bool
	cmd := &cobra.Command{
		Use:   "fmt [FILE|-]",
		Short: "Parse a ruleset and print it in canonical nft syntax",
		Long: `fmt parses an nft ruleset (with its defines and includes resolved) and
prints it in the canonical layout of "nft list ruleset". Loading the
output with "nft -f" gives the same kernel state as loading the input.`,
		Example: `  nftopt fmt /etc/nftables.conf
  nftopt fmt -I /etc/nftables.d ruleset.nft -o ruleset.canonical.nft
  cat ruleset.nft | nftopt fmt -`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			arg := "-"
			if len(args) == 1 {
				arg = args[0]
			}
			rs, err := loadRuleset(cmd, arg, includes)
			if err != nil {
				return err
			}
			return writeOutput(cmd, out, nft.Print(rs, nft.Options{NumericProto: numericProto}))
		},
	}
	cmd.Flags().StringArrayVarP(&includes, "include", "I", nil, "add `DIR` to the include search path")
	cmd.Flags().StringVarP(&out, "output", "o", "", "write to `FILE` (atomically) instead of stdout")
	cmd.Flags().BoolVarP(&numericProto, "numeric-protocol", "p", false, "print protocol numbers instead of names")
	return cmd
}
