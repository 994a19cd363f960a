package e2e

import (
	"bytes"
	"errors"
	"io"
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/infomaniakfs/infomaniakfs/remote/emulator/dataset"
)

// readToEOF reads fd to EOF without stat-ing it first (as os.ReadFile
// would), so the kernel's own idea of the size is what bounds the reads.
func readToEOF(fd *os.File) ([]byte, error) {
	var got []byte
	buf := make([]byte, 1<<20)
	for {
		n, err := fd.Read(buf)
		got = append(got, buf[:n]...)
		if errors.Is(err, io.EOF) {
			return got, nil
		}
		if err != nil {
			return got, err
		}
	}
}

// TestFaultShrinkUnderStaleAttrs: the kernel still holds a file's old,
// larger size (a long --attr-timeout) when the daemon, whose metadata has
// expired, opens the new, shorter version. The kernel must not read up to
// the old size: that pads the new version with zeros.
func TestFaultShrinkUnderStaleAttrs(t *testing.T) {
	const size = 9<<20 + 5
	data := dataset.Generate(faultSpec(18, 0, size))
	srv := serve(t, data)
	d := mount(t, srv, "--dir-cache-time", "1s", "--attr-timeout", "60s")
	dr := data.Drives()[0]
	f := bigFiles(t, data)[0]
	path := filepath.Join(d.dir, f.rel)
	for _, n := range []int64{7<<20 + 3, 5<<20 + 77, 2<<20 + 1, 300<<10 + 9} {
		// The kernel learns the current size, for 60 s.
		if _, err := os.Stat(path); err != nil {
			t.Fatal(err)
		}
		if _, err := data.ModifyFile(dr.ID, f.node.ID, n); err != nil {
			t.Fatal(err)
		}
		want := content(t, data, dr.ID, f.node.ID)
		time.Sleep(1200 * time.Millisecond) // the daemon's metadata expires
		fd, err := os.Open(path)
		if err != nil {
			t.Fatal(err)
		}
		got, err := readToEOF(fd)
		fd.Close()
		switch {
		case err != nil:
			t.Fatalf("shrunk to %d: read: %v", n, err)
		case !bytes.Equal(got, want):
			t.Fatalf("shrunk to %d: read %s", n, neither(got, nil, want))
		}
		if st, err := os.Stat(path); err != nil || st.Size() != n {
			t.Fatalf("shrunk to %d: stat after the read: %v, %v", n, st.Size(), err)
		}
	}
}

// TestFaultSupersededDescriptor: a descriptor opened on the old version
// stays open while a new one opens on the new version. The kernel shares
// one page cache between them, so the old descriptor must not fill it with
// old bytes that the new one would then read.
func TestFaultSupersededDescriptor(t *testing.T) {
	const size = 3<<20 + 11
	data := dataset.Generate(faultSpec(19, 0, size))
	srv := serve(t, data)
	d := mount(t, srv, "--dir-cache-time", "1s", "--attr-timeout", "1s")
	dr := data.Drives()[0]
	f := bigFiles(t, data)[0]
	path := filepath.Join(d.dir, f.rel)
	v1 := content(t, data, dr.ID, f.node.ID)

	old, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer old.Close()
	// The daemon now holds all of v1 in memory: the old descriptor could
	// go on serving it without asking the server.
	if b, err := readToEOF(old); err != nil || !bytes.Equal(b, v1) {
		t.Fatalf("old descriptor: %v, equal %v", err, bytes.Equal(b, v1))
	}
	if _, err := data.ModifyFile(dr.ID, f.node.ID, size); err != nil {
		t.Fatal(err)
	}
	v2 := content(t, data, dr.ID, f.node.ID)
	time.Sleep(1200 * time.Millisecond)

	fresh, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer fresh.Close()
	// The old descriptor reads a middle range first (the new open has
	// dropped the kernel's pages), then the new one reads everything.
	mid := make([]byte, 256<<10)
	n, err := old.ReadAt(mid, 1<<20)
	switch {
	case err == nil && !bytes.Equal(mid[:n], v1[1<<20:1<<20+n]):
		t.Error("old descriptor: bytes of neither version")
	case err != nil && !isErrno(err, syscall.EIO):
		t.Errorf("old descriptor after the new open: %v, want its old bytes or EIO", err)
	}
	got, err := readToEOF(fresh)
	if err != nil || !bytes.Equal(got, v2) {
		t.Fatalf("new descriptor: %v; %s", err, neither(got, v1, v2))
	}
	// The new version is now in the kernel's page cache, which the old
	// descriptor shares: it must not read it as its own.
	late := make([]byte, 256<<10)
	n, err = old.ReadAt(late, 2<<20)
	switch {
	case err == nil && bytes.Equal(late[:n], v2[2<<20:2<<20+n]):
		t.Error("old descriptor read the new version's bytes after the new descriptor read them")
	case err == nil && !bytes.Equal(late[:n], v1[2<<20:2<<20+n]):
		t.Error("old descriptor, late read: bytes of neither version")
	case err != nil && !isErrno(err, syscall.EIO):
		t.Errorf("old descriptor, late read: %v, want its old bytes or EIO", err)
	}
	if st, err := old.Stat(); err != nil || st.Size() != size {
		t.Errorf("fstat of the old descriptor: %v, %v", st, err)
	}
}
