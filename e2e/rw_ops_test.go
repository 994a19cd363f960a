package e2e

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/infomaniakfs/infomaniakfs/remote/emulator"
)

// TestRWOperations: every file and folder operation of a read-write mount,
// what the mount shows at once, and what the server holds after.
func TestRWOperations(t *testing.T) {
	e := newRW(t)
	p := e.mnt
	mustWrite := func(path, s string) {
		t.Helper()
		if err := os.WriteFile(path, []byte(s), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want := func(path, s string) {
		t.Helper()
		if b, err := os.ReadFile(path); err != nil || string(b) != s {
			t.Fatalf("%s holds %q (%v), want %q", path, b, err, s)
		}
	}
	// Create, append, write at random offsets, truncate.
	mustWrite(p("w"), "hello")
	f, _ := os.OpenFile(p("w"), os.O_WRONLY|os.O_APPEND, 0)
	f.WriteString(" world")
	f.Close()
	want(p("w"), "hello world")
	f, _ = os.OpenFile(p("w"), os.O_RDWR, 0)
	f.WriteAt([]byte("J"), 0)
	f.WriteAt([]byte("!"), 14) // a hole of zeros before it
	f.Close()
	want(p("w"), "Jello world\x00\x00\x00!")
	if err := os.Truncate(p("w"), 5); err != nil {
		t.Fatal(err)
	}
	want(p("w"), "Jello")
	// fsync returns once the server has it.
	f, _ = os.Create(p("synced"))
	f.WriteString("on the server")
	if err := f.Sync(); err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(e.server("synced")); string(b) != "on the server" {
		t.Fatalf("after fsync the server holds %q", b)
	}
	f.Close()
	// Modes: writable, chmod accepted and ignored.
	if st, _ := os.Stat(p("w")); st.Mode().Perm() != 0o644 {
		t.Fatalf("file mode %v", st.Mode())
	}
	if err := os.Chmod(p("w"), 0o600); err != nil {
		t.Fatalf("chmod: %v", err)
	}
	// Folders: mkdir, rmdir of a non-empty one, then of an empty one.
	if err := os.Mkdir(p("d"), 0o755); err != nil {
		t.Fatal(err)
	}
	if st, _ := os.Stat(p("d")); !st.IsDir() || st.Mode().Perm() != 0o755 {
		t.Fatalf("folder mode %v", st.Mode())
	}
	mustWrite(p("d", "f"), "x")
	if err := os.Remove(p("d")); errnoOf(err) != syscall.ENOTEMPTY {
		t.Fatalf("rmdir of a full folder: %v", err)
	}
	if err := os.Remove(p("d", "f")); err != nil {
		t.Fatal(err)
	}
	if err := os.Remove(p("d")); err != nil {
		t.Fatalf("rmdir: %v", err)
	}
	// Rename within a folder, across folders, over an existing file.
	os.Mkdir(p("d2"), 0o755)
	mustWrite(p("t"), "target")
	if err := os.Rename(p("w"), p("w2")); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(p("w2"), p("d2", "w3")); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(p("d2", "w3"), p("t")); err != nil {
		t.Fatal(err)
	}
	want(p("t"), "Jello")
	mustWrite(p("d2", "kept"), "in a renamed folder")
	if err := os.Rename(p("d2"), p("d3")); err != nil {
		t.Fatalf("rename a folder: %v", err)
	}
	want(p("d3", "kept"), "in a renamed folder")
	// utimens: the remote mtime.
	mt := time.Unix(1_600_000_000, 0)
	if err := os.Chtimes(p("synced"), mt, mt); err != nil {
		t.Fatal(err)
	}
	if st, _ := os.Stat(p("synced")); !st.ModTime().Equal(mt) {
		t.Fatalf("mtime shown %v", st.ModTime())
	}
	// Across drives: EXDEV, so mv copies. Mail and the drive root: refused.
	other := filepath.Join(e.d.dir, "kDrive", "Drive 2", "Private", "t")
	if err := os.Rename(p("t"), other); errnoOf(err) != syscall.EXDEV {
		t.Fatalf("rename across drives: %v", err)
	}
	if err := os.Mkdir(filepath.Join(e.d.dir, "kDrive", "Drive 1", "x"), 0o755); errnoOf(err) != syscall.EACCES {
		t.Fatalf("mkdir in the drive root: %v", err)
	}
	boxes, _ := os.ReadDir(filepath.Join(e.d.dir, "Mail"))
	if len(boxes) == 0 {
		t.Fatal("no mailbox")
	}
	if err := os.WriteFile(filepath.Join(e.d.dir, "Mail", boxes[0].Name(), "x"), nil, 0o644); errnoOf(err) != syscall.EROFS {
		t.Fatalf("write into Mail: %v", err)
	}
	// The server, once the queue is drained by the unmount.
	e.d.stop()
	for path, s := range map[string]string{"t": "Jello", "synced": "on the server", "d3/kept": "in a renamed folder"} {
		if b, err := os.ReadFile(e.server(path)); err != nil || string(b) != s {
			t.Errorf("server %s: %q %v, want %q", path, b, err, s)
		}
	}
	for _, gone := range []string{"w", "w2", "d", "d2"} {
		if _, err := os.Stat(e.server(gone)); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("server still has %s (%v)", gone, err)
		}
	}
	if st, err := os.Stat(e.server("synced")); err != nil || !st.ModTime().Equal(mt) {
		t.Errorf("server mtime %v (%v), want %v", st.ModTime(), err, mt)
	}
	// Deleted and replaced items went to the trash, not away for ever.
	if n := countFiles(t, filepath.Join(e.data, ".trash")); n < 2 {
		t.Errorf("%d files in the trash, want the deleted f and the replaced t", n)
	}
}

func countFiles(t *testing.T, dir string) int {
	t.Helper()
	n := 0
	filepath.Walk(dir, func(_ string, fi os.FileInfo, err error) error {
		if err == nil && !fi.IsDir() {
			n++
		}
		return nil
	})
	return n
}

// TestRWQuota: a full drive fails fsync with ENOSPC; the content stays
// queued and lands once there is room.
func TestRWQuota(t *testing.T) {
	e := newRW(t)
	used := e.srv.Data().Drives()[0].UsedSize
	e.srv.Data().SetQuota(used + 1000)
	body := bytes.Repeat([]byte("q"), 100<<10)
	f, err := os.Create(e.mnt("big"))
	if err != nil {
		t.Fatal(err)
	}
	f.Write(body)
	if err := f.Sync(); errnoOf(err) != syscall.ENOSPC {
		t.Fatalf("fsync on a full drive: %v", err)
	}
	f.Close()
	e.srv.Data().SetQuota(used + 10<<20)
	waitFile(t, e.server("big"), body, 20*time.Second)
}

// TestRWOffline: with Infomaniak unreachable, writes still land (in
// staging), show in the mount, and go up once it answers again.
func TestRWOffline(t *testing.T) {
	e := newRW(t)
	if _, err := os.ReadDir(e.mnt()); err != nil { // the folder is listed once, online
		t.Fatal(err)
	}
	e.srv.AddFault(emulator.Fault{Kind: emulator.Fault500}) // every route
	body := bytes.Repeat([]byte("offline "), 1000)
	if err := os.WriteFile(e.mnt("off.txt"), body, 0o644); err != nil {
		t.Fatalf("write while offline: %v", err)
	}
	if b, err := os.ReadFile(e.mnt("off.txt")); err != nil || !bytes.Equal(b, body) {
		t.Fatalf("read back while offline: %d bytes, %v", len(b), err)
	}
	e.srv.ClearFaults()
	waitFile(t, e.server("off.txt"), body, 60*time.Second)
}
