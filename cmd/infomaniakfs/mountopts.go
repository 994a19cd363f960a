package main

import (
	"fmt"
	"path/filepath"
	"strings"

	"github.com/spf13/pflag"
)

// helperNames are the names under which the binary is mount(8)'s helper:
// type infomaniakfs, and fuse.infomaniakfs (which mount tries before
// mount.fuse, whose own call of TYPE has no helper argument format).
var helperNames = []string{"mount.infomaniakfs", "mount.fuse.infomaniakfs"}

func isMountHelper(argv0 string) bool {
	base := filepath.Base(argv0)
	for _, n := range helperNames {
		if base == n {
			return true
		}
	}
	return false
}

// helperArgs is mount(8)'s call of a helper:
// mount.TYPE SOURCE MOUNTPOINT [-sfnv] [-N NS] [-o OPTIONS] [-t TYPE].
type helperArgs struct {
	source, mountpoint string
	options            []string
	fake               bool // -f: do everything but mount
}

func parseHelperArgs(args []string) (helperArgs, error) {
	var h helperArgs
	var pos []string
	for i := 0; i < len(args); i++ {
		a := args[i]
		switch {
		case a == "-o" || a == "-t" || a == "-N":
			if i+1 >= len(args) {
				return h, fmt.Errorf("%s needs a value", a)
			}
			i++
			switch a {
			case "-o":
				h.options = append(h.options, splitOptions(args[i])...)
			case "-N":
				return h, fmt.Errorf("-N (mount in another namespace) is not supported")
			}
		case strings.HasPrefix(a, "-o"):
			h.options = append(h.options, splitOptions(a[2:])...)
		case strings.HasPrefix(a, "-") && len(a) > 1:
			// -s (sloppy), -n (no mtab), -v (verbose): nothing to do.
			h.fake = h.fake || strings.Contains(a[1:], "f")
		default:
			pos = append(pos, a)
		}
	}
	if len(pos) != 2 {
		return h, fmt.Errorf("want SOURCE MOUNTPOINT [-o OPTIONS], got %d arguments", len(pos))
	}
	h.source, h.mountpoint = pos[0], pos[1]
	return h, nil
}

// splitOptions splits an fstab option list on commas; a comma inside a
// value is written \, (as mountpoint-s3 does).
func splitOptions(s string) []string {
	var out []string
	var cur strings.Builder
	for i := 0; i < len(s); i++ {
		switch {
		case s[i] == '\\' && i+1 < len(s) && s[i+1] == ',':
			cur.WriteByte(',')
			i++
		case s[i] == ',':
			out = append(out, cur.String())
			cur.Reset()
		default:
			cur.WriteByte(s[i])
		}
	}
	out = append(out, cur.String())
	return out
}

// ignoredOptions are mount(8)'s and systemd's own options, and generic
// ones that mean nothing here: the mount is always nosuid and nodev.
// rw is ignored rather than refused because mount(8) passes it whenever
// ro is absent (writing is refused by the daemon itself).
var ignoredOptions = map[string]bool{
	"rw": true, "defaults": true, "_netdev": true, "no_netdev": true, "nofail": true,
	"auto": true, "noauto": true, "user": true, "nouser": true, "users": true, "owner": true, "group": true,
	"exec": true, "noexec": true, "suid": true, "nosuid": true, "dev": true, "nodev": true,
	"sync": true, "async": true, "atime": true, "noatime": true, "diratime": true, "nodiratime": true,
	"relatime": true, "norelatime": true, "strictatime": true, "lazytime": true, "nolazytime": true,
	"silent": true, "loud": true,
}

// renamedOptions are the FUSE and mount spellings of our flags.
var renamedOptions = map[string]string{"ro": "read-only", "allow_other": "allow-other"}

// mapOptions turns fstab options into flags of mount, whose flag set is
// given: "key=value" becomes --key=value when key, with _ read as -, names
// one of its flags; a bare key names a boolean flag. Anything else is an
// error naming the option, so that a typo does not mount with a default.
func mapOptions(opts []string, mountFlags *pflag.FlagSet) ([]string, error) {
	var out []string
	for _, o := range opts {
		key, value, hasValue := strings.Cut(o, "=")
		switch {
		case o == "" || ignoredOptions[key] || strings.HasPrefix(key, "x-") || key == "comment":
			continue
		case renamedOptions[key] != "" && !hasValue:
			out = append(out, "--"+renamedOptions[key])
			continue
		}
		name := strings.ReplaceAll(key, "_", "-")
		f := mountFlags.Lookup(name)
		if f == nil || name == "help" {
			return nil, fmt.Errorf("unknown option %q (see man infomaniakfs, MOUNT HELPER)", o)
		}
		switch {
		case hasValue:
			out = append(out, "--"+name+"="+value)
		case f.NoOptDefVal != "":
			out = append(out, "--"+name)
		default:
			return nil, fmt.Errorf("option %q needs a value (%s=...)", o, key)
		}
	}
	return out, nil
}
