package e2e

import (
	"os"
	"path/filepath"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/infomaniakfs/infomaniakfs/remote/emulator"
	"github.com/infomaniakfs/infomaniakfs/remote/emulator/dataset"
)

// TestFaultStall: the content host sends a few bytes and hangs. With
// --timeout 3s the read fails with EIO within a bound near the timeout,
// and meanwhile the rest of the mount (a cached file, listings) answers.
func TestFaultStall(t *testing.T) {
	const timeout = 3 * time.Second
	data := dataset.Generate(faultSpec(14, 4, 1<<20))
	srv := startLive(t, emulator.Options{Data: data})
	d := mount(t, srv, "--timeout", timeout.String())
	small := smallFiles(t, data)
	cached, stalled := small[0], bigFiles(t, data)[0]
	checkFile(t, d.dir, cached)
	srv.AddFault(emulator.Fault{Endpoint: "content", Kind: emulator.FaultStall})
	defer srv.ClearFaults()

	stop := make(chan struct{})
	var probes sync.WaitGroup
	probes.Go(func() {
		for {
			select {
			case <-stop:
				return
			case <-time.After(200 * time.Millisecond):
			}
			took, err := timed(func() error {
				if _, err := os.ReadDir(filepath.Join(d.dir, filepath.Dir(cached.rel))); err != nil {
					return err
				}
				checkFile(t, d.dir, cached)
				return nil
			})
			if err != nil || took > 2*time.Second {
				t.Errorf("while a read stalls, listing and a cached read took %s: %v", took, err)
			}
		}
	})
	took, err := timed(func() error { _, err := os.ReadFile(filepath.Join(d.dir, stalled.rel)); return err })
	close(stop)
	probes.Wait()
	t.Logf("stalled read failed after %s: %v", took, err)
	if !isErrno(err, syscall.EIO) {
		t.Errorf("stalled read: %v, want EIO", err)
	}
	if took > 20*timeout {
		t.Errorf("stalled read took %s to fail (--timeout %s)", took, timeout)
	}
	// The kernel reads a page again after a failed read-ahead, so one
	// read(2) costs two fetches; each may survive one stall and gives up
	// at the second: 4 timeouts plus backoff.
	if limit := 4*timeout + 3*time.Second; took > limit {
		t.Errorf("stalled read took %s to fail, want at most %s (--timeout %s)",
			took, limit, timeout)
	}
}

// TestFaultServerGoneAndBack: the API host disappears (connections cut,
// then refused). Uncached reads fail fast with EIO; cached bytes still
// read, and listings and stats past their TTL are served as last seen; when it comes back on the same address the same mount works again
// without a remount.
func TestFaultServerGoneAndBack(t *testing.T) {
	data := dataset.Generate(faultSpec(15, 4, 6<<20))
	srv := startLive(t, emulator.Options{Data: data})
	d := mount(t, srv, "--dir-cache-time", "1s", "--attr-timeout", "1s", "--timeout", "3s")
	dr := data.Drives()[0]
	big := bigFiles(t, data)[0]
	small := smallFiles(t, data)
	want := content(t, data, dr.ID, big.node.ID)

	// Open the big file and read its first bytes, then a little past the
	// first read's small range: the daemon fetches the first 4 MiB block,
	// the kernel caches only what it read ahead.
	cachedFd, err := os.Open(filepath.Join(d.dir, big.rel))
	if err != nil {
		t.Fatal(err)
	}
	defer cachedFd.Close()
	head := make([]byte, 4096)
	for _, off := range []int64{0, 512 << 10} {
		if _, err := cachedFd.ReadAt(head, off); err != nil {
			t.Fatal(err)
		}
	}
	// An open file whose bytes were never fetched.
	coldFd, err := os.Open(filepath.Join(d.dir, small[1].rel))
	if err != nil {
		t.Fatal(err)
	}
	defer coldFd.Close()
	time.Sleep(200 * time.Millisecond) // let read-ahead finish

	srv.down()
	const bound = 15 * time.Second
	ops := []struct {
		name  string
		op    func() error
		stale bool // served from what was seen (stale beats broken)
	}{
		{"read of unfetched bytes", func() error { _, err := coldFd.ReadAt(make([]byte, 100), 0); return err }, false},
		{"listing after the TTL", func() error {
			time.Sleep(1100 * time.Millisecond)
			_, err := os.ReadDir(filepath.Join(d.dir, filepath.Dir(small[0].rel)))
			return err
		}, true},
		{"stat after the TTL", func() error { _, err := os.Stat(filepath.Join(d.dir, small[2].rel)); return err }, true},
	}
	for _, o := range ops {
		took, err := timed(o.op)
		t.Logf("server down: %s after %s: %v", o.name, took, err)
		if o.stale && err != nil {
			t.Errorf("server down: %s: %v, want it served as last seen", o.name, err)
		}
		if !o.stale && !isErrno(err, syscall.EIO) {
			t.Errorf("server down: %s: %v, want EIO", o.name, err)
		}
		if took > bound {
			t.Errorf("server down: %s took %s, want under %s", o.name, took, bound)
		}
	}
	// Bytes the daemon holds: 3 MiB into the first block, far past what
	// the kernel read ahead.
	got := make([]byte, 64<<10)
	if _, err := cachedFd.ReadAt(got, 3<<20); err != nil {
		t.Errorf("server down: cached block: %v", err)
	} else if string(got) != string(want[3<<20:3<<20+len(got)]) {
		t.Error("server down: cached block: wrong bytes")
	}

	srv.up()
	deadline := time.Now().Add(10 * time.Second)
	for {
		_, err := os.ReadDir(filepath.Join(d.dir, filepath.Dir(small[0].rel)))
		if err == nil {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("server back: listing still fails: %v", err)
		}
		time.Sleep(200 * time.Millisecond)
	}
	if _, err := coldFd.ReadAt(make([]byte, 100), 0); err != nil {
		t.Errorf("server back: read through the file opened before: %v", err)
	}
	for _, f := range small {
		checkFile(t, d.dir, f)
	}
	checkFile(t, d.dir, big)
	// A remote change made while the server was away shows up: the
	// listing was fetched again.
	n, err := data.AddFile(dr.ID, small[0].node.ParentID, "after-outage.txt", 10)
	if err != nil {
		t.Fatal(err)
	}
	// The change feed, back from its outage backoff, or the TTL brings it.
	path := filepath.Join(d.dir, filepath.Dir(small[0].rel), n.Name)
	deadline = time.Now().Add(10 * time.Second)
	for {
		_, err := os.Stat(path)
		if err == nil {
			break
		}
		if time.Now().After(deadline) {
			t.Errorf("server back: new file not listed within 10 s: %v", err)
			break
		}
		time.Sleep(200 * time.Millisecond)
	}
}
