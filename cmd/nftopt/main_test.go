package main

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/nftopt/nftopt/emit/nft"
	"github.com/nftopt/nftopt/ir/equiv"
	"github.com/nftopt/nftopt/optimize"
	"github.com/nftopt/nftopt/parser"
	"github.com/nftopt/nftopt/tests/bench"
	"github.com/nftopt/nftopt/tests/nftns"
)

// run runs nftopt in-process and returns stdout, stderr and the exit code.
func run(t *testing.T, stdin string, args ...string) (string, string, int) {
	t.Helper()
	var out, errb bytes.Buffer
	root := newRoot(strings.NewReader(stdin), &out, &errb)
	root.SetArgs(args)
	err := root.Execute()
	code := 0
	var ee *exitError
	switch {
	case errors.As(err, &ee):
		code = ee.code
		errb.WriteString(ee.msg)
	case err != nil:
		code = exitInput
		errb.WriteString(err.Error())
	}
	return out.String(), errb.String(), code
}

// inOwnProcess runs the calling test again in a process of its own,
// with the environment variable env set, and fails unless it passes
// there. It reports whether the caller is that process, where the test
// body runs.
func inOwnProcess(t *testing.T, env string) bool {
	t.Helper()
	if os.Getenv(env) != "" {
		return true
	}
	cmd := exec.Command(os.Args[0], "-test.run=^"+t.Name()+"$", "-test.count=1", "-test.v")
	cmd.Env = append(os.Environ(), env+"=1")
	out, err := cmd.CombinedOutput()
	if err != nil || !strings.Contains(string(out), "--- PASS: "+t.Name()) {
		t.Fatalf("child: %v\n%s", err, out)
	}
	return false
}

