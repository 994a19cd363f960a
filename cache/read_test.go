package cache

import (
	"bytes"
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/infomaniakfs/infomaniakfs/remote"
)

// checkRead reads [off, off+n) of e through d and compares with want, the
// file's true bytes, including io.ReaderAt's EOF rules.
func checkRead(t *testing.T, d *Drives, e remote.Entry, want []byte, off int64, n int) {
	t.Helper()
	p := make([]byte, n)
	got, err := d.ReadAt(context.Background(), e, p, off)
	wantN := 0
	if off < int64(len(want)) {
		wantN = min(n, len(want)-int(off))
	}
	if got != wantN {
		t.Fatalf("ReadAt(off %d, len %d) of %d bytes = %d, %v; want %d", off, n, len(want), got, err, wantN)
	}
	switch {
	case n > 0 && wantN < n && err != io.EOF:
		t.Fatalf("ReadAt(off %d, len %d) short without io.EOF: %v", off, n, err)
	case wantN == n && err != nil:
		t.Fatalf("ReadAt(off %d, len %d): %v", off, n, err)
	}
	if wantN > 0 && !bytes.Equal(p[:got], want[off:off+int64(got)]) {
		t.Fatalf("ReadAt(off %d, len %d): wrong bytes", off, n)
	}
}

func TestReadAtExact(t *testing.T) {
	tests := []struct {
		name      string
		blockSize int64
		size      int64
		cacheSize int64
	}{
		{"empty", 1000, 0, 0},
		{"one byte", 1000, 1, 0},
		{"block minus one", 1000, 999, 0},
		{"one block", 1000, 1000, 0},
		{"block plus one", 1000, 1001, 0},
		{"many blocks", 1000, 12345, 0},
		{"odd block", 4093, 50000, 0},
		{"no cache", 1000, 12345, -1},
		{"tiny cache", 1000, 30000, 5000},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := newFakeDrives()
			e := f.addFile(1, 10, tc.size)
			want := f.bytesOf(10)
			d := newTestDrives(t, f, Options{BlockSize: tc.blockSize, CacheSize: tc.cacheSize})
			r := rand.New(rand.NewPCG(1, uint64(tc.size)))
			fixed := []struct {
				off int64
				n   int
			}{
				{0, 0}, {0, 1}, {0, int(tc.size)}, {0, int(tc.size) + 10}, {tc.size, 1}, {tc.size + 5, 3},
				{tc.blockSize - 1, 2}, {tc.blockSize, int(2 * tc.blockSize)}, {max(0, tc.size-1), 100},
			}
			for _, c := range fixed {
				checkRead(t, d, e, want, c.off, c.n)
			}
			for i := 0; i < 300; i++ {
				off := r.Int64N(tc.size + 2)
				n := r.IntN(int(3*tc.blockSize) + 1)
				checkRead(t, d, e, want, off, n)
			}
		})
	}
}

func TestReadAtRejects(t *testing.T) {
	f := newFakeDrives()
	e := f.addFile(1, 10, 100)
	d := newTestDrives(t, f, Options{})
	if _, err := d.ReadAt(context.Background(), e, make([]byte, 1), -1); err == nil {
		t.Fatal("negative offset accepted")
	}
	dir := remote.Entry{ID: 1, DriveID: 1, IsDir: true}
	if _, err := d.ReadAt(context.Background(), dir, make([]byte, 1), 0); !errors.Is(err, remote.ErrInvalid) {
		t.Fatalf("read of a directory: %v", err)
	}
}

// readAll reads e sequentially in chunks of n bytes, as the kernel does.
func readAll(ctx context.Context, d *Drives, e remote.Entry, n int) ([]byte, error) {
	out := make([]byte, e.Size+int64(n))
	for off := int64(0); ; {
		got, err := d.ReadAt(ctx, e, out[off:off+int64(n)], off)
		off += int64(got)
		if err == io.EOF {
			return out[:off], nil
		}
		if err != nil {
			return out[:off], err
		}
	}
}

