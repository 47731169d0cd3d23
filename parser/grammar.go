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

// termAST is a brace group or a run of tokens outside braces. Runs are
// captured whole as tokens: one capture per run instead of one per
// token keeps participle's reflection off the hot path.
type termAST struct {
	Pos   lexer.Position
	Group *groupAST     `parser:"  @@"`
	Toks  []lexer.Token `parser:"| @((Word|String|Var|SetRef|Punct)+)"`
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
