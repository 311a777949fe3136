package main

import (
	"flag"
	"fmt"
	"io"
	"runtime"
	"runtime/debug"
)

// runVersion is `kund version`: the module and VCS revision the binary was
// built from, as the Go toolchain recorded them, and the Go version.
func runVersion(args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("version", flag.ContinueOnError)
	pos, err := parseFlags(fs, args)
	if err != nil {
		return err
	}
	if len(pos) > 0 {
		return fmt.Errorf("%w: version takes no arguments", errUsage)
	}
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		_, err := fmt.Fprintf(stdout, "kund: no build information\n%s %s/%s\n", runtime.Version(), runtime.GOOS, runtime.GOARCH)
		return err
	}
	_, err = fmt.Fprint(stdout, versionText(bi))
	return err
}

// versionText is three lines: the module path and version ("(devel)" when
// built from a checkout), the VCS revision (unknown when built with
// -buildvcs=false or outside a repository), and the Go version.
func versionText(bi *debug.BuildInfo) string {
	vcs := map[string]string{}
	for _, s := range bi.Settings {
		vcs[s.Key] = s.Value
	}
	rev := "revision unknown"
	if r := vcs["vcs.revision"]; r != "" {
		rev = "revision " + r
		if t := vcs["vcs.time"]; t != "" {
			rev += " of " + t
		}
		if vcs["vcs.modified"] == "true" {
			rev += ", modified"
		}
	}
	return fmt.Sprintf("%s %s\n%s\n%s %s/%s\n", bi.Main.Path, bi.Main.Version, rev, bi.GoVersion, runtime.GOOS, runtime.GOARCH)
}
