package parser

import (
	"fmt"
	"reflect"
	"strings"
	"testing"

	"github.com/alecthomas/participle/v2"
	"github.com/alecthomas/participle/v2/lexer"
)

// The reference grammar: the same language as grammar.go written with
// participle's general productions only, no Parseable fast paths. The
// differential tests below hold the production grammar to it.

type refFileAST struct {
	Lines []*refLineAST `parser:"( @@ | EOL )*"`
}

type refLineAST struct {
	Pos   lexer.Position
	Terms []*refTermAST `parser:"@@+"`
}

type refTermAST struct {
	Pos   lexer.Position
	Group *refGroupAST  `parser:"  @@"`
	Toks  []lexer.Token `parser:"| @((Word|String|Var|SetRef|Punct)+)"`
}

type refGroupAST struct {
	Pos    lexer.Position
	Lines  []*refLineAST `parser:"\"{\" ( @@ | EOL )*"`
	EndPos lexer.Position
	Close  string `parser:"\"}\""`
}

var refGrammar = participle.MustBuild[refFileAST](
	participle.Lexer(lexDef{}),
	participle.UseLookahead(1),
)

// refParse parses src with the reference grammar into the production
// grammar's types.
func refParse(name, src string) (*fileAST, error) {
	ref, err := refGrammar.ParseString(name, src)
	if err != nil {
		return nil, err
	}
	return &fileAST{Lines: refLines(ref.Lines)}, nil
}

func refLines(in []*refLineAST) []*lineAST {
	out := make([]*lineAST, 0, len(in))
	for _, l := range in {
		line := &lineAST{Start: l.Pos}
		for _, t := range l.Terms {
			term := &termAST{Start: t.Pos, Run: runAST{Toks: t.Toks}}
			if t.Group != nil {
				term.Group = &groupAST{Pos: t.Group.Pos, EndPos: t.Group.EndPos, Close: t.Group.Close, Lines: refLines(t.Group.Lines)}
			}
			line.Terms = append(line.Terms, term)
		}
		out = append(out, line)
	}
	return out
}

// expectSameParse checks that the production grammar and the reference
// grammar give the same tree, or the same error, for src.
func expectSameParse(t *testing.T, name, src string) {
	t.Helper()
	want, wantErr := refParse(name, src)
	got, gotErr := parseFile(name, src)
	if fmt.Sprint(gotErr) != fmt.Sprint(wantErr) {
		t.Fatalf("%s: error %v, reference grammar %v\ninput:\n%s", name, gotErr, wantErr, src)
	}
	if wantErr != nil {
		return
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("%s: tree differs from the reference grammar's\ninput:\n%s\ngot:\n%s\nwant:\n%s", name, src, dumpLines(got.Lines, ""), dumpLines(want.Lines, ""))
	}
}

// dumpLines prints a tree of lines with positions, for failure messages.
func dumpLines(lines []*lineAST, indent string) string {
	var b strings.Builder
	for _, l := range lines {
		fmt.Fprintf(&b, "%sline %d:%d\n", indent, l.Start.Line, l.Start.Column)
		for _, t := range l.Terms {
			if t.Group != nil {
				fmt.Fprintf(&b, "%s  group %d:%d-%d:%d %q\n", indent, t.Group.Pos.Line, t.Group.Pos.Column, t.Group.EndPos.Line, t.Group.EndPos.Column, t.Group.Close)
				b.WriteString(dumpLines(t.Group.Lines, indent+"    "))
				continue
			}
			fmt.Fprintf(&b, "%s  run %d:%d", indent, t.Start.Line, t.Start.Column)
			for _, tk := range t.Run.Toks {
				fmt.Fprintf(&b, " %q@%d:%d", tk.Value, tk.Pos.Line, tk.Pos.Column)
			}
			b.WriteByte('\n')
		}
	}
	return b.String()
}

