package cache

import (
	"bytes"
	"context"
	"io"
	"strings"
	"testing"

	"github.com/infomaniakfs/infomaniakfs/remote"
)

// TestSameVersionEditNeverServesOldBytes: the feed reports a file_update
// whose mtime and size (its Version) did not move: a same-second,
// same-size edit. The cached bytes of that Version may be the old ones, so
// the item gets a new Version (the file system then drops the kernel's
// pages), and a read returns the new bytes, never the cached old ones.
func TestSameVersionEditNeverServesOldBytes(t *testing.T) {
	ctx := context.Background()
	f := newFeedFake()
	d := NewDrives(mtimeSizeOpen{f}, Options{})
	t.Cleanup(func() { d.Close() })
	got := make(chan DriveChange, 10)
	d.SubscribeDriveChanges(func(ch DriveChange) { got <- ch })
	if _, err := d.List(ctx, 1, 1); err != nil {
		t.Fatal(err)
	}
	e, err := d.Stat(ctx, 1, 11)
	if err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, e.Size)
	if _, err := d.ReadAt(ctx, e, buf, 0); err != nil || !bytes.Equal(buf, f.bytesOf(11)) {
		t.Fatalf("first read: %v", err)
	}
	fresh := bytes.Repeat([]byte{'n'}, int(e.Size))
	f.rewrite(11, fresh, e.Version) // same size, same Version: one file_update
	if ch := next(t, got); ch.Kind != DriveUpdated || ch.ID != 11 {
		t.Fatalf("change %+v, want item 11 updated", ch)
	}
	now, err := d.Stat(ctx, 1, 11)
	if err != nil || now.Version == e.Version || !strings.HasPrefix(now.Version, e.Version+"~") {
		t.Fatalf("Version after a same-version edit %q (%v), was %q: want a local one", now.Version, err, e.Version)
	}
	if _, err := d.ReadAt(ctx, now, buf, 0); err != nil || !bytes.Equal(buf, fresh) {
		t.Fatalf("read after the edit: %v, new bytes: %v", err, bytes.Equal(buf, fresh))
	}
	// The old Version comes back with the next snapshot: its blocks were
	// dropped, so it reads the new bytes too.
	if _, err := d.ReadAt(ctx, e, buf, 0); err != nil || !bytes.Equal(buf, fresh) {
		t.Fatalf("read under the old Version after the edit: %v, new bytes: %v", err, bytes.Equal(buf, fresh))
	}
	// A second such edit: neither Version may serve the first edit's
	// bytes, now cached under both.
	second := bytes.Repeat([]byte{'s'}, int(e.Size))
	f.rewrite(11, second, e.Version)
	next(t, got)
	again, _ := d.Stat(ctx, 1, 11)
	if again.Version == now.Version || strings.Count(again.Version, "~") != 1 {
		t.Errorf("second same-version edit: Version %q after %q, want a new one with one mark", again.Version, now.Version)
	}
	for _, v := range []remote.Entry{again, e} {
		if _, err := d.ReadAt(ctx, v, buf, 0); err != nil || !bytes.Equal(buf, second) {
			t.Errorf("read under %q after the second edit: %v, newest bytes: %v", v.Version, err, bytes.Equal(buf, second))
		}
	}
}

// mtimeSizeOpen opens as kdrive.Client does: the bytes must match the
// entry's size and mtime, not its Version (which the fake checks whole).
type mtimeSizeOpen struct{ *feedFake }

func (m mtimeSizeOpen) Open(ctx context.Context, e remote.Entry, off, length int64) (io.ReadCloser, error) {
	e.Version, _, _ = strings.Cut(e.Version, "~")
	return m.feedFake.Open(ctx, e, off, length)
}
