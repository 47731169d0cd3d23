// Package nftns lets tests run the real nft without touching the
// host's ruleset: every command runs in a new, empty network namespace
// (unshare -n) that exists only for that command.
package nftns

import (
	"bytes"
	"io"
	"os"
	"os/exec"
	"regexp"
	"strconv"
	"testing"
)

// Require skips tb unless it runs as root with nft, unshare and the
// extra tools on PATH. When CI is set (non-empty) it fails instead:
// CI must run the kernel-facing tests.
func Require(tb testing.TB, extra ...string) {
	tb.Helper()
	if os.Geteuid() != 0 {
		SkipOrFail(tb, "needs root (euid %d)", os.Geteuid())
	}
	for _, tool := range append([]string{"nft", "unshare"}, extra...) {
		if _, err := exec.LookPath(tool); err != nil {
			SkipOrFail(tb, "needs %s: %v", tool, err)
		}
	}
}

// SkipOrFail skips tb with the reason, or fails it when CI is set.
func SkipOrFail(tb testing.TB, format string, args ...any) {
	tb.Helper()
	if os.Getenv("CI") != "" {
		tb.Fatalf("CI is set, so not skipping: "+format, args...)
	}
	tb.Skipf(format, args...)
}

// Check runs `nft -c -f -` on src in a throwaway network namespace and
// returns nft's output, trimmed, and its error.
func Check(src io.Reader) ([]byte, error) {
	cmd := exec.Command("unshare", "-n", "nft", "-c", "-f", "-")
	cmd.Stdin = src
	out, err := cmd.CombinedOutput()
	return bytes.TrimSpace(out), err
}

// CheckJSON runs `nft -j -c -f -` on a libnftables JSON document src
// in a throwaway network namespace.
func CheckJSON(src io.Reader) ([]byte, error) {
	cmd := exec.Command("unshare", "-n", "nft", "-j", "-c", "-f", "-")
	cmd.Stdin = src
	out, err := cmd.CombinedOutput()
	return bytes.TrimSpace(out), err
}

// CheckFile runs `nft -c -f file` in a throwaway network namespace.
func CheckFile(file string) ([]byte, error) {
	out, err := exec.Command("unshare", "-n", "nft", "-c", "-f", file).CombinedOutput()
	return bytes.TrimSpace(out), err
}

// Version returns the version of the nft on PATH (major, minor, patch),
// or ok false when there is none or it cannot tell.
func Version() (v [3]int, ok bool) {
	out, err := exec.Command("nft", "--version").Output()
	if err != nil {
		return v, false
	}
	m := regexp.MustCompile(`v(\d+)\.(\d+)\.(\d+)`).FindSubmatch(out)
	if m == nil {
		return v, false
	}
	for i := range v {
		v[i], _ = strconv.Atoi(string(m[i+1]))
	}
	return v, true
}

// AtLeast reports whether the nft on PATH is version min or newer.
func AtLeast(min [3]int) bool {
	v, ok := Version()
	if !ok {
		return false
	}
	for i := range v {
		if v[i] != min[i] {
			return v[i] > min[i]
		}
	}
	return true
}
