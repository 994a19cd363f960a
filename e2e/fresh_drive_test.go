package e2e

import (
	"bytes"
	"errors"
	"io"
	"io/fs"
	"net"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/infomaniakfs/infomaniakfs/remote/emulator"
	"github.com/infomaniakfs/infomaniakfs/remote/emulator/dataset"
)

// freshWithin is how soon a remote change must show in a running mount
// (issue 8: 5 s with the defaults).
const freshWithin = 5 * time.Second

// freshMount serves a small data set and mounts it with the default
// caching times spelled out (listings 5 min, kernel 1 min), so a change
// that shows in seconds can only have come through the change feed; then
// it walks the whole drive, so every listing and attribute is cached.
func freshMount(t *testing.T, extra ...string) (*dataset.Dataset, *emulator.Server, *daemon, string) {
	t.Helper()
	data := dataset.Generate(faultSpec(81, 4))
	srv := serve(t, data)
	args := append([]string{"--debug", "--dir-cache-time", "5m", "--attr-timeout", "1m", "--notify-url", srv.URL()}, extra...)
	d := mount(t, srv, args...)
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("daemon log:\n%s", d.log)
		}
	})
	dr := data.Drives()[0]
	root := filepath.Join(d.dir, "kDrive", dr.Name)
	run(t, "ls", "-lR", root)
	return data, srv, d, root
}

