package main

import (
	"fmt"
	"os/exec"
	"regexp"
	"strconv"
)

// elementCountersSince is the first nft release that accepts statements
// (counters) on the elements of anonymous verdict maps: nftables commit
// aceea86d, "evaluate: allow stateful statements with anonymous verdict
// maps", released in 1.0.8.
var elementCountersSince = [3]int{1, 0, 8}

// versionRE finds a version number such as 1.0.6 in `nft --version`
// output ("nftables v1.0.6 (Lester Gooch #5)") or in a flag value.
var versionRE = regexp.MustCompile(`(\d+)\.(\d+)(?:\.(\d+))?`)

// parseNftVersion reads a version number: major, minor and patch.
func parseNftVersion(s string) ([3]int, error) {
	m := versionRE.FindStringSubmatch(s)
	if m == nil {
		return [3]int{}, fmt.Errorf("no version number in %q", s)
	}
	var v [3]int
	for i := range v {
		if m[i+1] != "" {
			v[i], _ = strconv.Atoi(m[i+1])
		}
	}
	return v, nil
}

// atLeast compares versions.
func atLeast(v, min [3]int) bool {
	for i := range v {
		if v[i] != min[i] {
			return v[i] > min[i]
		}
	}
	return true
}

// targetElementCounters resolves --target-nft: "auto" asks the nft on
// PATH for its version and, when there is none, targets the newest nft;
// otherwise the flag is a version. It reports whether the output may
// put counters on anonymous map elements.
func targetElementCounters(target string) (bool, error) {
	if target == "auto" {
		out, err := exec.Command("nft", "--version").Output()
		if err != nil {
			return true, nil
		}
		target = string(out)
	}
	v, err := parseNftVersion(target)
	if err != nil {
		return false, fmt.Errorf("--target-nft: %v", err)
	}
	return atLeast(v, elementCountersSince), nil
}
