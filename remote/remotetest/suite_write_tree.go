package remotetest

import (
	"testing"
	"time"

	"github.com/infomaniakfs/infomaniakfs/remote"
)

// Rename gives item id a new name in its folder: the same id and content,
// the old name gone. Renaming to the name it has is done already.
func testWriteRename(t *testing.T, s WriteSubject) {
	drive, dir := writeDir(t, s)
	e := upload(t, s, drive, dir, "old.txt", []byte("renamed"))
	sub := s.World.AddDir(t, drive, dir, "folder")
	for id, name := range map[int64]string{e.ID: "new.txt", sub: "folder 2"} {
		if err := s.W.Rename(t.Context(), drive, id, name); err != nil {
			t.Fatalf("rename %d to %q: %v", id, name, err)
		}
		touched(s, drive, dir, id)
	}
	l := listed(t, s, drive, dir)
	if len(l) != 2 || l["new.txt"].ID != e.ID || l["folder 2"].ID != sub || !l["folder 2"].IsDir {
		t.Fatalf("after the renames: %+v", l)
	}
	if err := s.W.Rename(t.Context(), drive, e.ID, "new.txt"); err != nil {
		t.Errorf("rename to its own name: %v", err)
	}
	touched(s, drive, dir, e.ID)
	holds(t, s, l["new.txt"], dir, []byte("renamed"))
}

// Rename onto a name another item has: ErrExists, and both stay as they
// were (the caller trashes the target first for POSIX's replace).
func testRenameOnto(t *testing.T, s WriteSubject) {
	drive, dir := writeDir(t, s)
	a := upload(t, s, drive, dir, "a", []byte("A"))
	b := upload(t, s, drive, dir, "b", []byte("B"))
	sub := s.World.AddDir(t, drive, dir, "sub")
	for _, name := range []string{"b", "sub"} {
		wantErr(t, "rename onto "+name, s.W.Rename(t.Context(), drive, a.ID, name), remote.ErrExists)
	}
	touched(s, drive, dir, a.ID, b.ID)
	l := listed(t, s, drive, dir)
	if len(l) != 3 || l["a"].ID != a.ID || l["b"].ID != b.ID || l["sub"].ID != sub {
		t.Errorf("after the refused renames: %+v", l)
	}
	holds(t, s, b, dir, []byte("B"))
}

// Move puts item id into folder destID under name ("": its own): listed
// there, no longer in its old folder; a folder moves with what it holds.
func testMove(t *testing.T, s WriteSubject) {
	drive, dir := writeDir(t, s)
	dest := s.World.AddDir(t, drive, dir, "dest")
	f := upload(t, s, drive, dir, "f.txt", []byte("moved"))
	sub := s.World.AddDir(t, drive, dir, "sub")
	inner := upload(t, s, drive, sub, "inner", []byte("inside"))
	if err := s.W.Move(t.Context(), drive, f.ID, dest, ""); err != nil {
		t.Fatalf("move: %v", err)
	}
	if err := s.W.Move(t.Context(), drive, sub, dest, "sub renamed"); err != nil {
		t.Fatalf("move with a name: %v", err)
	}
	touched(s, drive, dir, dest, f.ID, sub)
	if l := listed(t, s, drive, dir); len(l) != 1 || l["dest"].ID != dest {
		t.Errorf("the old folder lists %+v", l)
	}
	l := listed(t, s, drive, dest)
	if len(l) != 2 || l["f.txt"].ID != f.ID || l["sub renamed"].ID != sub {
		t.Fatalf("the destination lists %+v", l)
	}
	holds(t, s, l["f.txt"], dest, []byte("moved"))
	holds(t, s, inner, sub, []byte("inside"))
}

// Move onto a name taken in the destination: ErrExists, nothing moves.
func testMoveOnto(t *testing.T, s WriteSubject) {
	drive, dir := writeDir(t, s)
	dest := s.World.AddDir(t, drive, dir, "dest")
	f := upload(t, s, drive, dir, "f", []byte("mine"))
	g := upload(t, s, drive, dest, "f", []byte("theirs"))
	upload(t, s, drive, dest, "g", nil)
	wantErr(t, "move onto a name taken", s.W.Move(t.Context(), drive, f.ID, dest, ""), remote.ErrExists)
	wantErr(t, "move onto a name given", s.W.Move(t.Context(), drive, f.ID, dest, "g"), remote.ErrExists)
	touched(s, drive, dir, dest, f.ID, g.ID)
	holds(t, s, f, dir, []byte("mine"))
	holds(t, s, g, dest, []byte("theirs"))
	if l := listed(t, s, drive, dest); len(l) != 2 {
		t.Errorf("the destination lists %+v", l)
	}
}