// A sequential read costs one Open per block, each of exactly that block,
// read-ahead stops at EOF, and a second read costs nothing.
func TestSequentialFetchCount(t *testing.T) {
	const bs, blocks = 16 << 10, 64
	tests := []struct {
		name string
		size int64
	}{
		{"whole blocks", bs * blocks},
		{"partial last block", bs*blocks - 1000},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := newFakeDrives()
			e := f.addFile(1, 10, tc.size)
			d := newTestDrives(t, f, Options{BlockSize: bs, CacheSize: 4 << 20})
			got, err := readAll(context.Background(), d, e, 4096)
			if err != nil || !bytes.Equal(got, f.bytesOf(10)) {
				t.Fatalf("read %d bytes, err %v; content differs", len(got), err)
			}
			d.blocks.wait()
			if _, err := readAll(context.Background(), d, e, 4096); err != nil {
				t.Fatal(err)
			}
			// Read-ahead may still be finishing its last fetches.
			time.Sleep(20 * time.Millisecond)
			log := f.opensLogged()
			if len(log) != blocks {
				t.Fatalf("%d Open calls, want %d", len(log), blocks)
			}
			seen := map[int64]bool{}
			for _, c := range log {
				wantLen := min(bs, tc.size-c.off)
				if c.off%bs != 0 || c.length != wantLen || seen[c.off] || c.off >= tc.size {
					t.Fatalf("bad or repeated Open %+v", c)
				}
				seen[c.off] = true
			}
		})
	}
}

func TestConcurrentReadersFetchOnce(t *testing.T) {
	const bs, size = 8 << 10, 40<<10*8 + 123
	f := newFakeDrives()
	e := f.addFile(1, 10, size)
	f.latency = 2 * time.Millisecond
	d := newTestDrives(t, f, Options{BlockSize: bs, CacheSize: 8 << 20})
	want := f.bytesOf(10)
	var wg sync.WaitGroup
	errs := make(chan error, 32)
	for i := 0; i < 32; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			got, err := readAll(context.Background(), d, e, 1000+i*97)
			if err == nil && !bytes.Equal(got, want) {
				err = fmt.Errorf("reader %d: wrong bytes", i)
			}
			errs <- err
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	blocks := int64((size + bs - 1) / bs)
	if n := f.opens(); n != blocks {
		t.Fatalf("32 readers cost %d Open calls, want %d (one per block)", n, blocks)
	}
}

// Read-ahead fetches the next blocks of a sequential reader, so its later
// reads are served with no fetch at all: here every new Open hangs. The
// window is at most half of what the stream has read (and ReadAhead).
func TestReadAheadPrefetches(t *testing.T) {
	const bs = 1000
	f := newFakeDrives()
	e := f.addFile(1, 10, 20*bs)
	want := f.bytesOf(10)
	d := newTestDrives(t, f, Options{BlockSize: bs, ReadAhead: 4, CacheSize: 1 << 20})
	for off := int64(0); off < 8*bs; off += 250 {
		checkRead(t, d, e, want, off, 250)
	}
	eventually(t, "read-ahead of blocks 8-11", func() bool { return f.opens() == 12 })
	log := f.opensLogged()
	slices.SortFunc(log, func(a, b openCall) int { return cmp.Compare(a.off, b.off) })
	for i, c := range log {
		if c.off != int64(i)*bs {
			t.Fatalf("fetch %d at %d, want %d", i, c.off, i*bs)
		}
	}
	f.mu.Lock()
	f.gate = make(chan struct{})
	f.mu.Unlock()
	defer close(f.gate)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	p := make([]byte, 250)
	for off := int64(8 * bs); off < 12*bs; off += 250 {
		if _, err := d.ReadAt(ctx, e, p, off); err != nil {
			t.Fatalf("read at %d waited for a fetch: %v", off, err)
		}
		if !bytes.Equal(p, want[off:off+250]) {
			t.Fatalf("wrong bytes at %d", off)
		}
	}
}

