package optimize

import (
	"strings"

	"github.com/nftopt/nftopt/ir"
)

// unreachableChains reports the regular chains no base chain reaches,
// and with Options.RemoveUnreachableChains removes them. A chain a
// named map still names (a map nothing looks up) is kept, since nft
// would reject the map without it.
var unreachableChains = Pass{
	Name: "chains",
	Doc:  "report chains no base chain reaches; remove them with --remove-unreachable-chains",
	Run: func(c *Context) error {
		for _, t := range c.RS.Tables {
			if !c.tableSelected(t) {
				continue
			}
			reach := t.Reachable()
			keep := namedByMaps(t)
			var chains []*ir.Chain
			for _, ch := range t.Chains {
				if reach[ch.Name] {
					chains = append(chains, ch)
					continue
				}
				remove := c.Opts.RemoveUnreachableChains && !keep[ch.Name] && c.chainSelected(ch)
				note := "no base chain reaches it (kept: rules or map elements added at run time may jump to it)"
				if remove {
					note = "no base chain reaches it: removed"
				} else {
					chains = append(chains, ch)
				}
				c.record(Change{Pass: "chains", Kind: UnreachableChain, Table: t, Chain: ch, Removed: remove}, "%s", note)
			}
			t.Chains = chains
		}
		return nil
	},
}

// namedByMaps lists the chains that verdicts in named maps of t name,
// and the chains those reach.
func namedByMaps(t *ir.Table) map[string]bool {
	out := map[string]bool{}
	byName := map[string]*ir.Chain{}
	for _, ch := range t.Chains {
		byName[ch.Name] = ch
	}
	var work []string
	for _, s := range t.Sets {
		for _, e := range s.Elements {
			if v, ok := e.Value.(*ir.Verdict); ok && v.Chain != "" && !out[v.Chain] {
				out[v.Chain] = true
				work = append(work, v.Chain)
			}
		}
	}
	for len(work) > 0 {
		ch := byName[work[len(work)-1]]
		work = work[:len(work)-1]
		if ch == nil {
			continue
		}
		for _, r := range ch.Rules {
			for _, v := range ir.Verdicts(t, r) {
				if v.Chain != "" && !out[v.Chain] {
					out[v.Chain] = true
					work = append(work, v.Chain)
				}
			}
		}
	}
	return out
}

// tableSelected applies Options.Tables ("family/name" or "name").
func (c *Context) tableSelected(t *ir.Table) bool {
	if len(c.Opts.Tables) == 0 {
		return true
	}
	for _, want := range c.Opts.Tables {
		if fam, name, ok := strings.Cut(want, "/"); ok {
			if fam == t.Family.String() && name == t.Name {
				return true
			}
		} else if want == t.Name {
			return true
		}
	}
	return false
}

// chainSelected applies Options.Chains.
func (c *Context) chainSelected(ch *ir.Chain) bool {
	if len(c.Opts.Chains) == 0 {
		return true
	}
	for _, want := range c.Opts.Chains {
		if want == ch.Name {
			return true
		}
	}
	return false
}
