package lint_test

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/nftopt/nftopt/emit/nft"
	"github.com/nftopt/nftopt/lint"
	"github.com/nftopt/nftopt/optimize"
	"github.com/nftopt/nftopt/parser"
	"github.com/santhosh-tekuri/jsonschema/v6"
)

var update = flag.Bool("update", false, "rewrite the golden outputs in testdata")

func lintFile(t *testing.T, path string) []lint.Finding {
	t.Helper()
	src, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	rs, err := parser.Parse(path, src, parser.Options{})
	if err != nil {
		t.Fatalf("parse: %v", err)
	}
	fs, err := lint.Run(rs, lint.Options{})
	if err != nil {
		t.Fatal(err)
	}
	return fs
}

var wantRE = regexp.MustCompile(`# want ((?:NFT\d+ ?)+)`)

// TestPlanted checks the "# want ID" comments of the test rulesets:
// every planted problem is found on its line, and nothing else is.
func TestPlanted(t *testing.T) {
	for _, name := range []string{"planted.nft", "loop.nft", "clean.nft", "bitmasks.nft"} {
		t.Run(name, func(t *testing.T) {
			path := filepath.Join("testdata", name)
			src, _ := os.ReadFile(path)
			want := map[string]bool{}
			for i, line := range strings.Split(string(src), "\n") {
				if m := wantRE.FindStringSubmatch(line); m != nil {
					for _, id := range strings.Fields(m[1]) {
						want[fmt.Sprintf("%d %s", i+1, id)] = true
					}
				}
			}
			got := map[string]bool{}
			for _, f := range lintFile(t, path) {
				k := fmt.Sprintf("%d %s", f.Pos.Line, f.ID)
				got[k] = true
				if !want[k] {
					t.Errorf("unexpected finding %s", f)
				}
			}
			var missing []string
			for k := range want {
				if !got[k] {
					missing = append(missing, k)
				}
			}
			sort.Strings(missing)
			for _, k := range missing {
				t.Errorf("line %s: planted problem not found", k)
			}
		})
	}
}

// TestGolden compares every output format with testdata/planted.*.
func TestGolden(t *testing.T) {
	fs := lintFile(t, filepath.Join("testdata", "planted.nft"))
	src := func(file string, line int) (string, bool) {
		b, err := os.ReadFile(file)
		if err != nil {
			return "", false
		}
		lines := strings.Split(string(b), "\n")
		if line < 1 || line > len(lines) {
			return "", false
		}
		return lines[line-1], true
	}
	outputs := map[string]func(*bytes.Buffer) error{
		"text":   func(b *bytes.Buffer) error { lint.WriteText(b, fs, src); return nil },
		"json":   func(b *bytes.Buffer) error { return lint.WriteJSON(b, fs) },
		"sarif":  func(b *bytes.Buffer) error { return lint.WriteSARIF(b, fs, "test") },
		"github": func(b *bytes.Buffer) error { lint.WriteGitHub(b, fs); return nil },
	}
	for format, write := range outputs {
		t.Run(format, func(t *testing.T) {
			var b bytes.Buffer
			if err := write(&b); err != nil {
				t.Fatal(err)
			}
			golden := filepath.Join("testdata", "planted."+format)
			if *update {
				if err := os.WriteFile(golden, b.Bytes(), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run go test ./lint -update)", err)
			}
			if !bytes.Equal(b.Bytes(), want) {
				t.Errorf("%s output differs from %s (go test ./lint -update rewrites it):\n%s", format, golden, b.String())
			}
		})
	}
}

// TestSARIFSchema validates the SARIF output against the OASIS SARIF
// 2.1.0 JSON schema shipped in testdata.
func TestSARIFSchema(t *testing.T) {
	c := jsonschema.NewCompiler()
	sch, err := c.Compile(filepath.Join("testdata", "sarif-schema-2.1.0.json"))
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"planted.nft", "clean.nft"} {
		var b bytes.Buffer
		if err := lint.WriteSARIF(&b, lintFile(t, filepath.Join("testdata", name)), "test"); err != nil {
			t.Fatal(err)
		}
		doc, err := jsonschema.UnmarshalJSON(&b)
		if err != nil {
			t.Fatal(err)
		}
		if err := sch.Validate(doc); err != nil {
			t.Errorf("%s: SARIF output does not validate: %v", name, err)
		}
	}
	// The schema really checks: a log without "runs" is rejected.
	var bad any
	json.Unmarshal([]byte(`{"version":"2.1.0"}`), &bad)
	if sch.Validate(bad) == nil {
		t.Error("the schema accepted a log without runs")
	}
}

// TestChecksAreDocumented: every check has a unique ID and name and a
// section in docs/lint.md.
func TestChecksAreDocumented(t *testing.T) {
	doc, err := os.ReadFile(filepath.Join("..", "docs", "lint.md"))
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for _, c := range lint.Checks {
		if seen[c.ID] || seen[c.Name] {
			t.Errorf("%s %s: ID or name used twice", c.ID, c.Name)
		}
		seen[c.ID], seen[c.Name] = true, true
		if !strings.Contains(string(doc), "## "+c.ID+" "+c.Name) {
			t.Errorf("docs/lint.md has no section %q", "## "+c.ID+" "+c.Name)
		}
	}
}

// TestOptimizedIsClean: what nftopt optimize writes has no rule
// findings left (no dead, duplicate or mergeable rules).
func TestOptimizedIsClean(t *testing.T) {
	for _, name := range []string{"planted.nft", "../../examples/home-router.nft"} {
		path := filepath.Join("testdata", name)
		src, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		rs, err := parser.Parse(path, src, parser.Options{})
		if err != nil {
			t.Fatal(err)
		}
		res, err := optimize.Run(rs, optimize.Options{})
		if err != nil {
			t.Fatal(err)
		}
		out := nft.Print(res.Output, nft.Options{})
		again, err := parser.Parse("optimized.nft", []byte(out), parser.Options{})
		if err != nil {
			t.Fatalf("%s: optimized output does not parse: %v", name, err)
		}
		fs, err := lint.Run(again, lint.Options{})
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range fs {
			switch f.ID {
			case lint.Shadowed.ID, lint.Duplicate.ID, lint.NoEffect.ID, lint.Mergeable.ID:
				t.Errorf("%s: optimized output still has %s\n%s", name, f, out)
			}
		}
	}
}

// TestCrossChainBound: past MaxChecks accepts per hook, lint says what
// it did not check (NFT090) instead of staying silent.
func TestCrossChainBound(t *testing.T) {
	src := "table ip a {\n chain c {\n  type filter hook input priority 0; policy accept;\n  tcp dport 1 accept\n  tcp dport 2 accept\n }\n}\n" +
		"table ip b {\n chain c {\n  type filter hook input priority 10; policy accept;\n  tcp dport 3 drop\n }\n}\n"
	rs, err := parser.Parse("b.nft", []byte(src), parser.Options{})
	if err != nil {
		t.Fatal(err)
	}
	fs, err := lint.Run(rs, lint.Options{MaxChecks: 1})
	if err != nil {
		t.Fatal(err)
	}
	if lint.Count(fs)[lint.NotAnalyzed.ID] != 1 {
		t.Errorf("want one NFT090 finding, got %v", fs)
	}
}