// within polls cond until it holds, failing after freshWithin.
func within(t *testing.T, what string, cond func() error) {
	t.Helper()
	start := time.Now()
	var err error
	for time.Since(start) < freshWithin {
		if err = cond(); err == nil {
			t.Logf("%s: visible after %v", what, time.Since(start).Round(time.Millisecond))
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("%s: not visible after %v: %v", what, freshWithin, err)
}

func listNames(dir string) ([]string, error) {
	ents, err := os.ReadDir(dir)
	var out []string
	for _, e := range ents {
		out = append(out, e.Name())
	}
	return out, err
}

func shows(dir, name string) func() error {
	return func() error {
		names, err := listNames(dir)
		if err != nil {
			return err
		}
		if !slices.Contains(names, name) {
			return errors.New(name + " not listed")
		}
		if _, err := os.Stat(filepath.Join(dir, name)); err != nil {
			return err
		}
		return nil
	}
}

func gone(dir, name string) func() error {
	return func() error {
		names, err := listNames(dir)
		if err != nil {
			return err
		}
		if slices.Contains(names, name) {
			return errors.New(name + " still listed")
		}
		if _, err := os.Stat(filepath.Join(dir, name)); !errors.Is(err, fs.ErrNotExist) {
			return errors.New(name + " still stats: " + errString(err))
		}
		return nil
	}
}

func errString(err error) string {
	if err == nil {
		return "no error"
	}
	return err.Error()
}

func holds(path string, want []byte) func() error {
	return func() error {
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		if !bytes.Equal(b, want) {
			return errors.New("old content")
		}
		return nil
	}
}

// TestFreshDriveChanges makes every kind of change on the server while the
// drive is mounted and cached, and sees each through ls, stat and cat
// within seconds, without remounting and long before any TTL.
func TestFreshDriveChanges(t *testing.T) {
	data, _, d, root := freshMount(t)
	dr := data.Drives()[0]
	private := childNamed(t, data, dr.ID, dataset.RootID, "Private")
	pdir := filepath.Join(root, "Private")
	small := childNamed(t, data, dr.ID, private, "small")
	sdir := filepath.Join(pdir, "small")
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	// Each step leans on the kernel's caches first (stat, ls), then
	// changes the server.
	t.Run("file created", func(t *testing.T) {
		_, err := os.Stat(filepath.Join(pdir, "new.txt")) // a negative entry in the kernel
		if !errors.Is(err, fs.ErrNotExist) {
			t.Fatalf("new.txt before: %v", err)
		}
		n, err := data.AddFile(dr.ID, private, "new.txt", 1234)
		must(err)
		within(t, "created file", shows(pdir, "new.txt"))
		within(t, "its content", holds(filepath.Join(pdir, "new.txt"), content(t, data, dr.ID, n.ID)))
	})
	id := childNamed(t, data, dr.ID, private, "new.txt")
	t.Run("file modified", func(t *testing.T) {
		_, err := data.ModifyFile(dr.ID, id, 777)
		must(err)
		within(t, "new size", func() error {
			st, err := os.Stat(filepath.Join(pdir, "new.txt"))
			if err == nil && st.Size() != 777 {
				err = errors.New("old size")
			}
			return err
		})
		within(t, "new content", holds(filepath.Join(pdir, "new.txt"), content(t, data, dr.ID, id)))
	})
	t.Run("file renamed", func(t *testing.T) {
		must(data.Rename(dr.ID, id, "renamed.txt"))
		within(t, "new name", shows(pdir, "renamed.txt"))
		within(t, "old name gone", gone(pdir, "new.txt"))
	})
	t.Run("file moved", func(t *testing.T) {
		run(t, "ls", "-l", sdir)
		must(data.Move(dr.ID, id, small))
		within(t, "in its new folder", shows(sdir, "renamed.txt"))
		within(t, "gone from the old one", gone(pdir, "renamed.txt"))
		within(t, "content in its new place", holds(filepath.Join(sdir, "renamed.txt"), content(t, data, dr.ID, id)))
	})
	t.Run("file deleted", func(t *testing.T) {
		must(data.Delete(dr.ID, id))
		within(t, "deleted file", gone(sdir, "renamed.txt"))
	})
	t.Run("folder created, renamed, deleted", func(t *testing.T) {
		dir, err := data.AddDir(dr.ID, private, "newdir")
		must(err)
		within(t, "created folder", shows(pdir, "newdir"))
		inner, err := data.AddFile(dr.ID, dir.ID, "inner.bin", 99)
		must(err)
		within(t, "file in the new folder", shows(filepath.Join(pdir, "newdir"), "inner.bin"))
		must(data.Rename(dr.ID, dir.ID, "olddir"))
		within(t, "renamed folder", shows(pdir, "olddir"))
		within(t, "old folder name gone", gone(pdir, "newdir"))
		within(t, "its file under the new name", holds(filepath.Join(pdir, "olddir", "inner.bin"), content(t, data, dr.ID, inner.ID)))
		must(data.Delete(dr.ID, dir.ID))
		within(t, "deleted folder", gone(pdir, "olddir"))
	})
	if strings.Contains(d.log.String(), "ERROR") {
		t.Errorf("daemon logged errors:\n%s", d.log)
	}
}

// TestFreshNotifyHostDown: with the long-poll host unreachable, changes
// still arrive, by reading the feed on the --poll-interval timer.
func TestFreshNotifyHostDown(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closed := "http://" + ln.Addr().String()
	ln.Close()
	data, _, d, root := freshMount(t, "--notify-url", closed, "--poll-interval", "1s")
	dr := data.Drives()[0]
	private := childNamed(t, data, dr.ID, dataset.RootID, "Private")
	// The first long poll must fail (after the client's retries) before
	// the timer takes over: allow for it.
	deadline := time.Now().Add(30 * time.Second)
	for !strings.Contains(d.log.String(), "long poll failed") {
		if time.Now().After(deadline) {
			t.Fatalf("the long poll to a closed port never failed\n%s", d.log)
		}
		time.Sleep(100 * time.Millisecond)
	}
	if _, err := data.AddFile(dr.ID, private, "late.txt", 10); err != nil {
		t.Fatal(err)
	}
	within(t, "change through the timer", shows(filepath.Join(root, "Private"), "late.txt"))
}

// TestFreshOpenFileAcrossChange: a descriptor open across a remote change
// reads its own version's bytes or fails with EIO, never the new bytes;
// a new open reads the new version. (The old descriptor is read before the
// new open: once a new open has filled the kernel's page cache, which all
// descriptors of a file share, an old one reads from it: a known limit.)
func TestFreshOpenFileAcrossChange(t *testing.T) {
	data, srv, _, root := freshMount(t)
	dr := data.Drives()[0]
	f := smallFiles(t, data)[0]
	path := filepath.Join(root, strings.TrimPrefix(data.Path(dr.ID, f.node.ID), "/"))
	v1 := content(t, data, dr.ID, f.node.ID)
	fd, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer fd.Close()
	head := make([]byte, 100)
	if _, err := io.ReadFull(fd, head); err != nil || !bytes.Equal(head, v1[:100]) {
		t.Fatalf("head: %v", err)
	}
	if _, err := data.ModifyFile(dr.ID, f.node.ID, f.node.Size+500); err != nil {
		t.Fatal(err)
	}
	v2 := content(t, data, dr.ID, f.node.ID)
	// stat would show the open descriptor's version (fs/drive_file.go):
	// wait for the mount to have read the change instead.
	within(t, "change read", func() error {
		if srv.Count("listing.continue") == 0 {
			return errors.New("no listing/continue yet")
		}
		return nil
	})
	time.Sleep(200 * time.Millisecond) // the kernel is told right after
	rest, err := io.ReadAll(fd)
	switch {
	case err != nil && !isErrno(err, syscall.EIO):
		t.Fatalf("old descriptor: %v, want its bytes or EIO", err)
	case err == nil && !bytes.Equal(append(head, rest...), v1):
		t.Fatalf("old descriptor read %d bytes that are not its version's", len(rest))
	case err != nil:
		t.Log("old descriptor: EIO")
	}
	within(t, "new version by a new open", holds(path, v2))
}

// TestFreshIdleBudget: a mount left idle after `ls -lR` spends nothing
// but its long polls.
func TestFreshIdleBudget(t *testing.T) {
	data := dataset.Generate(dataset.Spec{Seed: 5, Drives: 2, Depth: 2, DirsPerDir: 2, FilesPerDir: 3,
		Mailboxes: 1, MessagesPerFolder: 2})
	srv := serve(t, data)
	// A 4 s request timeout makes each long poll 3 s, so several would
	// fit in the idle window if they were not spaced.
	d := mount(t, srv, "--notify-url", srv.URL(), "--timeout", "4s")
	run(t, "ls", "-lR", filepath.Join(d.dir, "kDrive"))
	time.Sleep(time.Second) // the followers start their first long polls
	srv.ResetCounts()
	time.Sleep(12 * time.Second)
	counts := srv.Counts()
	polls := counts["longpoll"]
	t.Logf("idle 12 s: %v", counts)
	for ep, n := range counts {
		if ep != "longpoll" && ep != "total" && n != 0 {
			t.Errorf("idle mount made %d %s requests", n, ep)
		}
	}
	if drives := int64(len(data.Drives())); polls > 2*drives {
		t.Errorf("%d long polls for %d drives in 12 s: not spaced", polls, drives)
	}
}
