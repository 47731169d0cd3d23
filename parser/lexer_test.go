package parser

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/alecthomas/participle/v2/lexer"
)

// tokName gives the token types short names for test tables.
var tokName = map[lexer.TokenType]string{
	tokWord:   "W",
	tokString: "S",
	tokVar:    "V",
	tokSetRef: "R",
	tokPunct:  "P",
	tokBrace:  "B",
	tokEOL:    "EOL",
}

// lexAll lexes src and returns its tokens up to EOF, each written as
// TYPE(text) (EOL without text), or the first error.
func lexAll(src string) ([]string, error) {
	lx, err := lexDef{}.LexString("x.nft", src)
	if err != nil {
		return nil, err
	}
	var out []string
	for {
		t, err := lx.Next()
		if err != nil {
			return out, err
		}
		if t.Type == tokEOF {
			return out, nil
		}
		if t.Type == tokEOL {
			out = append(out, "EOL")
			continue
		}
		out = append(out, fmt.Sprintf("%s(%s)", tokName[t.Type], t.Value))
	}
}

func TestLexTokens(t *testing.T) {
	tests := []struct {
		src  string
		want string // tokens joined by spaces
	}{
		// Addresses and prefixes are single words.
		{"10.0.0.1", "W(10.0.0.1)"},
		{"10.0.0.0/8", "W(10.0.0.0/8)"},
		{"fe80::1", "W(fe80::1)"},
		{"::1", "W(::1)"},
		{"fc00::/7", "W(fc00::/7)"},
		{"fe80::1/64", "W(fe80::1/64)"},
		{"00:11:22:33:44:55", "W(00:11:22:33:44:55)"},
		{"ip6 daddr ::", "W(ip6) W(daddr) W(::)"},
		// Numeric ranges split at '-'.
		{"1-1024", "W(1) P(-) W(1024)"},
		{"10.0.0.1-10.0.0.9", "W(10.0.0.1) P(-) W(10.0.0.9)"},
		{"fe80::1-fe80::9", "W(fe80::1) P(-) W(fe80::9)"},
		// Names keep their dashes.
		{"echo-request", "W(echo-request)"},
		{"kube-proxy", "W(kube-proxy)"},
		{"icmpv6 type nd-neighbor-solicit", "W(icmpv6) W(type) W(nd-neighbor-solicit)"},
		{"eth*", "W(eth*)"},
		// Hex numbers, times and rates.
		{"0x12", "W(0x12)"},
		{"1h30m", "W(1h30m)"},
		{"10/second", "W(10/second)"},
		// Variables, set references and raw payload bases.
		{"$var", "V($var)"},
		{"$lan_if2", "V($lan_if2)"},
		{"@set", "R(@set)"},
		{"@blocked-v4", "R(@blocked-v4)"},
		{"@nh,16,8", "R(@nh) P(,) W(16) P(,) W(8)"},
		// Strings; a quoted "#" does not start a comment.
		{`"a b"`, `S("a b")`},
		{`"x # not a comment"`, `S("x # not a comment")`},
		// Operators.
		{"!= 1", "P(!=) W(1)"},
		{"== 1", "P(==) W(1)"},
		{"<< 8", "P(<<) W(8)"},
		{">> 8", "P(>>) W(8)"},
		{"<= >=", "P(<=) P(>=)"},
		{"< > ! = <> !! =< >< !<", "P(<) P(>) P(!) P(=) P(<) P(>) P(!) P(!) P(=) P(<) P(>) P(<) P(!) P(<)"},
		{"< >", "P(<) P(>)"},
		{"a & b | c ^ d", "W(a) P(&) W(b) P(|) W(c) P(^) W(d)"},
		{"ip saddr . tcp dport", "W(ip) W(saddr) P(.) W(tcp) W(dport)"},
		{"established,related", "W(established) P(,) W(related)"},
		{"syn / fin,syn", "W(syn) P(/) W(fin) P(,) W(syn)"},
		{"[fe80::1]:80", "P([) W(fe80::1) P(]) W(:80)"},
		// The map arrow and ports.
		{"22 : accept", "W(22) P(:) W(accept)"},
		{"tcp : drop", "W(tcp) P(:) W(drop)"},
		{"redirect to :8080", "W(redirect) W(to) W(:8080)"},
		{"10.0.0.1:80", "W(10.0.0.1:80)"},
		// Braces.
		{"{ 1, 2 }", "B({) W(1) P(,) W(2) B(})"},
		{"{}", "B({) B(})"},
		// Comments run to the end of the line; the newline stays.
		{"accept # the end", "W(accept)"},
		{"# only a comment\naccept", "EOL W(accept)"},
		{"accept #", "W(accept)"},
		// A backslash before a newline joins the lines.
		{"tcp dport 22 \\\n accept", "W(tcp) W(dport) W(22) W(accept)"},
		// Newlines and ';' end lines.
		{"a;b", "W(a) EOL W(b)"},
		{"a\nb\r\n", "W(a) EOL W(b) EOL"},
		{"\t  \t", ""},
	}
	for _, tt := range tests {
		got, err := lexAll(tt.src)
		if err != nil {
			t.Errorf("lex %q: unexpected error %v", tt.src, err)
			continue
		}
		if s := strings.Join(got, " "); s != tt.want {
			t.Errorf("lex %q:\n got  %s\n want %s", tt.src, s, tt.want)
		}
	}
}

