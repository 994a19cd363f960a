package remotetest

import (
	"bytes"
	"context"
	"errors"
	"io"
	"testing"

	"github.com/infomaniakfs/infomaniakfs/remote"
)

// ReaderAt is the cached read a drive cache offers on top of the
// contract (cache.Drives: what the file system reads through).
type ReaderAt interface {
	ReadAt(ctx context.Context, e remote.Entry, p []byte, off int64) (int, error)
}

// testReadAt holds ReadAt to io.ReaderAt's rules and to Open's: exactly
// the bytes of the range, a short read only at EOF (with io.EOF), and
// never bytes of another version than e's.
func testReadAt(t *testing.T, d remote.Drives, w DriveWorld) {
	r, ok := d.(ReaderAt)
	if !ok {
		t.Skip("no ReadAt")
	}
	const size = 300<<10 + 17
	e, want := file(t, d, w, size)
	ranges := []struct {
		name   string
		off, n int64
	}{
		{"head", 0, 100},
		{"across blocks", 65_000, 140_000},
		{"middle", 123_457, 4096},
		{"tail", size - 10, 10},
		{"past the end", size - 10, 1000},
		{"at EOF", size, 10},
		{"beyond EOF", size + 100, 10},
	}
	for _, rg := range ranges {
		p := make([]byte, rg.n)
		n, err := r.ReadAt(t.Context(), e, p, rg.off)
		lo, hi := min(rg.off, size), min(rg.off+rg.n, size)
		if n != int(hi-lo) || !bytes.Equal(p[:n], want[lo:hi]) {
			t.Errorf("%s [%d, +%d): %d bytes (%v), want %d", rg.name, rg.off, rg.n, n, err, hi-lo)
		}
		if short := hi-lo < rg.n; short && !errors.Is(err, io.EOF) || !short && err != nil {
			t.Errorf("%s: err %v", rg.name, err)
		}
	}
	w.Modify(t, e.DriveID, e.ID)
	p := make([]byte, size)
	n, err := r.ReadAt(t.Context(), e, p, 0)
	if err != nil && !errors.Is(err, remote.ErrChanged) && !errors.Is(err, io.EOF) {
		t.Errorf("old version after a change: %v, want ErrChanged", err)
	}
	if !bytes.Equal(p[:n], want[:n]) {
		t.Errorf("old version after a change: %d bytes, not all of the old version", n)
	}
}

// MailReaderAt is the cached read a mail cache offers on top of the
// contract (cache.Mail: what the file system reads through).
type MailReaderAt interface {
	ReadAt(ctx context.Context, mailbox, folderID, uid string, p []byte, off int64) (int, error)
	Size(ctx context.Context, mailbox, folderID, uid string) (int64, error)
}

func testMailReadAt(t *testing.T, m remote.Mail, w MailWorld) {
	r, ok := m.(MailReaderAt)
	if !ok {
		t.Skip("no ReadAt")
	}
	mb, folder := w.Folder(t)
	raw := message()
	uid := w.AddMessage(t, mb, folder, raw)
	if n, err := r.Size(t.Context(), mb, folder, uid); err != nil || n != int64(len(raw)) {
		t.Errorf("size %d, %v; want %d", n, err, len(raw))
	}
	size := int64(len(raw))
	for _, rg := range []struct{ off, n int64 }{{0, 10}, {5, size - 5}, {size - 3, 10}, {size - 1, 2}, {size, 1}, {size + 5, 1}} {
		p := make([]byte, rg.n)
		n, err := r.ReadAt(t.Context(), mb, folder, uid, p, rg.off)
		lo, hi := min(rg.off, size), min(rg.off+rg.n, size)
		if n != int(hi-lo) || !bytes.Equal(p[:n], raw[lo:hi]) {
			t.Errorf("[%d, +%d): %d bytes (%v), want %d", rg.off, rg.n, n, err, hi-lo)
		}
		if short := hi-lo < rg.n; short && !errors.Is(err, io.EOF) || !short && err != nil {
			t.Errorf("[%d, +%d): err %v", rg.off, rg.n, err)
		}
	}
}
