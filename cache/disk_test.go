package cache

import (
	"bytes"
	"context"
	"errors"
	"io/fs"
	"log/slog"
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"
)

func randomBytes(n int, seed uint64) []byte {
	b := make([]byte, n)
	rand.NewChaCha8([32]byte{byte(seed), byte(seed >> 8)}).Read(b)
	return b
}

func openTestDisk(t *testing.T, dir string, budget int64) *Disk {
	t.Helper()
	d, err := OpenDisk(dir, budget, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.Close() })
	return d
}

// flushDisk waits until the writer has stored n bytes' worth of files.
func flushDisk(t *testing.T, d *Disk, blocks ...[]byte) {
	t.Helper()
	var want int64
	for _, b := range blocks {
		want += int64(len(b)) + 16 + 4*((int64(len(b))+diskPiece-1)/diskPiece)
	}
	eventually(t, "blocks on disk", func() bool { return d.bytes() >= want })
}

// A block written by one run is read back whole, and piece by piece, by
// the next.
func TestDiskRoundTripAcrossRuns(t *testing.T) {
	dir := t.TempDir()
	const blockLen = 3*diskPiece + 1000 // a short last piece
	data := randomBytes(blockLen, 1)
	name := blockName(fileKey{1, 42, "v1"}, 3)

	d := openTestDisk(t, dir, 1<<30)
	d.write(name, data)
	flushDisk(t, d, data)
	d.Close()

	d = openTestDisk(t, dir, 1<<30)
	tests := []struct{ off, n int64 }{
		{0, blockLen},
		{diskPiece, diskPiece},
		{3 * diskPiece, 1000},
		{diskPiece, 100}, // the start of a piece only
	}
	for _, tc := range tests {
		got, ok := d.read(name, tc.off, tc.n, blockLen)
		if !ok || !bytes.Equal(got, data[tc.off:tc.off+tc.n]) {
			t.Errorf("read %d+%d: ok=%v, %d bytes, equal=%v", tc.off, tc.n, ok, len(got), bytes.Equal(got, data[tc.off:tc.off+tc.n]))
		}
	}
	if _, ok := d.read(blockName(fileKey{1, 42, "v2"}, 3), 0, blockLen, blockLen); ok {
		t.Error("another version's name was found")
	}
}

// Damage is a miss and removes the file; it never yields wrong bytes.
func TestDiskDamageIsAMiss(t *testing.T) {
	const blockLen = 2 * diskPiece
	tests := []struct {
		name    string
		damage  func(path string)
		readLen int64 // the length the reader expects
	}{
		{"flipped byte", func(p string) {
			b, _ := os.ReadFile(p)
			b[len(b)-5] ^= 0xff
			os.WriteFile(p, b, 0o600)
		}, blockLen},
		{"truncated", func(p string) { os.Truncate(p, 100) }, blockLen},
		{"other length expected", func(string) {}, blockLen - 1},
		{"absurd length, whole-file read", func(p string) {
			b, _ := os.ReadFile(p)
			copy(b[8:], []byte{0xff, 0xff, 0xff, 0xff})
			os.WriteFile(p, b, 0o600)
		}, -1},
		{"flipped byte, whole-file read", func(p string) {
			b, _ := os.ReadFile(p)
			b[len(b)/2] ^= 1
			os.WriteFile(p, b, 0o600)
		}, -1},
		{"garbage header", func(p string) {
			b, _ := os.ReadFile(p)
			copy(b, "NOTABLOCK")
			os.WriteFile(p, b, 0o600)
		}, blockLen},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			d := openTestDisk(t, t.TempDir(), 1<<30)
			data := randomBytes(blockLen, 2)
			name := blockName(fileKey{1, 7, "v"}, 0)
			d.write(name, data)
			flushDisk(t, d, data)
			tc.damage(d.path(name))
			if got, ok := d.read(name, 0, tc.readLen, tc.readLen); ok {
				t.Fatalf("damaged block served (%d bytes)", len(got))
			}
			if _, err := os.Stat(d.path(name)); !errors.Is(err, fs.ErrNotExist) {
				t.Errorf("damaged file kept: %v", err)
			}
			if d.bytes() != 0 {
				t.Errorf("index still counts %d bytes", d.bytes())
			}
		})
	}
}

// The budget holds: the least recently read block goes first, and a budget
// shrunk between runs is applied at start.
func TestDiskBudgetEvictsLeastRecentlyUsed(t *testing.T) {
	dir := t.TempDir()
	const blockLen = diskPiece
	file := int64(blockLen + 20)
	d := openTestDisk(t, dir, 3*file)
	blocks := make([][]byte, 4)
	names := make([]string, 4)
	for i := range 3 {
		blocks[i], names[i] = randomBytes(blockLen, uint64(i)), blockName(fileKey{1, int64(i), "v"}, 0)
		d.write(names[i], blocks[i])
		flushDisk(t, d, blocks[:i+1]...)
	}
	if _, ok := d.read(names[0], 0, blockLen, blockLen); !ok { // 0 is now the most recent
		t.Fatal("block 0 missing")
	}
	blocks[3], names[3] = randomBytes(blockLen, 3), blockName(fileKey{1, 3, "v"}, 0)
	d.write(names[3], blocks[3])
	eventually(t, "block 3 written", func() bool { _, ok := d.read(names[3], 0, blockLen, blockLen); return ok })
	if _, ok := d.read(names[1], 0, blockLen, blockLen); ok {
		t.Error("the least recently used block survived")
	}
	for _, i := range []int{0, 2, 3} {
		if _, ok := d.read(names[i], 0, blockLen, blockLen); !ok {
			t.Errorf("block %d evicted", i)
		}
	}
	if d.bytes() > 3*file {
		t.Errorf("%d bytes on disk, budget %d", d.bytes(), 3*file)
	}
	d.Close()

	d = openTestDisk(t, dir, file)
	if d.bytes() > file {
		t.Errorf("after a restart with a smaller budget: %d bytes, budget %d", d.bytes(), file)
	}
}

