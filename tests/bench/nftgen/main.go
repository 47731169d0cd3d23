// Command nftgen writes the benchmark rulesets of tests/bench as files,
// for measuring the command line (docs/performance.md): NAME-N.nft for
// every generator and every size given.
//
//	go run ./tests/bench/nftgen -o DIR -n 10000,100000
package main

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/nftopt/nftopt/tests/bench"
)

func main() {
	dir := flag.String("o", ".", "write the files into `DIR`")
	sizes := flag.String("n", "10000,100000", "comma-separated rule `COUNTS`")
	flag.Parse()
	for _, s := range strings.Split(*sizes, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(s))
		if err != nil || n <= 0 {
			fmt.Fprintf(os.Stderr, "nftgen: bad size %q\n", s)
			os.Exit(2)
		}
		for _, g := range bench.Generators {
			file := filepath.Join(*dir, fmt.Sprintf("%s-%d.nft", g.Name, n))
			if err := os.WriteFile(file, []byte(g.Gen(n)), 0o644); err != nil {
				fmt.Fprintf(os.Stderr, "nftgen: %v\n", err)
				os.Exit(1)
			}
		}
	}
}
