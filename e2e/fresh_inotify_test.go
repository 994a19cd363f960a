//go:build linux

package e2e

import (
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"
	"unsafe"
)

// TestFreshInotifySeesDeletion: a file deleted on the server is reported
// to inotify watchers, through the kernel's NotifyDelete: IN_DELETE_SELF
// to a watch on the file (the kernel clears its links), IN_DELETE to one on
// its folder where the kernel sends it.
func TestFreshInotifySeesDeletion(t *testing.T) {
	data, _, d, root := freshMount(t)
	dr := data.Drives()[0]
	dir := filepath.Join(root, "Private", "small")
	f := smallFiles(t, data)[0]
	name := f.node.Name
	if _, err := os.Stat(filepath.Join(dir, name)); err != nil { // the kernel holds its entry
		t.Fatal(err)
	}
	fd, err := syscall.InotifyInit1(syscall.IN_CLOEXEC | syscall.IN_NONBLOCK)
	if err != nil {
		t.Skipf("no inotify: %v", err)
	}
	defer syscall.Close(fd)
	if _, err := syscall.InotifyAddWatch(fd, dir, syscall.IN_DELETE); err != nil {
		t.Fatalf("watch %s: %v", dir, err)
	}
	if _, err := syscall.InotifyAddWatch(fd, filepath.Join(dir, name), syscall.IN_DELETE_SELF); err != nil {
		t.Fatalf("watch %s: %v", name, err)
	}
	if err := data.Delete(dr.ID, f.node.ID); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(freshWithin)
	buf := make([]byte, 4096)
	for time.Now().Before(deadline) {
		n, err := syscall.Read(fd, buf)
		if err == syscall.EAGAIN {
			time.Sleep(20 * time.Millisecond)
			continue
		}
		if err != nil {
			t.Fatal(err)
		}
		for off := 0; off+syscall.SizeofInotifyEvent <= n; {
			ev := (*syscall.InotifyEvent)(unsafe.Pointer(&buf[off]))
			nameBytes := buf[off+syscall.SizeofInotifyEvent : off+syscall.SizeofInotifyEvent+int(ev.Len)]
			got := string(nameBytes[:clen(nameBytes)])
			if ev.Mask&syscall.IN_DELETE != 0 && got == name || ev.Mask&syscall.IN_DELETE_SELF != 0 {
				t.Logf("inotify event %#x %q", ev.Mask, got)
				return
			}
			off += syscall.SizeofInotifyEvent + int(ev.Len)
		}
	}
	t.Fatalf("no IN_DELETE or IN_DELETE_SELF for %s within %v\n%s", name, freshWithin, d.log)
}

func clen(b []byte) int {
	for i, c := range b {
		if c == 0 {
			return i
		}
	}
	return len(b)
}