// One daemon per directory; the blocks are private to the user.
func TestDiskExclusiveAndPrivate(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "cache")
	d := openTestDisk(t, dir, 1<<30)
	if _, err := OpenDisk(dir, 1<<30, slog.New(slog.DiscardHandler)); !errors.Is(err, ErrDiskCacheBusy) {
		t.Fatalf("second open: %v, want ErrDiskCacheBusy", err)
	}
	data := randomBytes(1000, 3)
	name := blockName(fileKey{1, 1, "v"}, 0)
	d.write(name, data)
	flushDisk(t, d, data)
	// A blocks directory planted as a symlink (say, in a shared --cache-dir).
	os.MkdirAll(filepath.Join(dir, "trap"), 0o700)
	if err := os.Symlink(t.TempDir(), filepath.Join(dir, "trap", "blocks")); err != nil {
		t.Fatal(err)
	}
	if _, err := OpenDisk(filepath.Join(dir, "trap"), 1<<30, slog.New(slog.DiscardHandler)); err == nil {
		t.Error("a symlink was taken for the blocks directory")
	}
	os.RemoveAll(filepath.Join(dir, "trap"))
	filepath.WalkDir(dir, func(p string, e fs.DirEntry, err error) error {
		info, _ := e.Info()
		want := fs.FileMode(0o600)
		if e.IsDir() {
			want = 0o700 | fs.ModeDir
		}
		if info.Mode() != want {
			t.Errorf("%s: mode %v, want %v", p, info.Mode(), want)
		}
		return nil
	})
	d.Close()
	d2 := openTestDisk(t, dir, 1<<30) // released on close
	if _, ok := d2.read(name, 0, 1000, 1000); !ok {
		t.Error("block lost across close")
	}
}

// Through Drives: a file read once is read again after a restart (fresh
// memory) without one request, sequentially or at random.
func TestDrivesReadFromDiskAfterRestart(t *testing.T) {
	const bs = 4 * diskPiece
	f := newFakeDrives()
	e := f.addFile(1, 10, 3*bs+5000)
	dir := t.TempDir()
	o := Options{BlockSize: bs, CacheSize: 64 << 20}
	o.Disk = openTestDisk(t, dir, 1<<30)
	d := NewDrives(f, o)
	if got, err := readAll(context.Background(), d, e, 128<<10); err != nil || !bytes.Equal(got, f.bytesOf(10)) {
		t.Fatalf("cold read: %v", err)
	}
	eventually(t, "blocks on disk", func() bool { return o.Disk.bytes() >= e.Size })
	d.Close()
	o.Disk.Close()
	opens := f.opens()

	o.Disk = openTestDisk(t, dir, 1<<30)
	d = NewDrives(f, o)
	defer d.Close()
	// Random 4 KiB reads take the sub-block path.
	for _, off := range []int64{2*bs + 3*diskPiece + 17, diskPiece + 5, 3 * bs} {
		checkRead(t, d, e, f.bytesOf(10), off, 4096)
	}
	if got, err := readAll(context.Background(), d, e, 128<<10); err != nil || !bytes.Equal(got, f.bytesOf(10)) {
		t.Fatalf("warm read: %v", err)
	}
	if n := f.opens() - opens; n != 0 {
		t.Errorf("%d requests after a restart; the disk had every block", n)
	}
}

// Through Mail: after a restart, exact sizes and bytes of messages seen
// before come from the disk, sizes of messages never seen from the server;
// drives and mail share one disk (one lock), kept apart by name.
func TestMailFromDiskAfterRestart(t *testing.T) {
	f := newFakeMail(20)
	dir := t.TempDir()
	o := Options{}
	o.Disk = openTestDisk(t, dir, 1<<30)
	m := NewMail(f, o)
	var want []byte
	for _, uid := range []string{"1", "2", "3", "20"} {
		// Raw, not Size: a size scan would learn its neighbours ahead and
		// could fill the disk's write queue before these are written.
		if _, err := m.Raw(context.Background(), "mb", "inbox", uid); err != nil {
			t.Fatal(err)
		}
		want = append(want, f.msg(uid)...)
	}
	eventually(t, "messages on disk", func() bool { return o.Disk.bytes() >= int64(len(want)) })
	m.Close()
	o.Disk.Close()
	raws := f.raws()

	o.Disk = openTestDisk(t, dir, 1<<30)
	m = newTestMail(t, f, o)
	for _, uid := range []string{"1", "2", "3", "20"} {
		// Read first: a size scan would learn the neighbours' sizes ahead,
		// downloading messages the disk never held.
		got, err := m.Raw(context.Background(), "mb", "inbox", uid)
		if err != nil || !bytes.Equal(got, f.msg(uid)) {
			t.Fatalf("message %s: %v, equal %v", uid, err, bytes.Equal(got, f.msg(uid)))
		}
		n, err := m.Size(context.Background(), "mb", "inbox", uid)
		if err != nil || n != int64(len(f.msg(uid))) {
			t.Fatalf("size of %s: %d, %v; want %d", uid, n, err, len(f.msg(uid)))
		}
	}
	if n := f.raws() - raws; n != 0 {
		t.Errorf("%d downloads of messages the disk holds", n)
	}
	if _, err := m.Raw(context.Background(), "mb", "other", "1"); err == nil {
		t.Error("message 1 of another folder served from the disk")
	}
}
