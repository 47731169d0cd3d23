package json

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/nftopt/nftopt/emit/nft"
	"github.com/nftopt/nftopt/ir"
	"github.com/nftopt/nftopt/parser"
)

// minCorpusRate is the share (percent) of the corpus files the text
// parser reads whose JSON reads back to the same nft text.
// ratchet: raise when coverage improves.
const minCorpusRate = 99.0

// TestCorpusRoundTrip parses every .nft file of the shared corpus
// (realworld and the nft-optimizations inputs), prints it as a JSON
// command list, reads that back and prints both rulesets as nft text:
// they must be the same, except for what the JSON schema cannot carry
// (sub-second timeouts, the dynamic flag a command list leaves out).
func TestCorpusRoundTrip(t *testing.T) {
	dir := corpusDir(t, "")
	var files []string
	for _, sub := range []string{"realworld", "nft-optimizations"} {
		_ = filepath.WalkDir(filepath.Join(dir, sub), func(path string, d fs.DirEntry, err error) error {
			if err == nil && !d.IsDir() && strings.HasSuffix(path, ".nft") && !strings.HasSuffix(path, ".expected.nft") {
				files = append(files, path)
			}
			return err
		})
	}
	sort.Strings(files)
	parsed, same := 0, 0
	for _, path := range files {
		rel, _ := filepath.Rel(dir, path)
		src, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		rs, err := parser.Parse(path, src, parser.Options{IncludeDirs: []string{filepath.Dir(path)}})
		if err != nil {
			continue
		}
		parsed++
		for _, tab := range rs.Tables {
			for _, c := range tab.Chains {
				if c.Base != nil {
					// JSON carries the number; nft lists a name.
					c.Base.Priority = priorityName(priorityValue(c.Base.Priority, tab.Family), tab.Family, c.Base.Hook)
				}
			}
			for _, f := range tab.Flowtables {
				f.Priority = priorityName(priorityValue(f.Priority, ir.FamilyNetdev), ir.FamilyNetdev, f.Hook)
			}
		}
		want := comparable(nft.Print(rs, nft.Options{}))
		out, err := Print(rs)
		if err != nil {
			t.Logf("%s: %v", rel, err)
			continue
		}
		rs2, err := Parse(rel+".json", out)
		if err != nil {
			t.Errorf("%s: the printed JSON does not parse: %v", rel, err)
			continue
		}
		got := comparable(nft.Print(rs2, nft.Options{}))
		if got != want {
			t.Logf("%s: nft text differs after JSON:\n%s", rel, firstDiff(want, got))
			continue
		}
		same++
	}
	if parsed == 0 {
		t.Fatal("no corpus file parsed")
	}
	rate := 100 * float64(same) / float64(parsed)
	t.Logf("corpus: %d/%d parsed files print the same nft text after a JSON round trip (%.1f%%)", same, parsed, rate)
	if rate < minCorpusRate {
		t.Errorf("rate %.1f%% is below minCorpusRate %.1f%%", rate, minCorpusRate)
	}
}

// comparable removes from nft text what a JSON command list does not
// keep: the dynamic set flag and milliseconds of timeouts; and it
// removes what only changes the spelling: quotes, whitespace, the
// zero values of counter objects (nft lists them), "flow
// offload" for "flow add", "fib ... check" for "fib ... oif" (as nft
// 1.0 lists it).
func comparable(text string) string {
	text = strings.ReplaceAll(text, `"`, "")
	text = strings.ReplaceAll(text, "flow offload @", "flow add @")
	text = strings.ReplaceAll(text, " to : ", " to :")
	text = strings.ReplaceAll(text, " check missing", " oif missing")
	text = strings.ReplaceAll(text, " check exists", " oif exists")
	text = strings.ReplaceAll(text, "flags dynamic,", "flags ")
	text = strings.ReplaceAll(text, ",dynamic", "")
	text = strings.ReplaceAll(text, "\t\tflags dynamic\n", "")
	var out []string
	for _, l := range strings.Split(text, "\n") {
		words := strings.Fields(l)
		for i := 0; i+1 < len(words); i++ {
			if words[i] == "timeout" {
				// Whole seconds, spelt as nft lists them.
				if ms, err := ir.ParseDuration(strings.TrimSuffix(words[i+1], ";")); err == nil {
					words[i+1] = ir.FormatDuration(ms / 1000 * 1000)
				}
			}
		}
		if l := strings.Join(words, " "); l != "packets 0 bytes 0" {
			out = append(out, l)
		}
	}
	return strings.Join(out, "\n")
}

// firstDiff shows the first differing line of two texts.
func firstDiff(a, b string) string {
	al, bl := strings.Split(a, "\n"), strings.Split(b, "\n")
	for i := 0; i < len(al) || i < len(bl); i++ {
		var x, y string
		if i < len(al) {
			x = al[i]
		}
		if i < len(bl) {
			y = bl[i]
		}
		if x != y {
			return fmt.Sprintf("line %d:\n- %s\n+ %s", i+1, x, y)
		}
	}
	return ""
}
