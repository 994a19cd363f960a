package fs

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"syscall"
	"testing"

	"github.com/infomaniakfs/infomaniakfs/remote"
)

// checkTree compares a walked tree with the fixture: the same paths, and
// every file's bytes, size, mtime, mode and owner; every dir's mtime.
func checkTree(t *testing.T, fx *fixture, root string, w walked, checkOwner bool) {
	t.Helper()
	for rel, want := range fx.files {
		fi, ok := w.files[rel]
		if !ok {
			t.Errorf("missing file %q", rel)
			continue
		}
		got, err := os.ReadFile(filepath.Join(root, rel))
		if err != nil {
			t.Errorf("read %q: %v", rel, err)
		} else if !bytes.Equal(got, want.data) {
			t.Errorf("%q: read %d bytes, want %d (content differs)", rel, len(got), len(want.data))
		}
		if fi.Size() != int64(len(want.data)) {
			t.Errorf("%q: size %d, want %d", rel, fi.Size(), len(want.data))
		}
		if !fi.ModTime().Equal(wantMtime(want.mtime)) {
			t.Errorf("%q: mtime %v, want %v", rel, fi.ModTime().UTC(), wantMtime(want.mtime).UTC())
		}
		if checkOwner {
			st := fi.Sys().(*syscall.Stat_t)
			if fi.Mode().Perm() != 0o444 || st.Uid != testUID || st.Gid != testGID {
				t.Errorf("%q: mode %v uid %d gid %d, want 0444 %d %d", rel, fi.Mode(), st.Uid, st.Gid, testUID, testGID)
			}
			if want := (fi.Size() + 511) / 512; st.Blocks != want {
				t.Errorf("%q: %d blocks, want %d", rel, st.Blocks, want)
			}
		}
	}
	for rel := range w.files {
		if _, ok := fx.files[rel]; !ok {
			t.Errorf("unexpected file %q", rel)
		}
	}
	for rel, mtime := range fx.dirs {
		fi, ok := w.dirs[rel]
		if !ok {
			t.Errorf("missing dir %q", rel)
			continue
		}
		if !fi.ModTime().Equal(mtime) {
			t.Errorf("dir %q: mtime %v, want %v", rel, fi.ModTime().UTC(), mtime.UTC())
		}
		if checkOwner && fi.Mode().Perm() != 0o555 {
			t.Errorf("dir %q: mode %v, want dr-xr-xr-x", rel, fi.Mode())
		}
	}
	for rel := range w.dirs {
		if _, ok := fx.dirs[rel]; !ok {
			t.Errorf("unexpected dir %q", rel)
		}
	}
}

func TestMountShowsTheTree(t *testing.T) {
	fx := newFixture()
	mnt := mountFixture(t, fx, MountOptions{ReadOnly: true})
	w := walkTree(t, mnt)
	checkTree(t, fx, mnt, w, true)

	seen := map[uint64]string{}
	for rel, fi := range w.files {
		if other, dup := seen[ino(fi)]; dup {
			t.Errorf("inode %d shared by %q and %q", ino(fi), rel, other)
		}
		seen[ino(fi)] = rel
	}
	for rel, fi := range w.dirs {
		if other, dup := seen[ino(fi)]; dup {
			t.Errorf("inode %d shared by %q and %q", ino(fi), rel, other)
		}
		seen[ino(fi)] = rel
	}
}

func TestMountInodesStableAcrossMounts(t *testing.T) {
	fx := newFixture()
	a := walkTree(t, mountFixture(t, fx, MountOptions{ReadOnly: true}))
	b := walkTree(t, mountFixture(t, newFixture(), MountOptions{ReadOnly: true}))
	if len(a.files) != len(b.files) || len(a.dirs) != len(b.dirs) {
		t.Fatalf("mounts differ: %d/%d files, %d/%d dirs", len(a.files), len(b.files), len(a.dirs), len(b.dirs))
	}
	for _, m := range []struct{ x, y map[string]os.FileInfo }{{a.files, b.files}, {a.dirs, b.dirs}} {
		for rel, fi := range m.x {
			if other, ok := m.y[rel]; !ok || ino(other) != ino(fi) {
				t.Errorf("%q: inode %d on one mount, %v on the other", rel, ino(fi), other)
			}
		}
	}
}

