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
//	tterm = run | fast | group .
//	group = "{" { EOL | item } "}" .
//	item  = flat | line .
//	line  = term { term } .
//	term  = fast | group .
//	flat  = Run EOL { EOL } ...         (lines of one run each; flatAST.Parse)
//	fast  = Run | Body                  (fastTermAST.Parse: a run, or a whole group)
//	run   = Run                         (runAST.Parse: the Run token's tokens)
//
// The lexer (lexDef{Runs: true}) hands participle each run of words,
// strings and punctuation as one Run token, and each brace group
// (table, chain and set bodies, set literals) as one Body token; flat,
// fast and run are Parseable fast paths that lex those again.
// participle's reflective machinery costs several allocations per
// token, per line and per alternative tried, and nearly all the text of
// a large ruleset is in table bodies: tens of thousands of chains and
// sets in generated ones. The lines of the file are parsed by the
// general productions. A group left open at the end of the file never
// becomes a Body token, nor does any group after its '{', so the
// general production reports it as before. The fast paths build the same
// lineAST, termAST and groupAST values as the general productions;
// grammar_test.go holds them to a reference grammar without fast paths
// over single tokens. After parsing, parseFile turns the items of every
// block into one list of lines.

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
	Terms []*topTermAST `parser:"@@+"`
}

type topTermAST struct {
	Run   runAST      `parser:"  @@"`
	Fast  fastTermAST `parser:"| @@"`
	Group *groupAST   `parser:"| @@"`
}

// itemAST is a run of lines without braces, or one line with braces.
type itemAST struct {
	Flat flatAST  `parser:"  @@"`
	Line *lineAST `parser:"| @@"`
}

// lineAST is one command, declaration or rule. Start is the position
// of its first token; it is not named Pos, which participle would fill
// at every attempt to match a line (an allocation each): parseFile
// fills it.
type lineAST struct {
	Start lexer.Position
	Terms []*termAST `parser:"@@+"`
}

