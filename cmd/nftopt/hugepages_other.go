//go:build !linux

package main

// adviseHugePages does nothing where the advice is Linux's.
func adviseHugePages(n int64) bool { return false }
