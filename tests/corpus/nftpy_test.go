package corpus

import (
	"flag"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"runtime/debug"
	"slices"
	"strings"
	"testing"

	"github.com/nftopt/nftopt/emit/nft"
	"github.com/nftopt/nftopt/ir"
	"github.com/nftopt/nftopt/parser"
)

// Coverage thresholds of TestNftPySyntax, in percent of the ok rule
// lines of the nft-py corpus.
// ratchet: raise when coverage improves.
const (
	minParseRate     = 97.5
	minCanonicalRate = 91.0
)

// maxPanicLogs bounds how many distinct panic messages are logged with
// their stack; every panic is still counted and reported.
const maxPanicLogs = 10

// reportPath names the markdown report of failing lines; relative paths
// are relative to this package's directory.
var reportPath = flag.String("nftpy.report", "", "write a markdown report of the failing nft-py lines to this `path`")

// TestNftPySyntax parses every "ok" rule line of the nftables py test
// suite inside the tables its .t file declares, prints the rule back
// and compares it with the listing upstream expects.
func TestNftPySyntax(t *testing.T) {
	dir := corpusDir(t, "nft-py")
	var files []string
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() && strings.HasSuffix(path, ".t") {
			files = append(files, path)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}

	r := &runner{t: t, panics: map[string]int{}}
	var results []lineResult
	for _, path := range files {
		src, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		rel, err := filepath.Rel(dir, path)
		if err != nil {
			t.Fatal(err)
		}
		res := r.runFile(filepath.ToSlash(rel), string(src))
		if testing.Verbose() {
			p, c := tally(res)
			t.Logf("%s: %d tables, parsed %d/%d, canonical %d/%d", filepath.ToSlash(rel), r.tables, p, len(res), c, len(res))
		}
		results = append(results, res...)
	}
	if len(results) == 0 {
		t.Fatalf("no ok rule lines found in %s", dir)
	}

	parsed, canonical := tally(results)
	parseRate, canonicalRate := percent(parsed, len(results)), percent(canonical, len(results))
	summary := fmt.Sprintf("nft-py syntax coverage: parsed %d/%d (%.1f%%), canonical %d/%d (%.1f%%)",
		parsed, len(results), parseRate, canonical, len(results), canonicalRate)
	t.Log(summary)
	t.Logf("nft-py: %d files, %d tables, %d panicking calls (%d distinct messages)",
		len(files), r.totalTables, r.panicCount(), len(r.panics))

	if *reportPath != "" {
		if err := os.WriteFile(*reportPath, []byte(report(summary, results)), 0o644); err != nil {
			t.Error(err)
		}
	}
	if parseRate < minParseRate {
		t.Errorf("parse rate %.1f%% is below minParseRate %.1f%%", parseRate, minParseRate)
	}
	if canonicalRate < minCanonicalRate {
		t.Errorf("canonical rate %.1f%% is below minCanonicalRate %.1f%%", canonicalRate, minCanonicalRate)
	}
}

