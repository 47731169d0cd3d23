package main

import (
	"flag"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/nftopt/nftopt/optimize"
)

var update = flag.Bool("update", false, "rewrite the golden outputs in testdata")

// golden compares out with testdata/name, or rewrites it with -update.
func golden(t *testing.T, name, out string) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, []byte(out), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (go test ./cmd/nftopt -update writes it)", err)
	}
	if string(want) != out {
		t.Errorf("output differs from %s (go test ./cmd/nftopt -update rewrites it):\n%s", path, out)
	}
}

// TestDiffUnsoundRewrite: the diff of a ruleset and nft -o's rewrite
// (tcp flags folded into an exact-value set) reports the changed packet
// classes, SYN+ACK among them, and exits 1.
func TestDiffUnsoundRewrite(t *testing.T) {
	out, errOut, code := run(t, "", "diff", "--max", "10", "testdata/before.nft", "testdata/nft-o.nft")
	if code != 1 {
		t.Fatalf("exit %d, want 1: %s", code, errOut)
	}
	for _, want := range []string{"-\t\ttcp flags syn accept", "+\t\ttcp flags { syn, ack } accept", "@@ -1,9 +1,7 @@",
		"inet t c: 4 -> 2", "packet classes whose outcome changes:", "tcp flags syn | ack", "accept   drop"} {
		if !strings.Contains(out, want) {
			t.Errorf("missing %q in:\n%s", want, out)
		}
	}
	golden(t, "diff-nft-o.text", out)
	out, _, code = run(t, "", "diff", "--format", "json", "testdata/before.nft", "testdata/nft-o.nft")
	if code != 1 || !strings.Contains(out, `"equivalent": false`) {
		t.Errorf("json: exit %d:\n%s", code, out)
	}
	golden(t, "diff-nft-o.json", out)
}

// TestOptimizeDiff: optimize --diff shows the rewrite, which rules
// became which, and the proof, and exits 0; -o still writes the file.
func TestOptimizeDiff(t *testing.T) {
	dst := filepath.Join(t.TempDir(), "out.nft")
	out, errOut, code := run(t, "", "optimize", "--diff", "-o", dst, "testdata/before.nft")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	golden(t, "optimize-diff.text", out)
	if !strings.Contains(out, "equivalent (proved over") || !strings.Contains(out, "=> tcp flags syn,ack accept") {
		t.Errorf("output:\n%s", out)
	}
	if b, err := os.ReadFile(dst); err != nil || !strings.Contains(string(b), "tcp flags syn,ack accept") {
		t.Errorf("-o file: %q %v", b, err)
	}
	// The optimized output diffed against its input is equivalent.
	opt := writeFile(t, "opt.nft", string(mustRead(t, dst)))
	if out, _, code := run(t, "", "diff", "--color", "always", "testdata/before.nft", opt); code != 0 || !strings.Contains(out, "\x1b[31m-") {
		t.Errorf("diff of the optimized file: exit %d\n%s", code, out)
	}
	if _, _, code := run(t, "", "diff", "--color", "sometimes", "testdata/before.nft", opt); code != 2 {
		t.Errorf("bad --color: exit %d, want 2", code)
	}
}

func mustRead(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestLintExitCodes: 1 with findings at or above --fail-on, 0 without,
// 2 on input errors with nothing on stdout.
func TestLintExitCodes(t *testing.T) {
	planted, clean := "../../lint/testdata/planted.nft", "../../lint/testdata/clean.nft"
	if _, _, code := run(t, "", "lint", clean); code != 0 {
		t.Errorf("clean: exit %d", code)
	}
	out, _, code := run(t, "", "lint", planted)
	if code != 1 || !strings.Contains(out, "[NFT002 duplicate-rule]") {
		t.Errorf("planted: exit %d\n%s", code, out)
	}
	if _, _, code := run(t, "", "lint", "--fail-on", "error", planted); code != 0 {
		t.Errorf("planted, --fail-on error (only warnings): exit %d, want 0", code)
	}
	if _, _, code := run(t, "", "lint", "--fail-on", "error", "../../lint/testdata/loop.nft"); code != 1 {
		t.Errorf("loop, --fail-on error: exit %d, want 1", code)
	}
	bad := writeFile(t, "bad.nft", "table inet t {\n chain c {\n  tcp dport 22 acept\n }\n}\n")
	out, errOut, code := run(t, "", "lint", clean, bad)
	if code != 2 || out != "" || !strings.Contains(errOut, "bad.nft:3:16:") {
		t.Errorf("bad input: exit %d, stdout %q, stderr %q", code, out, errOut)
	}
	if _, _, code := run(t, "", "lint", "--format", "xml", clean); code != 2 {
		t.Errorf("bad --format: exit %d", code)
	}
	out, _, code = run(t, "", "lint", "--format", "github", planted)
	if code != 1 || !strings.Contains(out, "::warning file=../../lint/testdata/planted.nft,line=11,col=3,title=NFT002 duplicate-rule::") {
		t.Errorf("github: exit %d\n%s", code, out)
	}
	out, _, _ = run(t, "", "lint", "--list")
	if !strings.Contains(out, "NFT001 shadowed-rule") {
		t.Errorf("--list:\n%s", out)
	}
}

// TestOptimizeDebugDump: --debug dump prints the ruleset after every
// pass, and each dump parses again and is equivalent to the input.
func TestOptimizeDebugDump(t *testing.T) {
	_, errOut, code := run(t, "", "optimize", "--debug", "dump,check", "testdata/before.nft")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	dumps := strings.Split(errOut, "# after pass ")[1:]
	if len(dumps) != len(optimize.Pipeline) {
		t.Fatalf("want %d dumps, got %d:\n%s", len(optimize.Pipeline), len(dumps), errOut)
	}
	for _, d := range dumps {
		_, body, _ := strings.Cut(d, "\n")
		f := writeFile(t, "dump.nft", body)
		if out, _, code := run(t, "", "equiv", "testdata/before.nft", f); code != 0 {
			t.Errorf("dump %q: equiv exit %d\n%s", d[:12], code, out)
		}
	}
	if _, _, code := run(t, "", "optimize", "--debug", "nosuch/dump", "testdata/before.nft"); code != 2 {
		t.Errorf("bad --debug: exit %d", code)
	}
}

// TestOptimizeDebugTime: --debug time prints one line per phase, each
// pass included, on stderr, and leaves the output as it was.
func TestOptimizeDebugTime(t *testing.T) {
	plain, _, _ := run(t, "", "optimize", "testdata/before.nft")
	out, errOut, code := run(t, "", "optimize", "--debug", "time", "testdata/before.nft")
	if code != 0 || out != plain {
		t.Fatalf("exit %d, output changed: %q\n%s", code, out, errOut)
	}
	var phases []string
	for _, line := range strings.Split(strings.TrimSpace(errOut), "\n") {
		f := strings.Fields(strings.TrimPrefix(line, "nftopt: time: "))
		if len(f) < 3 || f[len(f)-1] != "s" {
			t.Fatalf("bad line %q", line)
		}
		if _, err := strconv.ParseFloat(f[len(f)-2], 64); err != nil {
			t.Errorf("line %q: %v", line, err)
		}
		phases = append(phases, strings.Join(f[:len(f)-2], " "))
	}
	want := []string{"read"}
	for _, p := range optimize.Pipeline {
		want = append(want, "pass "+p.Name)
	}
	want = append(want, "verify", "format", "write")
	if !slices.Equal(phases, want) {
		t.Errorf("phases %q, want %q", phases, want)
	}
}
