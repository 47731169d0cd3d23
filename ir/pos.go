package ir

import "fmt"

// Pos is a position in an input file; Line and Col count from 1.
type Pos struct {
	File string
	Line int
	Col  int
}

// IsValid reports whether the position points into a file.
func (p Pos) IsValid() bool { return p.Line > 0 }

// String formats the position as file:line:col.
func (p Pos) String() string {
	if !p.IsValid() {
		return p.File
	}
	return fmt.Sprintf("%s:%d:%d", p.File, p.Line, p.Col)
}

// Span is the source range a node came from; End is exclusive.
type Span struct {
	Start Pos
	End   Pos
}
