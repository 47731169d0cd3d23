package json

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/nftopt/nftopt/emit/nft"
	"golang.org/x/tools/txtar"
)

// FuzzParseJSON checks that Parse never panics; that a failed parse
// returns a *Error and no ruleset; and that a parsed ruleset prints
// without panicking, as nft text and as JSON, and that its JSON (when
// the writer can express it) parses again.
//
// Seeds: the JSON inputs of the golden files and the rule blocks of
// the nft-py corpus (../shared/corpus beside the repository, when
// present), each wrapped in a table and chain.
func FuzzParseJSON(f *testing.F) {
	files, _ := filepath.Glob(filepath.Join("testdata", "*.txtar"))
	for _, file := range files {
		ar, err := txtar.ParseFile(file)
		if err != nil {
			f.Fatal(err)
		}
		for _, s := range ar.Files {
			if strings.HasSuffix(s.Name, ".json") {
				f.Add(string(s.Data))
			}
		}
	}
	for _, block := range corpusBlocks(f) {
		f.Add(`{"nftables": [{"table": {"family": "inet", "name": "t"}}, {"chain": {"family": "inet", "table": "t", "name": "c"}}, {"rule": {"family": "inet", "table": "t", "chain": "c", "expr": ` + block + `}}]}`)
	}
	f.Fuzz(func(t *testing.T, src string) {
		rs, err := Parse("fuzz.json", []byte(src))
		if err != nil {
			if rs != nil {
				t.Fatalf("parse failed but returned a ruleset: %v", err)
			}
			var je *Error
			if !errors.As(err, &je) || je.Msg == "" {
				t.Fatalf("error %v (%T) is not a *json.Error with a message", err, err)
			}
			return
		}
		_ = nft.Print(rs, nft.Options{})
		out, err := Print(rs)
		if err != nil {
			return // something JSON cannot express, reported as an error
		}
		if _, err := Parse("printed.json", out); err != nil {
			t.Fatalf("printed JSON does not parse again: %v\n%s", err, out)
		}
	})
}

// corpusBlocks returns up to a few hundred JSON rule blocks of the
// nft-py corpus, or none when it is absent.
func corpusBlocks(f *testing.F) []string {
	matches, _ := filepath.Glob(filepath.Join("..", "..", "shared", "corpus", "nft-py", "*", "*.t.json"))
	var out []string
	for _, m := range matches {
		data, err := os.ReadFile(m)
		if err != nil {
			continue
		}
		for _, b := range strings.Split(string(data), "\n# ") {
			if _, body, ok := strings.Cut(b, "\n"); ok && strings.HasPrefix(strings.TrimSpace(body), "[") {
				out = append(out, body)
			}
		}
		if len(out) > 400 {
			break
		}
	}
	return out
}