func writeFile(t *testing.T, name, text string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

const flagsA = "table inet t {\n chain c {\n  type filter hook input priority filter; policy drop;\n  tcp flags syn accept\n  tcp flags ack accept\n }\n}\n"
const flagsB = "table inet t {\n chain c {\n  type filter hook input priority filter; policy drop;\n  tcp flags { syn, ack } accept\n }\n}\n"
const flagsC = "table inet t {\n chain c {\n  type filter hook input priority filter; policy drop;\n  tcp flags syn,ack accept\n }\n}\n"

func TestEquivExitCodes(t *testing.T) {
	a, b, c := writeFile(t, "a.nft", flagsA), writeFile(t, "b.nft", flagsB), writeFile(t, "c.nft", flagsC)
	out, _, code := run(t, "", "equiv", a, c)
	if code != 0 || !strings.HasPrefix(out, "equivalent (proved over ") {
		t.Errorf("equivalent pair: exit %d, output %q", code, out)
	}
	out, _, code = run(t, "", "equiv", a, b)
	if code != 1 || !strings.Contains(out, "not equivalent") || !strings.Contains(out, "tcp flags") || !strings.Contains(out, "a.nft:4:3: tcp flags syn accept") {
		t.Errorf("different pair: exit %d, output:\n%s", code, out)
	}
	out, _, code = run(t, "", "equiv", "--format", "json", a, b)
	if code != 1 || !strings.Contains(out, `"equivalent": false`) || !strings.Contains(out, `"verdict": "drop"`) {
		t.Errorf("json: exit %d, output:\n%s", code, out)
	}
	bad := writeFile(t, "bad.nft", "table inet t {\n chain c {\n  tcp dport 22 acept\n }\n}\n")
	out, errOut, code := run(t, "", "equiv", a, bad)
	if code != 2 || out != "" || !strings.Contains(errOut, "bad.nft:3:16:") {
		t.Errorf("bad input: exit %d, stdout %q, stderr %q", code, out, errOut)
	}
	_, _, code = run(t, "", "equiv", a)
	if code != 2 {
		t.Errorf("missing argument: exit %d, want 2", code)
	}
}

// TestJSONInputs reads the same ruleset as nft text and as JSON: equiv
// proves them equal, and optimize reads JSON and writes JSON.
func TestJSONInputs(t *testing.T) {
	text := writeFile(t, "a.nft", flagsC)
	js, _, code := run(t, "", "fmt", "--format", "json", text)
	if code != 0 || !strings.HasPrefix(strings.TrimSpace(js), "{") {
		t.Fatalf("fmt --format json: exit %d: %s", code, js)
	}
	jsFile := writeFile(t, "a.json", js)
	if out, _, code := run(t, "", "equiv", text, jsFile); code != 0 {
		t.Errorf("equiv text json: exit %d\n%s", code, out)
	}
	out, errOut, code := run(t, "", "optimize", "--input-format", "json", "--format", "json", jsFile)
	if code != 0 || !strings.Contains(out, `"nftables"`) {
		t.Errorf("optimize json: exit %d: %s%s", code, out, errOut)
	}
}

func TestFmtOutputFileIsAtomic(t *testing.T) {
	in := writeFile(t, "in.nft", flagsC)
	dst := filepath.Join(t.TempDir(), "out.nft")
	if _, errOut, code := run(t, "", "fmt", in, "-o", dst); code != 0 {
		t.Fatalf("fmt -o: exit %d: %s", code, errOut)
	}
	got, err := os.ReadFile(dst)
	if err != nil || !strings.Contains(string(got), "tcp flags syn,ack accept") {
		t.Errorf("output file: %q, %v", got, err)
	}
	// A failed run leaves the previous output alone.
	bad := writeFile(t, "bad.nft", "table inet t {\n")
	if _, _, code := run(t, "", "fmt", bad, "-o", dst); code != 2 {
		t.Errorf("bad input: exit %d, want 2", code)
	}
	again, _ := os.ReadFile(dst)
	if !bytes.Equal(got, again) {
		t.Errorf("output file changed after a failed run")
	}
	out, _, code := run(t, flagsC, "fmt", "-")
	if code != 0 || !strings.Contains(out, "tcp flags syn,ack accept") {
		t.Errorf("stdin: exit %d, output %q", code, out)
	}
	out, _, _ = run(t, "", "version")
	if !strings.HasPrefix(out, "nftopt ") {
		t.Errorf("version: %q", out)
	}
}

// TestMemTotal reads the machine's memory, which tuneGC halves into the
// collector's soft limit.
func TestMemTotal(t *testing.T) {
	if _, err := os.Stat("/proc/meminfo"); err != nil {
		t.Skip("no /proc/meminfo")
	}
	if n := memTotal(); n < 64<<20 {
		t.Fatalf("memTotal() = %d, want at least 64 MiB", n)
	}
}

// TestTargetNft reads --target-nft values and nft --version output.
func TestTargetNft(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want bool
	}{
		{"nftables v1.0.6 (Lester Gooch #5)", false},
		{"1.0.7", false},
		{"1.0.8", true},
		{"v1.1.0", true},
		{"1.1", true},
		{"2.0.0", true},
	} {
		v, err := targetVersion(tc.in)
		if got := elementCounters(v); err != nil || got != tc.want {
			t.Errorf("targetVersion(%q) = %v, %v: element counters %v; want %v", tc.in, v, err, got, tc.want)
		}
	}
	if _, err := targetVersion("latest"); err == nil {
		t.Error("targetVersion(\"latest\"): no error")
	}
}

