package json

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"testing"

	"github.com/nftopt/nftopt/emit/nft"
	"github.com/nftopt/nftopt/ir"
	"github.com/nftopt/nftopt/parser"
	"golang.org/x/tools/txtar"
)

var update = flag.Bool("update", false, "rewrite the expected sections of the golden files in testdata")

// Sections of a golden file: one input, in JSON or nft text, and the
// expected results: the nft text of the ruleset, the JSON command list
// (Print), the JSON listing (PrintListing), or the error of a failed
// parse.
const (
	secInputJSON = "input.json"
	secInputNft  = "input.nft"
	secOutNft    = "output.nft"
	secOutJSON   = "output.json"
	secListing   = "listing.json"
	secError     = "error.txt"
)

// TestGolden runs every testdata/*.txtar file: the input is parsed
// (JSON with Parse, nft text with the text parser) and each expected
// section is compared with what nftopt produces. A JSON output must
// parse again and print the same (checkReparse). With -update the expected
// sections are rewritten; a file must name at least one.
func TestGolden(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("testdata", "*.txtar"))
	if err != nil {
		t.Fatal(err)
	}
	if len(files) == 0 {
		t.Fatal("no golden files in testdata")
	}
	for _, file := range files {
		t.Run(filepath.Base(file), func(t *testing.T) { runGolden(t, file) })
	}
}

func runGolden(t *testing.T, file string) {
	ar, err := txtar.ParseFile(file)
	if err != nil {
		t.Fatal(err)
	}
	sections := map[string][]byte{}
	var order []string
	for _, f := range ar.Files {
		switch f.Name {
		case secInputJSON, secInputNft, secOutNft, secOutJSON, secListing, secError:
		default:
			t.Fatalf("unknown section %q", f.Name)
		}
		if _, dup := sections[f.Name]; dup {
			t.Fatalf("section %q appears twice", f.Name)
		}
		sections[f.Name] = f.Data
		order = append(order, f.Name)
	}
	_, isJSON := sections[secInputJSON]
	_, isNft := sections[secInputNft]
	if isJSON == isNft {
		t.Fatalf("need exactly one of %s and %s", secInputJSON, secInputNft)
	}
	var rs *ir.Ruleset
	var perr error
	if isJSON {
		rs, perr = Parse(secInputJSON, sections[secInputJSON])
	} else {
		rs, perr = parser.Parse(secInputNft, sections[secInputNft], parser.Options{})
	}
	got := map[string][]byte{}
	if perr != nil {
		got[secError] = []byte(perr.Error() + "\n")
	} else {
		got[secOutNft] = []byte(nft.Print(rs, nft.Options{}))
		if out, err := Marshal(rs, Options{Indent: "\t"}); err != nil {
			got[secOutJSON] = []byte("error: " + err.Error() + "\n")
		} else {
			got[secOutJSON] = out
			checkReparse(t, out, Options{Indent: "\t"})
		}
		if out, err := Marshal(rs, Options{Listing: true, Indent: "\t"}); err != nil {
			got[secListing] = []byte("error: " + err.Error() + "\n")
		} else {
			got[secListing] = out
			checkReparse(t, out, Options{Listing: true, Indent: "\t"})
		}
	}
	expected := 0
	for _, name := range []string{secOutNft, secOutJSON, secListing, secError} {
		if _, ok := sections[name]; ok {
			expected++
		}
	}
	if *update {
		if perr != nil {
			// A failed parse has only its error to expect.
			sections = map[string][]byte{order[0]: sections[order[0]]}
			order = order[:1]
			sections[secError], order = nil, append(order, secError)
		} else if _, ok := sections[secError]; ok || expected == 0 {
			delete(sections, secError)
			var keep []string
			for _, n := range order {
				if n != secError {
					keep = append(keep, n)
				}
			}
			order = keep
			for _, n := range []string{secOutNft, secOutJSON} {
				if _, ok := sections[n]; !ok {
					order = append(order, n)
				}
				sections[n] = nil
			}
		}
		ar.Files = nil
		for _, name := range order {
			data := sections[name]
			if g, ok := got[name]; ok {
				data = g
			}
			ar.Files = append(ar.Files, txtar.File{Name: name, Data: data})
		}
		if err := os.WriteFile(file, txtar.Format(ar), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	if expected == 0 {
		t.Fatalf("no expected section (%s, %s, %s or %s); run with -update", secOutNft, secOutJSON, secListing, secError)
	}
	for _, name := range []string{secOutNft, secOutJSON, secListing, secError} {
		want, ok := sections[name]
		if !ok {
			continue
		}
		g, produced := got[name]
		if !produced {
			t.Errorf("%s: expected, but the input %s", name, map[bool]string{true: "parsed", false: "did not parse: " + string(got[secError])}[perr == nil])
			continue
		}
		if !bytes.Equal(g, want) {
			t.Errorf("%s differs; got:\n%s\nwant:\n%s", name, g, want)
		}
	}
}

// checkReparse parses JSON printed by nftopt with opts and prints it
// again. The first reading may differ from the ruleset printed (the
// prologue declares what its commands act on, a command list leaves
// out the dynamic set flag), but printing must reach a fixed point
// there: read and printed once more, nothing changes.
func checkReparse(t *testing.T, out []byte, opts Options) {
	t.Helper()
	var prev []byte
	for i := 0; i < 2; i++ {
		rs, err := Parse("printed.json", out)
		if err != nil {
			t.Errorf("printed JSON does not parse: %v", err)
			return
		}
		prev, out = out, nil
		if out, err = Marshal(rs, opts); err != nil {
			t.Errorf("printed JSON does not print again: %v", err)
			return
		}
	}
	if !bytes.Equal(out, prev) {
		t.Errorf("printing does not reach a fixed point:\n%s\nthen:\n%s", prev, out)
	}
}
