package remotetest

import (
	"bytes"
	"testing"
	"time"

	"github.com/infomaniakfs/infomaniakfs/remote"
)

// Mkdir creates folder name in parentID: listed there, empty, a folder.
func testMkdir(t *testing.T, s WriteSubject) {
	drive, dir := writeDir(t, s)
	e, err := s.W.Mkdir(t.Context(), drive, dir, "new folder")
	if err != nil {
		t.Fatal(err)
	}
	touched(s, drive, dir, e.ID)
	if !e.IsDir || e.Name != "new folder" || e.ParentID != dir || e.DriveID != drive || e.ID == 0 {
		t.Errorf("mkdir answered %+v", e)
	}
	if l := listed(t, s, drive, dir)["new folder"]; l.ID != e.ID || !l.IsDir {
		t.Errorf("listed %+v, mkdir answered %+v", l, e)
	}
	if list, err := s.R.List(t.Context(), drive, e.ID); err != nil || len(list) != 0 {
		t.Errorf("the new folder lists %+v, %v", list, err)
	}
	// It takes writes: a file in it.
	upload(t, s, drive, e.ID, "inside", []byte("x"))
}

// Mkdir: ErrExists if the name is taken, by a folder or a file; nothing
// is replaced.
func testMkdirTaken(t *testing.T, s WriteSubject) {
	drive, dir := writeDir(t, s)
	sub := s.World.AddDir(t, drive, dir, "sub")
	f := upload(t, s, drive, dir, "file", []byte("keep me"))
	for _, name := range []string{"sub", "file"} {
		_, err := s.W.Mkdir(t.Context(), drive, dir, name)
		wantErr(t, "mkdir over "+name, err, remote.ErrExists)
	}
	touched(s, drive, dir)
	l := listed(t, s, drive, dir)
	if len(l) != 2 || l["sub"].ID != sub || !l["sub"].IsDir || l["file"].ID != f.ID {
		t.Errorf("after the refused mkdirs: %+v", l)
	}
	holds(t, s, f, dir, []byte("keep me"))
}

// Upload of a new file: the bytes, size, hash and mtime asked for; the
// Entry answered is the one Stat and List give (Version included).
func testUploadNew(t *testing.T, s WriteSubject) {
	drive, dir := writeDir(t, s)
	content := Bytes(1, 100_000)
	e := upload(t, s, drive, dir, "new.bin", content)
	if e.Name != "new.bin" || !e.MTime.Equal(suiteTime) || e.Version == "" {
		t.Errorf("upload answered %+v, want new.bin modified %v", e, suiteTime)
	}
	holds(t, s, e, dir, content)
	// No MTime: the server's time.
	u := newFile(drive, dir, "now", content)
	u.MTime = time.Time{}
	n, err := s.W.Upload(t.Context(), u, content)
	if err != nil || n.MTime.Before(time.Now().Add(-time.Hour)) || n.MTime.After(time.Now().Add(time.Hour)) {
		t.Errorf("upload without an mtime: %+v, %v; want about now", n, err)
	}
}

func testUploadEmpty(t *testing.T, s WriteSubject) {
	drive, dir := writeDir(t, s)
	e := upload(t, s, drive, dir, "empty", nil)
	holds(t, s, e, dir, []byte{})
}

// Without FileID, ErrExists if the name is taken: nothing is ever
// replaced by name (by a file or a folder).
func testUploadTaken(t *testing.T, s WriteSubject) {
	drive, dir := writeDir(t, s)
	old := upload(t, s, drive, dir, "a.txt", []byte("first"))
	sub := s.World.AddDir(t, drive, dir, "sub")
	for _, name := range []string{"a.txt", "sub"} {
		_, err := s.W.Upload(t.Context(), newFile(drive, dir, name, []byte("second")), []byte("second"))
		wantErr(t, "upload over "+name, err, remote.ErrExists)
		_, err = s.W.StartSession(t.Context(), newFile(drive, dir, name, []byte("second")), 1)
		wantErr(t, "session over "+name, err, remote.ErrExists)
	}
	touched(s, drive, dir)
	if l := listed(t, s, drive, dir); len(l) != 2 || l["sub"].ID != sub {
		t.Errorf("after the refused uploads: %+v", l)
	}
	holds(t, s, old, dir, []byte("first"))
}

