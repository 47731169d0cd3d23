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
	n := 0
	for _, t := range line.Terms {
		if t.Group != nil {
			n++
		} else {
			n += len(t.Run.Toks)
		}
	}
	out := make([]tok, 0, n)
	for _, t := range line.Terms {
		out = appendTerm(out, t)
	}
	return out
}

func position(p lexer.Position) ir.Pos { return ir.Pos{File: p.Filename, Line: p.Line, Col: p.Column} }

// appendTerm appends the toks of one term: a group, or its tokens.
func appendTerm(out []tok, t *termAST) []tok {
	if t.Group != nil {
		return append(out, tok{kind: kindGroup, text: "{", pos: position(t.Start), group: t.Group})
	}
	for _, lt := range t.Run.Toks {
		k := tok{kind: lt.Type, text: lt.Value, pos: position(lt.Pos)}
		switch lt.Type {
		case tokString:
			k.text = lt.Value[1 : len(lt.Value)-1]
		case tokVar, tokSetRef:
			k.text = lt.Value[1:]
		}
		out = append(out, k)
	}
	return out
}

// groupItems splits a brace group's content into comma-separated items,
// ignoring line structure (set elements may span lines).
func groupItems(g *groupAST) [][]tok {
	var items [][]tok
	var cur []tok
	for _, l := range g.Lines {
		for _, tk := range toks(l) {
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
