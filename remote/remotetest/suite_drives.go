package remotetest

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"sync/atomic"
	"testing"

	"github.com/infomaniakfs/infomaniakfs/remote"
)

// DriveWorld is the far side of a remote.Drives under test: the truth the
// suite checks answers against, and the changes it makes behind the
// implementation's back. Its methods fail t on error.
type DriveWorld interface {
	// Dir returns a drive and a directory of it the suite may fill.
	Dir(t *testing.T) (driveID, dirID int64)
	AddDir(t *testing.T, driveID, parentID int64, name string) int64
	AddFile(t *testing.T, driveID, parentID int64, name string, size int64) int64
	// Content is the file's current content.
	Content(t *testing.T, driveID, id int64) []byte
	// Modify gives a file new content of the same size, and a new version.
	Modify(t *testing.T, driveID, id int64)
	Rename(t *testing.T, driveID, id int64, name string)
	Delete(t *testing.T, driveID, id int64)
}

// DriveSetup makes a fresh implementation and its world for one subtest.
type DriveSetup func(t *testing.T) (remote.Drives, DriveWorld)

// WideDir is how many children the listing test puts in one directory:
// more than one page of the kDrive API (1000).
const WideDir = 1100

// TestDrives runs the remote.Drives contract against what setup makes.
func TestDrives(t *testing.T, setup DriveSetup) {
	tests := []struct {
		name string
		run  func(*testing.T, remote.Drives, DriveWorld)
	}{
		{"Drives", testDrivesList},
		{"ListReturnsAllChildren", testListAll},
		{"StatAgreesWithList", testStatAgrees},
		{"GoneIsNotFound", testGone},
		{"RenameShows", testRename},
		{"OpenRanges", testOpenRanges},
		{"OpenChangedVersion", testOpenChanged},
		{"Concurrent", testDrivesConcurrent},
		{"Cancelled", testDrivesCancelled},
		{"GivesUpWhileHanging", testDrivesHanging},
		{"Snapshot", testSnapshot},
		{"Archive", testArchive},
		{"ReadAt", testReadAt},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			d, w := setup(t)
			tc.run(t, d, w)
		})
	}
}

func testDrivesList(t *testing.T, d remote.Drives, w DriveWorld) {
	drive, _ := w.Dir(t)
	list, err := d.Drives(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	for _, di := range list {
		if di.ID == drive {
			return
		}
	}
	t.Fatalf("drive %d not in %+v", drive, list)
}

var dirSeq atomic.Int64

// subdir makes a fresh directory for one test under the world's.
func subdir(t *testing.T, w DriveWorld) (drive, dir int64) {
	drive, top := w.Dir(t)
	return drive, w.AddDir(t, drive, top, fmt.Sprintf("suite-%d", dirSeq.Add(1)))
}

func find(list []remote.Entry, id int64) (remote.Entry, bool) {
	for _, e := range list {
		if e.ID == id {
			return e, true
		}
	}
	return remote.Entry{}, false
}

func testListAll(t *testing.T, d remote.Drives, w DriveWorld) {
	drive, dir := subdir(t, w)
	want := map[int64]string{}
	for i := range WideDir {
		name := fmt.Sprintf("f%04d", i)
		if i%100 == 7 {
			want[w.AddDir(t, drive, dir, name)] = name + "/"
		} else {
			want[w.AddFile(t, drive, dir, name, int64(i%13))] = name
		}
	}
	list, err := d.List(t.Context(), drive, dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(list) != len(want) {
		t.Fatalf("%d children listed, want %d", len(list), len(want))
	}
	seen := map[int64]bool{}
	for _, e := range list {
		name := e.Name
		if e.IsDir {
			name += "/"
		}
		if want[e.ID] != name || seen[e.ID] || e.ParentID != dir || e.DriveID != drive {
			t.Fatalf("listed %+v (seen before: %v), want %q under %d/%d", e, seen[e.ID], want[e.ID], drive, dir)
		}
		seen[e.ID] = true
	}
}

func testStatAgrees(t *testing.T, d remote.Drives, w DriveWorld) {
	drive, dir := subdir(t, w)
	w.AddFile(t, drive, dir, "a.txt", 100)
	w.AddFile(t, drive, dir, "empty", 0)
	w.AddDir(t, drive, dir, "sub")
	list, err := d.List(t.Context(), drive, dir)
	if err != nil || len(list) != 3 {
		t.Fatalf("list: %d entries, %v", len(list), err)
	}
	for _, e := range list {
		st, err := d.Stat(t.Context(), drive, e.ID)
		if err != nil {
			t.Fatalf("stat %d: %v", e.ID, err)
		}
		if st.ID != e.ID || st.ParentID != e.ParentID || st.DriveID != e.DriveID || st.Name != e.Name ||
			st.IsDir != e.IsDir || st.Size != e.Size || st.Version != e.Version || !st.MTime.Equal(e.MTime) {
			t.Errorf("stat %+v, listed %+v", st, e)
		}
		if !e.IsDir && e.Size != int64(len(w.Content(t, drive, e.ID))) {
			t.Errorf("%s: size %d, content %d bytes", e.Name, e.Size, len(w.Content(t, drive, e.ID)))
		}
	}
	if st, err := d.Stat(t.Context(), drive, dir); err != nil || !st.IsDir {
		t.Errorf("stat of the directory: %+v, %v", st, err)
	}
}

func testGone(t *testing.T, d remote.Drives, w DriveWorld) {
	drive, dir := subdir(t, w)
	gone := w.AddDir(t, drive, dir, "gone")
	f := w.AddFile(t, drive, gone, "f", 10)
	if _, err := d.List(t.Context(), drive, gone); err != nil {
		t.Fatal(err)
	}
	if _, err := d.Stat(t.Context(), drive, f); err != nil {
		t.Fatal(err)
	}
	w.Delete(t, drive, gone)
	eventually(t, "list of a deleted directory", func() error {
		_, err := d.List(t.Context(), drive, gone)
		return errIs(err, remote.ErrNotFound, "list")
	})
	eventually(t, "stat of a file under a deleted directory", func() error {
		_, err := d.Stat(t.Context(), drive, f)
		return errIs(err, remote.ErrNotFound, "stat")
	})
	eventually(t, "listing of the parent", func() error {
		list, err := d.List(t.Context(), drive, dir)
		if _, ok := find(list, gone); ok || err != nil {
			return fmt.Errorf("still listed (%v)", err)
		}
		return nil
	})
	if _, err := d.Stat(t.Context(), drive, 987_654_321); !errorsIs(err, remote.ErrNotFound) {
		t.Errorf("stat of an id that never was: %v", err)
	}
}

func testRename(t *testing.T, d remote.Drives, w DriveWorld) {
	drive, dir := subdir(t, w)
	id := w.AddFile(t, drive, dir, "old.txt", 10)
	if _, err := d.List(t.Context(), drive, dir); err != nil {
		t.Fatal(err)
	}
	w.Rename(t, drive, id, "new.txt")
	eventually(t, "renamed file", func() error {
		list, err := d.List(t.Context(), drive, dir)
		if e, _ := find(list, id); err != nil || e.Name != "new.txt" || len(list) != 1 {
			return fmt.Errorf("listed %+v, %v", list, err)
		}
		st, err := d.Stat(t.Context(), drive, id)
		if err != nil || st.Name != "new.txt" {
			return fmt.Errorf("stat %+v, %v", st, err)
		}
		return nil
	})
}

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
