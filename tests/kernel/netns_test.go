package kernel

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/nftopt/nftopt/tests/nftns"
)

// requireNetns skips (or, under CI, fails) t unless the test can create
// throwaway network namespaces and load rulesets into them: it needs root,
// nft, ip and a working `unshare -n`.
func requireNetns(t *testing.T) {
	t.Helper()
	nftns.Require(t, "ip")
	if out, err := exec.Command("unshare", "-n", "nft", "list", "ruleset").CombinedOutput(); err != nil {
		nftns.SkipOrFail(t, "cannot list a ruleset in a new network namespace: %v: %s", err, bytes.TrimSpace(out))
	}
}

// inFreshNetns runs the sh script in a new, empty network namespace that
// exists only for this call, so it never sees or changes the host's
// ruleset. Before the script runs, a dummy interface (set up) is created
// there for each name in ifaces, or a veth pair (the peer named
// nftopt-peerN) where the kernel lacks the dummy driver. The script runs with sh -e in directory
// dir, gets args as its positional parameters and stdin (if not nil) as
// its standard input. It returns the script's standard output; on failure
// the error carries its standard error.
func inFreshNetns(ctx context.Context, dir string, ifaces []string, stdin []byte, script string, args ...string) ([]byte, error) {
	// Kernels without the dummy driver get a veth pair instead.
	const prelude = `n=0
for i in $DUMMY_IFACES; do
	n=$((n+1))
	ip link add "$i" type dummy 2>/dev/null || ip link add "$i" type veth peer name "nftopt-peer$n"
	ip link set "$i" up
done
`
	cmd := exec.CommandContext(ctx, "unshare", append([]string{"-n", "sh", "-ec", prelude + script, "sh"}, args...)...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "DUMMY_IFACES="+strings.Join(ifaces, " "))
	if stdin != nil {
		cmd.Stdin = bytes.NewReader(stdin)
	}
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		return nil, fmt.Errorf("%w: %s", err, bytes.TrimSpace(stderr.Bytes()))
	}
	return stdout.Bytes(), nil
}

// nftCheck runs `nft -c -f file` (include path and working directory: the
// file's directory) in a fresh namespace holding the dummy interfaces
// ifaces.
func nftCheck(ctx context.Context, file string, ifaces []string) error {
	dir := filepath.Dir(file)
	_, err := inFreshNetns(ctx, dir, ifaces, nil, `nft -c -I "$1" -f "$2"`, dir, file)
	return err
}

// nftLoadList loads file with `nft -f` (include path and working
// directory: the file's directory) in a fresh namespace holding the dummy
// interfaces ifaces, and returns what `nft list ruleset` prints there.
func nftLoadList(ctx context.Context, file string, ifaces []string) (string, error) {
	dir := filepath.Dir(file)
	out, err := inFreshNetns(ctx, dir, ifaces, nil,
		`nft -I "$1" -f "$2" >/dev/null
nft list ruleset`, dir, file)
	return string(out), err
}

// nftLoadListText is nftLoadList for a ruleset given as text, loaded with
// `nft -f -`.
func nftLoadListText(ctx context.Context, dir string, text []byte, ifaces []string) (string, error) {
	out, err := inFreshNetns(ctx, dir, ifaces, text,
		`nft -f - >/dev/null
nft list ruleset`)
	return string(out), err
}

// exitCode returns the exit status carried by err from exec, 0 for nil,
// and -1 when the command did not run or exit normally.
func exitCode(err error) int {
	if err == nil {
		return 0
	}
	var ee *exec.ExitError
	if errors.As(err, &ee) {
		return ee.ExitCode()
	}
	return -1
}
