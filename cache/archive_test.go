package cache

import (
	"archive/zip"
	"bytes"
	"context"
	"fmt"
	"hash/crc32"
	"io"
	"log/slog"
	"sort"
	"sync/atomic"
	"testing"
	"time"

	"github.com/infomaniakfs/infomaniakfs/remote"
)

// fakeArchiver is a fakeDrives that can also send a directory's files as
// one zip, built from the files' current bytes.
type fakeArchiver struct {
	*fakeDrives
	archives atomic.Int64
	err      error            // returned by Archive, when set
	method   uint16           // zip.Store or zip.Deflate
	raw      bool             // sizes in the local headers instead of data descriptors
	alter    map[int64][]byte // the bytes an entry carries instead of the file's
	gate     chan struct{}    // when set, the body waits for it after the first entry
}

func (f *fakeArchiver) Archive(ctx context.Context, driveID int64, ids []int64) (io.ReadCloser, error) {
	f.archives.Add(1)
	if f.err != nil {
		return nil, f.err
	}
	pr, pw := io.Pipe()
	go func() {
		zw := zip.NewWriter(pw)
		for i, id := range ids {
			if i == 1 && f.gate != nil {
				zw.Flush()
				select {
				case <-f.gate:
				case <-ctx.Done():
					pw.CloseWithError(ctx.Err())
					return
				}
			}
			e, _ := f.Entry(1, id)
			data := f.bytesOf(id)
			if alt, ok := f.alter[id]; ok {
				data = alt
			}
			if err := f.addEntry(zw, e.Name, data); err != nil {
				pw.CloseWithError(err)
				return
			}
		}
		pw.CloseWithError(zw.Close())
	}()
	return pr, nil
}

func (f *fakeArchiver) addEntry(zw *zip.Writer, name string, data []byte) error {
	if f.raw && f.method == zip.Store {
		w, err := zw.CreateRaw(&zip.FileHeader{Name: name, Method: zip.Store, CRC32: crc32.ChecksumIEEE(data),
			CompressedSize64: uint64(len(data)), UncompressedSize64: uint64(len(data))})
		if err != nil {
			return err
		}
		_, err = w.Write(data)
		return err
	}
	w, err := zw.CreateHeader(&zip.FileHeader{Name: name, Method: f.method})
	if err != nil {
		return err
	}
	_, err = w.Write(data)
	return err
}

// smallDir makes directory 2 with n files of size bytes (ids 100...) and
// returns them in name order, listed through d.
func smallDir(t *testing.T, f *fakeArchiver, d *Drives, n int, size int64) []remote.Entry {
	t.Helper()
	f.addDir(1, 2)
	for id := int64(100); id < 100+int64(n); id++ {
		f.addFile(2, id, size)
	}
	list, err := d.List(context.Background(), 1, 2)
	if err != nil {
		t.Fatal(err)
	}
	sort.Slice(list, func(a, b int) bool { return list[a].Name < list[b].Name })
	return list
}

func readWhole(t *testing.T, d *Drives, f *fakeArchiver, e remote.Entry) {
	t.Helper()
	buf := make([]byte, e.Size+10)
	n, err := d.ReadAt(context.Background(), e, buf, 0)
	if n != int(e.Size) || err != io.EOF {
		t.Fatalf("ReadAt(%s) = %d, %v", e.Name, n, err)
	}
	if !bytes.Equal(buf[:n], f.bytesOf(e.ID)) {
		t.Fatalf("%s: wrong bytes", e.Name)
	}
}

// Reading a directory's files in turn fetches the first two on their
// own and the rest by archive, in as many archives as the file cap
// makes, with exactly the files' bytes, whatever the zip's form.
func TestArchiveServesACopy(t *testing.T) {
	for _, c := range []struct {
		name     string
		method   uint16
		raw      bool
		files    int
		archives int64
	}{
		{"deflate", zip.Deflate, false, 0, 1},
		{"store+descriptor", zip.Store, false, 0, 1},
		{"store", zip.Store, true, 0, 1},
		{"capped at 30 files", zip.Deflate, false, 30, 4},
	} {
		t.Run(c.name, func(t *testing.T) {
			f := &fakeArchiver{fakeDrives: newFakeDrives(), method: c.method, raw: c.raw}
			d := newTestDrives(t, f.fakeDrives, Options{})
			d.archives.src = f // the fake's methods are the source's
			if c.files > 0 {
				d.archives.maxFiles = c.files
			}
			list := smallDir(t, f, d, 100, 3000)
			for _, e := range list {
				readWhole(t, d, f, e)
			}
			if n := f.opens(); n != 2 {
				t.Errorf("%d files fetched on their own, want 2: %v", n, f.opensLogged())
			}
			if n := f.archives.Load(); n != c.archives {
				t.Errorf("%d archives, want %d", n, c.archives)
			}
		})
	}
}