// grammarCases are small inputs at the edges of the fast paths: lines
// that reach a brace, separators, empty groups, stray and missing
// braces, lexical errors.
var grammarCases = []string{
	"",
	"\n\n;;\n",
	"table ip t\n",
	"table ip t {}\n",
	"table ip t { }",
	"table ip t {\n}\n",
	"table ip t { chain c { ip saddr 1.2.3.4 drop; tcp dport 22 accept } }",
	"table ip t {\n\tchain c {\n\t\tip saddr 1.2.3.4 drop\n\t\tip saddr { 1.2.3.4, 5.6.7.8 } drop\n\t\tip daddr 9.9.9.9 accept\n\t}\n}\n",
	"table ip t {\n\tchain c {\n\t\tip saddr { 1.2.3.4 } drop counter\n\t}\n}\n",
	"a b\n{ c }\nd { e } f { g { h } } i\n",
	"{ }\n{}\n{\n}\n",
	"a ; b ; c\n; d {\n; e ;\n} ;",
	"a\\\nb c # comment { not a group\nd \"string { }\" $var @set\n",
	"a b }\n",
	"}\n",
	"a {\n b\n",
	"a { b { c }\n",
	"a { b\n}}\n",
	"a { b } }",
	"a b \x01 c\n",
	"a \"unterminated\n",
	"a $ b\n",
	"a @\n",
	"define X = { 1, 2 }\ntable ip t {\n\tset s { type ipv4_addr; elements = { 1.2.3.4,\n\t\t5.6.7.8 }\n\t}\n}\n",
	"table ip t { chain c { numgen random mod 2 vmap { 0 : goto a, 1 : goto b } } }",
	"x y\n\n\n{\n\n}\n\nz\n",
	"table t { chain c { a { b { c } d } e\n f { }\n{ g } h\n;\n} }\n",
	"table t { chain c { a { b { c } d } e\n",
	"table t { chain c { a { b\n",
	"table t { chain c { }\n} }\n",
	"table t { chain c {\n\t}\n\tchain d { x }; set s { y; z }\n}",
	"table t { chain c { a } b { c } }",
}

func TestGrammarMatchesReference(t *testing.T) {
	for i, src := range grammarCases {
		expectSameParse(t, fmt.Sprintf("case%d.nft", i), src)
	}
	for i, src := range append(corpusSeeds(t), goldenSeeds(t)...) {
		name := fmt.Sprintf("seed%d.nft", i)
		expectSameParse(t, name, src)
		// Cut the input short at a few places: unclosed braces, and
		// lines that end at the end of the file.
		for _, frac := range []int{3, 5, 7} {
			expectSameParse(t, name, src[:len(src)*frac/11])
		}
		// Drop one closing brace: stray or missing '}' further on.
		if k := strings.Index(src, "}"); k >= 0 {
			expectSameParse(t, name, src[:k]+src[k+1:])
		}
		if k := strings.LastIndex(src, "{"); k >= 0 {
			expectSameParse(t, name, src[:k]+src[k+1:])
		}
	}
}

// FuzzGrammar checks the production grammar against the reference
// grammar on arbitrary input.
func FuzzGrammar(f *testing.F) {
	for _, src := range grammarCases {
		f.Add(src)
	}
	for _, src := range goldenSeeds(f) {
		f.Add(src)
	}
	f.Fuzz(func(t *testing.T, src string) {
		expectSameParse(t, "fuzz.nft", src)
	})
}

// TestParseConcurrent parses inputs on several goroutines at once: the
// fast paths share token arenas through a pool, and each parse must
// still get its own tokens.
func TestParseConcurrent(t *testing.T) {
	seeds := append(goldenSeeds(t), grammarCases...)
	want := make([]*fileAST, len(seeds))
	for i, src := range seeds {
		want[i], _ = parseFile("c.nft", src)
	}
	done := make(chan error)
	for g := 0; g < 4; g++ {
		go func() {
			for round := 0; round < 5; round++ {
				for i, src := range seeds {
					got, _ := parseFile("c.nft", src)
					if !reflect.DeepEqual(got, want[i]) {
						done <- fmt.Errorf("seed %d parsed differently on a concurrent run", i)
						return
					}
				}
			}
			done <- nil
		}()
	}
	for g := 0; g < 4; g++ {
		if err := <-done; err != nil {
			t.Error(err)
		}
	}
}
