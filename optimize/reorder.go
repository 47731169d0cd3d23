package optimize

import (
	"strings"

	"github.com/nftopt/nftopt/ir"
)

// reorderRules moves a rule up next to an earlier rule of the same shape
// when no packet can match both it and any rule it moves across, so that
// the merge pass finds them adjacent: "tcp dport 22 accept; udp dport 53
// accept; tcp dport 80 accept" puts the two tcp rules together. Rules
// that write to the packet, jump, or carry state are never crossed.
var reorderRules = Pass{
	Name: "reorder",
	Doc:  "move a rule next to an earlier rule of the same shape across rules no packet can match together with it",
	Run: func(c *Context) error {
		c.eachChain(func(t *ir.Table, ch *ir.Chain) {
			ch.Rules = reorderChain(c, t, ch, ch.Rules)
		})
		return nil
	},
}

// reorderWindow bounds how far back a rule looks for a partner.
const reorderWindow = 16

func reorderChain(c *Context, t *ir.Table, ch *ir.Chain, rules []*ir.Rule) []*ir.Rule {
	// Each rule's guard sets are computed once: a rule is compared with
	// up to reorderWindow neighbours.
	cache := map[*ir.Rule]map[string]ir.IntervalSet{}
	guards := func(r *ir.Rule) map[string]ir.IntervalSet {
		g, ok := cache[r]
		if !ok {
			g = guardSets(r)
			cache[r] = g
		}
		return g
	}
	out := make([]*ir.Rule, 0, len(rules))
	shapes := make([]string, 0, len(rules))
	for _, r := range rules {
		s := ""
		if mergeable(r, c.Opts.KeepCounters) {
			s = shapeOf(r)
		}
		pos := len(out)
		if s != "" {
			for j := len(out) - 1; j >= 0 && j >= len(out)-reorderWindow; j-- {
				if shapes[j] == s {
					if j < len(out)-1 {
						pos = j + 1
					}
					break
				}
				if !plain(out[j]) || !disjoint(guards(r), guards(out[j])) {
					break
				}
			}
		}
		if pos < len(out) {
			c.record(Change{Pass: "reorder", Kind: Moved, Table: t, Chain: ch, Sources: []*ir.Rule{r}, Result: r, Cause: out[pos-1]},
				"moved up next to %s, across %d rule(s) no packet matches together with it", describeRule(out[pos-1]), len(out)-pos)
		}
		out = append(out, nil)
		shapes = append(shapes, "")
		copy(out[pos+1:], out[pos:])
		copy(shapes[pos+1:], shapes[pos:])
		out[pos], shapes[pos] = r, s
	}
	return out
}

// shapeOf names what a rule looks like with its match values left out:
// rules of one shape can merge.
func shapeOf(r *ir.Rule) string {
	var sb strings.Builder
	for _, s := range r.Stmts {
		if k, ok := matchKey(s); ok {
			sb.WriteString("key " + k.selText)
		} else {
			sb.WriteString(ir.StmtKey(s))
		}
		sb.WriteString("; ")
	}
	return sb.String()
}

// plain reports a rule made of leading matches followed by statements
// that neither write to the packet nor leave the chain and come back:
// moving another rule across it changes nothing for packets it does not
// match.
func plain(r *ir.Rule) bool {
	if drawsNumber(r) {
		return false
	}
	for _, s := range r.Stmts {
		switch x := s.(type) {
		case *ir.Match, *ir.Counter, *ir.Log, *ir.Reject:
		case *ir.VerdictStmt:
			if x.Vmap != nil || x.Verdict.Kind == "jump" || x.Verdict.Kind == "goto" {
				return false
			}
		default:
			return false
		}
	}
	return len(r.Stmts) > 0
}

// guardSets returns, per dimension, the values the leading matches of a
// rule allow, with the protocol each field implies.
func guardSets(r *ir.Rule) map[string]ir.IntervalSet {
	out := map[string]ir.IntervalSet{}
	restrict := func(key string, s ir.IntervalSet) {
		if old, ok := out[key]; ok {
			s = old.Intersect(s)
		}
		out[key] = s
	}
	l4 := ir.LookupField("meta l4proto")
	for _, st := range r.Stmts {
		m, ok := st.(*ir.Match)
		if !ok {
			break
		}
		sel, ok := m.Left.(*ir.Selector)
		if !ok || sel.Dir != "" {
			continue
		}
		if d := sel.Field.Dep; d != nil && d.L4 >= 0 {
			restrict(l4.Name, ir.PointSet(ir.Uint64Value(uint64(d.L4), 8)))
		}
		if sel.Field.Type.IsBitmask() || (m.Op != ir.OpImplicit && m.Op != ir.OpEq && m.Op != ir.OpNeq) {
			continue
		}
		f := sel.Field
		if f.Name == "ip protocol" {
			f = l4
		}
		var vals []ir.Expr
		switch x := m.Right.(type) {
		case *ir.SetExpr:
			for _, el := range x.Elems {
				vals = append(vals, el.Key)
			}
		default:
			vals = []ir.Expr{x}
		}
		s, ok := valueSet(&ir.Selector{Field: f}, vals)
		if !ok {
			continue
		}
		if m.Op == ir.OpNeq {
			s = s.Complement()
		}
		restrict(f.Name, s)
	}
	return out
}

// disjoint reports whether no packet can match the leading matches of
// both rules: some dimension both constrain has no value in common.
func disjoint(ga, gb map[string]ir.IntervalSet) bool {
	for k, sa := range ga {
		if sb, ok := gb[k]; ok && !sa.Overlaps(sb) {
			return true
		}
	}
	return false
}
