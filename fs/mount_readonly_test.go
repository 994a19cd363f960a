package fs

import (
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// TestWritesFailWithEROFS runs every kind of write twice: with the kernel
// refusing them (ro mount) and with the kernel letting them through to
// the nodes, which must refuse them too (the test runs as root, so the
// 0444/0555 modes do not stop it).
func TestWritesFailWithEROFS(t *testing.T) {
	for _, ro := range []bool{true, false} {
		t.Run("ReadOnly="+map[bool]string{true: "true", false: "false"}[ro], func(t *testing.T) {
			fx := newFixture()
			mnt := mountFixture(t, fx, MountOptions{ReadOnly: ro})
			drive := filepath.Join(mnt, "kDrive", "Team (101)")
			file := filepath.Join(drive, "hello.txt")
			eml := filepath.Join(mnt, "Mail", "bob@example.com", "INBOX", "2026-11-20 0915 Hi Bob (1).eml")
			ops := []struct {
				name string
				do   func() error
			}{
				{"write file", func() error { return os.WriteFile(file, []byte("x"), 0o644) }},
				{"open O_RDWR", func() error { return openClose(file, os.O_RDWR) }},
				{"open O_TRUNC", func() error { return openClose(file, os.O_RDONLY|os.O_TRUNC) }},
				{"write message", func() error { return openClose(eml, os.O_WRONLY) }},
				{"create", func() error { return os.WriteFile(filepath.Join(drive, "new"), nil, 0o644) }},
				{"mkdir", func() error { return os.Mkdir(filepath.Join(drive, "newdir"), 0o755) }},
				{"remove file", func() error { return os.Remove(file) }},
				{"remove dir", func() error { return syscall.Rmdir(filepath.Join(drive, "Private")) }},
				{"rename", func() error { return os.Rename(file, filepath.Join(drive, "moved")) }},
				{"chmod", func() error { return os.Chmod(file, 0o600) }},
				{"chmod dir", func() error { return os.Chmod(drive, 0o700) }},
				{"truncate", func() error { return os.Truncate(eml, 0) }},
				{"symlink", func() error { return os.Symlink("hello.txt", filepath.Join(drive, "link")) }},
				{"link", func() error { return os.Link(file, filepath.Join(drive, "hard")) }},
				{"mknod", func() error { return syscall.Mknod(filepath.Join(drive, "fifo"), syscall.S_IFIFO|0o644, 0) }},
			}
			for _, op := range ops {
				if err := op.do(); !isErrno(err, syscall.EROFS) {
					t.Errorf("%s: %v, want EROFS", op.name, err)
				}
			}
			// Nothing changed.
			checkTree(t, fx, mnt, walkTree(t, mnt), false)
		})
	}
}

func openClose(path string, flag int) error {
	f, err := os.OpenFile(path, flag, 0)
	if err != nil {
		return err
	}
	return f.Close()
}

func TestMountRejectsBadMountPoints(t *testing.T) {
	requireFUSE(t)
	base := t.TempDir()
	file := filepath.Join(base, "file")
	full := filepath.Join(base, "full")
	if err := os.WriteFile(file, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Join(full, "child"), 0o755); err != nil {
		t.Fatal(err)
	}
	mounted := mountFixture(t, newFixture(), MountOptions{ReadOnly: true})
	tests := []struct {
		dir, want string
	}{
		{filepath.Join(base, "missing"), "does not exist"},
		{file, "is not a directory"},
		{full, "is not empty"},
		{mounted, "already a mount point"},
	}
	for _, tc := range tests {
		srv, err := Mount(tc.dir, NewRoot(Options{Drives: newFakeDrives()}), Options{}, MountOptions{ReadOnly: true})
		if err == nil {
			_ = srv.Unmount()
			t.Errorf("Mount(%s) succeeded, want an error saying %q", tc.dir, tc.want)
			continue
		}
		if !strings.Contains(err.Error(), tc.want) || !strings.Contains(err.Error(), tc.dir) {
			t.Errorf("Mount(%s) = %q, want it to name the path and say %q", tc.dir, err, tc.want)
		}
	}
}

func TestInMountinfo(t *testing.T) {
	info := "36 35 98:0 / /mnt/with\\040space rw,noatime master:1 - ext3 /dev/root rw\n" +
		"37 35 98:0 / /plain rw - fuse.infomaniakfs infomaniakfs ro\n"
	tests := []struct {
		dir  string
		want bool
	}{
		{"/mnt/with space", true},
		{"/plain", true},
		{"/mnt", false},
		{"/mnt/with\\040space", false},
	}
	for _, tc := range tests {
		if got := inMountinfo(strings.NewReader(info), tc.dir); got != tc.want {
			t.Errorf("inMountinfo(%q) = %v, want %v", tc.dir, got, tc.want)
		}
	}
}