// termAST is a brace group or a run of tokens outside braces. Fast,
// a run or a Body, is moved to Run or Group by parseFile.
type termAST struct {
	Start lexer.Position
	Fast  fastTermAST `parser:"  @@"`
	Group *groupAST   `parser:"| @@"`
	Run   runAST
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

// push appends t to the run that begins at start in the chunk, moving
// the run to a new chunk when the chunk is full, and returns where the
// run begins now.
func (a *tokArena) push(start int, t lexer.Token) int {
	if len(a.chunk) == cap(a.chunk) {
		run := a.chunk[start:]
		chunk := make([]lexer.Token, 0, max(arenaChunk, 2*len(run)))
		a.chunk = append(chunk, run...)
		start = 0
	}
	a.chunk = append(a.chunk, t)
	return start
}

// relex lexes the text of the Run token run again and returns its
// tokens. The run lexed without error once.
func (a *tokArena) relex(run *lexer.Token) []lexer.Token {
	l := lex{src: run.Value, pos: run.Pos}
	start := len(a.chunk)
	for l.off < len(l.src) {
		t, _ := l.Next()
		start = a.push(start, t)
	}
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
		if next.Type == tokBody || next.Type == tokBrace && next.Value == "{" {
			lex.LoadCheckpoint(cp)
			break
		}
		// The run and the line begin at the same token.
		term := [1]termAST{{Start: run.Pos, Run: runAST{Toks: a.relex(run)}}}
		line := newLine(run.Pos, term[:])
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

// fastTermAST is a term read by the fast paths: a Run token, or a Body
// token, a whole group whose text is lexed again into lines, the
// tokens of their runs going straight into the arena.
type fastTermAST struct {
	Run runAST
	G   *groupAST
}

// Parse reads a Run or a Body token.
func (f *fastTermAST) Parse(pl *lexer.PeekingLexer) error {
	t := pl.Peek()
	if t.Type != tokRun && t.Type != tokBody {
		return participle.NextMatch
	}
	pl.Next()
	a := arenas.Get().(*tokArena)
	defer arenas.Put(a)
	if t.Type == tokRun {
		f.Run.Toks = a.relex(t)
		return nil
	}
	st := &tokStream{l: lex{src: t.Value, pos: t.Pos}}
	st.next()
	f.G = st.group(a)
	f.G.EndPos = pl.RawPeek().Pos
	return nil
}

// tokStream reads the text of a Body token one token ahead. The text
// was lexed without error once, and its braces balance.
type tokStream struct {
	l   lex
	tok lexer.Token
}

func (st *tokStream) next() { st.tok, _ = st.l.Next() }

// group reads "{" { EOL | line } "}".
func (st *tokStream) group(a *tokArena) *groupAST {
	g := &groupAST{Pos: st.tok.Pos}
	var buf [16]*lineAST
	lines := buf[:0]
	st.next()
	for {
		switch t := &st.tok; {
		case t.Type == tokEOL:
			st.next()
		case t.Type == tokBrace && t.Value == "}", t.Type == tokEOF:
			st.next()
			g.EndPos = st.tok.Pos
			g.Lines = make([]*lineAST, len(lines))
			copy(g.Lines, lines)
			return g
		default:
			lines = append(lines, st.line(a))
		}
	}
}

// line reads the terms of a line up to an EOL or a '}'.
func (st *tokStream) line(a *tokArena) *lineAST {
	pos := st.tok.Pos
	var buf [4]termAST
	terms := buf[:0]
	for {
		t := &st.tok
		switch {
		case isRunToken(t.Type):
			pos := t.Pos
			start := len(a.chunk)
			for isRunToken(st.tok.Type) {
				start = a.push(start, st.tok)
				st.next()
			}
			terms = append(terms, termAST{Start: pos, Run: runAST{Toks: a.chunk[start:len(a.chunk):len(a.chunk)]}})
		case t.Type == tokBrace && t.Value == "{":
			g := st.group(a)
			terms = append(terms, termAST{Start: g.Pos, Group: g})
		default:
			return newLine(pos, terms)
		}
	}
}

// newLine allocates a line with copies of terms; a line of one term,
// the usual case, takes one allocation.
func newLine(pos lexer.Position, terms []termAST) *lineAST {
	if len(terms) == 1 {
		b := &struct {
			line lineAST
			term termAST
			ptr  [1]*termAST
		}{term: terms[0]}
		b.ptr[0] = &b.term
		b.line = lineAST{Start: pos, Terms: b.ptr[:]}
		return &b.line
	}
	vals := make([]termAST, len(terms))
	ptrs := make([]*termAST, len(terms))
	for i := range terms {
		vals[i] = terms[i]
		ptrs[i] = &vals[i]
	}
	return &lineAST{Start: pos, Terms: ptrs}
}

// parseFile parses a file and flattens its items into lines.
func parseFile(name, src string) (*fileAST, error) {
	ast, err := grammar.ParseString(name, src)
	if err != nil {
		return nil, err
	}
	lines := make([]*lineAST, 0, len(ast.Items))
	for _, it := range ast.Items {
		if it.Line == nil {
			lines = append(lines, it.Flat.Lines...)
			continue
		}
		terms := make([]termAST, len(it.Line.Terms))
		line := &lineAST{Terms: make([]*termAST, len(terms))}
		for i, t := range it.Line.Terms {
			terms[i] = termAST{Run: t.Run, Group: t.Group}
			if t.Fast.G != nil {
				terms[i].Group = t.Fast.G // already lines
			} else {
				flattenGroup(t.Group)
			}
			line.Terms[i] = &terms[i]
		}
		fillStarts(line)
		lines = append(lines, line)
	}
	ast.Lines = lines
	ast.Items = nil
	return ast, nil
}

// fillStarts sets the start positions of a line parsed by the general
// production and of its terms.
func fillStarts(line *lineAST) {
	for _, t := range line.Terms {
		if t.Group != nil {
			t.Start = t.Group.Pos
		} else {
			t.Start = t.Run.Toks[0].Pos
		}
	}
	line.Start = line.Terms[0].Start
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
		for _, t := range it.Line.Terms {
			switch {
			case t.Fast.G != nil:
				t.Group = t.Fast.G // already lines
			case t.Group != nil:
				flattenGroup(t.Group)
			default:
				t.Run = t.Fast.Run
			}
			t.Fast = fastTermAST{}
		}
		fillStarts(it.Line)
		lines = append(lines, it.Line)
	}
	g.Lines = lines
	g.Items = nil
}
