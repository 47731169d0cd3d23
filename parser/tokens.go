package parser

import (
	"github.com/alecthomas/participle/v2/lexer"
	"github.com/nftopt/nftopt/ir"
)

// tok is one term of a line as the lowering sees it: a token, or a
// brace group.
type tok struct {
	kind  lexer.TokenType // tokWord, tokString, tokVar, tokSetRef, tokPunct, or kindGroup
	text  string
	pos   ir.Pos
	group *groupAST
}

const kindGroup lexer.TokenType = -100

func (t tok) is(kind lexer.TokenType, text string) bool { return t.kind == kind && t.text == text }

// toks converts a line's terms to toks.
func toks(line *lineAST) []tok {
	out := make([]tok, 0, len(line.Terms))
	for _, t := range line.Terms {
		out = append(out, termTok(t))
	}
	return out
}

func position(p lexer.Position) ir.Pos { return ir.Pos{File: p.Filename, Line: p.Line, Col: p.Column} }

func termTok(t *termAST) tok {
	p := position(t.Pos)
	switch {
	case t.Group != nil:
		return tok{kind: kindGroup, text: "{", pos: p, group: t.Group}
	case t.Word != nil:
		return tok{kind: tokWord, text: *t.Word, pos: p}
	case t.String != nil:
		s := *t.String
		return tok{kind: tokString, text: s[1 : len(s)-1], pos: p}
	case t.Var != nil:
		return tok{kind: tokVar, text: (*t.Var)[1:], pos: p}
	case t.SetRef != nil:
		return tok{kind: tokSetRef, text: (*t.SetRef)[1:], pos: p}
	}
	return tok{kind: tokPunct, text: *t.Punct, pos: p}
}

// groupItems splits a brace group's content into comma-separated items,
// ignoring line structure (set elements may span lines).
func groupItems(g *groupAST) [][]tok {
	var items [][]tok
	var cur []tok
	for _, l := range g.Lines {
		for _, t := range l.Terms {
			tk := termTok(t)
			if tk.is(tokPunct, ",") {
				if len(cur) > 0 {
					items = append(items, cur)
				}
				cur = nil
				continue
			}
			cur = append(cur, tk)
		}
	}
	if len(cur) > 0 {
		items = append(items, cur)
	}
	return items
}