// Upload is checked against u.Size and u.Hash; the server never shows
// part of it (nor a wrong one) under u.Name.
func testUploadBadContent(t *testing.T, s WriteSubject) {
	drive, dir := writeDir(t, s)
	content := []byte("the real content")
	bad := newFile(drive, dir, "hash", content)
	bad.Hash = remote.Hash([]byte("other content"))
	_, err := s.W.Upload(t.Context(), bad, content)
	failed(t, "upload with a wrong hash", err)
	short := newFile(drive, dir, "size", content)
	short.Size++
	_, err = s.W.Upload(t.Context(), short, content)
	failed(t, "upload with a wrong size", err)
	touched(s, drive, dir)
	if l := listed(t, s, drive, dir); len(l) != 0 {
		t.Errorf("refused uploads left %+v", l)
	}
}

// FileID replaces that file's content if it is still at BaseVersion: the
// same id, new bytes, a new Version.
func testUploadReplace(t *testing.T, s WriteSubject) {
	drive, dir := writeDir(t, s)
	e := upload(t, s, drive, dir, "doc", Bytes(2, 5000))
	content := Bytes(3, 7000)
	n, err := s.W.Upload(t.Context(), replace(e, content), content)
	if err != nil {
		t.Fatal(err)
	}
	touched(s, drive, dir, e.ID)
	if n.ID != e.ID || n.Name != "doc" || n.Version == e.Version || !n.MTime.Equal(replace(e, content).MTime) {
		t.Errorf("overwrite answered %+v, was %+v", n, e)
	}
	holds(t, s, n, dir, content)
	if l := listed(t, s, drive, dir); len(l) != 1 {
		t.Errorf("an overwrite made a second file: %+v", l)
	}
	// The answer is what the next overwrite is based on.
	again := Bytes(4, 10)
	if m, err := s.W.Upload(t.Context(), replace(n, again), again); err != nil || m.ID != e.ID {
		t.Errorf("overwrite based on the last answer: %+v, %v", m, err)
	}
}

// An overwrite based on a version the file has left is ErrConflict, and
// the newer content stays.
func testUploadStale(t *testing.T, s WriteSubject) {
	drive, dir := writeDir(t, s)
	e := upload(t, s, drive, dir, "doc", Bytes(5, 3000))
	s.World.Modify(t, drive, e.ID)
	theirs := s.World.Content(t, drive, e.ID)
	mine := Bytes(6, 3000)
	_, err := s.W.Upload(t.Context(), replace(e, mine), mine)
	wantErr(t, "overwrite of a changed file", err, remote.ErrConflict)
	if got := s.World.Content(t, drive, e.ID); !bytes.Equal(got, theirs) {
		t.Errorf("the refused overwrite changed the server's content")
	}
}

// An overwrite of a file gone (trashed by another client) is ErrConflict:
// the caller keeps its content another way.
func testUploadGone(t *testing.T, s WriteSubject) {
	drive, dir := writeDir(t, s)
	e := upload(t, s, drive, dir, "doc", Bytes(7, 100))
	s.World.Delete(t, drive, e.ID)
	mine := Bytes(8, 100)
	_, err := s.W.Upload(t.Context(), replace(e, mine), mine)
	wantErr(t, "overwrite of a file gone", err, remote.ErrConflict)
}

// A call takes effect at most once: the same new-file Upload again (what
// a retry sends after the first answer was lost) answers the file the
// first made, not ErrExists nor a second file; so does the same
// FinishSession again. The same name with other content stays ErrExists.
func testUploadRepeated(t *testing.T, s WriteSubject) {
	drive, dir := writeDir(t, s)
	content := Bytes(9, 2000)
	e := upload(t, s, drive, dir, "once", content)
	again, err := s.W.Upload(t.Context(), newFile(drive, dir, "once", content), content)
	if err != nil || again.ID != e.ID {
		t.Errorf("the same upload again: %+v, %v; want %+v", again, err, e)
	}
	parts := chunks(Bytes(10, chunkSize+5))
	u := newFile(drive, dir, "session once", Bytes(10, chunkSize+5))
	sess := start(t, s, u, len(parts))
	send(t, s, sess, parts, 1, 2)
	f, err := s.W.FinishSession(t.Context(), sess, u)
	if err != nil {
		t.Fatalf("finish: %v", err)
	}
	if g, err := s.W.FinishSession(t.Context(), sess, u); err != nil || g.ID != f.ID {
		t.Errorf("the same finish again: %+v, %v; want %+v", g, err, f)
	}
	other := Bytes(11, 2000)
	_, err = s.W.Upload(t.Context(), newFile(drive, dir, "once", other), other)
	wantErr(t, "another content under the name", err, remote.ErrExists)
	touched(s, drive, dir, e.ID, f.ID)
	if l := listed(t, s, drive, dir); len(l) != 2 {
		t.Errorf("after the repeated calls: %+v", l)
	}
	holds(t, s, e, dir, content)
}
