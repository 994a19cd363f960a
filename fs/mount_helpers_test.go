package fs

import (
	"errors"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/hanwen/go-fuse/v2/fuse"
)

const (
	testUID = 1234
	testGID = 5678
)

// requireFUSE skips only when the kernel side of FUSE is truly absent,
// and fails instead in CI (CI set), where a skip would test nothing.
func requireFUSE(t *testing.T) {
	t.Helper()
	if _, err := os.Stat("/dev/fuse"); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("FUSE is not available in CI (%v): mount tests need /dev/fuse", err)
		}
		t.Skipf("FUSE is not available here (%v): mount tests need /dev/fuse", err)
	}
}

// testLogger logs to the test output when -v asks for it.
func testLogger(t *testing.T) *slog.Logger {
	if !testing.Verbose() {
		return nil
	}
	return slog.New(slog.NewTextHandler(t.Output(), &slog.HandlerOptions{Level: slog.LevelDebug}))
}

// mountFixture mounts fx at a fresh directory, unmounted at cleanup.
func mountFixture(t *testing.T, fx *fixture, mo MountOptions) string {
	t.Helper()
	var o Options
	if fx.drives != nil {
		o.Drives = fx.drives
	}
	if fx.mail != nil {
		o.Mail = fx.mail
	}
	return mountOptions(t, o, mo)
}

func mountOptions(t *testing.T, o Options, mo MountOptions) string {
	t.Helper()
	requireFUSE(t)
	o.UID, o.GID = testUID, testGID
	o.Logger = testLogger(t)
	dir := t.TempDir()
	srv, err := Mount(dir, NewRoot(o), Options{}, mo)
	if err != nil {
		t.Fatalf("Mount: %v", err)
	}
	t.Cleanup(func() { unmount(t, srv, dir) })
	return dir
}

// unmount retries while the kernel still reports the mount busy.
func unmount(t *testing.T, srv *fuse.Server, dir string) {
	deadline := time.Now().Add(10 * time.Second)
	for {
		err := srv.Unmount()
		if err == nil {
			return
		}
		if time.Now().After(deadline) {
			t.Errorf("unmount %s: %v; detaching", dir, err)
			_ = syscall.Unmount(dir, syscall.MNT_DETACH)
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// walked is what a walk of a mounted tree saw.
type walked struct {
	files map[string]os.FileInfo
	dirs  map[string]os.FileInfo
}

func walkTree(t *testing.T, root string) walked {
	t.Helper()
	w := walked{files: map[string]os.FileInfo{}, dirs: map[string]os.FileInfo{}}
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if path == root {
			return nil
		}
		rel, _ := filepath.Rel(root, path)
		fi, err := d.Info()
		if err != nil {
			return err
		}
		if d.IsDir() {
			w.dirs[rel] = fi
		} else {
			w.files[rel] = fi
		}
		return nil
	})
	if err != nil {
		t.Fatalf("walk %s: %v", root, err)
	}
	return w
}

func ino(fi os.FileInfo) uint64 { return fi.Sys().(*syscall.Stat_t).Ino }

func wantMtime(m time.Time) time.Time {
	if m.IsZero() {
		return epoch
	}
	return m
}

// isErrno reports whether err carries errno want.
func isErrno(err error, want syscall.Errno) bool {
	var e syscall.Errno
	return errors.As(err, &e) && e == want
}
