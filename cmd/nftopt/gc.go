package main

import (
	"bufio"
	"os"
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"strconv"
	"strings"
	"sync"
)

// gcPercent is the collector's target when GOGC is not set: the proof
// allocates many short-lived objects, and at Go's default of 100 the
// collector takes a quarter of the time of a 100k-rule run. make bench
// runs the benchmarks with the same setting.
const gcPercent = 400

// tuneGC trades memory for speed unless the user chose: GOGC=400, with
// a soft memory limit (GOMEMLIMIT) that noteInput sets from the size of
// the input, so that the collector works harder before the heap grows
// past what the input needs. For a large input, noteInput also advises
// that much heap for huge pages (adviseHugePages).
func tuneGC() {
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(gcPercent)
	}
	if os.Getenv("GOMEMLIMIT") == "" {
		limitMemory = true
		debug.SetMemoryLimit(memoryLimit(0, memTotal()))
		watchLiveHeap()
	}
}

// watchLiveHeap raises the memory limit after a collection that leaves
// more than half of it live (liveLimit): the input's size does not tell
// how much the proof keeps (the 200k-rule Zones proof keeps 58 bytes per
// input byte, KubeProxy's of the same size 25), and under a limit close
// to the live heap the collector runs again and again.
func watchLiveHeap() {
	type sentinel struct{ _ [16]byte }
	total := memTotal()
	sample := []metrics.Sample{{Name: "/gc/heap/live:bytes"}}
	var arm func()
	arm = func() {
		runtime.SetFinalizer(&sentinel{}, func(*sentinel) {
			metrics.Read(sample)
			if sample[0].Value.Kind() == metrics.KindUint64 {
				limitMu.Lock()
				cur := debug.SetMemoryLimit(-1)
				if l := liveLimit(int64(sample[0].Value.Uint64()), cur, total); l > cur {
					debug.SetMemoryLimit(l)
				}
				limitMu.Unlock()
			}
			arm()
		})
	}
	arm()
}

// limitMu orders the limit's updates by noteInput and watchLiveHeap.
var limitMu sync.Mutex

// liveLimit is the memory limit after a collection left live bytes
// live: twice that when the limit is less, at most half the machine's
// total memory (0 when unknown).
func liveLimit(live, limit, total int64) int64 {
	if 2*live <= limit {
		return limit
	}
	l := 2 * live
	if total > 0 {
		l = min(l, total/2)
	}
	return max(l, limit)
}

// limitMemory is set when tuneGC chose the memory limit; inputBytes
// counts the bytes of input read so far, and advised the bytes of heap
// adviseHugePages was last asked for.
var (
	limitMemory bool
	inputBytes  int64
	advised     int64
)

// minAdvisedInput is the smallest input whose heap is worth advising for
// huge pages, about 16 MiB of heap: a 10k-rule blocklist (300 KB) runs
// in 0.13-0.23 s with the advice instead of 0.25-0.33 s.
const minAdvisedInput = 160 << 10

// minMemoryLimit and memoryPerInputByte size the soft memory limit: at
// least 640 MiB, or 50 bytes per input byte. The 100k-rule KubeProxy
// proof (12 MB of input) keeps about 300 MB live at its peak. Every
// byte the heap grows to is memory the process touches for the first
// time, which this virtual machine makes expensive and erratic (0.2 to
// 1.6 s of system time for a 1 GB heap), while a limit near the live
// heap makes the collector run again and again. At 1 GiB that run
// peaked at 0.91-0.95 GB in 2.1-2.6 s, at 640 MiB it peaks at 0.61-0.64
// GB in 2.0-2.1 s; Zones 100k 2.3-2.4 s -> 2.2-2.3 s. Where the live
// heap outgrows the limit (Zones at 200k rules keeps 720 MB),
// watchLiveHeap raises it; those runs collect a few times more than
// they would from a higher start (5.9 s against 5.35 s).
const (
	minMemoryLimit     = 640 << 20
	memoryPerInputByte = 50
)

// memoryLimit is the soft memory limit for n bytes of input on a
// machine with total bytes of memory (0 when unknown): at most half of
// it.
func memoryLimit(n, total int64) int64 {
	limit := max(minMemoryLimit, memoryPerInputByte*n)
	if total > 0 {
		limit = min(limit, total/2)
	}
	return limit
}

// noteInput raises the memory limit for n more bytes of input, when
// tuneGC chose the limit.
func noteInput(n int) {
	if !limitMemory {
		return
	}
	inputBytes += int64(n)
	limitMu.Lock()
	limit := max(memoryLimit(inputBytes, memTotal()), debug.SetMemoryLimit(-1))
	debug.SetMemoryLimit(limit)
	limitMu.Unlock()
	if want := adviceSize(inputBytes, limit); want > advised {
		advised = want
		adviseHugePages(want)
	}
}

// adviceSize is how much heap to advise for huge pages for n bytes of
// input under a memory limit: what the input is expected to need, up
// to the limit, or nothing for small inputs.
func adviceSize(n, limit int64) int64 {
	if n < minAdvisedInput {
		return 0
	}
	return limit
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
