// Package explain writes what an optimizer run changed, rule by rule:
// the text `nftopt optimize --explain` and `nftopt diff` print, and the
// golden tests of the passes compare.
package explain

import (
	"fmt"
	"io"

	"github.com/nftopt/nftopt/emit/nft"
	"github.com/nftopt/nftopt/optimize"
)

// Write prints, per change, its pass, chain and note, the source rules
// (file:line and text) and the rule they became, or "removed".
func Write(w io.Writer, changes []optimize.Change) {
	for _, c := range changes {
		fmt.Fprintf(w, "%s: table %s %s chain %s: %s\n", c.Pass, c.Table.Family, c.Table.Name, c.Chain.Name, c.Note)
		if c.Kind == optimize.UnreachableChain {
			continue
		}
		for _, r := range c.Sources {
			fmt.Fprintf(w, "    %s: %s\n", r.Span.Start, nft.PrintRule(r, c.Table.Family, nft.Options{}))
		}
		if c.Result != nil {
			fmt.Fprintf(w, "  => %s\n", nft.PrintRule(c.Result, c.Table.Family, nft.Options{}))
		} else {
			fmt.Fprintf(w, "  => removed\n")
		}
	}
}
