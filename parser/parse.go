package parser

import (
	"errors"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/alecthomas/participle/v2"
	"github.com/nftopt/nftopt/ir"
)

// Options control parsing.
type Options struct {
	// IncludeDirs is the search path for relative include files (-I).
	IncludeDirs []string
	// ReadFile reads included files; os.ReadFile when nil.
	ReadFile func(string) ([]byte, error)
}

// Parse reads nft text from src, named filename in diagnostics, and
// lowers it to an ir.Ruleset. On error it returns an ErrorList and no
// ruleset.
func Parse(filename string, src []byte, opts Options) (*ir.Ruleset, error) {
	if opts.ReadFile == nil {
		opts.ReadFile = os.ReadFile
	}
	l := &lowerer{
		rs:      &ir.Ruleset{},
		opts:    opts,
		sources: map[string]string{},
		scopes:  []map[string][]tok{{}},
	}
	l.dst.RS = l.rs
	l.file(filename, src, l.topLine)
	l.flushRules()
	if len(l.errs) > 0 {
		for _, e := range l.errs {
			e.Line = l.sourceLine(e.Pos)
		}
		return nil, l.errs
	}
	return l.rs, nil
}

// ParseFile reads and parses the file at path.
func ParseFile(path string, opts Options) (*ir.Ruleset, error) {
	src, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	return Parse(path, src, opts)
}

func (l *lowerer) sourceLine(p ir.Pos) string {
	src, ok := l.sources[p.File]
	if !ok || p.Line < 1 {
		return ""
	}
	for i := 1; i < p.Line; i++ {
		j := strings.IndexByte(src, '\n')
		if j < 0 {
			return ""
		}
		src = src[j+1:]
	}
	if j := strings.IndexByte(src, '\n'); j >= 0 {
		src = src[:j]
	}
	return src
}

// file parses one file (the main one or an include) and lowers each of
// its lines with lower, which knows the context the file is included in.
func (l *lowerer) file(name string, src []byte, lower func(*lineAST)) {
	text := string(src)
	l.sources[name] = text
	ast, err := parseFile(name, text)
	if err != nil {
		l.syntaxError(name, err)
		return
	}
	for _, line := range ast.Lines {
		lower(line)
		if len(l.errs) >= maxErrors {
			return
		}
	}
}

const maxErrors = 10

func (l *lowerer) syntaxError(name string, err error) {
	var le *LexError
	if errors.As(err, &le) {
		l.errs = append(l.errs, &Error{Pos: position(le.Pos), Msg: "syntax error, " + le.Msg})
		return
	}
	var pe participle.Error
	if errors.As(err, &pe) {
		msg := pe.Message()
		msg = strings.ReplaceAll(msg, `"}"`, "'}'")
		if strings.Contains(msg, "unexpected token \"<EOF>\"") {
			if open, ok := unclosedBrace(name, l.sources[name]); ok {
				l.errs = append(l.errs, &Error{Pos: open, Len: 1, Msg: "syntax error, this '{' is not closed before the end of the file"})
				return
			}
		}
		l.errs = append(l.errs, &Error{Pos: position(pe.Position()), Msg: "syntax error, " + msg})
		return
	}
	l.errs = append(l.errs, &Error{Pos: ir.Pos{File: name}, Msg: err.Error()})
}

// include resolves an include pattern the way nft does: an absolute
// path or glob as is; a relative one against the including file's
// directory's search path (-I dirs, then the current directory).
func (l *lowerer) include(t tok, lower func(*lineAST)) {
	l.flushRules()
	pattern := t.text
	var candidates []string
	if filepath.IsAbs(pattern) {
		candidates = []string{pattern}
	} else {
		for _, d := range l.opts.IncludeDirs {
			candidates = append(candidates, filepath.Join(d, pattern))
		}
		candidates = append(candidates, pattern)
	}
	glob := strings.ContainsAny(pattern, "*?[")
	for _, c := range candidates {
		var files []string
		if glob {
			m, err := filepath.Glob(c)
			if err != nil {
				l.errorf(t.pos, len(t.text)+2, "bad include pattern %q: %v", pattern, err)
				return
			}
			files = m
		} else if _, err := os.Stat(c); err == nil {
			files = []string{c}
		}
		if len(files) == 0 {
			continue
		}
		sort.Strings(files)
		for _, f := range files {
			l.includeFile(t, f, lower)
		}
		return
	}
	if glob {
		return // nft accepts a glob that matches nothing
	}
	l.errorf(t.pos, len(t.text)+2, "file not found: %s", pattern)
}

func (l *lowerer) includeFile(t tok, path string, lower func(*lineAST)) {
	abs, _ := filepath.Abs(path)
	for _, s := range l.includeStack {
		if s == abs {
			l.errorf(t.pos, len(t.text)+2, "include cycle: %s includes itself", path)
			return
		}
	}
	src, err := l.opts.ReadFile(path)
	if err != nil {
		l.errorf(t.pos, len(t.text)+2, "cannot read include file: %v", err)
		return
	}
	l.includeStack = append(l.includeStack, abs)
	l.file(path, src, lower)
	l.includeStack = l.includeStack[:len(l.includeStack)-1]
}

// unclosedBrace finds the innermost '{' left open at the end of src.
func unclosedBrace(name, src string) (ir.Pos, bool) {
	lx, _ := lexDef{}.LexString(name, src)
	var stack []ir.Pos
	for {
		t, err := lx.Next()
		if err != nil || t.Type == tokEOF {
			break
		}
		switch {
		case t.Type == tokBrace && t.Value == "{":
			stack = append(stack, position(t.Pos))
		case t.Type == tokBrace && len(stack) > 0:
			stack = stack[:len(stack)-1]
		}
	}
	if len(stack) == 0 {
		return ir.Pos{}, false
	}
	return stack[len(stack)-1], true
}