func TestMessageStatSizeIsExactWithoutDownloadingOnList(t *testing.T) {
	fx := newFixture()
	mnt := mountFixture(t, fx, MountOptions{ReadOnly: true})
	inbox := filepath.Join(mnt, "Mail", "alice@example.com", "INBOX")
	entries, err := os.ReadDir(inbox)
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != 4 {
		t.Fatalf("INBOX lists %d entries, want 4", len(entries))
	}
	if n := fx.mail.downloadCount(); n != 0 {
		t.Fatalf("listing INBOX downloaded %d messages, want 0", n)
	}
	for i, e := range entries {
		fi, err := os.Stat(filepath.Join(inbox, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		want := fx.files[filepath.Join("Mail", "alice@example.com", "INBOX", e.Name())]
		if fi.Size() != int64(len(want.data)) {
			t.Errorf("%q: stat size %d, want %d (hint lied)", e.Name(), fi.Size(), len(want.data))
		}
		if n := fx.mail.downloadCount(); n != i+1 {
			t.Errorf("after %d stats: %d downloads, want %d", i+1, n, i+1)
		}
	}
}

func TestLookupOfListedNameCostsNoListing(t *testing.T) {
	fx := newFixture()
	mnt := mountFixture(t, fx, MountOptions{ReadOnly: true})
	dir := filepath.Join(mnt, "kDrive", "Team (101)", "Hostile")
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if _, err := os.Lstat(filepath.Join(dir, e.Name())); err != nil {
			t.Errorf("stat %q: %v", e.Name(), err)
		}
	}
	if n := fx.drives.lists(101, 20); n != 1 {
		t.Errorf("listing then stat'ing %d entries cost %d List calls, want 1", len(entries), n)
	}
	if _, err := os.Lstat(filepath.Join(dir, "no such file")); !os.IsNotExist(err) {
		t.Errorf("stat of an unlisted name: %v, want ENOENT", err)
	}
	if n := fx.drives.lists(101, 20); n != 1 {
		t.Errorf("a miss right after listing cost %d List calls, want 1", n)
	}
}

func TestMountMapsSourceErrors(t *testing.T) {
	fx := newFixture()
	fx.drives.errs[[2]int64{303, 2}] = remote.ErrAuth
	fx.drives.errs[[2]int64{202, 1}] = remote.ErrUnavailable
	mnt := mountFixture(t, fx, MountOptions{ReadOnly: true})
	tests := []struct {
		path string
		want syscall.Errno
	}{
		{"kDrive/Solo/Shared", syscall.EACCES},
		{"kDrive/Team (202)", syscall.EIO},
		{"kDrive/Nope", syscall.ENOENT},
	}
	for _, tc := range tests {
		_, err := os.ReadDir(filepath.Join(mnt, tc.path))
		if !isErrno(err, tc.want) {
			t.Errorf("ReadDir(%q) = %v, want %v", tc.path, err, tc.want)
		}
	}
}

func TestMountWithoutMail(t *testing.T) {
	fx := newFixture()
	mnt := mountOptions(t, Options{Drives: fx.drives}, MountOptions{ReadOnly: true})
	entries, err := os.ReadDir(mnt)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	sort.Strings(names)
	if len(names) != 1 || names[0] != "kDrive" {
		t.Errorf("root lists %q, want [kDrive]", names)
	}
	var st syscall.Statfs_t
	if err := syscall.Statfs(mnt, &st); err != nil {
		t.Fatal(err)
	}
	if want := uint64(3<<40) / statfsBsize; st.Blocks != want || st.Bfree != want-uint64(3<<30)/statfsBsize {
		t.Errorf("statfs blocks %d free %d, want the drives' quota (%d blocks)", st.Blocks, st.Bfree, want)
	}
	if st.Bavail != 0 {
		t.Errorf("statfs avail %d blocks on a read-only tree, want 0 (df Avail, GIO free space)", st.Bavail)
	}
}

// TestParallelReaders has several readers walk, stat and read the same
// tree at once (go-fuse's advice: test in parallel, under -race).
func TestParallelReaders(t *testing.T) {
	fx := newFixture()
	mnt := mountFixture(t, fx, MountOptions{ReadOnly: true})
	paths := make([]string, 0, len(fx.files))
	for rel := range fx.files {
		paths = append(paths, rel)
	}
	sort.Strings(paths)
	errs := make(chan error, 8)
	for g := range 8 {
		go func() {
			for i := range paths {
				rel := paths[(i+g*3)%len(paths)]
				got, err := os.ReadFile(filepath.Join(mnt, rel))
				if err == nil && !bytes.Equal(got, fx.files[rel].data) {
					err = fmt.Errorf("%q: wrong bytes", rel)
				}
				if err != nil {
					errs <- err
					return
				}
			}
			errs <- nil
		}()
	}
	for range 8 {
		if err := <-errs; err != nil {
			t.Error(err)
		}
	}
}
