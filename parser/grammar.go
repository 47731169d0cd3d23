package parser

import (
	"github.com/alecthomas/participle/v2"
	"github.com/alecthomas/participle/v2/lexer"
)

// The participle grammar sees nft text as lines of terms and brace
// groups; nft's keywords depend on context so heavily that the meaning
// of a line is decided by the lowering in lower.go, which knows where
// it stands (top level, table, chain, set) and reads the field registry.

// fileAST is a whole file: lines separated by newlines or ';'.
type fileAST struct {
	Lines []*lineAST `parser:"( @@ | EOL )*"`
}

// lineAST is one command, declaration or rule: one or more terms. It
// parses itself (participle's Parseable): a line is the hot path of a
// ruleset with 100k rules, and its structure — runs of tokens and brace
// groups up to the end of the line — needs no backtracking, so a loop
// over the tokens does what the equivalent grammar rules
//
//	lineAST:  @@+                      (termAST)
//	termAST:  @@ | @((Word|String|Var|SetRef|Punct)+)
//	groupAST: "{" ( @@ | EOL )* "}"
//
// would, without participle's reflection per token.
type lineAST struct {
	Pos   lexer.Position
	Terms []*termAST
}

// termAST is a brace group or a run of tokens outside braces.
type termAST struct {
	Pos   lexer.Position
	Group *groupAST
	Toks  []lexer.Token
}

// groupAST is a { ... } block: table, chain and set bodies, and set literals.
type groupAST struct {
	Pos    lexer.Position
	Lines  []*lineAST
	EndPos lexer.Position
	Close  string
}

var grammar = participle.MustBuild[fileAST](
	participle.Lexer(lexDef{}),
	participle.UseLookahead(1),
)

// runToken reports the token types a run of tokens is made of.
func runToken(t lexer.TokenType) bool {
	switch t {
	case tokWord, tokString, tokVar, tokSetRef, tokPunct:
		return true
	}
	return false
}

// Parse reads one line: terms up to a newline, ';', '}' or the end of
// the input. It returns participle.NextMatch when the line has no term.
func (l *lineAST) Parse(lex *lexer.PeekingLexer) error {
	for {
		t := lex.Peek()
		switch {
		case runToken(t.Type):
			term := &termAST{Pos: t.Pos}
			for runToken(lex.Peek().Type) {
				term.Toks = append(term.Toks, *lex.Next())
			}
			l.add(term)
		case t.Type == tokBrace && t.Value == "{":
			g := &groupAST{}
			if err := g.parse(lex); err != nil {
				return err
			}
			l.add(&termAST{Pos: g.Pos, Group: g})
		default:
			if len(l.Terms) == 0 {
				return participle.NextMatch
			}
			return nil
		}
	}
}

func (l *lineAST) add(t *termAST) {
	if len(l.Terms) == 0 {
		l.Pos = t.Pos
	}
	l.Terms = append(l.Terms, t)
}

// parse reads a group from its '{' to its '}'.
func (g *groupAST) parse(lex *lexer.PeekingLexer) error {
	g.Pos = lex.Next().Pos
	for {
		t := lex.Peek()
		switch {
		case t.Type == tokEOL:
			lex.Next()
		case t.Type == tokBrace && t.Value == "}":
			g.EndPos, g.Close = t.Pos, t.Value
			lex.Next()
			return nil
		case t.EOF():
			return &participle.UnexpectedTokenError{Unexpected: *t, Expect: `"}"`}
		default:
			line := &lineAST{}
			if err := line.Parse(lex); err != nil {
				return err
			}
			g.Lines = append(g.Lines, line)
		}
	}
}
