package parser

import (
	"io"
	"strings"

	"github.com/alecthomas/participle/v2/lexer"
)

// Token types of the nft lexer.
const (
	tokEOF lexer.TokenType = lexer.EOF
	tokEOL lexer.TokenType = -(iota + 2) // newline or ';'
	tokWord
	tokString
	tokVar
	tokSetRef
	tokPunct
	tokBrace
	tokRun  // a run of Word, String, Var, SetRef and Punct tokens (lexDef.Runs)
	tokBody // a group inside a group, from '{' to '}' (lexDef.Runs)
)

func (lexDef) Symbols() map[string]lexer.TokenType {
	return map[string]lexer.TokenType{
		"EOF":    tokEOF,
		"EOL":    tokEOL,
		"Word":   tokWord,
		"String": tokString,
		"Var":    tokVar,
		"SetRef": tokSetRef,
		"Punct":  tokPunct,
		"Brace":  tokBrace,
		"Run":    tokRun,
		"Body":   tokBody,
	}
}

// lexDef is nft's lexer as a participle lexer definition. It is hand
// written because nft's tokens depend on their neighbours: "1-2" is a
// range but "echo-request" a name, "fe80::1" an address but "a : b" a
// map arrow.
//
// With Runs set, each run of tokens outside braces (Word, String, Var,
// SetRef and Punct tokens between two EOL, brace or EOF tokens) comes
// as one Run token whose Value is the run's source text, from the
// start of its first token to the end of its last; tokArena.relex
// gives its tokens back. A group inside a group comes as one Body token
// (see runLex). participle's lexer.Upgrade copies every token into one
// growing slice, so it handles a few tokens per table-level line
// instead of one per word.
type lexDef struct {
	Runs bool
}

func (d lexDef) Lex(filename string, r io.Reader) (lexer.Lexer, error) {
	b, err := io.ReadAll(r)
	if err != nil {
		return nil, err
	}
	return d.LexString(filename, string(b))
}

func (d lexDef) LexString(filename, s string) (lexer.Lexer, error) {
	l := &lex{src: s, pos: lexer.Position{Filename: filename, Line: 1, Column: 1}}
	if d.Runs {
		return &runLex{l: l}, nil
	}
	return l, nil
}

// lex reads tokens from src. src may be a piece of a file (the text of
// a Run or a Body token): off indexes src while pos carries the
// position in the whole file.
type lex struct {
	src string
	off int
	pos lexer.Position
}

// LexError is a lexical error at a position.
type LexError struct {
	Pos lexer.Position
	Msg string
}

func (e *LexError) Error() string { return e.Msg }

func (l *lex) advance(n int) {
	for i := 0; i < n; i++ {
		if l.src[l.off+i] == '\n' {
			l.pos.Line++
			l.pos.Column = 1
		} else {
			l.pos.Column++
		}
	}
	l.off += n
	l.pos.Offset += n
}

