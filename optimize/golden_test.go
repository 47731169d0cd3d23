package optimize_test

import (
	"flag"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/nftopt/nftopt/emit/nft"
	"github.com/nftopt/nftopt/explain"
	"github.com/nftopt/nftopt/optimize"
	"github.com/nftopt/nftopt/parser"
	"github.com/nftopt/nftopt/tests/nftns"
	"golang.org/x/tools/txtar"
)

var update = flag.Bool("update", false, "rewrite the output.nft and explain sections of testdata/passes/*/*.txtar")

// Sections of a pass golden file.
const (
	secInput   = "input.nft"
	secOptions = "options"
	secOutput  = "output.nft"
	secExplain = "explain"
)

// TestGoldenPasses runs every testdata/passes/PASS/*.txtar through the
// pipeline restricted to PASS (testdata/passes/pipeline: the whole
// pipeline) and compares the printed result and the explanation of every
// change with the archive. Each result must also be proved equivalent by
// Run, print∘parse to itself, satisfy every "# want" comment of the input
// (a change whose note contains the text has a source rule on that
// line), and load with nft -c where nft and root are available (always
// under CI). Every pass has golden files; a directory that is not a pass
// fails.
func TestGoldenPasses(t *testing.T) {
	dirs, err := os.ReadDir(filepath.Join("testdata", "passes"))
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for _, d := range dirs {
		name := d.Name()
		if name != "pipeline" && !slices.Contains(optimize.PassNames(), name) {
			t.Errorf("testdata/passes/%s: not a pass (passes: %v, or pipeline)", name, optimize.PassNames())
			continue
		}
		files, _ := filepath.Glob(filepath.Join("testdata", "passes", name, "*.txtar"))
		if len(files) > 0 {
			seen[name] = true
		}
		for _, f := range files {
			t.Run(name+"/"+filepath.Base(f), func(t *testing.T) { runPassGolden(t, name, f) })
		}
	}
	for _, p := range append(optimize.PassNames(), "pipeline") {
		if !seen[p] {
			t.Errorf("pass %s has no golden files in testdata/passes/%s", p, p)
		}
	}
}

func runPassGolden(t *testing.T, pass, file string) {
	ar, err := txtar.ParseFile(file)
	if err != nil {
		t.Fatal(err)
	}
	sec := map[string][]byte{}
	for _, f := range ar.Files {
		switch f.Name {
		case secInput, secOptions, secOutput, secExplain:
		default:
			t.Fatalf("unknown section %q", f.Name)
		}
		sec[f.Name] = f.Data
	}
	input, ok := sec[secInput]
	if !ok {
		t.Fatalf("no %s section", secInput)
	}
	opts := optimize.Options{CheckIR: true}
	if pass != "pipeline" {
		opts.Passes = []string{pass}
	}
	for _, o := range strings.Fields(string(sec[secOptions])) {
		switch o {
		case "keep-counters":
			opts.KeepCounters = true
		case "remove-unreachable-chains":
			opts.RemoveUnreachableChains = true
		case "element-counters":
			opts.ElementCounters = true
		default:
			t.Fatalf("unknown option %q", o)
		}
	}
	rs, err := parser.Parse(secInput, input, parser.Options{})
	if err != nil {
		t.Fatal(err)
	}
	res, err := optimize.Run(rs, opts)
	if err != nil {
		t.Fatalf("optimize: %v", err)
	}
	if len(res.Unverified) > 0 {
		t.Fatalf("not proved: %v", res.Unverified)
	}
	out := nft.Print(res.Output, nft.Options{})
	var sb strings.Builder
	explain.Write(&sb, res.Changes)
	explanation := sb.String()
	if *update {
		files := []txtar.File{{Name: secInput, Data: input}}
		if o, ok := sec[secOptions]; ok {
			files = append(files, txtar.File{Name: secOptions, Data: o})
		}
		ar.Files = append(files, txtar.File{Name: secOutput, Data: []byte(out)}, txtar.File{Name: secExplain, Data: []byte(explanation)})
		if err := os.WriteFile(file, txtar.Format(ar), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	if got, want := out, string(sec[secOutput]); got != want {
		t.Errorf("output differs (go test ./optimize -run GoldenPasses -update):\ngot:\n%s\nwant:\n%s", got, want)
	}
	if got, want := explanation, string(sec[secExplain]); got != want {
		t.Errorf("explanation differs:\ngot:\n%s\nwant:\n%s", got, want)
	}
	checkWants(t, input, res.Changes)
	again, err := parser.Parse(secOutput, []byte(out), parser.Options{})
	if err != nil {
		t.Fatalf("output does not parse: %v", err)
	}
	if p := nft.Print(again, nft.Options{}); p != out {
		t.Errorf("print∘parse is not the identity on the output:\n%s", p)
	}
	if opts.ElementCounters && !nftns.AtLeast([3]int{1, 0, 8}) {
		// Counters on anonymous map elements need nft 1.0.8; CI's is 1.0.6.
		t.Log("nft -c not run: element counters need nft 1.0.8 or newer")
		return
	}
	nftCheck(t, out)
}

var wantRE = regexp.MustCompile(`# want "([^"]*)"`)

// checkWants checks the "# want" comments of the input: some change
// whose note contains the text has a source rule (or, for a chain, the
// chain) on that line.
func checkWants(t *testing.T, input []byte, cs []optimize.Change) {
	t.Helper()
	for i, line := range strings.Split(string(input), "\n") {
		for _, m := range wantRE.FindAllStringSubmatch(line, -1) {
			found := false
			for _, c := range cs {
				lines := []int{c.Chain.Span.Start.Line}
				for _, r := range c.Sources {
					lines = append(lines, r.Span.Start.Line)
					for _, o := range r.Origin {
						lines = append(lines, o.Start.Line)
					}
				}
				for _, l := range lines {
					found = found || (l == i+1 && strings.Contains(c.Note, m[1]))
				}
			}
			if !found {
				t.Errorf("line %d: no change %q", i+1, m[1])
			}
		}
	}
}

// nftCheck runs nft -c on text in a throwaway network namespace, where
// nft and root are available; under CI they must be.
func nftCheck(t *testing.T, text string) {
	t.Helper()
	nftns.Require(t)
	if out, err := nftns.Check(strings.NewReader(text)); err != nil {
		t.Errorf("nft -c rejects the output: %v\n%s", err, out)
	}
}
