package kernel

import (
	"bytes"
	"context"
	stdjson "encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"
)

// Thresholds of TestJSONRoundTrip, in percent of the corpus files nft
// accepts and can itself round-trip through its JSON (see below).
// ratchet: raise when coverage improves.
const (
	// minJSONReadRate: nft's JSON listing of the loaded file, read by
	// nftopt and printed as text, loads to the same listing.
	minJSONReadRate = 98.5
	// minJSONWriteRate: nftopt's JSON of the file, loaded with
	// "nft -j -f", gives the same listing as loading the file.
	minJSONWriteRate = 98.5
)

// TestJSONRoundTrip checks nftopt's JSON reader and writer against the
// real nft, for every corpus file nft accepts:
//
//   - read: the file is loaded into a fresh namespace and listed with
//     "nft -j list ruleset"; "nftopt fmt --input-format json -" turns
//     that listing into nft text, which loaded into another fresh
//     namespace must list ("nft list ruleset") as the file did;
//   - write: "nftopt fmt --format json FILE" loaded with "nft -j -f -"
//     into a fresh namespace must list as the file did.
//
// nft's own JSON is not lossless (nft 1.0.6 neither lists nor reads
// table, chain and set comments, auto-merge, the dynamic set flag, the
// device of a netdev chain or sub-second timeouts), so each file is
// also round-tripped through nft alone: its JSON listing loaded with
// "nft -j -f" (tables and chains first, see chainsFirst). A result whose lines missing from (or added to) the
// file's listing are all missing from (or added to) nft's own round
// trip too is lossy only where nft's JSON is, and passes; a file whose
// JSON listing nft itself cannot load is left out of the rates. Every
// failure is logged with its diff; the test fails when a rate drops
// below its ratchet.
func TestJSONRoundTrip(t *testing.T) {
	var mu sync.Mutex
	var st jsonStats
	eachAcceptedFile(t, func(t *testing.T, ctx context.Context, rel, file string, ifaces []string, want string) {
		dir := filepath.Dir(file)
		listing, err := inFreshNetns(ctx, dir, ifaces, nil,
			`nft -I "$1" -f "$2" >/dev/null
nft -j list ruleset`, dir, file)
		if err != nil {
			t.Fatalf("nft -j list ruleset: %v", err)
		}
		control, cerr := inFreshNetns(ctx, dir, ifaces, chainsFirst(t, listing),
			`nft -j -f - >/dev/null
nft list ruleset`)
		read := jsonRead(ctx, dir, listing, ifaces, want)
		write := jsonWrite(ctx, dir, file, ifaces, want)
		mu.Lock()
		defer mu.Unlock()
		st.accepted++
		if cerr != nil {
			st.nftCannot = append(st.nftCannot, fmt.Sprintf("%s: %s", rel, firstLine(cerr)))
			t.Logf("nft cannot load its own JSON listing of the file: %s", firstLine(cerr))
		} else {
			st.jsonable++
			if string(control) == want {
				st.lossless++
			}
		}
		for _, c := range []struct {
			what    string
			res     jsonResult
			outcome *jsonOutcome
		}{
			{"read", read, &st.read},
			{"write", write, &st.write},
		} {
			o := c.outcome
			switch {
			case c.res.err == nil && c.res.got == want:
				o.exact++
				o.ok++
				if cerr == nil {
					o.okJSONable++
				}
			case c.res.err == nil && cerr == nil && lossWithin(want, c.res.got, string(control)):
				o.ok++
				o.okJSONable++
				t.Logf("%s: differs from the file's listing only where nft's own JSON round trip does:\n%s", c.what, lineDiff(want, c.res.got))
			default:
				err := c.res.err
				if err == nil {
					err = fmt.Errorf("nft list ruleset differs (- after loading the file, + after the JSON round trip):\n%s", lineDiff(want, c.res.got))
				}
				note := ""
				if cerr != nil {
					note = " [nft cannot round-trip this file through its own JSON]"
				}
				o.failures = append(o.failures, fmt.Sprintf("%s%s: %v", rel, note, err))
				t.Logf("%s: %v", c.what, err)
			}
		}
	})
	if st.accepted == 0 {
		t.Fatal("no corpus file was accepted by nft")
	}
	pct := func(n, d int) float64 {
		if d == 0 {
			return 0
		}
		return 100 * float64(n) / float64(d)
	}
	readRate, writeRate := pct(st.read.okJSONable, st.jsonable), pct(st.write.okJSONable, st.jsonable)
	t.Logf("corpus files nft accepts: %d; nft round-trips %d of them through its own JSON (%d losslessly)", st.accepted, st.jsonable, st.lossless)
	for _, x := range []struct {
		name string
		o    jsonOutcome
		rate float64
	}{
		{"read  (nft -j list -> nftopt -> nft -f)", st.read, readRate},
		{"write (nftopt --format json -> nft -j -f)", st.write, writeRate},
	} {
		t.Logf("JSON %s: %d/%d of the files nft round-trips itself identical to the file's listing or lossy only where nft's own JSON is (%.1f%%); of all %d accepted files: %d pass (%.1f%%), %d identical",
			x.name, x.o.okJSONable, st.jsonable, x.rate, st.accepted, x.o.ok, pct(x.o.ok, st.accepted), x.o.exact)
	}
	for _, group := range []struct {
		title string
		list  []string
	}{
		{"nft cannot load its own JSON listing of", st.nftCannot},
		{"read failure", st.read.failures},
		{"write failure", st.write.failures},
	} {
		sort.Strings(group.list)
		for _, f := range group.list {
			t.Logf("%s: %s", group.title, f)
		}
	}
	if readRate < minJSONReadRate {
		t.Errorf("JSON read rate %.1f%% is below minJSONReadRate %.1f%%", readRate, minJSONReadRate)
	}
	if writeRate < minJSONWriteRate {
		t.Errorf("JSON write rate %.1f%% is below minJSONWriteRate %.1f%%", writeRate, minJSONWriteRate)
	}
}

