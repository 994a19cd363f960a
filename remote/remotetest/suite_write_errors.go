package remotetest

import (
	"fmt"
	"strings"
	"testing"

	"github.com/infomaniakfs/infomaniakfs/remote"
)

// A drive whose quota is used up refuses content with ErrNoSpace (→
// ENOSPC): a direct upload, a session's start, an overwrite that grows;
// nothing appears. What fits is still taken.
func testQuota(t *testing.T, s WriteSubject) {
	drive, dir := writeDir(t, s)
	f := upload(t, s, drive, dir, "f", Bytes(20, 1000))
	s.World.SetFree(t, drive, 500)
	big := Bytes(21, 2000)
	_, err := s.W.Upload(t.Context(), newFile(drive, dir, "big", big), big)
	wantErr(t, "upload past the quota", err, remote.ErrNoSpace)
	_, err = s.W.StartSession(t.Context(), newFile(drive, dir, "big", big), 1)
	wantErr(t, "session past the quota", err, remote.ErrNoSpace)
	_, err = s.W.Upload(t.Context(), replace(f, big), big)
	wantErr(t, "overwrite past the quota", err, remote.ErrNoSpace)
	touched(s, drive, dir, f.ID)
	absent(t, s, drive, dir, "big")
	holds(t, s, f, dir, Bytes(20, 1000))
	small := Bytes(22, 400)
	upload(t, s, drive, dir, "small", small)
}

// badNames are names kDrive refuses (length, characters).
var badNames = []string{"", ".", "..", "a/b", "nul\x00", strings.Repeat("é", 128)}

// A name kDrive refuses is ErrInvalidName (→ EINVAL) on every write that
// takes one; nothing is created or renamed.
func testNameRefused(t *testing.T, s WriteSubject) {
	drive, dir := writeDir(t, s)
	f := upload(t, s, drive, dir, "f", []byte("x"))
	sub := s.World.AddDir(t, drive, dir, "sub")
	for _, name := range badNames {
		what := fmt.Sprintf("%.20q", name)
		_, err := s.W.Mkdir(t.Context(), drive, dir, name)
		wantErr(t, "mkdir "+what, err, remote.ErrInvalidName)
		_, err = s.W.Upload(t.Context(), newFile(drive, dir, name, []byte("y")), []byte("y"))
		wantErr(t, "upload "+what, err, remote.ErrInvalidName)
		_, err = s.W.StartSession(t.Context(), newFile(drive, dir, name, []byte("y")), 1)
		wantErr(t, "session "+what, err, remote.ErrInvalidName)
		wantErr(t, "rename to "+what, s.W.Rename(t.Context(), drive, f.ID, name), remote.ErrInvalidName)
		if name != "" { // "": the item's own name
			wantErr(t, "move as "+what, s.W.Move(t.Context(), drive, f.ID, sub, name), remote.ErrInvalidName)
		}
	}
	touched(s, drive, dir, f.ID, sub)
	if l := listed(t, s, drive, dir); len(l) != 2 || l["f"].ID != f.ID {
		t.Errorf("after the refused names: %+v", l)
	}
	// 255 bytes is the longest name taken.
	long := strings.Repeat("é", 127) + "x"
	upload(t, s, drive, dir, long, []byte("z"))
}

// A folder the user may not write to refuses with ErrPermission (→
// EACCES): nothing created in it, and it is not renamed, moved or trashed.
func testPermission(t *testing.T, s WriteSubject) {
	drive, ro := s.World.Protected(t)
	_, dir := writeDir(t, s)
	_, err := s.W.Mkdir(t.Context(), drive, ro, "x")
	wantErr(t, "mkdir in a protected folder", err, remote.ErrPermission)
	_, err = s.W.Upload(t.Context(), newFile(drive, ro, "x", []byte("x")), []byte("x"))
	wantErr(t, "upload into a protected folder", err, remote.ErrPermission)
	_, err = s.W.StartSession(t.Context(), newFile(drive, ro, "x", []byte("x")), 1)
	wantErr(t, "session into a protected folder", err, remote.ErrPermission)
	wantErr(t, "rename of a protected folder", s.W.Rename(t.Context(), drive, ro, "y"), remote.ErrPermission)
	wantErr(t, "move of a protected folder", s.W.Move(t.Context(), drive, ro, dir, ""), remote.ErrPermission)
	wantErr(t, "trash of a protected folder", s.W.Trash(t.Context(), drive, ro), remote.ErrPermission)
	touched(s, drive, ro, dir)
	if _, err := s.R.Stat(t.Context(), drive, ro); err != nil {
		t.Errorf("the protected folder: %v", err)
	}
	absent(t, s, drive, ro, "x")
	if l := listed(t, s, drive, dir); len(l) != 0 {
		t.Errorf("the refused move left %+v", l)
	}
}
