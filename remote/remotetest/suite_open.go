package remotetest

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"testing"

	"github.com/infomaniakfs/infomaniakfs/remote"
)

// read opens a range and reads it whole.
func read(ctx context.Context, d remote.Drives, e remote.Entry, off, length int64) ([]byte, error) {
	rc, err := d.Open(ctx, e, off, length)
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	return io.ReadAll(rc)
}

// file adds a file of size bytes and returns its entry, as d states it.
func file(t *testing.T, d remote.Drives, w DriveWorld, size int64) (remote.Entry, []byte) {
	drive, dir := subdir(t, w)
	id := w.AddFile(t, drive, dir, "data.bin", size)
	e, err := d.Stat(t.Context(), drive, id)
	if err != nil {
		t.Fatal(err)
	}
	return e, w.Content(t, drive, id)
}

func testOpenRanges(t *testing.T, d remote.Drives, w DriveWorld) {
	const size = 300<<10 + 17
	e, want := file(t, d, w, size)
	if len(want) != size || e.Size != size {
		t.Fatalf("file of %d bytes, entry says %d, want %d", len(want), e.Size, size)
	}
	ranges := []struct {
		name        string
		off, length int64
		want        []byte
	}{
		{"whole", 0, -1, want},
		{"whole by length", 0, size, want},
		{"head", 0, 100, want[:100]},
		{"middle", 123_457, 65_536, want[123_457 : 123_457+65_536]},
		{"to EOF", 200_000, -1, want[200_000:]},
		{"tail", size - 10, 10, want[size-10:]},
		{"past the end, clipped", size - 10, 1000, want[size-10:]},
		{"at EOF", size, -1, nil},
		{"at EOF with a length", size, 10, nil},
		{"zero length", 5, 0, nil},
	}
	for _, r := range ranges {
		got, err := read(t.Context(), d, e, r.off, r.length)
		if err != nil || !bytes.Equal(got, r.want) {
			t.Errorf("%s [%d, +%d): %d bytes (%v), want %d", r.name, r.off, r.length, len(got), err, len(r.want))
		}
	}
	// Past EOF: nothing or an error, never bytes.
	if got, _ := read(t.Context(), d, e, size+100, 10); len(got) != 0 {
		t.Errorf("a range past EOF gave %d bytes", len(got))
	}
	// An empty file.
	e0, _ := file(t, d, w, 0)
	if got, err := read(t.Context(), d, e0, 0, -1); err != nil || len(got) != 0 {
		t.Errorf("empty file: %d bytes, %v", len(got), err)
	}
}

func testOpenChanged(t *testing.T, d remote.Drives, w DriveWorld) {
	e, old := file(t, d, w, 100<<10)
	w.Modify(t, e.DriveID, e.ID)
	fresh := w.Content(t, e.DriveID, e.ID)
	if bytes.Equal(fresh, old) {
		t.Fatal("Modify kept the content")
	}
	// The old entry: the old bytes exactly (a cache holding them) or
	// ErrChanged, never the new bytes nor a mix.
	got, err := read(t.Context(), d, e, 0, -1)
	if err != nil && !errorsIs(err, remote.ErrChanged) {
		t.Errorf("old version after a change: %v, want ErrChanged", err)
	}
	if err == nil && !bytes.Equal(got, old) {
		t.Errorf("old version after a change: %d bytes not all of the old version", len(got))
	}
	var cur remote.Entry
	eventually(t, "new version stated", func() error {
		var err error
		cur, err = d.Stat(t.Context(), e.DriveID, e.ID)
		if err != nil || cur.Version == e.Version {
			return fmt.Errorf("stat %+v, %v", cur, err)
		}
		return nil
	})
	got, err = read(t.Context(), d, cur, 0, -1)
	if err != nil || !bytes.Equal(got, fresh) {
		t.Errorf("new version: %d bytes (%v), equal %v", len(got), err, bytes.Equal(got, fresh))
	}
}

func testDrivesCancelled(t *testing.T, d remote.Drives, w DriveWorld) {
	drive, dir := subdir(t, w)
	sub := w.AddDir(t, drive, dir, "never-listed")
	id := w.AddFile(t, drive, dir, "f", 1<<20)
	// Never asked before: no cache can answer, so the call fails (or
	// the load it started wins the race with the cancellation).
	wantCanceled(t, "list", promptly(t, "list", func(ctx context.Context) error {
		_, err := d.List(ctx, drive, sub)
		return err
	}))
	e, err := d.Stat(t.Context(), drive, id)
	if err != nil {
		t.Fatal(err)
	}
	promptly(t, "open", func(ctx context.Context) error {
		got, err := read(ctx, d, e, 0, -1)
		if err == nil && !bytes.Equal(got, w.Content(t, drive, id)) {
			t.Errorf("a cancelled read gave %d wrong bytes", len(got))
		}
		return err
	})
	// Cancelled mid-body: the reader stops promptly.
	ctx, cancel := context.WithCancel(t.Context())
	rc, err := d.Open(ctx, e, 0, -1)
	if err != nil {
		cancel()
		t.Fatal(err)
	}
	defer rc.Close()
	cancel()
	promptly(t, "read after cancel", func(context.Context) error {
		_, err := io.ReadAll(rc)
		return err
	})
}

func testDrivesHanging(t *testing.T, d remote.Drives, w DriveWorld) {
	s, ok := w.(Staller)
	if !ok {
		t.Skip("the world cannot hang")
	}
	drive, dir := subdir(t, w)
	sub := w.AddDir(t, drive, dir, "never-listed")
	id := w.AddFile(t, drive, dir, "f", 1<<20)
	other := w.AddFile(t, drive, dir, "g", 1<<20)
	e, err := d.Stat(t.Context(), drive, id)
	if err != nil {
		t.Fatal(err)
	}
	release := s.Stall(t)
	defer release()
	giveUp(t, "list", func(ctx context.Context) error {
		_, err := d.List(ctx, drive, sub)
		return err
	})
	giveUp(t, "stat", func(ctx context.Context) error {
		_, err := d.Stat(ctx, drive, other)
		return err
	})
	giveUp(t, "open", func(ctx context.Context) error {
		_, err := read(ctx, d, e, 0, -1)
		return err
	})
}
