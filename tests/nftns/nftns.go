// Package nftns lets tests run the real nft without touching the
// host's ruleset: every command runs in a new, empty network namespace
// (unshare -n) that exists only for that command.
package nftns

import (
	"bytes"
	"io"
	"os"
	"os/exec"
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

// CheckFile runs `nft -c -f file` in a throwaway network namespace.
func CheckFile(file string) ([]byte, error) {
	out, err := exec.Command("unshare", "-n", "nft", "-c", "-f", file).CombinedOutput()
	return bytes.TrimSpace(out), err
}
