package e2e

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/infomaniakfs/infomaniakfs/remote/emulator/dataset"
)

// TestFaultFileChangesWhileOpen: a file is replaced remotely between two
// reads of one open descriptor. Every byte that descriptor returns belongs
// to the version it opened; bytes it can no longer get fail with EIO, never
// come from the new version. A new open then sees the new version whole.
func TestFaultFileChangesWhileOpen(t *testing.T) {
	const size = 6*4<<20 + 5 // six blocks
	data := dataset.Generate(faultSpec(16, 0, size, size+1))
	srv := serve(t, data)
	d := mount(t, srv, "--dir-cache-time", "1s", "--attr-timeout", "1s")
	dr := data.Drives()[0]
	big := bigFiles(t, data)
	cases := []struct {
		name    string
		newSize func(int64) int64
	}{
		{"same size", func(n int64) int64 { return n }},
		{"shorter", func(n int64) int64 { return n / 2 }},
	}
	for i, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f := big[i]
			path := filepath.Join(d.dir, f.rel)
			v1 := content(t, data, dr.ID, f.node.ID)
			fd, err := os.Open(path)
			if err != nil {
				t.Fatal(err)
			}
			defer fd.Close()
			head := make([]byte, 4096)
			if _, err := io.ReadFull(fd, head); err != nil || !bytes.Equal(head, v1[:4096]) {
				t.Fatalf("head: %v, equal %v", err, bytes.Equal(head, v1[:4096]))
			}
			if _, err := data.ModifyFile(dr.ID, f.node.ID, c.newSize(f.node.Size)); err != nil {
				t.Fatal(err)
			}
			v2 := content(t, data, dr.ID, f.node.ID)

			// The last block was never fetched: v1's bytes are gone from
			// the server, v2's must not be served through this descriptor.
			tail := make([]byte, 100)
			_, err = fd.ReadAt(tail, size-200)
			switch {
			case err == nil && bytes.Equal(tail, v1[size-200:size-100]):
				t.Log("tail: served from the old version (fetched ahead before the change)")
			case err == nil:
				t.Error("tail: the descriptor opened on the old version served other bytes")
			case !isErrno(err, syscall.EIO):
				t.Errorf("tail: %v, want EIO", err)
			}

			// Sequentially from the head: a prefix of v1, then EIO or EOF.
			got := append([]byte(nil), head...)
			buf := make([]byte, 256<<10)
			for {
				n, err := fd.Read(buf)
				got = append(got, buf[:n]...)
				if errors.Is(err, io.EOF) {
					if len(got) != len(v1) {
						t.Errorf("EOF after %d bytes of a %d-byte version", len(got), len(v1))
					}
					break
				}
				if err != nil {
					if !isErrno(err, syscall.EIO) {
						t.Errorf("sequential read: %v, want EIO", err)
					}
					break
				}
			}
			if len(got) > len(v1) || !bytes.Equal(got, v1[:len(got)]) {
				t.Fatalf("the descriptor returned %d bytes that are not a prefix of the version it opened", len(got))
			}
			t.Logf("sequential read ended after %d of %d bytes of the old version", len(got), len(v1))
			fd.Close()

			// A new open gets the new version, whole, once the kernel's
			// and the daemon's TTLs (1 s) have passed.
			deadline := time.Now().Add(5 * time.Second)
			for {
				b, err := os.ReadFile(path)
				if err == nil && bytes.Equal(b, v2) {
					break
				}
				if err == nil && !bytes.Equal(b, v1) && !bytes.Equal(b, v2) {
					t.Fatalf("reopened: %s", neither(b, v1, v2))
				}
				if time.Now().After(deadline) {
					t.Fatalf("reopened: still not the new version after 5 s (%d bytes, %v)", len(b), err)
				}
				time.Sleep(200 * time.Millisecond)
			}
		})
	}
}

// TestFaultManyReaders: 100 concurrent readers over 1,000 files, against
// a daemon built with the race detector: every byte right, no race (a race
// makes the daemon exit 66, which the harness reports at unmount).
func TestFaultManyReaders(t *testing.T) {
	spec := faultSpec(17, 1000)
	spec.SmallFileSize = 6 << 10
	data := dataset.Generate(spec)
	srv := serve(t, data)
	d := mountWith(t, srv, mountSpec{binary: raceBinary(t)})
	files := smallFiles(t, data)
	if len(files) != 1000 {
		t.Fatalf("%d files", len(files))
	}
	work := make(chan remoteFile)
	var wg sync.WaitGroup
	for range 100 {
		wg.Go(func() {
			for f := range work {
				checkFile(t, d.dir, f)
			}
		})
	}
	start := time.Now()
	// Every file twice, by different readers: the second read of many
	// races the first one's fetch.
	for range 2 {
		for _, f := range files {
			work <- f
		}
	}
	close(work)
	wg.Wait()
	t.Logf("2,000 reads by 100 readers in %s: %d download requests", time.Since(start), srv.Count("download"))
	if n := srv.Count("download"); n > 1000 {
		t.Errorf("%d downloads for 1,000 files read twice", n)
	}
	d.stop()
	if log := d.log.String(); strings.Contains(log, "WARNING: DATA RACE") {
		t.Errorf("the daemon reported a data race:\n%s", log)
	}
}

// neither describes bytes that match neither version, for the failure
// message: where they part from each, and what follows the new version's end.
func neither(b, v1, v2 []byte) string {
	diff := func(v []byte) int {
		for i := range min(len(b), len(v)) {
			if b[i] != v[i] {
				return i
			}
		}
		return min(len(b), len(v))
	}
	msg := fmt.Sprintf("%d bytes of neither version (old %d, new %d bytes): first difference at %d from the old, %d from the new",
		len(b), len(v1), len(v2), diff(v1), diff(v2))
	if len(b) > len(v2) && diff(v2) == len(v2) {
		extra := b[len(v2):]
		msg += fmt.Sprintf("; the %d bytes past the new end are zero: %v, the old version's: %v",
			len(extra), !slices.ContainsFunc(extra, func(c byte) bool { return c != 0 }),
			len(v1) >= len(b) && bytes.Equal(extra, v1[len(v2):len(b)]))
	}
	return msg
}
