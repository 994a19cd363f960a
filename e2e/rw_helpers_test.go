package e2e

import (
	"bytes"
	"crypto/rand"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/infomaniakfs/infomaniakfs/remote/emulator"
	"github.com/infomaniakfs/infomaniakfs/remote/emulator/dataset"
)

// rwEnv is an emulator whose data set lives in a directory it writes
// through (so the server's state can be compared with diff -r), and a
// read-write mount of it.
type rwEnv struct {
	srv      *emulator.Server
	data     string // the emulator's data directory
	cacheDir string // the mount's --cache-dir: its upload queue survives remounts
	d        *daemon
}

// rwSpec: two drives (EXDEV), one mailbox (EROFS), small folders.
var rwSpec = dataset.Spec{Seed: 7, Drives: 2, Depth: 1, DirsPerDir: 1, FilesPerDir: 2, FileSize: 4 << 10,
	Mailboxes: 1, MessagesPerFolder: 2}

func newRW(t *testing.T, extra ...string) *rwEnv {
	t.Helper()
	dir := t.TempDir()
	if err := dataset.Generate(rwSpec).WriteTo(dir); err != nil {
		t.Fatal(err)
	}
	data, err := dataset.Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	e := &rwEnv{srv: serve(t, data), data: dir, cacheDir: t.TempDir()}
	e.d = e.mount(t, extra...)
	return e
}

// mount runs the race-detecting binary: a data race in the write path
// makes the daemon's exit fail the test.
func (e *rwEnv) mount(t *testing.T, extra ...string) *daemon {
	t.Helper()
	return mountWith(t, e.srv, mountSpec{binary: raceBinary(t),
		args: append([]string{"--read-write", "--cache-dir", e.cacheDir}, extra...)})
}

// drive is the mount's path of a drive's folder ("Drive 1", "Private").
func (e *rwEnv) mnt(parts ...string) string {
	return filepath.Join(append([]string{e.d.dir, "kDrive", "Drive 1", "Private"}, parts...)...)
}

// server is the data directory's path under Drive 1/Private.
func (e *rwEnv) server(parts ...string) string {
	return filepath.Join(append([]string{e.data, "kdrive", "Drive 1", "Private"}, parts...)...)
}

// kill9 kills the daemon as a crash would and detaches its dead mount.
func (d *daemon) kill9(t *testing.T) {
	t.Helper()
	_ = d.cmd.Process.Kill()
	<-d.done
	_ = syscall.Unmount(d.dir, syscall.MNT_DETACH)
	d.unmounted = true
}

// waitFile waits until path holds want (the server's write-through copy).
func waitFile(t *testing.T, path string, want []byte, within time.Duration) {
	t.Helper()
	deadline := time.Now().Add(within)
	for {
		got, err := os.ReadFile(path)
		if err == nil && bytes.Equal(got, want) {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s: %d bytes (err %v), want %d bytes", path, len(got), err, len(want))
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// randomTree writes a tree of files of the given sizes under dir.
func randomTree(t *testing.T, dir string, sizes map[string]int) {
	t.Helper()
	for name, n := range sizes {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		b := make([]byte, n)
		rand.Read(b)
		if err := os.WriteFile(p, b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// diffTrees fails unless diff -r finds a and b identical.
func diffTrees(t *testing.T, a, b string) {
	t.Helper()
	out, err := exec.Command("diff", "-r", a, b).CombinedOutput()
	if err != nil {
		t.Fatalf("diff -r %s %s: %v\n%s", a, b, err, strings.TrimSpace(string(out)))
	}
}

// errnoOf is the errno of a failed operation, 0 on success.
func errnoOf(err error) syscall.Errno {
	var en syscall.Errno
	if errors.As(err, &en) {
		return en
	}
	return 0
}
