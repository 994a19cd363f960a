package fs

import (
	"strings"
	"testing"
)

func TestMountType(t *testing.T) {
	info := "36 35 98:0 / /mnt/with\\040space rw,noatime master:1 - ext3 /dev/root rw\n" +
		"37 35 98:0 / /plain rw - fuse.infomaniakfs infomaniakfs ro\n" +
		"38 35 0:50 / /stacked rw - fuse.infomaniakfs infomaniakfs ro\n" +
		"39 38 0:51 / /stacked rw shared:3 - fuse.sshfs host: rw\n" +
		"40 35 0:52 / /broken rw\n"
	tests := []struct {
		dir    string
		fstype string
		listed bool
	}{
		{"/mnt/with space", "ext3", true},
		{"/plain", "fuse.infomaniakfs", true},
		{"/stacked", "fuse.sshfs", true}, // the topmost mount counts
		{"/broken", "", true},
		{"/mnt", "", false},
	}
	for _, tc := range tests {
		fstype, listed := mountType(strings.NewReader(info), tc.dir)
		if fstype != tc.fstype || listed != tc.listed {
			t.Errorf("mountType(%q) = %q, %v; want %q, %v", tc.dir, fstype, listed, tc.fstype, tc.listed)
		}
	}
}
