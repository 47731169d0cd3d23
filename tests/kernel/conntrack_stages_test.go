package kernel

import (
	"os"
	"os/exec"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/nftopt/nftopt/tests/nftns"
)

// stagesRuleset counts packets by how the kernel answers ct matches
// before conntrack (prerouting, priority -300) and after it: the facts
// ir/equiv's model of conntrack rests on (beforeConntrack, notrack,
// needsConntrack in ir/equiv/compile.go). Each counted rule ends in a
// comment naming it.
const stagesRuleset = `table inet t {
	chain raw {
		type filter hook prerouting priority -300; policy accept;
		udp dport { 53, 54 } ct state invalid counter comment "fresh-invalid"
		udp dport { 53, 54 } ct mark != 1 counter comment "fresh-mark"
		udp dport 55 ct state new counter comment "looped-new"
		udp dport 55 ct mark != 1 counter comment "looped-mark"
		udp dport 53 notrack
		udp dport { 53, 54 } ct state untracked counter comment "after-notrack-untracked"
		udp dport { 53, 54 } ct state invalid counter comment "after-notrack-invalid"
	}
	chain in {
		type filter hook input priority 0; policy accept;
		udp dport 53 ct state untracked counter comment "input-untracked"
		udp dport 53 ct mark != 1 counter comment "input-untracked-mark"
		udp dport 54 ct state new counter comment "input-new"
		udp dport 54 ct mark != 1 counter comment "input-new-mark"
	}
}
`

var counterRE = regexp.MustCompile(`counter packets (\d+) bytes \d+ comment "([^"]+)"`)

// TestConntrackStagesInKernel sends two UDP packets over a veth pair
// (ports 53 and 54) and one over loopback (port 55) and checks what the
// kernel's ct matches saw: before conntrack a fresh packet is "invalid"
// and breaks every other ct match, negated or not; a looped-back one
// keeps the entry output gave it; notrack makes a fresh packet
// untracked and leaves the others; after conntrack an untracked packet
// still breaks ct mark.
func TestConntrackStagesInKernel(t *testing.T) {
	nftns.Require(t, "ip", "bash")
	suffix := strconv.Itoa(os.Getpid())
	a, b := "nftopt-a"+suffix, "nftopt-b"+suffix
	sh := func(args ...string) {
		t.Helper()
		if out, err := exec.Command(args[0], args[1:]...).CombinedOutput(); err != nil {
			t.Fatalf("%s: %v\n%s", strings.Join(args, " "), err, out)
		}
	}
	sh("ip", "netns", "add", a)
	t.Cleanup(func() { exec.Command("ip", "netns", "del", a).Run() })
	sh("ip", "netns", "add", b)
	t.Cleanup(func() { exec.Command("ip", "netns", "del", b).Run() })
	sh("ip", "-n", a, "link", "add", "va", "type", "veth", "peer", "name", "vb", "netns", b)
	sh("ip", "-n", a, "addr", "add", "10.9.0.1/24", "dev", "va")
	sh("ip", "-n", b, "addr", "add", "10.9.0.2/24", "dev", "vb")
	for _, ns := range []string{a, b} {
		sh("ip", "-n", ns, "link", "set", "lo", "up")
	}
	sh("ip", "-n", a, "link", "set", "va", "up")
	sh("ip", "-n", b, "link", "set", "vb", "up")
	load := exec.Command("ip", "netns", "exec", b, "nft", "-f", "-")
	load.Stdin = strings.NewReader(stagesRuleset)
	if out, err := load.CombinedOutput(); err != nil {
		t.Fatalf("nft -f: %v\n%s", err, out)
	}
	sh("ip", "netns", "exec", a, "bash", "-c", "echo x > /dev/udp/10.9.0.2/53; echo x > /dev/udp/10.9.0.2/54")
	sh("ip", "netns", "exec", b, "bash", "-c", "echo x > /dev/udp/127.0.0.1/55")
	out, err := exec.Command("ip", "netns", "exec", b, "nft", "list", "ruleset").CombinedOutput()
	if err != nil {
		t.Fatalf("nft list ruleset: %v\n%s", err, out)
	}
	got := map[string]int{}
	for _, m := range counterRE.FindAllStringSubmatch(string(out), -1) {
		got[m[2]], _ = strconv.Atoi(m[1])
	}
	want := map[string]int{
		"fresh-invalid": 2, "fresh-mark": 0,
		"looped-new": 1, "looped-mark": 1,
		"after-notrack-untracked": 1, "after-notrack-invalid": 1,
		"input-untracked": 1, "input-untracked-mark": 0,
		"input-new": 1, "input-new-mark": 1,
	}
	for name, n := range want {
		if got[name] != n {
			t.Errorf("%s: the kernel counted %d packets, the model assumes %d", name, got[name], n)
		}
	}
	if t.Failed() {
		t.Logf("listing:\n%s", out)
	}
}
