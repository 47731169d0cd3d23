package main

import (
	"fmt"
	"os/exec"
	"regexp"
	"strconv"

	"github.com/nftopt/nftopt/emit/nft"
)

// elementCountersSince is the first nft release that accepts statements
// (counters) on the elements of anonymous verdict maps: nftables commit
// aceea86d, "evaluate: allow stateful statements with anonymous verdict
// maps", released in 1.0.8.
var elementCountersSince = nft.Version{1, 0, 8}

// versionRE finds a version number such as 1.0.6 in `nft --version`
// output ("nftables v1.0.6 (Lester Gooch #5)") or in a flag value.
var versionRE = regexp.MustCompile(`(\d+)\.(\d+)(?:\.(\d+))?`)

// parseNftVersion reads a version number: major, minor and patch.
func parseNftVersion(s string) (nft.Version, error) {
	m := versionRE.FindStringSubmatch(s)
	if m == nil {
		return nft.Version{}, fmt.Errorf("no version number in %q", s)
	}
	var v nft.Version
	for i := range v {
		if m[i+1] != "" {
			v[i], _ = strconv.Atoi(m[i+1])
		}
	}
	return v, nil
}

// targetVersion resolves --target-nft: "auto" asks the nft on PATH for
// its version and, when there is none, targets the newest nft (the zero
// Version); otherwise the flag is a version.
func targetVersion(target string) (nft.Version, error) {
	if target == "auto" {
		out, err := exec.Command("nft", "--version").Output()
		if err != nil {
			return nft.Version{}, nil
		}
		target = string(out)
	}
	v, err := parseNftVersion(target)
	if err != nil {
		return nft.Version{}, fmt.Errorf("--target-nft: %v", err)
	}
	return v, nil
}

// elementCounters reports whether output for nft release v may put
// counters on anonymous map elements.
func elementCounters(v nft.Version) bool {
	return v == nft.Version{} || v.AtLeast(elementCountersSince)
}