// corpusDir returns <root>/../shared/corpus/name, root being the
// directory of go.mod. A missing corpus skips the test, or fails it when
// the CI environment variable is set.
func corpusDir(t *testing.T, name string) string {
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

// runner carries what TestNftPySyntax gathers across files.
type runner struct {
	t *testing.T
	// tables counts the tables of the file being run; totalTables of
	// all files so far.
	tables, totalTables int
	// panics counts the panicking parse and print calls by message.
	panics map[string]int
}

// tableRef is the table a rule is tested in: the first "*" line of its
// family, and the first chain that line lists.
type tableRef struct {
	family ir.Family
	name   string
	chain  string
}

// setDecl is a named set or map declared by a "!" line.
type setDecl struct {
	keyword string   // "set" or "map"
	name    string   // set name
	props   []string // "type ...", "flags ...", "timeout ..." as written
	elems   []string // elements added by "?" lines
}

// String returns the declaration as one line of a table body.
func (s *setDecl) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s %s { ", s.keyword, s.name)
	for _, p := range s.props {
		b.WriteString(p + "; ")
	}
	if len(s.elems) > 0 {
		fmt.Fprintf(&b, "elements = { %s }; ", strings.Join(s.elems, ", "))
	}
	b.WriteString("}")
	return b.String()
}

// fileState is what the lines of a .t file read so far declare.
type fileState struct {
	chains  map[string]string // chain name -> spec; the first declaration wins, as upstream
	tables  []tableRef        // one per family, in order of appearance
	sets    []*setDecl        // sets and maps in declaration order
	objects []string          // stateful objects as declarations
}

// lineResult is the outcome of one ok rule line over its tables.
type lineResult struct {
	pos      string // file:line
	input    string
	expected string
	outcomes []outcome
}

// outcome is what one rule line gave in one table.
type outcome struct {
	family    ir.Family
	parsed    bool
	canonical bool
	got       string // the printed rule, when printing succeeded
	err       string // the parse or print error
}

// parsed reports whether the line parsed in every table.
func (l *lineResult) parsed() bool {
	return !slices.ContainsFunc(l.outcomes, func(o outcome) bool { return !o.parsed })
}

// canonical reports whether the line printed as expected in every table.
func (l *lineResult) canonical() bool {
	return !slices.ContainsFunc(l.outcomes, func(o outcome) bool { return !o.canonical })
}

// setProps are the words that end the type clause of a "!" line and
// each take one value.
var setProps = map[string]bool{"flags": true, "timeout": true, "size": true, "policy": true}

// runFile reads the lines of the .t file name and tests its ok rules.
func (r *runner) runFile(name, src string) []lineResult {
	st := &fileState{chains: map[string]string{}}
	var results []lineResult
	r.tables = 0
	for i, line := range strings.Split(src, "\n") {
		pos := fmt.Sprintf("%s:%d", name, i+1)
		line = strings.TrimRight(line, " \t\r")
		if strings.TrimSpace(line) == "" {
			continue
		}
		switch line[0] {
		case '#', '-':
			// comments, and rules upstream knows to be broken
		case '*':
			r.addTable(st, pos, line[1:])
		case ':':
			chain, spec, _ := strings.Cut(line[1:], ";")
			if _, ok := st.chains[chain]; !ok {
				st.chains[chain] = spec
			}
		case '!':
			spec, ok := okLine(line[1:])
			if !ok {
				continue
			}
			s, err := parseSetDecl(spec)
			if err != nil {
				r.t.Errorf("%s: %v", pos, err)
				continue
			}
			st.sets = append(st.sets, s)
		case '?':
			r.addElements(st, pos, line[1:])
		case '%':
			r.addObject(st, pos, line[1:])
		default:
			fields := strings.Split(line, ";")
			if len(fields) < 2 || len(fields) > 3 {
				r.t.Logf("%s: skipping malformed rule line %q", pos, line)
				continue
			}
			if status := strings.TrimSpace(fields[1]); status != "ok" {
				if status != "fail" {
					r.t.Logf("%s: skipping malformed rule line %q", pos, line)
				}
				continue
			}
			res := lineResult{pos: pos, input: strings.TrimSpace(fields[0])}
			res.expected = res.input
			if len(fields) == 3 {
				res.expected = strings.TrimSpace(fields[2])
			}
			if len(st.tables) == 0 {
				r.t.Errorf("%s: rule line before any table line", pos)
				continue
			}
			for _, tr := range st.tables {
				res.outcomes = append(res.outcomes, r.check(pos, st, tr, res.input, res.expected))
			}
			results = append(results, res)
		}
	}
	return results
}

// okLine splits a "SPEC;ok" or "SPEC;fail" line and reports whether it
// is an ok one.
func okLine(s string) (string, bool) {
	spec, status, _ := strings.Cut(s, ";")
	return spec, strings.TrimSpace(status) == "ok"
}

// addTable records a "*FAMILY;TABLE;CHAIN[,CHAIN]" line; only the first
// table of each family is used.
func (r *runner) addTable(st *fileState, pos, s string) {
	fields := strings.Split(s, ";")
	if len(fields) != 3 {
		r.t.Errorf("%s: malformed table line %q", pos, s)
		return
	}
	fam, ok := ir.ParseFamily(fields[0])
	if !ok {
		r.t.Errorf("%s: unknown family %q", pos, fields[0])
		return
	}
	if slices.ContainsFunc(st.tables, func(tr tableRef) bool { return tr.family == fam }) {
		return
	}
	chain, _, _ := strings.Cut(fields[2], ",")
	st.tables = append(st.tables, tableRef{family: fam, name: fields[1], chain: chain})
	r.tables++
	r.totalTables++
}

// parseSetDecl reads the spec of a "!" line: NAME type T [. T]* [: T]
// (or typeof ...) followed by flags, timeout, size and policy
// properties.
func parseSetDecl(spec string) (*setDecl, error) {
	words := strings.Fields(spec)
	if len(words) < 3 || (words[1] != "type" && words[1] != "typeof") {
		return nil, fmt.Errorf("malformed set declaration %q", spec)
	}
	s := &setDecl{keyword: "set", name: words[0]}
	i := 2
	for i < len(words) && !setProps[words[i]] {
		i++
	}
	if slices.Contains(words[1:i], ":") {
		s.keyword = "map"
	}
	s.props = append(s.props, strings.Join(words[1:i], " "))
	for ; i < len(words); i += 2 {
		if !setProps[words[i]] || i+1 == len(words) {
			return nil, fmt.Errorf("malformed set property %q in %q", words[i], spec)
		}
		s.props = append(s.props, words[i]+" "+words[i+1])
	}
	return s, nil
}

// addElements records a "?NAME E1,E2;ok" line.
func (r *runner) addElements(st *fileState, pos, s string) {
	spec, ok := okLine(s)
	if !ok {
		return
	}
	name, elems, _ := strings.Cut(spec, " ")
	i := slices.IndexFunc(st.sets, func(d *setDecl) bool { return d.name == name })
	if i < 0 {
		r.t.Errorf("%s: elements for undeclared set %q", pos, name)
		return
	}
	for _, e := range strings.Split(elems, ",") {
		if e = strings.TrimSpace(e); e != "" && !slices.Contains(st.sets[i].elems, e) {
			st.sets[i].elems = append(st.sets[i].elems, e)
		}
	}
}

// addObject records a "%NAME type KIND [SPEC];ok" line as the
// declaration "KIND NAME { SPEC }". Like upstream, a line holding a
// brace ends its spec at the last '}'.
func (r *runner) addObject(st *fileState, pos, s string) {
	spec, status := s, ""
	if brace := strings.LastIndex(s, "}"); brace >= 0 {
		spec, status = s[:brace+1], strings.TrimPrefix(s[brace+1:], ";")
	} else {
		spec, status, _ = strings.Cut(s, ";")
	}
	if strings.TrimSpace(status) != "ok" {
		return
	}
	words := strings.Fields(spec)
	if len(words) < 3 || words[1] != "type" {
		r.t.Errorf("%s: malformed object line %q", pos, s)
		return
	}
	kind, body := words[2], words[3:]
	if kind == "ct" && len(body) > 0 {
		kind, body = "ct "+body[0], body[1:]
	}
	text := strings.Join(body, " ")
	switch {
	case text == "":
		text = "{ }"
	case !strings.HasPrefix(text, "{"):
		text = "{ " + text + " }"
	}
	st.objects = append(st.objects, fmt.Sprintf("%s %s %s", kind, words[0], text))
}

// rulesetText returns the ruleset that puts rule alone in the chain of
// tr, after the sets and objects declared so far.
func rulesetText(st *fileState, tr tableRef, rule string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "table %s %s {\n", tr.family, tr.name)
	for _, o := range st.objects {
		fmt.Fprintf(&b, "\t%s\n", o)
	}
	for _, s := range st.sets {
		fmt.Fprintf(&b, "\t%s\n", s)
	}
	fmt.Fprintf(&b, "\tchain %s {\n", tr.chain)
	if spec := st.chains[tr.chain]; spec != "" {
		fmt.Fprintf(&b, "\t\t%s;\n", spec)
	}
	fmt.Fprintf(&b, "\t\t%s\n\t}\n}\n", rule)
	return b.String()
}

