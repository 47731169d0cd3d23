package main

import (
	"bufio"
	"os"
	"runtime/debug"
	"strconv"
	"strings"
)

// gcPercent is the collector's target when GOGC is not set: the proof
// allocates many short-lived objects, and at Go's default of 100 the
// collector takes a quarter of the time of a 100k-rule run. make bench
// runs the benchmarks with the same setting.
const gcPercent = 400

// tuneGC trades memory for speed unless the user chose: GOGC=400, with
// a soft memory limit of half the machine's memory (GOMEMLIMIT) so that
// the collector works harder before the machine runs short.
func tuneGC() {
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(gcPercent)
	}
	if os.Getenv("GOMEMLIMIT") == "" {
		if total := memTotal(); total > 0 {
			debug.SetMemoryLimit(total / 2)
		}
	}
}

// memTotal returns the machine's memory in bytes from /proc/meminfo, or
// 0 when it cannot tell.
func memTotal() int64 {
	f, err := os.Open("/proc/meminfo")
	if err != nil {
		return 0
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		rest, ok := strings.CutPrefix(sc.Text(), "MemTotal:")
		if !ok {
			continue
		}
		kb, err := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(rest), " kB"), 10, 64)
		if err != nil {
			return 0
		}
		return kb << 10
	}
	return 0
}