// jsonStats gathers the outcomes of TestJSONRoundTrip.
type jsonStats struct {
	// accepted counts the files nft accepts, jsonable those whose JSON
	// listing nft loads again, lossless those it loads unchanged.
	accepted, jsonable, lossless int
	nftCannot                    []string
	read, write                  jsonOutcome
}

// jsonOutcome counts the results of one direction.
type jsonOutcome struct {
	// exact: identical listing; ok: identical or lossy only where
	// nft's own JSON is; okJSONable: ok among the jsonable files.
	exact, ok, okJSONable int
	failures              []string
}

// chainsFirst moves the tables and chains of a JSON listing before the
// other elements: nft 1.0.6 lists sets before chains, and then cannot
// load its own listing when a verdict map jumps to a chain.
func chainsFirst(t *testing.T, listing []byte) []byte {
	var doc struct {
		Nftables []map[string]stdjson.RawMessage `json:"nftables"`
	}
	if err := stdjson.Unmarshal(listing, &doc); err != nil {
		t.Fatalf("nft's JSON listing does not decode: %v", err)
	}
	rank := func(item map[string]stdjson.RawMessage) int {
		switch {
		case item["metainfo"] != nil:
			return 0
		case item["table"] != nil:
			return 1
		case item["chain"] != nil:
			return 2
		}
		return 3
	}
	sort.SliceStable(doc.Nftables, func(i, j int) bool { return rank(doc.Nftables[i]) < rank(doc.Nftables[j]) })
	out, err := stdjson.Marshal(doc)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// lossWithin reports whether got differs from want only by lines that
// control also lacks or adds: counted as multisets of lines, the lines
// of want missing from got are missing from control too, and the lines
// of got not in want are in control and not in want.
func lossWithin(want, got, control string) bool {
	count := func(s string) map[string]int {
		m := map[string]int{}
		for _, l := range strings.Split(s, "\n") {
			m[l]++
		}
		return m
	}
	w, g, c := count(want), count(got), count(control)
	for l, n := range w {
		if missing := n - g[l]; missing > 0 && n-c[l] < missing {
			return false
		}
	}
	for l, n := range g {
		if extra := n - w[l]; extra > 0 && c[l]-w[l] < extra {
			return false
		}
	}
	return true
}

// jsonResult is the listing a JSON round trip gave, or why it failed.
type jsonResult struct {
	got string
	err error
}

// jsonRead converts nft's JSON listing to nft text with nftopt and
// loads the text.
func jsonRead(ctx context.Context, dir string, listing []byte, ifaces []string, want string) jsonResult {
	cmd := exec.CommandContext(ctx, nftopt, "fmt", "--input-format", "json", "-")
	cmd.Stdin = bytes.NewReader(listing)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	text, err := cmd.Output()
	if err != nil {
		return jsonResult{err: fmt.Errorf("nftopt fmt --input-format json: %v: %s", err, strings.TrimSpace(stderr.String()))}
	}
	got, err := nftLoadListText(ctx, dir, text, ifaces)
	if err != nil {
		return jsonResult{err: fmt.Errorf("nft -f rejects nftopt's text of the JSON listing: %v", firstLine(err))}
	}
	return jsonResult{got: got}
}

// jsonWrite converts file to JSON with nftopt and loads it with
// "nft -j -f".
func jsonWrite(ctx context.Context, dir, file string, ifaces []string, want string) jsonResult {
	cmd := exec.CommandContext(ctx, nftopt, "fmt", "--format", "json", "-I", dir, file)
	cmd.Dir = dir
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	doc, err := cmd.Output()
	if err != nil {
		return jsonResult{err: fmt.Errorf("nftopt fmt --format json: %v: %s", err, strings.TrimSpace(stderr.String()))}
	}
	got, err := inFreshNetns(ctx, dir, ifaces, doc,
		`nft -j -f - >/dev/null
nft list ruleset`)
	if err != nil {
		return jsonResult{err: fmt.Errorf("nft -j -f rejects nftopt's JSON: %v", firstLine(err))}
	}
	return jsonResult{got: string(got)}
}

// TestJSONFmtRejectsBadInput checks that "nftopt fmt" refuses bad JSON
// with exit status 2, prints nothing on stdout, and names the JSON
// path of the bad value (or the line and column of a syntax error).
func TestJSONFmtRejectsBadInput(t *testing.T) {
	requireNftopt(t)
	for _, tc := range []struct {
		name, src, where string
		args             []string
	}{
		{"bad value", `{"nftables": [{"table": {"family": "inet", "name": "t"}}, {"chain": {"family": "inet", "table": "t", "name": "c"}},
 {"rule": {"family": "inet", "table": "t", "chain": "c", "expr": [{"match": {"op": "==", "left": {"payload": {"protocol": "ip", "field": "saddr"}}, "right": "10.0.0.300"}}]}}]}`,
			`bad.json: nftables[2].rule.expr[0].match.right: "10.0.0.300" is not an IPv4 address`, nil},
		{"unknown statement", `{"nftables": [{"table": {"family": "inet", "name": "t"}}, {"chain": {"family": "inet", "table": "t", "name": "c"}},
 {"rule": {"family": "inet", "table": "t", "chain": "c", "expr": [{"acept": null}]}}]}`,
			`bad.json: nftables[2].rule.expr[0]: unknown statement "acept"`, nil},
		{"syntax error", "{\"nftables\": [\n  {\"table\": {\"family\": \"inet\" \"name\": \"t\"}}\n]}\n", "bad.json:2:31: syntax error", nil},
		{"forced json", "table inet t { }\n", "bad.json:1:2: syntax error", []string{"--input-format", "json"}},
		{"bad format", "{}", "unknown output format", []string{"--format", "yaml"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			if err := os.WriteFile(filepath.Join(dir, "bad.json"), []byte(tc.src), 0o644); err != nil {
				t.Fatal(err)
			}
			cmd := exec.CommandContext(t.Context(), nftopt, append(append([]string{"fmt"}, tc.args...), "bad.json")...)
			cmd.Dir = dir
			var stdout, stderr bytes.Buffer
			cmd.Stdout, cmd.Stderr = &stdout, &stderr
			err := cmd.Run()
			if code := exitCode(err); code != 2 {
				t.Errorf("exit status %d (%v), want 2", code, err)
			}
			if stdout.Len() != 0 {
				t.Errorf("stdout not empty:\n%s", stdout.Bytes())
			}
			if !strings.Contains(stderr.String(), tc.where) {
				t.Errorf("stderr does not say %q:\n%s", tc.where, stderr.Bytes())
			}
		})
	}
}

// TestJSONFmtFormats checks the format flags of "nftopt fmt": JSON input
// is recognised by its first byte, and text converts to JSON and back.
func TestJSONFmtFormats(t *testing.T) {
	requireNftopt(t)
	const text = "table inet t {\n\tchain c {\n\t\ttype filter hook input priority filter; policy drop;\n\t\ttcp dport { 22, 80 } accept\n\t}\n}\n"
	run := func(stdin string, args ...string) string {
		t.Helper()
		cmd := exec.CommandContext(t.Context(), nftopt, append([]string{"fmt"}, args...)...)
		cmd.Stdin = strings.NewReader(stdin)
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		out, err := cmd.Output()
		if err != nil {
			t.Fatalf("nftopt fmt %v: %v\n%s", args, err, stderr.Bytes())
		}
		return string(out)
	}
	doc := run(text, "--format", "json", "-")
	if !strings.HasPrefix(doc, `{"nftables":[{"metainfo":{"json_schema_version":1}}`) {
		t.Errorf("--format json does not print a JSON command list:\n%s", doc)
	}
	if back := run("\n  "+doc, "-"); back != text {
		t.Errorf("JSON (auto-detected) prints as\n%s\nwant\n%s", back, text)
	}
	if back := run(doc, "--input-format", "json", "--format", "nft", "-"); back != text {
		t.Errorf("JSON prints as\n%s\nwant\n%s", back, text)
	}
}
