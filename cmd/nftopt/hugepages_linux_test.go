package main

import (
	"bufio"
	"os"
	"strconv"
	"strings"
	"testing"
	"unsafe"
)

// TestAdviseHugePages: after adviseHugePages, what the heap allocates
// next sits in memory advised for huge pages (THPeligible in
// /proc/self/smaps), where the system allows them on request. nftopt
// advises its heap when the heap is still small; so does the test, in a
// process of its own (the other tests of this package leave free memory
// that the heap would reuse first).
func TestAdviseHugePages(t *testing.T) {
	mode, err := os.ReadFile("/sys/kernel/mm/transparent_hugepage/enabled")
	if err != nil || !strings.Contains(string(mode), "[madvise]") || sysfsHas("/proc/sys/vm/overcommit_memory", "2") {
		t.Skipf("transparent huge pages are not granted on request here (%q, %v), or memory is not overcommitted", mode, err)
	}
	if !inOwnProcess(t, "NFTOPT_THP_CHILD") {
		return
	}
	if !adviseHugePages(64 << 20) {
		t.Fatal("madvise failed")
	}
	buf := make([]byte, 16<<20)
	for i := range buf {
		buf[i] = 1
	}
	addr := uintptr(unsafe.Pointer(&buf[0]))
	eligible, found := thpEligible(t, addr)
	if !found {
		t.Fatalf("no mapping holds %#x", addr)
	}
	if !eligible {
		t.Errorf("the mapping that holds %#x is not eligible for huge pages", addr)
	}
}

// thpEligible reads /proc/self/smaps for the mapping that holds addr.
func thpEligible(t *testing.T, addr uintptr) (eligible, found bool) {
	f, err := os.Open("/proc/self/smaps")
	if err != nil {
		t.Skip(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	in := false
	for sc.Scan() {
		line := sc.Text()
		if lo, hi, ok := mappingRange(line); ok {
			in = lo <= uint64(addr) && uint64(addr) < hi
			continue
		}
		if v, ok := strings.CutPrefix(line, "THPeligible:"); ok && in {
			return strings.TrimSpace(v) == "1", true
		}
	}
	return false, false
}

// mappingRange parses the "lo-hi perms ..." header line of a mapping.
func mappingRange(line string) (lo, hi uint64, ok bool) {
	f := strings.Fields(line)
	if len(f) < 2 || !strings.Contains(f[0], "-") || strings.HasSuffix(f[0], ":") {
		return 0, 0, false
	}
	a, b, _ := strings.Cut(f[0], "-")
	lo, err1 := strconv.ParseUint(a, 16, 64)
	hi, err2 := strconv.ParseUint(b, 16, 64)
	return lo, hi, err1 == nil && err2 == nil
}
