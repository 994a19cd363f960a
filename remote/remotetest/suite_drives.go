package remotetest

import (
	"fmt"
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
