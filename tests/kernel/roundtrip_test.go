// Package kernel holds the tests that need the real nft and the kernel:
// each runs inside throwaway network namespaces, never against the host's
// own ruleset. They need root; outside CI they skip with a reason when the
// machine cannot run them, under CI (CI set) they fail instead.
package kernel

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/nftopt/nftopt/tests/nftns"
)

// maxParallel bounds how many corpus files are processed at once.
const maxParallel = 4

var (
	// nftopt is the path of the nftopt binary built by TestMain.
	nftopt string
	// buildErr is why TestMain could not build nftopt.
	buildErr error
)

func TestMain(m *testing.M) {
	os.Exit(runTests(m))
}

// runTests builds cmd/nftopt into a temporary directory, runs the tests
// and removes the directory.
func runTests(m *testing.M) int {
	dir, err := os.MkdirTemp("", "nftopt-kernel-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer os.RemoveAll(dir)
	nftopt = filepath.Join(dir, "nftopt")
	buildErr = build(nftopt)
	return m.Run()
}

// build compiles ./cmd/nftopt of this module into bin.
func build(bin string) error {
	root, err := repoRoot()
	if err != nil {
		return err
	}
	cmd := exec.Command("go", "build", "-o", bin, "./cmd/nftopt")
	cmd.Dir = root
	if out, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("go build ./cmd/nftopt: %v\n%s", err, out)
	}
	return nil
}

// requireNftopt fails t when TestMain could not build nftopt.
func requireNftopt(t *testing.T) {
	t.Helper()
	if buildErr != nil {
		t.Fatal(buildErr)
	}
}

// repoRoot returns the directory holding go.mod, found by walking up from
// the working directory.
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
			return "", fmt.Errorf("no go.mod above the working directory")
		}
		dir = parent
	}
}

// corpusDir returns ../shared/corpus beside the repository, skipping t
// (failing under CI) when it is absent.
func corpusDir(t *testing.T) string {
	t.Helper()
	root, err := repoRoot()
	if err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(root, "..", "shared", "corpus")
	if _, err := os.Stat(dir); err != nil {
		nftns.SkipOrFail(t, "corpus not available: %v", err)
	}
	return dir
}

