package cache

import (
	"bytes"
	"context"
	"log/slog"
	"strings"
	"testing"
)

// By default Size never joins a scan's look-ahead, the first download of a
// message whose listing lied counts one mismatch (and logs it once), and
// a message on disk has a known size without a download.
func TestMailListedSizeMismatch(t *testing.T) {
	ctx := context.Background()
	f := newFakeMail(5) // every listed size is 17 bytes too big
	var log bytes.Buffer
	o := Options{Logger: slog.New(slog.NewTextHandler(&log, nil))}
	dir := t.TempDir()
	o.Disk = openTestDisk(t, dir, 1<<30)
	m := NewMail(f, o)
	if m.ExactSizes() {
		t.Fatal("exact sizes by default")
	}
	list, err := m.Messages(ctx, "mb", "inbox")
	if err != nil {
		t.Fatal(err)
	}
	for _, msg := range list {
		if _, ok := m.KnownSize("mb", "inbox", msg.UID); ok {
			t.Fatalf("size of %s known before any download", msg.UID)
		}
	}
	for range 2 {
		for _, uid := range []string{"1", "2"} {
			if _, err := m.Size(ctx, "mb", "inbox", uid); err != nil {
				t.Fatal(err)
			}
			if _, err := m.Raw(ctx, "mb", "inbox", uid); err != nil {
				t.Fatal(err)
			}
		}
	}
	if n := f.raws(); n != 2 {
		t.Errorf("%d downloads, want 2 (no look-ahead by default)", n)
	}
	if n := m.SizeMismatches(); n != 2 {
		t.Errorf("SizeMismatches = %d, want 2", n)
	}
	if n := strings.Count(log.String(), "listed size was wrong"); n != 2 {
		t.Errorf("%d log lines about wrong sizes, want one per message:\n%s", n, log.String())
	}
	eventually(t, "messages on disk", func() bool {
		return o.Disk.bytes() >= int64(len(f.msg("1"))+len(f.msg("2")))
	})
	m.Close()
	o.Disk.Close()

	o.Disk = openTestDisk(t, dir, 1<<30)
	m = newTestMail(t, f, o)
	// As the tree does: a message is named from its folder's listing,
	// whose identity of it finds its bytes on disk.
	if _, err := m.Messages(ctx, "mb", "inbox"); err != nil {
		t.Fatal(err)
	}
	raws := f.raws()
	if n, ok := m.KnownSize("mb", "inbox", "2"); !ok || n != int64(len(f.msg("2"))) {
		t.Errorf("KnownSize of a message on disk = %d, %v; want %d", n, ok, len(f.msg("2")))
	}
	if _, ok := m.KnownSize("mb", "inbox", "3"); ok {
		t.Error("size of a message never downloaded is known")
	}
	if n := f.raws() - raws; n != 0 {
		t.Errorf("KnownSize downloaded %d messages", n)
	}
}
