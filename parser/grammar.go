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

// lineAST is one command, declaration or rule.
type lineAST struct {
	Pos   lexer.Position
	Terms []*termAST `parser:"@@+"`
}

// termAST is a token or a brace group.
type termAST struct {
	Pos    lexer.Position
	Group  *groupAST `parser:"  @@"`
	Word   *string   `parser:"| @Word"`
	String *string   `parser:"| @String"`
	Var    *string   `parser:"| @Var"`
	SetRef *string   `parser:"| @SetRef"`
	Punct  *string   `parser:"| @Punct"`
}

// groupAST is a { ... } block: table, chain and set bodies, and set literals.
type groupAST struct {
	Pos    lexer.Position
	Lines  []*lineAST `parser:"\"{\" ( @@ | EOL )*"`
	EndPos lexer.Position
	Close  string `parser:"\"}\""`
}

var grammar = participle.MustBuild[fileAST](
	participle.Lexer(lexDef{}),
	participle.UseLookahead(1),
)
