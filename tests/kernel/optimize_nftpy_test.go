package kernel

import (
	"bufio"
	"bytes"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/nftopt/nftopt/emit/nft"
	"github.com/nftopt/nftopt/ir"
	nftjson "github.com/nftopt/nftopt/json"
	"github.com/nftopt/nftopt/optimize"
	"github.com/nftopt/nftopt/parser"
	"github.com/nftopt/nftopt/tests/nftns"
)

// nftPyFile is what the optimize sweep takes from an nft py test file:
// its first table, the chain the rules go into, its set declarations
// and the rule lines marked ok.
type nftPyFile struct {
	family, table, chain, chainSpec string
	sets                            []string
	rules                           []string
}

var nftPySetDecl = regexp.MustCompile(`^!(\S+)\s+(.*);ok`)

// readNftPyFile reads the parts of a .t file the sweep uses; ok is false
// for files without a table, a chain or rules.
func readNftPyFile(path string) (nftPyFile, bool, error) {
	f, err := os.Open(path)
	if err != nil {
		return nftPyFile{}, false, err
	}
	defer f.Close()
	var out nftPyFile
	chains := map[string]string{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Text()
		switch {
		case line == "" || strings.HasPrefix(line, "#"):
		case strings.HasPrefix(line, ":"):
			if name, spec, ok := strings.Cut(line[1:], ";"); ok {
				chains[name] = spec
			}
		case strings.HasPrefix(line, "*"):
			if out.table == "" {
				parts := strings.Split(line[1:], ";")
				if len(parts) == 3 {
					out.family, out.table, out.chain = parts[0], parts[1], strings.Split(parts[2], ",")[0]
				}
			}
		case strings.HasPrefix(line, "!"):
			if m := nftPySetDecl.FindStringSubmatch(line); m != nil {
				out.sets = append(out.sets, "set "+m[1]+" { "+m[2]+"; }")
			}
		default:
			parts := strings.Split(line, ";")
			if len(parts) >= 2 && parts[1] == "ok" {
				out.rules = append(out.rules, parts[0])
			}
		}
	}
	out.chainSpec = chains[out.chain]
	return out, out.table != "" && out.chainSpec != "" && len(out.rules) > 0, sc.Err()
}

// text is the ruleset of the file with rules in its chain.
func (f nftPyFile) text(rules []string) string {
	var sb strings.Builder
	sb.WriteString("table " + f.family + " " + f.table + " {\n")
	for _, s := range f.sets {
		sb.WriteString("\t" + s + "\n")
	}
	sb.WriteString("\tchain " + f.chain + " {\n\t\t" + f.chainSpec + ";\n")
	for _, r := range rules {
		sb.WriteString("\t\t" + r + "\n")
	}
	sb.WriteString("\t}\n}\n")
	return sb.String()
}

// withVerdict gives a rule that nftopt parses and that has no verdict an
// accept, so that the optimizer sees rules that do something: a rule of
// matches only would just be removed.
func (f nftPyFile) withVerdict(rule string) (string, bool) {
	rs, err := parser.Parse("rule.nft", []byte(f.text([]string{rule})), parser.Options{})
	if err != nil || len(rs.Tables) == 0 || len(rs.Tables[0].Chains) == 0 || len(rs.Tables[0].Chains[0].Rules) != 1 {
		return "", false
	}
	stmts := rs.Tables[0].Chains[0].Rules[0].Stmts
	if len(stmts) > 0 {
		switch stmts[len(stmts)-1].(type) {
		case *ir.VerdictStmt, *ir.Reject, *ir.Nat:
			return rule, true
		}
	}
	return rule + " accept", true
}

// TestOptimizeNftPy optimizes the rules of every nft py test file (the
// widest syntax coverage there is) as one chain, each rule given an
// accept: nftopt must prove its result and the installed nft must load
// it, as nft text and as JSON. Rules nftopt does not parse (docs/coverage.md) and rules the
// installed nft rejects are left out.
func TestOptimizeNftPy(t *testing.T) {
	nftns.Require(t)
	root, err := repoRoot()
	if err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(root, "..", "shared", "corpus", "nft-py")
	if _, err := os.Stat(dir); err != nil {
		nftns.SkipOrFail(t, "nft-py corpus not available: %v", err)
	}
	files, err := filepath.Glob(filepath.Join(dir, "*", "*.t"))
	if err != nil {
		t.Fatal(err)
	}
	v, _ := nftns.Version()
	target := nft.Version(v)
	opts := optimize.Options{ElementCounters: target.AtLeast(nft.Version{1, 0, 8})}
	var before, after, tried int
	for _, path := range files {
		f, ok, err := readNftPyFile(path)
		if err != nil {
			t.Fatal(err)
		}
		if !ok {
			continue
		}
		var rules []string
		for _, r := range f.rules {
			if rv, ok := f.withVerdict(r); ok {
				rules = append(rules, rv)
			}
		}
		if _, err := nftns.Check(strings.NewReader(f.text(rules))); err != nil {
			// Keep the rules the installed nft loads on their own.
			var loads []string
			for _, r := range rules {
				if _, err := nftns.Check(strings.NewReader(f.text([]string{r}))); err == nil {
					loads = append(loads, r)
				}
			}
			rules = loads
		}
		if len(rules) == 0 {
			continue
		}
		rel, _ := filepath.Rel(dir, path)
		t.Run(rel, func(t *testing.T) {
			src := f.text(rules)
			rs, err := parser.Parse(rel, []byte(src), parser.Options{})
			if err != nil {
				t.Fatal(err)
			}
			res, err := optimize.Run(rs, opts)
			if err != nil {
				t.Fatalf("optimize: %v\ninput:\n%s", err, src)
			}
			out := nft.Print(res.Output, nft.Options{Target: target})
			if msg, err := nftns.Check(strings.NewReader(out)); err != nil {
				t.Fatalf("the installed nft rejects the optimized ruleset: %v\n%s\noutput:\n%s", err, msg, out)
			}
			doc, err := nftjson.Marshal(res.Output, nftjson.Options{Target: target})
			if err != nil {
				t.Fatalf("JSON: %v", err)
			}
			if msg, err := nftns.CheckJSON(bytes.NewReader(doc)); err != nil {
				t.Errorf("the installed nft rejects the optimized ruleset as JSON: %v\n%s\noutput:\n%s", err, msg, doc)
			}
			n, m := optimize.RuleCount(rs), optimize.RuleCount(res.Output)
			if m > n {
				t.Errorf("optimize grew the ruleset: %d -> %d rules", n, m)
			}
			before, after, tried = before+n, after+m, tried+1
		})
	}
	t.Logf("nft-py: %d files optimized, %d -> %d rules, every result proved and loaded", tried, before, after)
}
