package lint

import (
	"fmt"

	"github.com/nftopt/nftopt/emit/nft"
	"github.com/nftopt/nftopt/ir"
)

// nftOFindings warns about adjacent rules that nft -o (nftables'
// optimizer, src/optimize.c) merges wrongly: rules that differ in a
// bitmask match, which it folds into an exact-value set (tcp flags
// { syn, ack } no longer matches syn|ack), and rules with different
// verdicts whose keys overlap, which it puts into one verdict map that
// nft then rejects (conflicting intervals).
func nftOFindings(rs *ir.Ruleset) []Finding {
	var out []Finding
	for _, t := range rs.Tables {
		for _, c := range t.Chains {
			for i := 1; i < len(c.Rules); i++ {
				if f, ok := nftOPair(t.Family, c.Rules[i-1], c.Rules[i]); ok {
					out = append(out, f)
				}
			}
		}
	}
	return out
}

// simpleRule splits a rule made of matches and one plain verdict.
func simpleRule(r *ir.Rule) ([]*ir.Match, *ir.Verdict, bool) {
	var ms []*ir.Match
	var v *ir.Verdict
	for _, s := range r.Stmts {
		switch x := s.(type) {
		case *ir.Match:
			ms = append(ms, x)
		case *ir.VerdictStmt:
			if x.Vmap != nil || x.Verdict == nil || v != nil {
				return nil, nil, false
			}
			v = x.Verdict
		default:
			return nil, nil, false
		}
	}
	return ms, v, v != nil && len(ms) > 0
}

func nftOPair(fam ir.Family, a, b *ir.Rule) (Finding, bool) {
	ma, va, ok1 := simpleRule(a)
	mb, vb, ok2 := simpleRule(b)
	if !ok1 || !ok2 || len(ma) != len(mb) {
		return Finding{}, false
	}
	var differ []int
	for i := range ma {
		if ir.ExprKey(ma[i].Left) != ir.ExprKey(mb[i].Left) || ma[i].Op != mb[i].Op {
			return Finding{}, false
		}
		if ir.ExprKey(ma[i].Right) != ir.ExprKey(mb[i].Right) {
			differ = append(differ, i)
		}
	}
	if len(differ) == 0 {
		return Finding{}, false
	}
	pa, pb := nft.PrintRule(a, fam, nft.Options{}), nft.PrintRule(b, fam, nft.Options{})
	related := []Related{{Pos: rulePos(a), Message: "the rule before it"}}
	for _, i := range differ {
		sel, ok := ma[i].Left.(*ir.Selector)
		// A one-hot field (ct state) holds one flag per packet: as
		// exact values its flags lose nothing.
		if ok && sel.Field != nil && sel.Field.Type.IsBitmask() && !sel.Field.OneHot() && ma[i].Op == ir.OpImplicit {
			return Finding{Check: NftOUnsound, Pos: rulePos(b), Related: related,
				Message: fmt.Sprintf("nft -o would merge %q and %q into an exact-value set of %s, which no longer matches packets with several of these bits set; nftopt optimize merges them soundly (any of the bits)", pa, pb, sel.Field.Name),
				Fix:     "use nftopt optimize instead of nft -o for this chain"}, true
		}
	}
	if ir.ExprKey(va) == ir.ExprKey(vb) {
		return Finding{}, false
	}
	for _, i := range differ {
		sel, ok := ma[i].Left.(*ir.Selector)
		if !ok || sel.Field == nil || ma[i].Op != ir.OpImplicit {
			return Finding{}, false
		}
		sa, ok1 := ir.LiteralSet(sel.Field.Type, sel.Field.Width, []ir.Expr{ma[i].Right})
		sb, ok2 := ir.LiteralSet(sel.Field.Type, sel.Field.Width, []ir.Expr{mb[i].Right})
		if !ok1 || !ok2 || !sa.Overlaps(sb) {
			return Finding{}, false
		}
	}
	return Finding{Check: NftOUnsound, Pos: rulePos(b), Related: related,
		Message: fmt.Sprintf("nft -o would merge %q and %q into one verdict map with overlapping keys, which nft rejects (conflicting intervals) or which loses the first rule's precedence; nftopt optimize keeps first-match order", pa, pb),
		Fix:     "use nftopt optimize instead of nft -o for this chain"}, true
}
