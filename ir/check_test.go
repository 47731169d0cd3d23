package ir_test

import (
	"strings"
	"testing"

	"github.com/nftopt/nftopt/ir"
	"github.com/nftopt/nftopt/parser"
)

func TestCheck(t *testing.T) {
	src := "table inet t {\n set s { type ipv4_addr; }\n chain c {\n  type filter hook input priority 0;\n  ip saddr @s jump d\n }\n chain d {\n  accept\n }\n}\n"
	rs, err := parser.Parse("t.nft", []byte(src), parser.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if err := ir.Check(rs); err != nil {
		t.Fatalf("valid ruleset: %v", err)
	}
	c := rs.Tables[0].Chains[0]
	c.Rules = append(c.Rules, &ir.Rule{}, &ir.Rule{Stmts: []ir.Stmt{&ir.VerdictStmt{Verdict: &ir.Verdict{Kind: "goto", Chain: "gone"}}}})
	rs.Tables[0].Chains = append(rs.Tables[0].Chains, rs.Tables[0].Chains[1])
	rs.Tables[0].Sets = nil
	err = ir.Check(rs)
	for _, want := range []string{"chain d declared twice", "rule 2: no statements", "rule 3: goto to missing chain gone", "rule 1: @s names no set"} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("missing %q in %v", want, err)
		}
	}
}