// check parses rule in the table tr, prints it back and compares it
// with expected.
func (r *runner) check(pos string, st *fileState, tr tableRef, rule, expected string) outcome {
	o := outcome{family: tr.family}
	var parsedRule *ir.Rule
	err := r.protect(pos, func() error {
		rs, err := parser.Parse(pos, []byte(rulesetText(st, tr, rule)), parser.Options{})
		if err != nil {
			return err
		}
		t := rs.Table(tr.family, tr.name)
		if t == nil {
			return fmt.Errorf("table %s %s missing from the parsed ruleset", tr.family, tr.name)
		}
		c := t.Chain(tr.chain)
		if c == nil {
			return fmt.Errorf("chain %s missing from the parsed table", tr.chain)
		}
		if len(c.Rules) != 1 {
			return fmt.Errorf("chain %s has %d rules, want 1", tr.chain, len(c.Rules))
		}
		parsedRule = c.Rules[0]
		return nil
	})
	if err != nil {
		o.err = err.Error()
		return o
	}
	o.parsed = true
	err = r.protect(pos, func() error {
		o.got = nft.PrintRule(parsedRule, tr.family, nft.Options{NumericProto: true})
		return nil
	})
	if err != nil {
		o.err = err.Error()
		return o
	}
	o.canonical = normalize(o.got) == normalize(expected)
	return o
}

// protect runs f and turns a panic into an error, logging the stack of
// the first occurrences of each panic message.
func (r *runner) protect(pos string, f func() error) (err error) {
	defer func() {
		p := recover()
		if p == nil {
			return
		}
		msg := fmt.Sprint(p)
		if r.panics[msg] == 0 && len(r.panics) < maxPanicLogs {
			r.t.Logf("%s: panic: %s\n%s", pos, msg, debug.Stack())
		}
		r.panics[msg]++
		err = fmt.Errorf("panic: %s", msg)
	}()
	return f()
}

