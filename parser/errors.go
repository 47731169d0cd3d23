package parser

import (
	"fmt"
	"strings"

	"github.com/nftopt/nftopt/ir"
)

// Error is a diagnostic at a source position.
type Error struct {
	Pos ir.Pos
	// Len is the length of the offending text on its line, for the caret.
	Len int
	Msg string
	// Line is the source line the position points into, for display.
	Line string
}

func (e *Error) Error() string { return fmt.Sprintf("%s: %s", e.Pos, e.Msg) }

// Format returns the diagnostic the way nft prints one: position and
// message, the source line, and a caret under the span.
func (e *Error) Format() string {
	var sb strings.Builder
	sb.WriteString(e.Error())
	sb.WriteByte('\n')
	if e.Line != "" && e.Pos.Col > 0 {
		sb.WriteString(e.Line)
		sb.WriteByte('\n')
		// Keep tabs so the caret lines up under tab-indented source.
		for i := 0; i < e.Pos.Col-1 && i < len(e.Line); i++ {
			if e.Line[i] == '\t' {
				sb.WriteByte('\t')
			} else {
				sb.WriteByte(' ')
			}
		}
		sb.WriteString(strings.Repeat("^", max(e.Len, 1)))
		sb.WriteByte('\n')
	}
	return sb.String()
}

// ErrorList is the list of diagnostics of a failed parse.
type ErrorList []*Error

func (l ErrorList) Error() string {
	if len(l) == 0 {
		return "no errors"
	}
	if len(l) == 1 {
		return l[0].Error()
	}
	return fmt.Sprintf("%s (and %d more errors)", l[0].Error(), len(l)-1)
}

// Format returns every diagnostic with its source line and caret.
func (l ErrorList) Format() string {
	var sb strings.Builder
	for _, e := range l {
		sb.WriteString(e.Format())
	}
	return sb.String()
}
