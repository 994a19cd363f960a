package fs

import (
	"context"
	"log/slog"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
)

// opCounter counts the FUSE requests the kernel sent, by opcode, from
// go-fuse's debug log ("rx 12: GETXATTR n3 ...").
type opCounter struct {
	mu sync.Mutex
	n  map[string]int
}

func (c *opCounter) Enabled(context.Context, slog.Level) bool { return true }
func (c *opCounter) WithAttrs([]slog.Attr) slog.Handler       { return c }
func (c *opCounter) WithGroup(string) slog.Handler            { return c }
func (c *opCounter) Handle(_ context.Context, r slog.Record) error {
	if f := strings.Fields(r.Message); len(f) >= 3 && f[0] == "rx" {
		c.mu.Lock()
		c.n[f[2]]++
		c.mu.Unlock()
	}
	return nil
}

func (c *opCounter) count(op string) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.n[op]
}

// mountCounting mounts fx read-only with every FUSE request counted.
func mountCounting(t *testing.T, fx *fixture) (string, *opCounter) {
	t.Helper()
	requireFUSE(t)
	ops := &opCounter{n: map[string]int{}}
	o := Options{Drives: fx.drives, Mail: fx.mail, UID: testUID, GID: testGID, Logger: slog.New(ops)}
	dir := t.TempDir()
	srv, err := Mount(dir, NewRoot(o), Options{}, MountOptions{ReadOnly: true, Debug: true})
	if err != nil {
		t.Fatalf("Mount: %v", err)
	}
	t.Cleanup(func() { unmount(t, srv, dir) })
	return dir, ops
}

// ls -l asks every entry for its POSIX ACL and its SELinux label, and the
// kernel passes each question to the daemon and caches no answer. Told
// once that neither is supported, ls stops asking: a tree costs no
// round trip per entry, while the user.* attributes stay readable.
func TestLsLongAsksNoXattrPerEntry(t *testing.T) {
	mnt, ops := mountCounting(t, newFixture())
	tree := filepath.Join(mnt, "kDrive")
	w := walkTree(t, tree)
	entries := len(w.files) + len(w.dirs)
	if entries < 10 {
		t.Fatalf("the fixture's kDrive has %d entries; too few to tell", entries)
	}
	lsR := func() {
		if out, err := exec.Command("ls", "-lR", tree).CombinedOutput(); err != nil {
			t.Fatalf("ls -lR: %v\n%s", err, out)
		}
	}
	lsR()
	before := ops.count("GETXATTR")
	lsR()
	if n := ops.count("GETXATTR") - before; n > 2 {
		t.Errorf("a second ls -lR of %d entries sent %d GETXATTR requests, want at most 2 (one per namespace ls probes)", entries, n)
	}

	var file string
	for rel := range w.files {
		file = filepath.Join(tree, rel)
		break
	}
	buf := make([]byte, 256)
	for _, name := range []string{"security.selinux", "system.posix_acl_access", "system.posix_acl_default"} {
		if _, err := syscall.Getxattr(file, name, buf); !isErrno(err, syscall.ENOTSUP) {
			t.Errorf("getxattr %s: %v, want ENOTSUP", name, err)
		}
	}
	// The counter sees what it should: one user.* lookup, one request.
	before = ops.count("GETXATTR")
	if n, err := syscall.Getxattr(file, "user.infomaniak.id", buf); err != nil || n == 0 {
		t.Fatalf("getxattr user.infomaniak.id: %d, %v", n, err)
	}
	if n := ops.count("GETXATTR") - before; n != 1 {
		t.Fatalf("one getxattr counted as %d requests: the count above means nothing", n)
	}
}
