package parser

import (
	"bytes"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"testing"

	"github.com/nftopt/nftopt/emit/nft"
	"golang.org/x/tools/txtar"
)

var update = flag.Bool("update", false, "rewrite the expected sections of the golden files in testdata/golden")

// Sections of a golden file: the input, and either the canonical print
// of a successful parse or the formatted diagnostics of a failed one.
const (
	secInput  = "input.nft"
	secOutput = "output.nft"
	secError  = "error.txt"
)

// TestGolden parses the input.nft section of every testdata/golden/*.txtar
// file and compares the result with its output.nft or error.txt section.
// Successful outputs must also parse again and print the same (print∘parse
// is the identity on canonical text). With -update the expected sections
// are rewritten from what the parser produces now.
func TestGolden(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("testdata", "golden", "*.txtar"))
	if err != nil {
		t.Fatal(err)
	}
	if len(files) == 0 {
		t.Fatal("no golden files in testdata/golden")
	}
	for _, file := range files {
		t.Run(filepath.Base(file), func(t *testing.T) { runGolden(t, file) })
	}
}

// runGolden checks one golden file, or rewrites it under -update.
func runGolden(t *testing.T, file string) {
	ar, err := txtar.ParseFile(file)
	if err != nil {
		t.Fatal(err)
	}
	sections := map[string][]byte{}
	for _, f := range ar.Files {
		switch f.Name {
		case secInput, secOutput, secError:
		default:
			t.Fatalf("unknown section %q (want %s, %s or %s)", f.Name, secInput, secOutput, secError)
		}
		if _, dup := sections[f.Name]; dup {
			t.Fatalf("section %q appears twice", f.Name)
		}
		sections[f.Name] = f.Data
	}
	input, ok := sections[secInput]
	if !ok {
		t.Fatalf("no %s section", secInput)
	}

	got := goldenResult(t, input)
	if *update {
		ar.Files = []txtar.File{{Name: secInput, Data: input}, got}
		if err := os.WriteFile(file, txtar.Format(ar), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	_, hasOut := sections[secOutput]
	_, hasErr := sections[secError]
	switch {
	case hasOut && hasErr:
		t.Fatalf("both %s and %s sections; a golden file expects one", secOutput, secError)
	case !hasOut && !hasErr:
		t.Fatalf("no %s or %s section (run go test ./parser -run TestGolden -update)", secOutput, secError)
	}
	want, ok := sections[got.Name]
	if !ok {
		t.Fatalf("expected a %s section, got %s:\n%s", other(got.Name), got.Name, got.Data)
	}
	if !bytes.Equal(got.Data, want) {
		t.Errorf("%s differs\ngot:\n%s\nwant:\n%s", got.Name, got.Data, want)
	}
	if got.Name == secOutput {
		checkReprint(t, string(got.Data))
	}
}

// goldenResult parses input and returns the section it should produce:
// output.nft with the canonical print, or error.txt with the diagnostics.
func goldenResult(t *testing.T, input []byte) txtar.File {
	t.Helper()
	rs, err := Parse(secInput, input, Options{})
	if err != nil {
		var list ErrorList
		if !errors.As(err, &list) {
			t.Fatalf("parse error is %T, not an ErrorList: %v", err, err)
		}
		return txtar.File{Name: secError, Data: []byte(list.Format())}
	}
	return txtar.File{Name: secOutput, Data: []byte(nft.Print(rs, nft.Options{}))}
}

// other names the section that a golden file has instead of name.
func other(name string) string {
	if name == secOutput {
		return secError
	}
	return secOutput
}

// checkReprint checks that canonical text parses and prints unchanged.
func checkReprint(t *testing.T, text string) {
	t.Helper()
	rs, err := Parse(secOutput, []byte(text), Options{})
	if err != nil {
		var list ErrorList
		if errors.As(err, &list) {
			t.Fatalf("printed output does not parse again:\n%s", list.Format())
		}
		t.Fatalf("printed output does not parse again: %v", err)
	}
	if again := nft.Print(rs, nft.Options{}); again != text {
		t.Errorf("printing the printed output again differs\nfirst:\n%s\nagain:\n%s", text, again)
	}
}
