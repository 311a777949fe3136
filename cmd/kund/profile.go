package main

import (
	"os"
	"runtime/pprof"
)

// startProfile writes a CPU profile of the whole command to the file named
// by KUND_CPUPROFILE, when set (how docs/performance.md's profiles were
// taken). The returned function ends it.
func startProfile() func() {
	path := os.Getenv("KUND_CPUPROFILE")
	if path == "" {
		return func() {}
	}
	f, err := os.Create(path)
	if err != nil {
		return func() {}
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		f.Close()
		return func() {}
	}
	return func() { pprof.StopCPUProfile(); f.Close() }
}
