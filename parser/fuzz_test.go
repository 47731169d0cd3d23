package parser

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/nftopt/nftopt/emit/nft"
	"github.com/nftopt/nftopt/ir"
	"golang.org/x/tools/txtar"
)

// errNoIncludes keeps fuzz inputs from reading the file system.
var errNoIncludes = errors.New("includes are not read while fuzzing")

// fuzzOptions are the parser options of FuzzParse: include files are
// never read, so no input can make the parser open /dev/zero or /proc.
var fuzzOptions = Options{ReadFile: func(string) ([]byte, error) { return nil, errNoIncludes }}

// FuzzParse checks that Parse never panics; that a failed parse returns
// no ruleset and a non-empty ErrorList whose positions all point into a
// line; and that a successful parse prints without panicking to text
// that parses again and prints the same (print∘parse is idempotent).
//
// Seeds: every *.nft of the shared corpus (../shared/corpus beside the
// repository, when present) and the inputs of the golden files.
func FuzzParse(f *testing.F) {
	for _, seed := range corpusSeeds(f) {
		f.Add(seed)
	}
	for _, seed := range goldenSeeds(f) {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, src string) {
		rs, err := Parse("fuzz.nft", []byte(src), fuzzOptions)
		if err != nil {
			checkErrorList(t, rs, err)
			return
		}
		first := nft.Print(rs, nft.Options{})
		rs2, err := Parse("printed.nft", []byte(first), fuzzOptions)
		if err != nil {
			var list ErrorList
			errors.As(err, &list)
			t.Fatalf("printed text does not parse again:\n%s\nprinted:\n%s", list.Format(), first)
		}
		if second := nft.Print(rs2, nft.Options{}); second != first {
			t.Fatalf("printing is not idempotent\nfirst:\n%s\nsecond:\n%s", first, second)
		}
	})
}

// checkErrorList checks the result of a failed parse.
func checkErrorList(t *testing.T, rs *ir.Ruleset, err error) {
	t.Helper()
	if rs != nil {
		t.Fatalf("parse failed but returned a ruleset: %v", err)
	}
	var list ErrorList
	if !errors.As(err, &list) {
		t.Fatalf("error is %T, not an ErrorList: %v", err, err)
	}
	if len(list) == 0 {
		t.Fatal("parse failed with an empty ErrorList")
	}
	for _, e := range list {
		if !e.Pos.IsValid() {
			t.Fatalf("error without a valid position: %q at %+v", e.Msg, e.Pos)
		}
	}
}

// corpusSeeds returns the *.nft files of the shared corpus, found at
// ../shared/corpus relative to the repository root; none when absent.
func corpusSeeds(tb testing.TB) []string {
	tb.Helper()
	root, err := repoRoot()
	if err != nil {
		tb.Fatal(err)
	}
	dir := filepath.Join(root, "..", "shared", "corpus")
	if _, err := os.Stat(dir); err != nil {
		return nil
	}
	var seeds []string
	err = filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(path, ".nft") {
			return err
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		seeds = append(seeds, string(b))
		return nil
	})
	if err != nil {
		tb.Fatal(err)
	}
	return seeds
}

// goldenSeeds returns the input sections of testdata/golden/*.txtar.
func goldenSeeds(tb testing.TB) []string {
	tb.Helper()
	files, err := filepath.Glob(filepath.Join("testdata", "golden", "*.txtar"))
	if err != nil {
		tb.Fatal(err)
	}
	var seeds []string
	for _, file := range files {
		ar, err := txtar.ParseFile(file)
		if err != nil {
			tb.Fatal(err)
		}
		for _, sec := range ar.Files {
			if sec.Name == secInput {
				seeds = append(seeds, string(sec.Data))
			}
		}
	}
	return seeds
}

// repoRoot returns the directory holding go.mod, found by walking up
// from the working directory.
func repoRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("go.mod not found above the working directory")
		}
		dir = parent
	}
}
