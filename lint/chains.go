package lint

import (
	"fmt"
	"sort"
	"strings"

	"github.com/nftopt/nftopt/ir"
)

// chainFindings reports regular chains nothing jumps to and cycles of
// jumps and gotos.
func chainFindings(rs *ir.Ruleset) []Finding {
	var out []Finding
	for _, t := range rs.Tables {
		edges := map[string][]edge{}
		referenced := map[string]bool{}
		for _, c := range t.Chains {
			for _, r := range c.Rules {
				for _, v := range ir.Verdicts(t, r) {
					if v.Chain != "" {
						edges[c.Name] = append(edges[c.Name], edge{to: v.Chain, pos: rulePos(r)})
						referenced[v.Chain] = true
					}
				}
			}
		}
		for _, c := range t.Chains {
			if c.Base == nil && !referenced[c.Name] {
				out = append(out, Finding{Check: UnreachableChain, Pos: c.Span.Start,
					Message: fmt.Sprintf("%s is not the target of any jump or goto: no packet reaches it", describeChain(t, c)),
					Fix:     "remove the chain, or jump to it from a rule"})
			}
		}
		out = append(out, loops(t, edges)...)
	}
	return out
}

type edge struct {
	to  string
	pos ir.Pos
}

// loops finds the cycles of the jump graph of one table, one finding
// per strongly connected component with a cycle.
func loops(t *ir.Table, edges map[string][]edge) []Finding {
	// Tarjan's algorithm over chain names.
	index := map[string]int{}
	low := map[string]int{}
	on := map[string]bool{}
	var stack []string
	var out []Finding
	n := 0
	var visit func(v string)
	visit = func(v string) {
		index[v], low[v] = n, n
		n++
		stack = append(stack, v)
		on[v] = true
		for _, e := range edges[v] {
			if _, seen := index[e.to]; !seen {
				visit(e.to)
				low[v] = min(low[v], low[e.to])
			} else if on[e.to] {
				low[v] = min(low[v], index[e.to])
			}
		}
		if low[v] != index[v] {
			return
		}
		var comp []string
		for {
			w := stack[len(stack)-1]
			stack = stack[:len(stack)-1]
			on[w] = false
			comp = append(comp, w)
			if w == v {
				break
			}
		}
		if f, ok := loopFinding(t, comp, edges); ok {
			out = append(out, f)
		}
	}
	for _, c := range t.Chains {
		if _, seen := index[c.Name]; !seen {
			visit(c.Name)
		}
	}
	return out
}

func loopFinding(t *ir.Table, comp []string, edges map[string][]edge) (Finding, bool) {
	in := map[string]bool{}
	for _, c := range comp {
		in[c] = true
	}
	var inner []edge
	for _, c := range comp {
		for _, e := range edges[c] {
			if in[e.to] {
				inner = append(inner, e)
			}
		}
	}
	if len(inner) == 0 {
		return Finding{}, false
	}
	sort.Strings(comp)
	sort.Slice(inner, func(i, j int) bool { return posLess(inner[i].pos, inner[j].pos) })
	f := Finding{Check: JumpLoop, Pos: inner[0].pos,
		Message: fmt.Sprintf("table %s %s: chains %s jump to each other in a loop", t.Family, t.Name, strings.Join(comp, ", ")),
		Fix:     "break the cycle: one of these jumps must go elsewhere"}
	for _, e := range inner[1:] {
		f.Related = append(f.Related, Related{Pos: e.pos, Message: "jump to " + e.to})
	}
	return f, true
}