// TestOptimizeTargetNft: counters go onto verdict map elements only for
// a target nft that accepts them, and a bad version is a usage error.
func TestOptimizeTargetNft(t *testing.T) {
	in := "table ip x {\n chain y {\n  type filter hook input priority 0; policy drop;\n  ip saddr 1.1.1.1 counter accept\n  ip saddr 1.1.1.2 counter drop\n }\n}\n"
	out, errOut, code := run(t, in, "optimize", "--target-nft", "1.0.6", "-")
	if code != 0 || strings.Contains(out, "counter :") || !strings.Contains(out, "ip saddr 1.1.1.2 counter drop") {
		t.Fatalf("1.0.6: exit %d, stderr %q, output:\n%s", code, errOut, out)
	}
	out, errOut, code = run(t, in, "optimize", "--target-nft", "1.0.8", "-")
	if code != 0 || !strings.Contains(out, "ip saddr vmap { 1.1.1.1 counter : accept, 1.1.1.2 counter : drop }") {
		t.Fatalf("1.0.8: exit %d, stderr %q, output:\n%s", code, errOut, out)
	}
	if _, _, code := run(t, in, "optimize", "--target-nft", "newest", "-"); code != exitInput {
		t.Fatalf("--target-nft newest: exit %d, want %d", code, exitInput)
	}
}

// TestTargetNftCtStatus: ct status bits after dnat have names from nft
// 1.1.4 on; for the nft installed here (auto) the output loads, and a
// 1.1.4 target gets the names.
func TestTargetNftCtStatus(t *testing.T) {
	in := "table inet t {\n chain c {\n  type filter hook input priority 0; policy drop;\n  ct status 0x100 accept\n  ct status 0x200 accept\n  ct status & 0x300 == 0x100 drop\n }\n}\n"
	out, errOut, code := run(t, in, "optimize", "--target-nft", "1.1.4", "-")
	if code != 0 || !strings.Contains(out, "ct status dnat-done,dying accept") {
		t.Fatalf("1.1.4: exit %d, stderr %q, output:\n%s", code, errOut, out)
	}
	out, errOut, code = run(t, in, "optimize", "--target-nft", "1.0.6", "-")
	if code != 0 || !strings.Contains(out, "ct status 0x100,dying accept") || strings.Contains(out, "dnat-done") {
		t.Fatalf("1.0.6: exit %d, stderr %q, output:\n%s", code, errOut, out)
	}
	nftns.Require(t)
	for _, args := range [][]string{{"optimize", "-"}, {"fmt", "-"}, {"optimize", "--format", "json", "-"}} {
		out, errOut, code := run(t, in, args...)
		if code != 0 {
			t.Fatalf("%v: exit %d, stderr %q", args, code, errOut)
		}
		check := nftns.Check
		if slices.Contains(args, "json") {
			check = nftns.CheckJSON
		}
		if msg, err := check(strings.NewReader(out)); err != nil {
			t.Errorf("%v: the installed nft rejects the output: %v\n%s\n%s", args, err, msg, out)
		}
	}
}

// TestMemoryLimit: 640 MiB at least, 50 bytes per input byte above that,
// at most half of the machine's memory.
func TestMemoryLimit(t *testing.T) {
	for _, tc := range []struct{ n, total, want int64 }{
		{0, 24 << 30, 640 << 20},
		{12 << 20, 24 << 30, 640 << 20},
		{16 << 20, 24 << 30, 800 << 20},
		{1 << 30, 24 << 30, 12 << 30},
		{0, 1 << 30, 512 << 20},
		{16 << 20, 0, 800 << 20},
	} {
		if got := memoryLimit(tc.n, tc.total); got != tc.want {
			t.Errorf("memoryLimit(%d, %d) = %d, want %d", tc.n, tc.total, got, tc.want)
		}
	}
}

// TestLiveLimit: the limit doubles the live heap once that is more than
// half of it, within half the machine's memory, and never falls.
func TestLiveLimit(t *testing.T) {
	for _, tc := range []struct{ live, limit, total, want int64 }{
		{300 << 20, 1 << 30, 24 << 30, 1 << 30},
		{512 << 20, 1 << 30, 24 << 30, 1 << 30},
		{700 << 20, 1 << 30, 24 << 30, 1400 << 20},
		{700 << 20, 1 << 30, 0, 1400 << 20},
		{700 << 20, 1 << 30, 2 << 30, 1 << 30},
		{8 << 30, 1 << 30, 24 << 30, 12 << 30},
	} {
		if got := liveLimit(tc.live, tc.limit, tc.total); got != tc.want {
			t.Errorf("liveLimit(%d, %d, %d) = %d, want %d", tc.live, tc.limit, tc.total, got, tc.want)
		}
	}
}

