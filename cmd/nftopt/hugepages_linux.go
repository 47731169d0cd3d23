package main

import (
	"runtime"
	"syscall"
)

// adviseHugePages asks Linux to back the next n bytes of heap with
// transparent huge pages, where the system allows them on request
// (/sys/kernel/mm/transparent_hugepage/enabled is "madvise", Debian's
// default; with "always" they are used anyway, with "never" not at
// all). Go maps its heap without that advice, and a large run then
// takes one page fault per 4 KiB page it first touches: on the virtual
// machines measured (docs/performance.md), faults and TLB misses took a
// third of a 100k-rule run. It allocates n bytes without touching them,
// advises their pages and frees them: the heap reuses the pages for what
// it allocates next, and the advice stays with them (a page returned to
// the system comes back as a huge page too). It reports whether the
// advice was taken.
func adviseHugePages(n int64) bool {
	buf := make([]byte, n)
	err := syscall.Madvise(buf, syscall.MADV_HUGEPAGE)
	buf = nil
	runtime.GC()
	return err == nil
}
