package json

import (
	"bytes"
	stdjson "encoding/json"
	"flag"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"testing"

	"github.com/nftopt/nftopt/ir"
	"github.com/nftopt/nftopt/parser"
)

// textReport lists the rules whose nft text does not print as the
// expected JSON (with -v).
var textReport = flag.Bool("nftpy.text", false, "with -v, also list the rules whose nft text does not print as the expected JSON")

// Coverage thresholds of TestNftPyJSON, in percent of the JSON rule
// blocks of the nft-py corpus.
// ratchet: raise when coverage improves.
const (
	// minNftPyRate: the JSON parses and prints back as nft lists it.
	minNftPyRate = 97.0
	// minNftPyTextRate: the rule's nft text, parsed by the text parser,
	// prints as the JSON nft lists.
	minNftPyTextRate = 93.0
)

// TestNftPyJSON reads every JSON rule block of the nftables py test
// suite (../shared/corpus/nft-py/**/*.t.json), prints the rule back as
// JSON in nft's listing form and compares it with what nft lists: the
// block of the .t.json.output file for that rule when there is one,
// else the input block itself. Values are compared decoded (key order
// does not matter, nor the order of the elements of a set).
func TestNftPyJSON(t *testing.T) {
	dir := corpusDir(t, "nft-py")
	var files []string
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() && strings.HasSuffix(path, ".t.json") {
			files = append(files, path)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	sort.Strings(files)
	total, passed, textPassed := 0, 0, 0
	reasons := map[string]int{}
	var failures, textFailures []string
	for _, path := range files {
		rel, _ := filepath.Rel(dir, path)
		fam, decls := tFileContext(strings.TrimSuffix(path, ".json"))
		table := declTable(fam, decls)
		blocks := readJSONBlocks(t, path)
		outputs := map[string]string{}
		if _, err := os.Stat(path + ".output"); err == nil {
			for _, b := range readJSONBlocks(t, path+".output") {
				outputs[b.rule] = b.json
			}
		}
		for _, b := range blocks {
			total++
			want := b.json
			if o, ok := outputs[b.rule]; ok {
				want = o
			}
			if reason := checkText(b.rule, want, fam, decls); reason == "" {
				textPassed++
			} else {
				textFailures = append(textFailures, fmt.Sprintf("%s: %s (%s)\n\t%s", rel, b.rule, fam, reason))
			}
			reason := checkBlock(b.json, want, fam, table)
			if reason == "" {
				passed++
				continue
			}
			kind, _, _ := strings.Cut(reason, ":")
			reasons[kind]++
			failures = append(failures, fmt.Sprintf("%s: %s (%s)\n\t%s", rel, b.rule, fam, reason))
		}
	}
	if total == 0 {
		t.Fatalf("no JSON blocks in %s", dir)
	}
	rate := 100 * float64(passed) / float64(total)
	textRate := 100 * float64(textPassed) / float64(total)
	t.Logf("nft-py JSON: %d/%d rule blocks parse and print back equal (%.1f%%)", passed, total, rate)
	t.Logf("nft-py JSON: %d/%d rules parsed from nft text print as the expected JSON (%.1f%%)", textPassed, total, textRate)
	if testing.Verbose() {
		var kinds []string
		for k := range reasons {
			kinds = append(kinds, k)
		}
		sort.Slice(kinds, func(i, j int) bool { return reasons[kinds[i]] > reasons[kinds[j]] })
		for _, k := range kinds {
			t.Logf("  %4d %s", reasons[k], k)
		}
		for _, f := range failures {
			t.Log(f)
		}
		if *textReport {
			t.Log("text -> JSON failures:")
			for _, f := range textFailures {
				t.Log(f)
			}
		}
	}
	if rate < minNftPyRate {
		t.Errorf("rate %.1f%% is below minNftPyRate %.1f%%", rate, minNftPyRate)
	}
	if textRate < minNftPyTextRate {
		t.Errorf("text rate %.1f%% is below minNftPyTextRate %.1f%%", textRate, minNftPyTextRate)
	}
}

// checkBlock parses one rule's statements and prints them back; it
// returns "" when the result equals want, else "kind: details".
func checkBlock(in, want string, fam ir.Family, table *ir.Table) (reason string) {
	defer func() {
		if x := recover(); x != nil {
			reason = fmt.Sprintf("panic: %v", x)
		}
	}()
	r, err := ParseRule("block", []byte(in), fam, table)
	if err != nil {
		return "parse error: " + err.Error()
	}
	return compareRule(r, want, fam)
}

// checkText parses a rule written as nft text in a table of family fam
// with the set declarations decls, and compares its JSON with want.
func checkText(rule, want string, fam ir.Family, decls []string) (reason string) {
	defer func() {
		if x := recover(); x != nil {
			reason = fmt.Sprintf("panic: %v", x)
		}
	}()
	src := fmt.Sprintf("table %s t {\n%s\nchain c {\n%s\n}\n}\n", fam, strings.Join(decls, "\n"), rule)
	rs, err := parser.Parse("rule.nft", []byte(src), parser.Options{})
	if err != nil {
		return "text parse error: " + strings.ReplaceAll(err.Error(), "\n", " ")
	}
	rules := rs.Tables[0].Chain("c").Rules
	if len(rules) != 1 {
		return "text parse error: not one rule"
	}
	return compareRule(rules[0], want, fam)
}

// compareRule prints r as JSON and compares it with want.
func compareRule(r *ir.Rule, want string, fam ir.Family) string {
	out, err := PrintRule(r, fam, Options{NumericProto: true, Listing: true, Stateless: true})
	if err != nil {
		return "print error: " + err.Error()
	}
	got, err1 := decodeLoose(out)
	exp, err2 := decodeLoose([]byte(want))
	if err1 != nil || err2 != nil {
		return fmt.Sprintf("decode: %v %v", err1, err2)
	}
	if !reflect.DeepEqual(normalize(got), normalize(exp)) {
		return fmt.Sprintf("differs: got %s\n\twant %s", compact(out), compact([]byte(want)))
	}
	return ""
}

func decodeLoose(b []byte) (any, error) {
	dec := stdjson.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var v any
	err := dec.Decode(&v)
	return v, err
}

func compact(b []byte) string {
	var buf bytes.Buffer
	if err := stdjson.Compact(&buf, b); err != nil {
		return string(b)
	}
	return buf.String()
}

// normalize sorts the elements of {"set": [...]} arrays, whose order
// nft does not keep, so that sets compare as sets.
func normalize(v any) any {
	switch x := v.(type) {
	case []any:
		out := make([]any, len(x))
		for i, it := range x {
			out[i] = normalize(it)
		}
		return out
	case map[string]any:
		out := map[string]any{}
		for k, it := range x {
			n := normalize(it)
			if a, ok := n.([]any); ok && k == "set" {
				sort.Slice(a, func(i, j int) bool { return canon(a[i]) < canon(a[j]) })
			}
			out[k] = n
		}
		return out
	}
	return v
}

func canon(v any) string {
	b, _ := stdjson.Marshal(v)
	return string(b)
}

// jsonBlock is one "# RULE" line and the JSON array that follows it.
type jsonBlock struct {
	rule string
	json string
}

// readJSONBlocks splits a .t.json or .t.json.output file into blocks.
func readJSONBlocks(t *testing.T, path string) []jsonBlock {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var out []jsonBlock
	var cur *jsonBlock
	var body strings.Builder
	flush := func() {
		if cur != nil {
			cur.json = body.String()
			out = append(out, *cur)
		}
		cur = nil
		body.Reset()
	}
	for _, line := range strings.Split(string(data), "\n") {
		switch {
		case strings.HasPrefix(line, "# "):
			flush()
			cur = &jsonBlock{rule: strings.TrimPrefix(line, "# ")}
		case cur != nil:
			body.WriteString(line)
			body.WriteByte('\n')
		}
	}
	flush()
	return out
}

// tFileContext returns the family of the first table a .t file
// declares and its named sets and maps, as nft text declarations.
func tFileContext(path string) (ir.Family, []string) {
	fam := ir.Family(255)
	data, err := os.ReadFile(path)
	if err != nil {
		return ir.FamilyIP, nil
	}
	var decls []string
	for _, line := range strings.Split(string(data), "\n") {
		switch {
		case strings.HasPrefix(line, "*") && fam == 255:
			f, _, _ := strings.Cut(line[1:], ";")
			if x, ok := ir.ParseFamily(f); ok {
				fam = x
			}
		case strings.HasPrefix(line, "!") && strings.HasSuffix(line, ";ok"):
			decl := strings.TrimSuffix(line[1:], ";ok")
			name, rest, _ := strings.Cut(decl, " ")
			kind := "set"
			if strings.Contains(rest, " : ") {
				kind = "map"
			}
			for _, kw := range []string{" timeout ", " flags ", " size ", " policy "} {
				rest = strings.ReplaceAll(rest, kw, ";"+kw)
			}
			decls = append(decls, fmt.Sprintf("%s %s { %s; }", kind, name, rest))
		}
	}
	if fam == 255 {
		fam = ir.FamilyIP
	}
	return fam, decls
}

// declTable returns a table of family fam holding the declared sets,
// nil when the declarations do not parse.
func declTable(fam ir.Family, decls []string) *ir.Table {
	src := fmt.Sprintf("table %s t {\n%s\n}\n", fam, strings.Join(decls, "\n"))
	rs, err := parser.Parse("decls.nft", []byte(src), parser.Options{})
	if err != nil || len(rs.Tables) != 1 {
		return nil
	}
	return rs.Tables[0]
}

// corpusDir returns <root>/../shared/corpus/name, root being the
// directory of go.mod; a missing corpus skips the test, or fails it
// when CI is set.
func corpusDir(t *testing.T, name string) string {
	t.Helper()
	wd, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	root := wd
	for {
		if _, err := os.Stat(filepath.Join(root, "go.mod")); err == nil {
			break
		}
		parent := filepath.Dir(root)
		if parent == root {
			t.Fatalf("no go.mod in %s or above", wd)
		}
		root = parent
	}
	dir := filepath.Join(root, "..", "shared", "corpus", name)
	if _, err := os.Stat(dir); err != nil {
		if os.Getenv("CI") == "" {
			t.Skipf("corpus %s not available: %v", name, err)
		}
		t.Fatalf("corpus %s not available: %v", name, err)
	}
	return dir
}