// TestWatchLiveHeap: after a collection that leaves most of the limit
// live, the limit is raised to twice the live heap; in a process of its
// own, since the watch stays for the process's life.
func TestWatchLiveHeap(t *testing.T) {
	if !inOwnProcess(t, "NFTOPT_WATCH_CHILD") {
		return
	}
	debug.SetMemoryLimit(96 << 20)
	watchLiveHeap()
	live := make([][]byte, 64)
	for i := range live {
		live[i] = make([]byte, 1<<20)
	}
	for range 50 {
		runtime.GC()
		if debug.SetMemoryLimit(-1) >= 128<<20 {
			break
		}
		time.Sleep(10 * time.Millisecond) // the finalizer runs on its own goroutine
	}
	if got := debug.SetMemoryLimit(-1); got < 128<<20 {
		t.Errorf("limit %d MiB with 64 MiB live: not raised", got>>20)
	}
	runtime.KeepAlive(live)
}

// TestAdviceSize: inputs too small to need 16 MiB of heap get no huge
// page advice; larger ones get their memory limit's worth.
func TestAdviceSize(t *testing.T) {
	for _, tc := range []struct{ n, limit, want int64 }{
		{10 << 10, 640 << 20, 0},
		{150 << 10, 640 << 20, 0},
		{300 << 10, 640 << 20, 640 << 20},
		{16 << 20, 800 << 20, 800 << 20},
	} {
		if got := adviceSize(tc.n, tc.limit); got != tc.want {
			t.Errorf("adviceSize(%d, %d) = %d, want %d", tc.n, tc.limit, got, tc.want)
		}
	}
}

// TestStatsCountWholePaths: where the proof may stop at chains both
// sides share (kube-proxy's), --stats, optimize --diff and diff still
// count every packet class to its end, as equiv.Check with FullWalk
// does.
func TestStatsCountWholePaths(t *testing.T) {
	src := bench.KubeProxy(300)
	in := writeFile(t, "kube.nft", src)
	a, err := parser.Parse("kube.nft", []byte(src), parser.Options{})
	if err != nil {
		t.Fatal(err)
	}
	res, err := optimize.Run(a, optimize.Options{NoVerify: true})
	if err != nil {
		t.Fatal(err)
	}
	full := equiv.Check(a, res.Output, equiv.Options{FullWalk: true})
	short := equiv.Check(a, res.Output, equiv.Options{})
	if !full.Equivalent || short.Classes >= full.Classes {
		t.Fatalf("full walk %d classes, short walk %d: the test needs sides that meet", full.Classes, short.Classes)
	}
	perPacket := fmt.Sprintf("averaged over packet classes: %.1f -> %.1f", float64(full.Evaluated[0])/float64(full.Classes), float64(full.Evaluated[1])/float64(full.Classes))
	_, stderr, code := run(t, "", "optimize", "--stats", "-o", filepath.Join(t.TempDir(), "out.nft"), in)
	if code != 0 || !strings.Contains(stderr, perPacket) || !strings.Contains(stderr, fmt.Sprintf("verified equivalent over %d packet classes", full.Classes)) {
		t.Errorf("optimize --stats: exit %d, want %q and %d classes in:\n%s", code, perPacket, full.Classes, stderr)
	}
	out := writeFile(t, "out.nft", nft.Print(res.Output, nft.Options{}))
	for _, args := range [][]string{{"optimize", "--diff", in}, {"diff", in, out}} {
		stdout, _, _ := run(t, "", args...)
		if !strings.Contains(stdout, perPacket) {
			t.Errorf("%v: want %q in:\n%s", args, perPacket, stdout)
		}
	}
}
