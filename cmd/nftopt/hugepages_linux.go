package main

import (
	"os"
	"runtime"
	"slices"
	"strings"
	"syscall"
)

// adviseHugePages asks Linux to back the next n bytes of heap with
// transparent huge pages, where the system grants them only on request
// (/sys/kernel/mm/transparent_hugepage/enabled is "madvise", Debian's
// default; with "always" they are used anyway, with "never" not at
// all). Go maps its heap without that advice, and a large run then
// takes one page fault per 4 KiB page it first touches: on the virtual
// machines measured (docs/performance.md), faults and TLB misses took a
// third of a 100k-rule run. It allocates n bytes without touching them,
// advises their pages and frees them: the heap reuses the pages for what
// it allocates next, and the advice stays with them (a page returned to
// the system comes back as a huge page too). It does nothing, and
// reports false, on a 32-bit system, where n bytes of address space may
// not be free, and where memory is not overcommitted (the allocation
// would count against the commit limit); it reports whether the advice
// was taken.
func adviseHugePages(n int64) bool {
	if ^uintptr(0)>>32 == 0 || !sysfsHas("/sys/kernel/mm/transparent_hugepage/enabled", "[madvise]") ||
		sysfsHas("/proc/sys/vm/overcommit_memory", "2") {
		return false
	}
	buf := make([]byte, n)
	err := syscall.Madvise(buf, syscall.MADV_HUGEPAGE)
	buf = nil
	runtime.GC()
	return err == nil
}

// sysfsHas reports whether want is one of the words of the file at
// path ("always [madvise] never" has "[madvise]").
func sysfsHas(path, want string) bool {
	b, err := os.ReadFile(path)
	return err == nil && slices.Contains(strings.Fields(string(b)), want)
}
