package corpus

import (
	"bufio"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/nftopt/nftopt/lint"
	"github.com/nftopt/nftopt/parser"
)

// TestLintRealworld lints every realworld ruleset that nft accepts
// (VALIDITY.tsv check "ok"): lint must complete without an error on
// each, and the counts per finding ID are logged for docs/coverage.md.
func TestLintRealworld(t *testing.T) {
	dir := corpusDir(t, "realworld")
	f, err := os.Open(filepath.Join(dir, "VALIDITY.tsv"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Scan() // header
	total := map[string]int{}
	files, withFindings := 0, 0
	for sc.Scan() {
		cols := strings.Split(sc.Text(), "\t")
		if len(cols) < 8 || cols[7] != "ok" {
			continue
		}
		path := filepath.Join(dir, cols[0])
		rs, err := parser.ParseFile(path, parser.Options{IncludeDirs: []string{filepath.Dir(path)}})
		if err != nil {
			t.Errorf("%s: nft accepts it but it does not parse: %v", cols[0], err)
			continue
		}
		fs, err := lint.Run(rs, lint.Options{})
		if err != nil {
			t.Errorf("%s: lint: %v", cols[0], err)
			continue
		}
		files++
		if len(fs) > 0 {
			withFindings++
		}
		for id, n := range lint.Count(fs) {
			total[id] += n
		}
	}
	if files == 0 {
		t.Fatal("no realworld files linted")
	}
	var ids []string
	for id := range total {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	var sb strings.Builder
	sb.WriteString("| ID | name | findings |\n| --- | --- | --- |\n")
	for _, id := range ids {
		name := ""
		for _, c := range lint.Checks {
			if c.ID == id {
				name = c.Name
			}
		}
		fmt.Fprintf(&sb, "| %s | %s | %d |\n", id, name, total[id])
	}
	t.Logf("linted %d realworld files, %d with findings:\n%s", files, withFindings, sb.String())
}