// corpusFiles returns the files the round-trip test reads, relative to
// corpus: every .nft file under realworld, and the inputs (not the
// .expected.nft results) in nft-optimizations.
func corpusFiles(t *testing.T, corpus string) []string {
	t.Helper()
	var files []string
	err := filepath.WalkDir(filepath.Join(corpus, "realworld"), func(path string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() && strings.HasSuffix(path, ".nft") {
			files = append(files, path)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	inputs, err := filepath.Glob(filepath.Join(corpus, "nft-optimizations", "*.nft"))
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range inputs {
		if !strings.HasSuffix(f, ".expected.nft") {
			files = append(files, f)
		}
	}
	for i, f := range files {
		if files[i], err = filepath.Rel(corpus, f); err != nil {
			t.Fatal(err)
		}
	}
	slices.Sort(files)
	if len(files) == 0 {
		t.Fatalf("no .nft files in %s", corpus)
	}
	return files
}

// vethColumn is the VALIDITY.tsv column naming the interfaces a file
// needs, as in "fail: … (veth: eth0,eth1)".
const vethColumn = "retry_with_veth_ifaces"

var vethList = regexp.MustCompile(`\(veth: ([^)]*)\)`)

// validityIfaces reads realworld/VALIDITY.tsv and returns, for each file
// (path relative to corpus), the interfaces listed in its vethColumn.
func validityIfaces(t *testing.T, corpus string) map[string][]string {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(corpus, "realworld", "VALIDITY.tsv"))
	if err != nil {
		t.Fatal(err)
	}
	ifaces := map[string][]string{}
	col := -1
	sc := bufio.NewScanner(bytes.NewReader(data))
	for sc.Scan() {
		fields := strings.Split(sc.Text(), "\t")
		if col < 0 {
			if col = slices.Index(fields, vethColumn); col < 0 {
				t.Fatalf("VALIDITY.tsv has no column %s", vethColumn)
			}
			continue
		}
		if col < len(fields) {
			if m := vethList.FindStringSubmatch(fields[col]); m != nil {
				ifaces[filepath.Join("realworld", fields[0])] = strings.Split(m[1], ",")
			}
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return ifaces
}

var (
	// ifaceArg matches what follows iif, oif, device or devices: a
	// braced list, a quoted string or a bare word.
	ifaceArg = regexp.MustCompile(`\b(?:iif|oif|devices?)\b\s*(?:=\s*)?(\{[^}]*\}|"[^"]*"|[$@]?[A-Za-z][\w.-]*)`)
	// ifaceWord matches one name within such an argument; variables and
	// set references are matched so that they can be left out.
	ifaceWord = regexp.MustCompile(`"([^"]*)"|([$@]?[A-Za-z][\w.-]*)`)
	// ifname is what a Linux interface name may look like here.
	ifname = regexp.MustCompile(`^[A-Za-z][\w.-]{0,14}$`)
	// notIface lists words that follow iif, oif or device in valid
	// rulesets (vmaps, fib results) but are no interface names to create;
	// lo always exists.
	notIface = map[string]bool{"lo": true, "vmap": true, "map": true, "iif": true, "oif": true, "oifname": true, "type": true, "check": true}
)

// mentionedIfaces returns the interface names src mentions after iif, oif,
// device or devices, sorted and without duplicates.
func mentionedIfaces(src []byte) []string {
	var names []string
	for _, arg := range ifaceArg.FindAllSubmatch(src, -1) {
		for _, w := range ifaceWord.FindAllSubmatch(arg[1], -1) {
			name := string(w[1]) + string(w[2])
			if ifname.MatchString(name) && !notIface[name] {
				names = append(names, name)
			}
		}
	}
	slices.Sort(names)
	return slices.Compact(names)
}

// acceptingIfaces returns the dummy interfaces with which nft accepts
// file: none if it accepts it as it is, else those of the VALIDITY.tsv
// retry and those the file mentions. It returns an error when nft rejects
// the file even with them.
func acceptingIfaces(ctx context.Context, file string, listed []string) ([]string, error) {
	err := nftCheck(ctx, file, nil)
	if err == nil {
		return nil, nil
	}
	src, rerr := os.ReadFile(file)
	if rerr != nil {
		return nil, rerr
	}
	ifaces := slices.Compact(slices.Sorted(slices.Values(append(mentionedIfaces(src), listed...))))
	if len(ifaces) == 0 {
		return nil, err
	}
	if rerr := nftCheck(ctx, file, ifaces); rerr != nil {
		return nil, fmt.Errorf("%s; with dummy interfaces %v: %s", firstLine(err), ifaces, firstLine(rerr))
	}
	return ifaces, nil
}

// firstLine returns the first line of err's message: for nft, the first
// error without its source excerpt.
func firstLine(err error) string {
	msg, _, _ := strings.Cut(err.Error(), "\n")
	return msg
}

// eachAcceptedFile runs fn as a parallel subtest of t.Run("corpus") for
// every corpus file that nft accepts and loads, with the interfaces the
// file needs and the listing nft makes of it. Files nft rejects are
// skipped with nft's reason.
func eachAcceptedFile(t *testing.T, fn func(t *testing.T, ctx context.Context, rel, file string, ifaces []string, listing string)) {
	requireNetns(t)
	corpus := corpusDir(t)
	requireNftopt(t)
	files := corpusFiles(t, corpus)
	listed := validityIfaces(t, corpus)
	sem := make(chan struct{}, maxParallel)
	t.Run("corpus", func(t *testing.T) {
		for _, rel := range files {
			t.Run(rel, func(t *testing.T) {
				t.Parallel()
				sem <- struct{}{}
				defer func() { <-sem }()
				ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
				defer cancel()
				file := filepath.Join(corpus, rel)
				ifaces, err := acceptingIfaces(ctx, file, listed[rel])
				if err != nil {
					t.Skipf("nft does not accept the file: %s", firstLine(err))
				}
				listing, err := nftLoadList(ctx, file, ifaces)
				if err != nil {
					t.Skipf("nft -c accepts the file but nft -f does not load it: %s", firstLine(err))
				}
				fn(t, ctx, rel, file, ifaces, listing)
			})
		}
	})
}

// TestFmtRoundTrip loads every accepted corpus file and nftopt fmt's
// output of it into fresh namespaces: the kernel listings must be equal.
func TestFmtRoundTrip(t *testing.T) {
	var mu sync.Mutex
	accepted, identical := 0, 0
	eachAcceptedFile(t, func(t *testing.T, ctx context.Context, rel, file string, ifaces []string, want string) {
		mu.Lock()
		accepted++
		mu.Unlock()
		dir := filepath.Dir(file)
		cmd := exec.CommandContext(ctx, nftopt, "fmt", "-I", dir, file)
		cmd.Dir = dir
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		text, err := cmd.Output()
		if err != nil {
			t.Fatalf("nftopt fmt: %v\n%s", err, stderr.Bytes())
		}
		got, err := nftLoadListText(ctx, dir, text, ifaces)
		if err != nil {
			t.Fatalf("nft rejects the output of nftopt fmt: %v", err)
		}
		if d := lineDiff(want, got); d != "" {
			t.Fatalf("nft list ruleset differs (- after loading the file, + after loading nftopt fmt's output):\n%s", d)
		}
		mu.Lock()
		identical++
		mu.Unlock()
	})
	pct := 0.0
	if accepted > 0 {
		pct = 100 * float64(identical) / float64(accepted)
	}
	t.Logf("fmt round-trip: %d/%d accepted files identical (%.1f%%)", identical, accepted, pct)
}

// TestFmtRejectsBadInput checks that `nftopt fmt` refuses malformed
// rulesets with exit status 2, prints nothing on stdout, and points at
// the bad line with file:line: and a caret.
func TestFmtRejectsBadInput(t *testing.T) {
	requireNftopt(t)
	for _, tc := range []struct {
		name, src, where string
	}{
		{"misspelled verdict", "table inet t {\n chain c {\n tcp dport 22 acept\n }\n}\n", "bad.nft:3:15:"},
		{"unclosed brace", "table inet t {\n chain c {\n tcp dport 22 accept\n }\n", "bad.nft:1:14:"},
		{"unknown variable", "table inet t {\n chain c {\n ip saddr $nope drop\n }\n}\n", "bad.nft:3:11:"},
		{"bad address", "table ip t {\n chain c {\n ip saddr 10.0.0.300 drop\n }\n}\n", "bad.nft:3:11:"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			if err := os.WriteFile(filepath.Join(dir, "bad.nft"), []byte(tc.src), 0o644); err != nil {
				t.Fatal(err)
			}
			cmd := exec.CommandContext(t.Context(), nftopt, "fmt", "bad.nft")
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
				t.Errorf("stderr does not name %s\n%s", tc.where, stderr.Bytes())
			}
			if !regexp.MustCompile(`(?m)^\s*\^`).Match(stderr.Bytes()) {
				t.Errorf("stderr has no line with a caret under the error:\n%s", stderr.Bytes())
			}
		})
	}
}

// lineDiff returns a unified-style diff from want to got (lines only in
// want marked -, only in got +, three lines of context, at most
// maxDiffLines lines), or "" when they are equal.
func lineDiff(want, got string) string {
	if want == got {
		return ""
	}
	a, b := strings.Split(want, "\n"), strings.Split(got, "\n")
	// lcs[i][j] is the length of the longest common subsequence of a[i:]
	// and b[j:].
	lcs := make([][]int32, len(a)+1)
	for i := range lcs {
		lcs[i] = make([]int32, len(b)+1)
	}
	for i := len(a) - 1; i >= 0; i-- {
		for j := len(b) - 1; j >= 0; j-- {
			if a[i] == b[j] {
				lcs[i][j] = lcs[i+1][j+1] + 1
			} else {
				lcs[i][j] = max(lcs[i+1][j], lcs[i][j+1])
			}
		}
	}
	type op struct {
		mark       byte
		line       string
		aNum, bNum int // 1-based line numbers in want and got
	}
	var ops []op
	i, j := 0, 0
	for i < len(a) || j < len(b) {
		switch {
		case i < len(a) && j < len(b) && a[i] == b[j]:
			ops = append(ops, op{' ', a[i], i + 1, j + 1})
			i, j = i+1, j+1
		case j == len(b) || i < len(a) && lcs[i+1][j] >= lcs[i][j+1]:
			ops = append(ops, op{'-', a[i], i + 1, j + 1})
			i++
		default:
			ops = append(ops, op{'+', b[j], i + 1, j + 1})
			j++
		}
	}
	const contextLines, maxDiffLines = 3, 200
	var out strings.Builder
	lines, last := 0, -1 // last: index of the last op printed
	for k, o := range ops {
		if o.mark == ' ' {
			continue
		}
		for c := max(k-contextLines, last+1); c <= k; c++ {
			if c != last+1 || last < 0 {
				fmt.Fprintf(&out, "@@ -%d +%d @@\n", ops[c].aNum, ops[c].bNum)
			}
			if lines++; lines > maxDiffLines {
				fmt.Fprintf(&out, "… diff cut at %d lines\n", maxDiffLines)
				return out.String()
			}
			fmt.Fprintf(&out, "%c%s\n", ops[c].mark, ops[c].line)
			last = c
		}
		for c := k + 1; c < len(ops) && c <= k+contextLines && ops[c].mark == ' '; c++ {
			fmt.Fprintf(&out, " %s\n", ops[c].line)
			lines++
			last = c
		}
	}
	return out.String()
}