// A reader that stops costs little read-ahead beyond where it stopped,
// however many read the file at once: 8 readers each read 8 blocks from
// their own eighth of the file, and fetches may not run far past them.
func TestReadAheadStopsWithItsReaders(t *testing.T) {
	const bs, part = 1000, 40
	f := newFakeDrives()
	f.latency = 2 * time.Millisecond
	e := f.addFile(1, 10, 8*part*bs)
	want := f.bytesOf(10)
	d := newTestDrives(t, f, Options{BlockSize: bs, ReadAhead: 8, Parallel: 8, CacheSize: 1 << 20})
	var wg sync.WaitGroup
	for r := range int64(8) {
		wg.Go(func() {
			p := make([]byte, 250)
			for off := r * part * bs; off < (r*part+8)*bs; off += 250 {
				if n, err := d.ReadAt(context.Background(), e, p, off); err != nil || !bytes.Equal(p[:n], want[off:off+250]) {
					t.Errorf("reader %d at %d: %d bytes, %v", r, off, n, err)
					return
				}
			}
		})
	}
	wg.Wait()
	time.Sleep(50 * time.Millisecond) // read-ahead already asked for lands
	// 64 blocks read; a window of half what each read is 4 blocks more each.
	if n := f.opens(); n > 64+8*4 {
		t.Errorf("8 readers of 8 blocks cost %d fetches, want at most %d", n, 64+8*4)
	}
	t.Logf("%d fetches for 64 blocks read", f.opens())
}

// Scattered reads fetch only what they touch.
func TestRandomReadsDoNotPrefetch(t *testing.T) {
	const bs = 1000
	f := newFakeDrives()
	e := f.addFile(1, 10, 100*bs)
	d := newTestDrives(t, f, Options{BlockSize: bs, ReadAhead: 8})
	for _, off := range []int64{50 * bs, 10*bs + 5, 90 * bs, 30*bs + 900, 70 * bs} {
		checkRead(t, d, e, f.bytesOf(10), off, 10)
	}
	time.Sleep(20 * time.Millisecond)
	if n := f.opens(); n != 5 {
		t.Fatalf("5 scattered reads cost %d fetches, want 5", n)
	}
}

// A read that continues no stream fetches only the sub-blocks it covers,
// not whole blocks: random 4 KiB reads must not wait for 4 MiB each.
func TestRandomReadFetchesSubBlocks(t *testing.T) {
	f := newFakeDrives()
	e := f.addFile(1, 10, 64<<20)
	d := newTestDrives(t, f, Options{})
	p := make([]byte, 4096)
	for _, off := range []int64{9<<20 + 12345, 30<<20 + 5, 60<<20 + 262140} { // the last spans two sub-blocks
		n, err := d.ReadAt(context.Background(), e, p, off)
		if n != len(p) || err != nil {
			t.Fatalf("ReadAt(%d) = %d, %v", off, n, err)
		}
		if want := f.bytesOf(10)[off : off+4096]; string(p) != string(want) {
			t.Fatalf("ReadAt(%d): wrong bytes", off)
		}
	}
	var fetched int64
	opens := f.opensLogged()
	for _, c := range opens {
		fetched += c.length
	}
	if len(opens) != 4 || fetched > 4*subBlock {
		t.Errorf("3 random reads fetched %d ranges, %d bytes; want 4 sub-blocks of at most %d", len(opens), fetched, subBlock)
	}
}

// A first read at a large file's start (MIME sniffing: 4 KiB, 128 KiB
// once the kernel rounds it up) fetches one sub-block, not a block and
// its read-ahead; a reader that goes on gets blocks and read-ahead.
func TestFirstReadFetchesASubBlock(t *testing.T) {
	const bs = 4 << 20
	f := newFakeDrives()
	e := f.addFile(1, 10, 16<<20)
	want := f.bytesOf(10)
	d := newTestDrives(t, f, Options{BlockSize: bs, ReadAhead: 4, CacheSize: 64 << 20})
	checkRead(t, d, e, want, 0, 4096)
	checkRead(t, d, e, want, 4096, 128<<10-4096)
	checkRead(t, d, e, want, 128<<10, 128<<10)
	d.blocks.wait()
	if got := d.Stats().FetchedBytes; got != subBlock {
		t.Fatalf("sniffing the first 256 KiB fetched %d bytes, want one sub-block (%d)", got, subBlock)
	}
	for off := int64(256 << 10); off < 2<<20; off += 128 << 10 {
		checkRead(t, d, e, want, off, 128<<10)
	}
	eventually(t, "block 0 and read-ahead of block 1", func() bool { return f.opens() >= 3 })
}
