package parser

import (
	"github.com/alecthomas/participle/v2"
	"github.com/alecthomas/participle/v2/lexer"
)

// The participle grammar sees nft text as lines of terms and brace
// groups; nft's keywords depend on context so heavily that the meaning
// of a line is decided by the lowering in lower.go, which knows where
// it stands (top level, table, chain, set) and reads the field registry.
//
// The grammar, in EBNF:
//
//	file  = { EOL | item } .
//	group = "{" { EOL | item } "}" .
//	item  = flat | line .
//	flat  = line { EOL { EOL } line }   (lines without braces; flatAST.Parse)
//	line  = term { term } .
//	term  = run | group .
//	run   = Run                         (runAST.Parse: the Run token's tokens)
//
// flat and run are Parseable nodes: participle's reflective machinery
// costs several allocations per token and per line, and nearly all the
// text of a large ruleset is rule lines without braces. They read the
// same tokens and build the same lineAST and termAST values as the
// general productions would (a differential test holds them to it).

// fileAST is a whole file: lines separated by newlines or ';'.
type fileAST struct {
	Items []itemAST `parser:"( EOL | @@ )*"`
	Lines []*lineAST
}

// itemAST is a run of lines without braces, or one line with braces.
type itemAST struct {
	Flat flatAST  `parser:"  @@"`
	Line *lineAST `parser:"| @@"`
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
	Run   runAST    `parser:"  @@"`
	Group *groupAST `parser:"| @@"`
}

// groupAST is a { ... } block: table, chain and set bodies, and set literals.
type groupAST struct {
	Pos    lexer.Position
	Items  []itemAST `parser:"\"{\" ( EOL | @@ )*"`
	EndPos lexer.Position
	Close  string `parser:"\"}\""`
	Lines  []*lineAST
}

var grammar = participle.MustBuild[fileAST](
	participle.Lexer(lexDef{Runs: true}),
	participle.UseLookahead(1),
)

// isRunToken reports the token types a run is made of.
func isRunToken(t lexer.TokenType) bool {
	return t == tokWord || t == tokString || t == tokVar || t == tokSetRef || t == tokPunct
}

// runAST is a run of tokens outside braces: the tokens of one Run token.
type runAST struct {
	Toks []lexer.Token
}

// Parse reads a run.
func (r *runAST) Parse(lex *lexer.PeekingLexer) error {
	if lex.Peek().Type != tokRun {
		return participle.NextMatch
	}
	var buf [32]lexer.Token
	toks := relex(*lex.Next(), buf[:0])
	r.Toks = append([]lexer.Token(nil), toks...)
	return nil
}

// flatAST is one or more lines made of a run only, with the separators
// between them.
type flatAST struct {
	Lines []*lineAST
}

// Parse reads lines of one run each up to (not including) a line that
// holds a brace group, a '}' or the end of the file. The tokens of all
// the runs are kept in shared chunks.
func (f *flatAST) Parse(lex *lexer.PeekingLexer) error {
	var chunk []lexer.Token
	var buf [64]lexer.Token
	scratch := buf[:0]
	size := 8 // chunks grow from 16 tokens to flatChunk: blocks are often short
	for {
		cp := lex.MakeCheckpoint()
		run := lex.Peek()
		if run.Type != tokRun {
			break
		}
		lex.Next()
		next := lex.Peek()
		if next.Type == tokBrace && next.Value == "{" {
			lex.LoadCheckpoint(cp)
			break
		}
		scratch = relex(*run, scratch[:0])
		n := len(scratch)
		if cap(chunk)-len(chunk) < n {
			size = min(2*size, flatChunk)
			chunk = make([]lexer.Token, 0, max(size, n))
		}
		start := len(chunk)
		chunk = append(chunk, scratch...)
		toks := chunk[start:len(chunk):len(chunk)]
		// The run and the line begin at the same token.
		line := &lineAST{Pos: run.Pos, Terms: []*termAST{{Pos: run.Pos, Run: runAST{Toks: toks}}}}
		f.Lines = append(f.Lines, line)
		if next.Type != tokEOL {
			break // '}' or the end of the file
		}
		for lex.Peek().Type == tokEOL {
			lex.Next()
		}
	}
	if len(f.Lines) == 0 {
		return participle.NextMatch
	}
	return nil
}

// flatChunk is the number of tokens flatAST allocates at once.
const flatChunk = 1024

// parseFile parses a file and flattens its items into lines.
func parseFile(name string, src []byte) (*fileAST, error) {
	ast, err := grammar.ParseBytes(name, src)
	if err != nil {
		return nil, err
	}
	ast.Lines = flatten(ast.Items)
	ast.Items = nil
	return ast, nil
}

// flatten turns items into lines, and the items of every group below
// them, so that the lowering sees one list of lines per block.
func flatten(items []itemAST) []*lineAST {
	n := 0
	for _, it := range items {
		if it.Line != nil {
			n++
		} else {
			n += len(it.Flat.Lines)
		}
	}
	lines := make([]*lineAST, 0, n)
	for _, it := range items {
		if it.Line == nil {
			lines = append(lines, it.Flat.Lines...)
			continue
		}
		lines = append(lines, it.Line)
		for _, t := range it.Line.Terms {
			if t.Group != nil {
				t.Group.Lines = flatten(t.Group.Items)
				t.Group.Items = nil
			}
		}
	}
	return lines
}
