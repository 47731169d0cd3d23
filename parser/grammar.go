package parser

import (
	"sync"

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
//	file  = { EOL | titem } .
//	titem = flat | tline .
//	tline = tterm { tterm } .
//	tterm = run | group .
//	group = "{" { EOL | item } "}" .
//	item  = flat | line .
//	line  = term { term } .
//	term  = run | body | group .
//	flat  = run EOL { EOL } ...         (lines of one run each; flatAST.Parse)
//	body  = "{" ... "}"                 (a whole group; bodyAST.Parse)
//	run   = Run                         (runAST.Parse: the Run token's tokens)
//
// flat, body and run are Parseable fast paths: participle's reflective
// machinery costs several allocations per token, per line and per
// alternative tried, and nearly all the text of a large ruleset is
// rule lines in chain bodies. The lines of the file and of the groups
// they hold (table bodies) are parsed by the general productions; the
// groups inside those (chain and set bodies, set literals) by body. A
// fast path that meets anything it does not expect (a '{' left open at
// the end of the file) declines, and the general production takes over
// and reports the error. They build the same lineAST, termAST and
// groupAST values as the general productions; grammar_test.go holds
// them to a reference grammar without fast paths. After parsing,
// flatten turns the items of every block into one list of lines.

// fileAST is a whole file: lines separated by newlines or ';'.
type fileAST struct {
	Items []topItemAST `parser:"( EOL | @@ )*"`
	Lines []*lineAST
}

// topItemAST is a run of lines without braces, or one line with
// braces, at the top level of a file.
type topItemAST struct {
	Flat flatAST     `parser:"  @@"`
	Line *topLineAST `parser:"| @@"`
}

// topLineAST is a line at the top level: its groups are parsed by the
// general production.
type topLineAST struct {
	Pos   lexer.Position
	Terms []*topTermAST `parser:"@@+"`
}

type topTermAST struct {
	Pos   lexer.Position
	Run   runAST    `parser:"  @@"`
	Group *groupAST `parser:"| @@"`
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

// termAST is a brace group or a run of tokens outside braces.
type termAST struct {
	Pos   lexer.Position
	Run   runAST    `parser:"  @@"`
	Body  bodyAST   `parser:"| @@"` // moved to Group by flatten
	Group *groupAST `parser:"| @@"`
}

// groupAST is a { ... } block: table, chain and set bodies, and set literals.
type groupAST struct {
	Pos    lexer.Position
	Items  []itemAST      `parser:"\"{\" ( EOL | @@ )*"`
	EndPos lexer.Position // the position of the token after the '}'
	Close  string         `parser:"\"}\""` // matched, not captured: always ""
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
	a := arenas.Get().(*tokArena)
	r.Toks = a.relex(lex.Next())
	arenas.Put(a)
	return nil
}

// tokArena holds the tokens of relexed runs in shared chunks. The
// fast paths take one from arenas for each call: the rest of a chunk
// serves the next call, and the slices handed out are capped, so no
// append through one of them reaches another's tokens.
type tokArena struct {
	chunk []lexer.Token
}

const arenaChunk = 1024

var arenas = sync.Pool{New: func() any { return new(tokArena) }}

// relex returns the tokens of the Run token run.
func (a *tokArena) relex(run *lexer.Token) []lexer.Token {
	if n := len(run.Value); cap(a.chunk)-len(a.chunk) < n { // a token takes at least a byte
		a.chunk = make([]lexer.Token, 0, max(arenaChunk, n))
	}
	start := len(a.chunk)
	a.chunk = relex(*run, a.chunk)
	return a.chunk[start:len(a.chunk):len(a.chunk)]
}

// flatAST is one or more lines made of a run only, with the separators
// between them.
type flatAST struct {
	Lines []*lineAST
}

// Parse reads lines of one run each up to (not including) a line that
// holds a brace group, a '}' or the end of the file.
func (f *flatAST) Parse(lex *lexer.PeekingLexer) error {
	a := arenas.Get().(*tokArena)
	defer arenas.Put(a)
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
		// The run and the line begin at the same token.
		line := &lineAST{Pos: run.Pos, Terms: []*termAST{{Pos: run.Pos, Run: runAST{Toks: a.relex(run)}}}}
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

// bodyAST is a brace group read by the fast path.
type bodyAST struct {
	G *groupAST
}

// Parse reads a whole { ... } group, or declines (NextMatch) when the
// group is not closed before the end of the file.
func (b *bodyAST) Parse(lex *lexer.PeekingLexer) error {
	cp := lex.MakeCheckpoint()
	a := arenas.Get().(*tokArena)
	defer arenas.Put(a)
	g, ok := readGroup(lex, a)
	if !ok {
		lex.LoadCheckpoint(cp)
		return participle.NextMatch
	}
	b.G = g
	return nil
}

// readGroup reads "{" { EOL | line } "}".
func readGroup(lex *lexer.PeekingLexer, a *tokArena) (*groupAST, bool) {
	open := lex.Peek()
	if open.Type != tokBrace || open.Value != "{" {
		return nil, false
	}
	lex.Next()
	g := &groupAST{Pos: open.Pos}
	for {
		t := lex.Peek()
		switch {
		case t.Type == tokEOL:
			lex.Next()
		case t.Type == tokBrace && t.Value == "}":
			lex.Next()
			g.EndPos = lex.RawPeek().Pos
			if g.Lines == nil {
				g.Lines = []*lineAST{}
			}
			return g, true
		case t.Type == tokRun || t.Type == tokBrace:
			line, ok := readLine(lex, a)
			if !ok {
				return nil, false
			}
			g.Lines = append(g.Lines, line)
		default: // the end of the file
			return nil, false
		}
	}
}

// readLine reads the terms of a line up to an EOL, a '}' or the end of
// the file.
func readLine(lex *lexer.PeekingLexer, a *tokArena) (*lineAST, bool) {
	line := &lineAST{Pos: lex.Peek().Pos}
	for {
		t := lex.Peek()
		switch {
		case t.Type == tokRun:
			lex.Next()
			line.Terms = append(line.Terms, &termAST{Pos: t.Pos, Run: runAST{Toks: a.relex(t)}})
		case t.Type == tokBrace && t.Value == "{":
			g, ok := readGroup(lex, a)
			if !ok {
				return nil, false
			}
			line.Terms = append(line.Terms, &termAST{Pos: g.Pos, Group: g})
		default:
			return line, true
		}
	}
}

// parseFile parses a file and flattens its items into lines.
func parseFile(name string, src []byte) (*fileAST, error) {
	ast, err := grammar.ParseBytes(name, src)
	if err != nil {
		return nil, err
	}
	lines := make([]*lineAST, 0, len(ast.Items))
	for _, it := range ast.Items {
		if it.Line == nil {
			lines = append(lines, it.Flat.Lines...)
			continue
		}
		line := &lineAST{Pos: it.Line.Pos, Terms: make([]*termAST, len(it.Line.Terms))}
		for i, t := range it.Line.Terms {
			line.Terms[i] = &termAST{Pos: t.Pos, Run: t.Run, Group: t.Group}
			flattenGroup(t.Group)
		}
		lines = append(lines, line)
	}
	ast.Lines = lines
	ast.Items = nil
	return ast, nil
}

// flattenGroup turns the items of a group parsed by the general
// production into lines, and those of every group below it.
func flattenGroup(g *groupAST) {
	if g == nil {
		return
	}
	n := 0
	for _, it := range g.Items {
		if it.Line != nil {
			n++
		} else {
			n += len(it.Flat.Lines)
		}
	}
	lines := make([]*lineAST, 0, n)
	for _, it := range g.Items {
		if it.Line == nil {
			lines = append(lines, it.Flat.Lines...)
			continue
		}
		lines = append(lines, it.Line)
		for _, t := range it.Line.Terms {
			if t.Body.G != nil {
				t.Group, t.Body.G = t.Body.G, nil // already lines
				continue
			}
			flattenGroup(t.Group)
		}
	}
	g.Lines = lines
	g.Items = nil
}
