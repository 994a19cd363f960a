package fs

import (
	"bufio"
	"io"
	"os"
	"strings"
)

// autofsTrigger reports whether dir is an automount point not yet
// mounted over: its top mount in /proc/self/mountinfo is autofs (systemd's
// x-systemd.automount, or automount(8)). Such a directory is what the
// mount helper is asked to mount on, and it must not be stat'ed or
// listed: that would wait for the very mount being made. It reads only
// mountinfo, never dir (as rclone's CheckMountEmpty does).
func autofsTrigger(dir string) bool {
	f, err := os.Open("/proc/self/mountinfo")
	if err != nil {
		return false
	}
	defer f.Close()
	return topFSType(f, dir) == "autofs"
}

// topFSType is the file system type of the last (topmost) mount on dir
// in r, in the format of /proc/self/mountinfo: mount point in field 5,
// type after the " - " separator; "" when nothing is mounted there.
func topFSType(r io.Reader, dir string) string {
	typ := ""
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		if len(fields) < 5 || unescapeMountinfo(fields[4]) != dir {
			continue
		}
		for i := 5; i+1 < len(fields); i++ {
			if fields[i] == "-" {
				typ = fields[i+1]
				break
			}
		}
	}
	return typ
}