// Trash sends a file to the trash: no longer listed, Stat ErrNotFound.
// Trashing it again is not an error (a retry whose first answer was lost).
func testTrashFile(t *testing.T, s WriteSubject) {
	drive, dir := writeDir(t, s)
	f := upload(t, s, drive, dir, "f", []byte("bye"))
	keep := upload(t, s, drive, dir, "keep", []byte("stay"))
	if err := s.W.Trash(t.Context(), drive, f.ID); err != nil {
		t.Fatalf("trash: %v", err)
	}
	touched(s, drive, dir, f.ID)
	if l := listed(t, s, drive, dir); len(l) != 1 || l["keep"].ID != keep.ID {
		t.Errorf("after the trash: %+v", l)
	}
	_, err := s.R.Stat(t.Context(), drive, f.ID)
	wantErr(t, "stat of a trashed file", err, remote.ErrNotFound)
	if err := s.W.Trash(t.Context(), drive, f.ID); err != nil {
		t.Errorf("trash again: %v", err)
	}
}

// Trash of a folder takes what it holds: the folder and its files gone.
func testTrashFolder(t *testing.T, s WriteSubject) {
	drive, dir := writeDir(t, s)
	sub := s.World.AddDir(t, drive, dir, "sub")
	f := upload(t, s, drive, sub, "f", []byte("inside"))
	deep := s.World.AddDir(t, drive, sub, "deep")
	if err := s.W.Trash(t.Context(), drive, sub); err != nil {
		t.Fatalf("trash: %v", err)
	}
	touched(s, drive, dir, sub, f.ID, deep)
	absent(t, s, drive, dir, "sub")
	for _, id := range []int64{sub, f.ID, deep} {
		_, err := s.R.Stat(t.Context(), drive, id)
		wantErr(t, "stat of what went with a trashed folder", err, remote.ErrNotFound)
	}
	_, err := s.R.List(t.Context(), drive, sub)
	wantErr(t, "list of a trashed folder", err, remote.ErrNotFound)
}

// SetMTime sets the remote last-modified time (seconds): the Entry it
// answers is what Stat gives, content unchanged, and an overwrite based
// on it is accepted.
func testSetMTime(t *testing.T, s WriteSubject) {
	drive, dir := writeDir(t, s)
	f := upload(t, s, drive, dir, "f", []byte("touched"))
	when := time.Date(2020, 2, 3, 4, 5, 6, 0, time.UTC)
	e, err := s.W.SetMTime(t.Context(), drive, f.ID, when)
	if err != nil {
		t.Fatalf("set mtime: %v", err)
	}
	touched(s, drive, dir, f.ID)
	if !e.MTime.Equal(when) || e.ID != f.ID || e.Size != f.Size {
		t.Errorf("set mtime answered %+v, want mtime %v", e, when)
	}
	holds(t, s, e, dir, []byte("touched"))
	next := []byte("after the touch")
	if _, err := s.W.Upload(t.Context(), replace(e, next), next); err != nil {
		t.Errorf("overwrite based on the touched entry: %v", err)
	}
	sub := s.World.AddDir(t, drive, dir, "sub")
	if d, err := s.W.SetMTime(t.Context(), drive, sub, when); err != nil || !d.MTime.Equal(when) || !d.IsDir {
		t.Errorf("set mtime of a folder: %+v, %v", d, err)
	}
}

// Writes about an item or folder that is gone answer ErrNotFound (the
// read contract's sentinel), except those the contract makes something
// else: an overwrite based on a version is ErrConflict (UploadReplaceGone)
// and a trash is done already (TrashFile).
func testWriteGone(t *testing.T, s WriteSubject) {
	drive, dir := writeDir(t, s)
	gone := s.World.AddDir(t, drive, dir, "gone")
	f := upload(t, s, drive, gone, "f", []byte("x"))
	s.World.Delete(t, drive, gone)
	_, err := s.W.Mkdir(t.Context(), drive, gone, "x")
	wantErr(t, "mkdir in a folder gone", err, remote.ErrNotFound)
	_, err = s.W.Upload(t.Context(), newFile(drive, gone, "x", []byte("x")), []byte("x"))
	wantErr(t, "upload into a folder gone", err, remote.ErrNotFound)
	wantErr(t, "rename of a file gone", s.W.Rename(t.Context(), drive, f.ID, "y"), remote.ErrNotFound)
	wantErr(t, "move of a file gone", s.W.Move(t.Context(), drive, f.ID, dir, ""), remote.ErrNotFound)
	_, err = s.W.SetMTime(t.Context(), drive, f.ID, suiteTime)
	wantErr(t, "set mtime of a file gone", err, remote.ErrNotFound)
	_, err = s.W.Hash(t.Context(), drive, f.ID)
	wantErr(t, "hash of a file gone", err, remote.ErrNotFound)
	keep := upload(t, s, drive, dir, "keep", []byte("k"))
	wantErr(t, "move into a folder gone", s.W.Move(t.Context(), drive, keep.ID, gone, ""), remote.ErrNotFound)
	touched(s, drive, dir, keep.ID)
	holds(t, s, keep, dir, []byte("k"))
}