func isLetter(c byte) bool { return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c == '_' }
func isDigit(c byte) bool  { return c >= '0' && c <= '9' }
func isHex(c byte) bool    { return isDigit(c) || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F' }

// isWordChar reports the characters that may continue a word.
func isWordChar(c byte) bool {
	return isLetter(c) || isDigit(c) || c == '.' || c == '/' || c == '-' || c == '*' || c == '\\' || c == '%'
}

func (l *lex) Next() (lexer.Token, error) {
	s := l.src
	for l.off < len(s) {
		c := s[l.off]
		switch {
		case c == ' ' || c == '\t' || c == '\r':
			l.skip(1)
		case c == '\\' && l.off+1 < len(s) && s[l.off+1] == '\n':
			l.advance(2)
		case c == '#':
			end := strings.IndexByte(s[l.off:], '\n')
			if end < 0 {
				end = len(s) - l.off
			}
			l.skip(end) // up to the newline
		default:
			return l.token()
		}
	}
	return lexer.Token{Type: tokEOF, Pos: l.pos}, nil
}

// skip moves past n bytes that hold no newline.
func (l *lex) skip(n int) {
	l.off += n
	l.pos.Offset += n
	l.pos.Column += n
}

func (l *lex) emit(t lexer.TokenType, n int) (lexer.Token, error) {
	tok := lexer.Token{Type: t, Value: l.src[l.off : l.off+n], Pos: l.pos}
	if t == tokString || t == tokEOL {
		l.advance(n) // a string may hold a newline
	} else {
		l.skip(n) // no other token does
	}
	return tok, nil
}

func (l *lex) token() (lexer.Token, error) {
	s := l.src[l.off:]
	c := s[0]
	switch c {
	case '\n', ';':
		return l.emit(tokEOL, 1)
	case '"', '\'':
		end := strings.IndexByte(s[1:], c)
		if end < 0 {
			return lexer.Token{}, &LexError{l.pos, "unterminated string"}
		}
		return l.emit(tokString, end+2)
	case '$':
		n := 1
		for n < len(s) && (isLetter(s[n]) || isDigit(s[n])) {
			n++
		}
		if n == 1 {
			return lexer.Token{}, &LexError{l.pos, "'$' must be followed by a variable name"}
		}
		return l.emit(tokVar, n)
	case '@':
		n := 1
		for n < len(s) && (isLetter(s[n]) || isDigit(s[n]) || s[n] == '.' || s[n] == '-' || s[n] == '/') {
			n++
		}
		if n == 1 {
			return lexer.Token{}, &LexError{l.pos, "'@' must be followed by a set name"}
		}
		return l.emit(tokSetRef, n)
	}
	// The two-character operators: == != <= >= << >>.
	if len(s) > 1 && (c == '=' || c == '!' || c == '<' || c == '>') &&
		(s[1] == '=' || c == '<' && s[1] == '<' || c == '>' && s[1] == '>') {
		return l.emit(tokPunct, 2)
	}
	if c == ':' {
		// "::1" and ":8080" start a word; otherwise ':' is the map arrow.
		if len(s) > 1 && (s[1] == ':' || isDigit(s[1])) {
			return l.emit(tokWord, l.wordLen(s))
		}
		return l.emit(tokPunct, 1)
	}
	if isLetter(c) || isDigit(c) || c == '.' && len(s) > 1 && isDigit(s[1]) || c == '*' {
		return l.emit(tokWord, l.wordLen(s))
	}
	if c == '{' || c == '}' {
		return l.emit(tokBrace, 1)
	}
	if strings.IndexByte("[](),.=<>&|^-/!~*+", c) >= 0 {
		return l.emit(tokPunct, 1)
	}
	return lexer.Token{}, &LexError{l.pos, "unexpected character " + quoteChar(c)}
}

func quoteChar(c byte) string {
	if c < 0x20 || c >= 0x7f {
		return "0x" + string("0123456789abcdef"[c>>4]) + string("0123456789abcdef"[c&15])
	}
	return "'" + string(c) + "'"
}

// wordLen returns the length of the word at the start of s: names,
// numbers, addresses (with prefixes, ports and ranges cut at '-' for
// numeric words), MAC addresses, times and rates.
func (l *lex) wordLen(s string) int {
	numeric := isDigit(s[0]) || s[0] == ':' || s[0] == '.'
	hexish := true // only hex digits, '.' and ':' so far: ':' may continue
	colon := s[0] == ':'
	n := 0
	for n < len(s) {
		c := s[n]
		switch {
		case c == ':':
			if !hexish || !(n > 0 && s[n-1] == ':' || n+1 < len(s) && (isHex(s[n+1]) || s[n+1] == ':')) {
				return n
			}
			colon = true
		case c == '-':
			if numeric || colon {
				return n
			}
		case isWordChar(c):
			if !(isHex(c) || c == '.') {
				hexish = false
			}
			if c == '/' {
				hexish = false
			}
		default:
			return n
		}
		n++
	}
	return n
}

// runLex is the lexer of lexDef{Runs: true}: lex's tokens, with each
// run of run tokens joined into one Run token, and each brace group
// (table, chain and set bodies, set literals) as one Body token, from
// its '{' to its '}'. A group
// left open at the end of the file comes as single tokens, as does
// everything after it, so that the grammar reports it.
type runLex struct {
	l     *lex
	next  lexer.Token // the token after the last run, when held
	held  bool
	depth int  // braces open in the tokens returned so far
	flat  bool // no more Body tokens: a group was found unclosed
}

func (r *runLex) raw() (lexer.Token, error) {
	if r.held {
		r.held = false
		return r.next, nil
	}
	return r.l.Next()
}

func (r *runLex) Next() (lexer.Token, error) {
	first, err := r.raw()
	if err != nil {
		return first, err
	}
	switch {
	case first.Type == tokBrace && first.Value == "{":
		if !r.flat {
			body, ok, err := r.body(first)
			if err != nil || ok {
				return body, err
			}
			r.flat = true
		}
		r.depth++
		return first, nil
	case first.Type == tokBrace:
		r.depth = max(r.depth-1, 0)
		return first, nil
	case !isRunToken(first.Type):
		return first, nil
	}
	end := r.l.off
	for {
		t, err := r.l.Next()
		if err != nil {
			return t, err
		}
		if !isRunToken(t.Type) {
			r.next, r.held = t, true
			break
		}
		end = r.l.off
	}
	start := first.Pos.Offset - (r.l.pos.Offset - r.l.off) // first's index in src
	return lexer.Token{Type: tokRun, Value: r.l.src[start:end], Pos: first.Pos}, nil
}

// body reads on from the '{' open to its '}' and returns the group as
// one Body token; ok is false, and the lexer back after open, when the
// file ends first. A lexical error on the way is the file's first.
func (r *runLex) body(open lexer.Token) (t lexer.Token, ok bool, err error) {
	save := *r.l
	depth := 1
	for {
		t, err := r.l.Next()
		if err != nil {
			return t, false, err
		}
		switch {
		case t.Type == tokEOF:
			*r.l = save
			return lexer.Token{}, false, nil
		case t.Type == tokBrace && t.Value == "{":
			depth++
		case t.Type == tokBrace:
			depth--
			if depth == 0 {
				start := open.Pos.Offset - (r.l.pos.Offset - r.l.off) // open's index in src
				return lexer.Token{Type: tokBody, Value: r.l.src[start:r.l.off], Pos: open.Pos}, true, nil
			}
		}
	}
}