// newArchiveDrives is a Drives over f with archives on.
func newArchiveDrives(t *testing.T, f *fakeArchiver, o Options) *Drives {
	t.Helper()
	d := NewDrives(f, o)
	t.Cleanup(func() { d.Close() })
	if d.archives.src == nil {
		t.Fatal("archives off for an Archiver")
	}
	return d
}

// An entry whose size is not the listed one is a miss, never stored: the
// file is fetched on its own, and the others still come by archive.
func TestArchiveSizeMismatchIsAMiss(t *testing.T) {
	f := &fakeArchiver{fakeDrives: newFakeDrives(), method: zip.Deflate}
	d := newArchiveDrives(t, f, Options{})
	list := smallDir(t, f, d, 40, 3000)
	f.alter = map[int64][]byte{list[20].ID: bytes.Repeat([]byte("x"), 3001), list[21].ID: []byte("short")}
	for _, e := range list {
		readWhole(t, d, f, e)
	}
	if n := f.opens(); n != 4 {
		t.Errorf("%d files fetched on their own, want 4 (two, then the two that differ)", n)
	}
	if n := f.archives.Load(); n != 1 {
		t.Errorf("%d archives, want 1", n)
	}
}

// A refused archive route makes the drive's files come one by one, and
// the route is not asked again.
func TestArchiveRefusalFallsBack(t *testing.T) {
	f := &fakeArchiver{fakeDrives: newFakeDrives(), method: zip.Deflate,
		err: fmt.Errorf("archive: %w", remote.ErrInvalid)}
	d := newArchiveDrives(t, f, Options{})
	list := smallDir(t, f, d, 60, 3000)
	for _, e := range list {
		readWhole(t, d, f, e)
	}
	if n := f.archives.Load(); n != 1 {
		t.Errorf("refused archive route asked %d times, want 1", n)
	}
	if n := f.opens(); n != 60 {
		t.Errorf("%d files fetched on their own, want 60", n)
	}
}

// A reader of a file that a running archive brings waits for it instead
// of downloading it; and ArchiveMax 0 (negative) turns archives off.
func TestArchiveReaderWaits(t *testing.T) {
	f := &fakeArchiver{fakeDrives: newFakeDrives(), method: zip.Deflate, gate: make(chan struct{})}
	d := newArchiveDrives(t, f, Options{})
	list := smallDir(t, f, d, 30, 3000)
	readWhole(t, d, f, list[0])
	readWhole(t, d, f, list[1]) // a scan: the archive starts, held after one entry
	eventually(t, "the archive", func() bool { return f.archives.Load() == 1 })
	done := make(chan struct{})
	go func() {
		defer close(done)
		readWhole(t, d, f, list[20])
	}()
	select {
	case <-done:
		t.Fatal("the reader did not wait for the archive")
	case <-time.After(100 * time.Millisecond):
	}
	close(f.gate)
	<-done
	if n := f.opens(); n != 2 {
		t.Errorf("%d files fetched on their own, want 2", n)
	}

	off := &fakeArchiver{fakeDrives: newFakeDrives(), method: zip.Deflate}
	if d := NewDrives(off, Options{ArchiveMax: -1}); d.archives.src != nil {
		d.Close()
		t.Fatal("archives on with ArchiveMax < 0")
	} else {
		d.Close()
	}
}

// A reader waiting on an archive that stalls fetches the file itself
// after ArchiveWait.
func TestArchiveWaitTimesOut(t *testing.T) {
	f := &fakeArchiver{fakeDrives: newFakeDrives(), method: zip.Deflate, gate: make(chan struct{})}
	defer close(f.gate)
	d := newArchiveDrives(t, f, Options{ArchiveWait: 50 * time.Millisecond})
	list := smallDir(t, f, d, 30, 3000)
	readWhole(t, d, f, list[0])
	readWhole(t, d, f, list[1])
	start := time.Now()
	readWhole(t, d, f, list[20])
	if took := time.Since(start); took < 50*time.Millisecond {
		t.Errorf("gave up on the archive after %v", took)
	}
	if n := f.opens(); n != 3 {
		t.Errorf("%d files fetched on their own, want 3", n)
	}
}

// With a disk tier, what an archive brings is on disk too.
func TestArchiveFillsDisk(t *testing.T) {
	disk, err := OpenDisk(t.TempDir(), 1<<30, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	f := &fakeArchiver{fakeDrives: newFakeDrives(), method: zip.Deflate}
	d := NewDrives(f, Options{Disk: disk})
	list := smallDir(t, f, d, 50, 3000)
	readWhole(t, d, f, list[0])
	readWhole(t, d, f, list[1])
	eventually(t, "the archive on disk", func() bool {
		for _, e := range list[2:] {
			if !disk.hasBlock(fileKey{e.DriveID, e.ID, e.Version}, 0) {
				return false
			}
		}
		return true
	})
	d.Close()
	disk.Close()
}
