package remotetest

import (
	"archive/zip"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"sync"
	"testing"
	"time"

	"github.com/infomaniakfs/infomaniakfs/remote"
)

func errorsIs(err, target error) bool { return errors.Is(err, target) }

func testDrivesConcurrent(t *testing.T, d remote.Drives, w DriveWorld) {
	drive, dir := subdir(t, w)
	var ids []int64
	for i := range 8 {
		ids = append(ids, w.AddFile(t, drive, dir, fmt.Sprintf("c%d", i), int64(40<<10+i*1000)))
	}
	var wg sync.WaitGroup
	errs := make(chan error, 64)
	for g := range 16 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			id := ids[g%len(ids)]
			if _, err := d.List(t.Context(), drive, dir); err != nil {
				errs <- err
				return
			}
			e, err := d.Stat(t.Context(), drive, id)
			if err != nil {
				errs <- err
				return
			}
			off := int64(g * 997)
			got, err := read(t.Context(), d, e, off, 10_000)
			if want := w.Content(t, drive, id)[off : off+10_000]; err != nil || !bytes.Equal(got, want) {
				errs <- fmt.Errorf("goroutine %d: %d bytes, %v", g, len(got), err)
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}

// Snapshotter is the whole-drive listing some sources offer (the cache's
// Snapshotter, kdrive.Client).
type Snapshotter interface {
	FullListing(ctx context.Context, driveID int64) ([]remote.Entry, string, error)
}

// LongPoller is the change notification some sources offer (the cache's
// DriveFeed, kdrive.Client).
type LongPoller interface {
	LongPoll(ctx context.Context, driveID int64, cursor string) (bool, error)
}

func testSnapshot(t *testing.T, d remote.Drives, w DriveWorld) {
	s, ok := d.(Snapshotter)
	if !ok {
		t.Skip("no FullListing")
	}
	drive, dir := subdir(t, w)
	w.AddFile(t, drive, dir, "a", 10)
	sub := w.AddDir(t, drive, dir, "sub")
	w.AddFile(t, drive, sub, "b", 20)
	entries, cursor, err := s.FullListing(t.Context(), drive)
	if err != nil || cursor == "" {
		t.Fatalf("full listing: %d entries, cursor %q, %v", len(entries), cursor, err)
	}
	for _, parent := range []int64{dir, sub} {
		list, err := d.List(t.Context(), drive, parent)
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range list {
			got, ok := find(entries, e.ID)
			if !ok || got.ParentID != e.ParentID || got.Name != e.Name || got.IsDir != e.IsDir ||
				got.Size != e.Size || got.Version != e.Version || !got.MTime.Equal(e.MTime) {
				t.Errorf("listed %+v, in the full listing %+v (%v)", e, got, ok)
			}
		}
	}
	p, ok := d.(LongPoller)
	if !ok {
		return
	}
	ctx, cancel := context.WithTimeout(t.Context(), 200*time.Millisecond)
	changed, _ := p.LongPoll(ctx, drive, cursor)
	cancel()
	if changed {
		t.Error("long poll reported a change when there was none")
	}
	go func() {
		time.Sleep(50 * time.Millisecond)
		w.AddFile(t, drive, sub, "c", 30)
	}()
	ctx, cancel = context.WithTimeout(t.Context(), Eventual)
	defer cancel()
	if changed, err := p.LongPoll(ctx, drive, cursor); !changed || err != nil {
		t.Errorf("long poll after a change: %v, %v", changed, err)
	}
}

// Archiver is the many-files-in-one-zip download some sources offer (the
// cache's Archiver, kdrive.Client).
type Archiver interface {
	Archive(ctx context.Context, driveID int64, ids []int64) (io.ReadCloser, error)
}

func testArchive(t *testing.T, d remote.Drives, w DriveWorld) {
	a, ok := d.(Archiver)
	if !ok {
		t.Skip("no Archive")
	}
	drive, dir := subdir(t, w)
	names := map[string]int64{}
	var ids []int64
	for i, size := range []int64{0, 10, 5000, 70_000} {
		name := fmt.Sprintf("a%d.bin", i)
		id := w.AddFile(t, drive, dir, name, size)
		names[name] = id
		ids = append(ids, id)
	}
	rc, err := a.Archive(t.Context(), drive, ids)
	if err != nil {
		t.Fatal(err)
	}
	b, err := io.ReadAll(rc)
	rc.Close()
	if err != nil {
		t.Fatal(err)
	}
	zr, err := zip.NewReader(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		t.Fatal(err)
	}
	if len(zr.File) != len(ids) {
		t.Fatalf("%d entries for %d files", len(zr.File), len(ids))
	}
	for _, zf := range zr.File {
		id, ok := names[zf.Name]
		if !ok {
			t.Fatalf("entry %q is none of the files", zf.Name)
		}
		delete(names, zf.Name)
		r, err := zf.Open()
		if err != nil {
			t.Fatal(err)
		}
		got, err := io.ReadAll(r)
		if err != nil || !bytes.Equal(got, w.Content(t, drive, id)) {
			t.Errorf("entry %s: %d bytes, %v; not the file's content", zf.Name, len(got), err)
		}
	}
}
