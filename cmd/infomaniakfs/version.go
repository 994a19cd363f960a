package main

import (
	"fmt"
	"io"
	"runtime"
	"runtime/debug"
)

func runVersion(args []string, stdout, stderr io.Writer) int {
	flags := newFlagSet("version", stderr)
	if ok, code := parseFlags(flags, args); !ok {
		return code
	}
	bi, _ := debug.ReadBuildInfo()
	fmt.Fprintln(stdout, versionLine(bi))
	return exitOK
}

// versionLine says which build this is without ldflags: the module version
// for `go install …@vX`, the VCS revision (and whether the tree was dirty)
// for a local build, and the toolchain and platform, which bug reports need.
func versionLine(bi *debug.BuildInfo) string {
	version, rev, dirty, when := "(devel)", "", false, ""
	goVersion := runtime.Version()
	if bi != nil {
		if v := bi.Main.Version; v != "" {
			version = v
		}
		goVersion = bi.GoVersion
		for _, s := range bi.Settings {
			switch s.Key {
			case "vcs.revision":
				rev = s.Value
			case "vcs.modified":
				dirty = s.Value == "true"
			case "vcs.time":
				when = s.Value
			}
		}
	}
	line := "infomaniakfs " + version
	if rev != "" {
		if len(rev) > 12 {
			rev = rev[:12]
		}
		if dirty {
			rev += "-dirty"
		}
		line += " (" + rev
		if when != "" {
			line += " " + when
		}
		line += ")"
	}
	return fmt.Sprintf("%s %s %s/%s", line, goVersion, runtime.GOOS, runtime.GOARCH)
}