func TestLexPositions(t *testing.T) {
	src := "table ip t {\n\tchain c {\n\t\ttcp dport 22 \\\n\t\t\taccept # x\n\t}\n}\n"
	want := map[string]string{
		"table":  "1:1",
		"t":      "1:10",
		"chain":  "2:2",
		"tcp":    "3:3",
		"22":     "3:13",
		"accept": "4:4",
	}
	lx, err := lexDef{}.LexString("x.nft", src)
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for {
		tk, err := lx.Next()
		if err != nil {
			t.Fatal(err)
		}
		if tk.Type == tokEOF {
			if tk.Pos.Line != 7 || tk.Pos.Column != 1 {
				t.Errorf("EOF at %d:%d, want 7:1", tk.Pos.Line, tk.Pos.Column)
			}
			break
		}
		if tk.Pos.Filename != "x.nft" {
			t.Errorf("%q: file %q, want x.nft", tk.Value, tk.Pos.Filename)
		}
		if w, ok := want[tk.Value]; ok {
			seen[tk.Value] = true
			if got := fmt.Sprintf("%d:%d", tk.Pos.Line, tk.Pos.Column); got != w {
				t.Errorf("%q at %s, want %s", tk.Value, got, w)
			}
			if got := src[tk.Pos.Offset : tk.Pos.Offset+len(tk.Value)]; got != tk.Value {
				t.Errorf("%q: offset %d points at %q", tk.Value, tk.Pos.Offset, got)
			}
		}
	}
	for w := range want {
		if !seen[w] {
			t.Errorf("token %q not seen", w)
		}
	}
}

func TestLexErrors(t *testing.T) {
	tests := []struct {
		src  string
		pos  string // line:col
		want string
	}{
		{`comment "unterminated`, "1:9", "unterminated string"},
		{"a\n  'x", "2:3", "unterminated string"},
		{"tcp dport ` 22", "1:11", "unexpected character '`'"},
		{"accept\n?", "2:1", "unexpected character '?'"},
		{"a \x01", "1:3", "unexpected character 0x01"},
		{"$ x", "1:1", "'$' must be followed by a variable name"},
		{"ip saddr @", "1:10", "'@' must be followed by a set name"},
	}
	for _, tt := range tests {
		_, err := lexAll(tt.src)
		var le *LexError
		if !errors.As(err, &le) {
			t.Errorf("lex %q: got error %v, want a LexError", tt.src, err)
			continue
		}
		if got := fmt.Sprintf("%d:%d", le.Pos.Line, le.Pos.Column); got != tt.pos || le.Msg != tt.want {
			t.Errorf("lex %q: got %s %q, want %s %q", tt.src, got, le.Msg, tt.pos, tt.want)
		}
	}
}