// panicCount returns the number of calls that panicked.
func (r *runner) panicCount() int {
	n := 0
	for _, c := range r.panics {
		n += c
	}
	return n
}

// tally counts the lines that parsed and that printed canonically.
func tally(results []lineResult) (parsed, canonical int) {
	for i := range results {
		if results[i].parsed() {
			parsed++
		}
		if results[i].canonical() {
			canonical++
		}
	}
	return parsed, canonical
}

// percent returns n as a percentage of total.
func percent(n, total int) float64 { return 100 * float64(n) / float64(total) }

// counterValues matches the values of an anonymous counter, which the
// py test suite leaves out of its expectations (a listing reports
// whatever the kernel counted).
var counterValues = regexp.MustCompile(`counter packets \d+ bytes \d+`)

// normalize returns a rule's text in the form the comparison uses:
// whitespace runs collapsed, no spaces inside braces or around commas,
// counter values dropped, and the elements of every brace group sorted,
// since upstream compares set elements regardless of order. Quoted
// strings are kept as they are.
func normalize(s string) string {
	s = counterValues.ReplaceAllString(s, "counter")
	sorted, _ := sortGroups(squeeze(s), 0, "")
	return sorted
}

// squeeze collapses whitespace outside quotes to single spaces and drops
// it at both ends, after '{' and ',' and before '}' and ','.
func squeeze(s string) string {
	var b []byte
	quoted, space := false, false
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case quoted:
			quoted = c != '"'
		case c == ' ' || c == '\t' || c == '\n' || c == '\r':
			space = true
			continue
		case c == '}' || c == ',':
			space = false
		case c == '"':
			quoted = true
		}
		if space && len(b) > 0 && b[len(b)-1] != '{' && b[len(b)-1] != ',' {
			b = append(b, ' ')
		}
		space = false
		b = append(b, c)
	}
	return string(b)
}

// sortGroups copies s from i up to the first byte of stops outside
// quotes and braces, with the elements of each brace group sorted. It
// returns the copy and the index where it stopped.
func sortGroups(s string, i int, stops string) (string, int) {
	var b strings.Builder
	for i < len(s) {
		c := s[i]
		switch {
		case strings.IndexByte(stops, c) >= 0:
			return b.String(), i
		case c == '"':
			end := len(s)
			if j := strings.IndexByte(s[i+1:], '"'); j >= 0 {
				end = i + j + 2
			}
			b.WriteString(s[i:end])
			i = end
		case c == '{':
			var elems []string
			for i++; i < len(s); {
				var e string
				e, i = sortGroups(s, i, ",}")
				elems = append(elems, e)
				if i < len(s) && s[i] == '}' {
					i++
					break
				}
				i++
			}
			slices.Sort(elems)
			fmt.Fprintf(&b, "{%s}", strings.Join(elems, ","))
		default:
			b.WriteByte(c)
			i++
		}
	}
	return b.String(), i
}

// report returns the markdown report of the lines that did not print
// canonically in every table.
func report(summary string, results []lineResult) string {
	var b strings.Builder
	fmt.Fprintf(&b, "# nft-py syntax coverage\n\n%s\n\n", summary)
	fmt.Fprintf(&b, "Each entry is a `.t` rule line that did not print back as expected in every table it is tested in; tables with the same outcome are grouped.\n")
	for i := range results {
		l := &results[i]
		if l.canonical() {
			continue
		}
		fmt.Fprintf(&b, "\n## %s\n\n- input: %s\n- expected: %s\n", l.pos, code(l.input), code(l.expected))
		var order []string
		byResult := map[string][]string{}
		for _, o := range l.outcomes {
			var res string
			switch {
			case o.canonical:
				res = "ok"
			case o.err != "":
				res = "error: " + code(o.err)
			default:
				res = "got: " + code(o.got)
			}
			if _, ok := byResult[res]; !ok {
				order = append(order, res)
			}
			byResult[res] = append(byResult[res], o.family.String())
		}
		for _, res := range order {
			fmt.Fprintf(&b, "- %s: %s\n", strings.Join(byResult[res], ", "), res)
		}
	}
	return b.String()
}

// code returns s as a one-line markdown code span.
func code(s string) string {
	s = strings.ReplaceAll(s, "\n", " ⏎ ")
	if strings.Contains(s, "`") {
		return "`` " + s + " ``"
	}
	return "`" + s + "`"
}
