package json

import (
	"fmt"
	"strconv"
	"strings"
)

// Error is a problem in JSON input: where it is, as a JSON path such as
// nftables[12].rule.expr[1].match.right, and what was expected there.
// Syntax errors carry the line and column instead of a path.
type Error struct {
	// File names the input, as given to Parse.
	File string
	// Path is the JSON path of the offending value; empty for syntax
	// errors.
	Path string
	// Line and Col locate a syntax error (counting from 1); zero for
	// errors found after decoding.
	Line, Col int
	Msg       string
}

func (e *Error) Error() string {
	var sb strings.Builder
	if e.File != "" {
		sb.WriteString(e.File)
	}
	if e.Line > 0 {
		fmt.Fprintf(&sb, ":%d:%d", e.Line, e.Col)
	}
	if e.Path != "" {
		if sb.Len() > 0 {
			sb.WriteString(": ")
		}
		sb.WriteString(e.Path)
	}
	if sb.Len() > 0 {
		sb.WriteString(": ")
	}
	sb.WriteString(e.Msg)
	return sb.String()
}

// lineCol converts a byte offset into src to a line and a column, both
// counting from 1; the column counts bytes.
func lineCol(src []byte, off int64) (line, col int) {
	if off > int64(len(src)) {
		off = int64(len(src))
	}
	line, col = 1, 1
	for _, b := range src[:off] {
		if b == '\n' {
			line++
			col = 1
		} else {
			col++
		}
	}
	return line, col
}

// path is the position of a value in the decoded document: a chain of
// object keys and array indices, kept as a stack while reading and
// turned into text only when an error is reported.
type path []pathElem

type pathElem struct {
	key string
	idx int // -1 for object keys
}

func (p path) String() string {
	var sb strings.Builder
	for i, e := range p {
		if e.idx >= 0 {
			sb.WriteByte('[')
			sb.WriteString(strconv.Itoa(e.idx))
			sb.WriteByte(']')
			continue
		}
		if i > 0 {
			sb.WriteByte('.')
		}
		if isPlainKey(e.key) {
			sb.WriteString(e.key)
		} else {
			sb.WriteString(strconv.Quote(e.key))
		}
	}
	return sb.String()
}

// isPlainKey reports whether a key prints unquoted in a path: letters,
// digits, '-' and '_' only ("tcp option" is quoted).
func isPlainKey(k string) bool {
	if k == "" {
		return false
	}
	for _, r := range k {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_') {
			return false
		}
	}
	return true
}