// TestLexRuns checks lexDef{Runs: true}: runs of tokens outside braces
// as Run tokens, groups as Body tokens, and single tokens from a group
// left open at the end of the file on.
func TestLexRuns(t *testing.T) {
	tests := []struct {
		src  string
		want string // tokens joined by spaces; Run and Body with their text
	}{
		{"a b  c", "Run(a b  c)"},
		{"a b\n\nc;d", "Run(a b) EOL EOL Run(c) EOL Run(d)"},
		{`a "x { y" $v @s`, `Run(a "x { y" $v @s)`},
		{"a # c { d\nb", "Run(a) EOL Run(b)"},
		{"a \\\n b", "Run(a \\\n b)"},
		{"t { c }", "Run(t) Body({ c })"},
		{"t { c { a; b { d } } e }\nf", "Run(t) Body({ c { a; b { d } } e }) EOL Run(f)"},
		{"t { { } { x } }", "Run(t) Body({ { } { x } })"},
		{"t { c } u { d }", "Run(t) Body({ c }) Run(u) Body({ d })"},
		// An unclosed group: single tokens from its '{' on.
		{"} t { c { a }", "B(}) Run(t) B({) Run(c) B({) Run(a) B(})"},
		{"t { c { a } d { e", "Run(t) B({) Run(c) B({) Run(a) B(}) Run(d) B({) Run(e)"},
		{"t { c } u { c { a { b } x", "Run(t) Body({ c }) Run(u) B({) Run(c) B({) Run(a) B({) Run(b) B(}) Run(x)"},
	}
	for _, tt := range tests {
		lx, err := lexDef{Runs: true}.LexString("x.nft", tt.src)
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for {
			tk, err := lx.Next()
			if err != nil {
				t.Fatalf("lex %q: %v", tt.src, err)
			}
			if tk.Type == tokEOF {
				break
			}
			if got := tt.src[tk.Pos.Offset : tk.Pos.Offset+len(tk.Value)]; got != tk.Value {
				t.Errorf("lex %q: %q at offset %d, which holds %q", tt.src, tk.Value, tk.Pos.Offset, got)
			}
			switch tk.Type {
			case tokRun:
				got = append(got, "Run("+tk.Value+")")
			case tokBody:
				got = append(got, "Body("+tk.Value+")")
			case tokEOL:
				got = append(got, "EOL")
			default:
				got = append(got, fmt.Sprintf("%s(%s)", tokName[tk.Type], tk.Value))
			}
		}
		if s := strings.Join(got, " "); s != tt.want {
			t.Errorf("lex %q:\n got %s\nwant %s", tt.src, s, tt.want)
		}
	}
}

// TestLexRunsErrors checks that lexDef{Runs: true} reports the same
// first error, at the same place, as the plain lexer, inside a run and
// inside a group read ahead for a Body token.
func TestLexRunsErrors(t *testing.T) {
	for _, src := range []string{
		"a b ` c",
		"t { c { a \"open }\n}",
		"t { c { a } d { \x01 } }",
		"t { c { a ? b\n",
		"t { c { a $ } }",
	} {
		_, plain := lexAll(src)
		lx, _ := lexDef{Runs: true}.LexString("x.nft", src)
		var runs error
		for runs == nil {
			var tk lexer.Token
			tk, runs = lx.Next()
			if runs == nil && tk.Type == tokEOF {
				break
			}
		}
		var a, b *LexError
		if !errors.As(plain, &a) || !errors.As(runs, &b) || a.Pos != b.Pos || a.Msg != b.Msg {
			t.Errorf("lex %q: plain lexer %v, run lexer %v", src, plain, runs)
		}
	}
}

// TestLexPositionsAgreeWithOffsets checks every token's line and column
// against its offset, counted afresh in the source, over the corpus and
// the golden inputs.
func TestLexPositionsAgreeWithOffsets(t *testing.T) {
	for i, src := range append(corpusSeeds(t), goldenSeeds(t)...) {
		lx, _ := lexDef{}.LexString("x.nft", src)
		line, col, off := 1, 1, 0
		for {
			tk, err := lx.Next()
			if err != nil {
				break
			}
			for ; off < tk.Pos.Offset; off++ {
				if src[off] == '\n' {
					line, col = line+1, 1
				} else {
					col++
				}
			}
			if tk.Pos.Line != line || tk.Pos.Column != col {
				t.Fatalf("seed %d: %q at offset %d says %d:%d, the source says %d:%d", i, tk.Value, off, tk.Pos.Line, tk.Pos.Column, line, col)
			}
			if tk.Type == tokEOF {
				break
			}
		}
	}
}
