package kernel

import (
	"bytes"
	"context"
	"fmt"
	"os/exec"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/nftopt/nftopt/optimize"
	"github.com/nftopt/nftopt/parser"
)

var statsRules = regexp.MustCompile(`rules: (\d+) -> (\d+)`)

// listedRules counts the rules of an "nft list ruleset" listing.
func listedRules(listing string) (int, error) {
	rs, err := parser.Parse("listing", []byte(listing), parser.Options{})
	if err != nil {
		return 0, err
	}
	return optimize.RuleCount(rs), nil
}

// TestOptimizeCorpus runs nftopt optimize on every corpus file nft
// accepts: it must succeed, never grow the ruleset, and its output must
// load into the kernel. Beside it, Debian's own "nft -o" is run on the
// same file, and both rule counts are logged.
func TestOptimizeCorpus(t *testing.T) {
	type row struct {
		file                  string
		before, after, nftOpt int
		nftOptErr             string
	}
	var mu sync.Mutex
	var rows []row
	eachAcceptedFile(t, func(t *testing.T, ctx context.Context, rel, file string, ifaces []string, _ string) {
		dir := filepath.Dir(file)
		cmd := exec.CommandContext(ctx, nftopt, "optimize", "--stats", "-I", dir, file)
		cmd.Dir = dir
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		text, err := cmd.Output()
		if err != nil {
			t.Fatalf("nftopt optimize: %v\n%s", err, stderr.Bytes())
		}
		r := row{file: rel}
		if m := statsRules.FindStringSubmatch(stderr.String()); m != nil {
			r.before, _ = strconv.Atoi(m[1])
			r.after, _ = strconv.Atoi(m[2])
		}
		if r.after > r.before {
			t.Errorf("optimize grew the ruleset: %d -> %d rules", r.before, r.after)
		}
		if _, err := nftLoadListText(ctx, dir, text, ifaces); err != nil {
			t.Fatalf("nft rejects the optimized ruleset: %v\n%s", err, text)
		}
		// Debian's nft -o on the same file, for comparison.
		out, err := inFreshNetns(ctx, dir, ifaces, nil, `nft -o -f "$1" >/dev/null && nft list ruleset`, file)
		if err != nil {
			r.nftOpt, r.nftOptErr = -1, firstLine(err)
		} else if n, perr := listedRules(string(out)); perr == nil {
			r.nftOpt = n
		} else {
			r.nftOpt, r.nftOptErr = -1, "listing did not parse: "+perr.Error()
		}
		mu.Lock()
		rows = append(rows, r)
		mu.Unlock()
	})
	sort.Slice(rows, func(i, j int) bool { return rows[i].file < rows[j].file })
	var before, after, nftBefore, nftAfter, nftFail int
	var sb strings.Builder
	sb.WriteString("| file | rules | nftopt | nft -o (1.0.6) |\n| --- | --- | --- | --- |\n")
	for _, r := range rows {
		before += r.before
		after += r.after
		nftCell := strconv.Itoa(r.nftOpt)
		if r.nftOpt < 0 {
			nftFail++
			nftCell = "fails: " + strings.ReplaceAll(r.nftOptErr, "|", "/")
		} else {
			nftBefore += r.before
			nftAfter += r.nftOpt
		}
		fmt.Fprintf(&sb, "| %s | %d | %d | %s |\n", r.file, r.before, r.after, nftCell)
	}
	t.Logf("optimize over %d accepted corpus files: %d -> %d rules (nftopt); nft -o: %d -> %d rules on the %d files it did not fail on, failed on %d\n%s",
		len(rows), before, after, nftBefore, nftAfter, len(rows)-nftFail, nftFail, sb.String())
}
