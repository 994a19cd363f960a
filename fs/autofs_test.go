package fs

import (
	"strings"
	"testing"
)

func TestTopFSType(t *testing.T) {
	const mountinfo = `22 1 8:1 / / rw,relatime shared:1 - ext4 /dev/sda1 rw
40 22 0:35 / /home/ana/Infomaniak rw,relatime shared:20 - autofs systemd-1 rw,fd=41,pgrp=1,timeout=0,minproto=5,maxproto=5,direct
41 22 0:36 / /mnt/with\040space rw,relatime - autofs systemd-1 rw,direct
42 22 0:37 / /mnt/done rw,relatime - autofs systemd-1 rw,direct
43 42 0:38 / /mnt/done ro,nosuid,nodev - fuse.infomaniakfs infomaniakfs ro,user_id=0
44 22 0:39 / /mnt/opt rw shared:5 master:2 - tmpfs tmpfs rw
`
	tests := map[string]string{
		"/home/ana/Infomaniak": "autofs",
		"/mnt/with space":      "autofs",
		"/mnt/done":            "fuse.infomaniakfs", // already mounted over
		"/mnt/opt":             "tmpfs",             // optional fields before "-"
		"/mnt/none":            "",
	}
	for dir, want := range tests {
		if got := topFSType(strings.NewReader(mountinfo), dir); got != want {
			t.Errorf("%s: %q, want %q", dir, got, want)
		}
	}
}
