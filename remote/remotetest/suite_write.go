package remotetest

import (
	"bytes"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/infomaniakfs/infomaniakfs/remote"
)

// WriteWorld is the far side of a remote.DriveWriter under test: a
// DriveWorld (the truth: the server's bytes, changes made behind the
// writer's back) that can also refuse writes.
type WriteWorld interface {
	DriveWorld
	// Protected returns a folder nothing may be created in and that may
	// not be renamed, moved or trashed (kDrive's root; a shared folder
	// without write right).
	Protected(t *testing.T) (driveID, dirID int64)
	// SetFree sets the drive's quota to what it uses now plus free bytes.
	SetFree(t *testing.T, driveID, free int64)
}

// WriteSubject is what a registration gives the write suite for one
// subtest: the writer, the reads that must see its writes (the
// implementation's own, or a cache over it) and the world.
type WriteSubject struct {
	W     remote.DriveWriter
	R     remote.Drives
	World WriteWorld
}

// WriteSetup makes a fresh subject for one subtest.
type WriteSetup func(t *testing.T) WriteSubject

// Invalidator is how a cache learns that a write changed items
// (writeback.Invalidator: cache.Drives has it). When R has it, the suite
// tells it the items each write touched, as writeback does, and then
// expects its reads to show the write at once.
type Invalidator interface {
	Invalidate(driveID, id int64)
}

// TestWriter runs the remote.DriveWriter contract against what setup
// makes. Each case is an expectation of the contract's documentation
// (remote/write.go); every write is checked three ways: what the call
// answers, what R reads afterwards, and what the world holds.
func TestWriter(t *testing.T, setup WriteSetup) {
	tests := []struct {
		name string
		run  func(*testing.T, WriteSubject)
	}{
		{"Mkdir", testMkdir},
		{"MkdirNameTaken", testMkdirTaken},
		{"UploadNew", testUploadNew},
		{"UploadEmpty", testUploadEmpty},
		{"UploadNameTaken", testUploadTaken},
		{"UploadBadContent", testUploadBadContent},
		{"UploadRepeated", testUploadRepeated},
		{"UploadReplace", testUploadReplace},
		{"UploadReplaceStale", testUploadStale},
		{"UploadReplaceGone", testUploadGone},
		{"Session", testSession},
		{"SessionResume", testSessionResume},
		{"SessionHash", testSessionHash},
		{"SessionReplaceStale", testSessionStale},
		{"SessionCancel", testSessionCancel},
		{"Rename", testWriteRename},
		{"RenameOntoExisting", testRenameOnto},
		{"Move", testMove},
		{"MoveOntoExisting", testMoveOnto},
		{"TrashFile", testTrashFile},
		{"TrashFolder", testTrashFolder},
		{"SetMTime", testSetMTime},
		{"Gone", testWriteGone},
		{"QuotaFull", testQuota},
		{"NameRefused", testNameRefused},
		{"PermissionRefused", testPermission},
		{"Cancelled", testWriteCancelled},
		{"GivesUpWhileHanging", testWriteHanging},
		{"Concurrent", testWriteConcurrent},
		{"LostAnswers", testLostAnswers},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) { tc.run(t, setup(t)) })
	}
}

// suiteTime is an mtime in whole seconds (the API's resolution).
var suiteTime = time.Date(2025, 6, 7, 8, 9, 10, 0, time.UTC)

// newFile is the Upload of content as a new file name in dir.
func newFile(drive, dir int64, name string, content []byte) remote.Upload {
	return remote.Upload{DriveID: drive, DirID: dir, Name: name, Size: int64(len(content)),
		Hash: remote.Hash(content), MTime: suiteTime}
}

// replace is the Upload of content over file e, based on its version.
func replace(e remote.Entry, content []byte) remote.Upload {
	return remote.Upload{DriveID: e.DriveID, FileID: e.ID, BaseVersion: e.Version, Size: int64(len(content)),
		Hash: remote.Hash(content), MTime: suiteTime.Add(time.Hour)}
}

// touched tells R's cache, if any, that the write changed these items.
func touched(s WriteSubject, drive int64, ids ...int64) {
	if inv, ok := s.R.(Invalidator); ok {
		for _, id := range ids {
			inv.Invalidate(drive, id)
		}
	}
}

// listed is dir's listing through R, by name (fatal on error or a name
// listed twice).
func listed(t *testing.T, s WriteSubject, drive, dir int64) map[string]remote.Entry {
	t.Helper()
	list, err := s.R.List(t.Context(), drive, dir)
	if err != nil {
		t.Fatalf("list %d after the write: %v", dir, err)
	}
	out := map[string]remote.Entry{}
	for _, e := range list {
		if _, twice := out[e.Name]; twice {
			t.Fatalf("%q listed twice in %d: %+v", e.Name, dir, list)
		}
		out[e.Name] = e
	}
	return out
}

// holds checks that R and the world show file e as a file of dir holding
// content, and that R's Stat and the writer's Hash agree.
func holds(t *testing.T, s WriteSubject, e remote.Entry, dir int64, content []byte) {
	t.Helper()
	if e.IsDir || e.Size != int64(len(content)) || e.ParentID != dir || e.DriveID == 0 {
		t.Errorf("entry %+v: want a file of %d bytes in %d", e, len(content), dir)
	}
	if got := s.World.Content(t, e.DriveID, e.ID); !bytes.Equal(got, content) {
		t.Errorf("the server holds %d bytes for %q, want the %d uploaded", len(got), e.Name, len(content))
	}
	l := listed(t, s, e.DriveID, dir)[e.Name]
	st, err := s.R.Stat(t.Context(), e.DriveID, e.ID)
	if err != nil {
		t.Fatalf("stat %q after the write: %v", e.Name, err)
	}
	for what, x := range map[string]remote.Entry{"listed": l, "stat": st} {
		if x.ID != e.ID || x.Size != e.Size || x.Version != e.Version || x.Name != e.Name || !x.MTime.Equal(e.MTime) {
			t.Errorf("%s %+v, the write answered %+v", what, x, e)
		}
	}
	if h, err := s.W.Hash(t.Context(), e.DriveID, e.ID); err != nil || h != remote.Hash(content) {
		t.Errorf("hash of %q: %q, %v; want %s", e.Name, h, err, remote.Hash(content))
	}
	if e.Size > 0 {
		got, err := read(t.Context(), s.R, st, 0, -1)
		if err != nil || !bytes.Equal(got, content) {
			t.Errorf("read back %d bytes, %v; want the %d uploaded", len(got), err, len(content))
		}
	}
}

// absent checks that dir does not list name through R.
func absent(t *testing.T, s WriteSubject, drive, dir int64, name string) {
	t.Helper()
	if e, ok := listed(t, s, drive, dir)[name]; ok {
		t.Errorf("%q is listed in %d: %+v", name, dir, e)
	}
}

// wantErr checks that err wraps want.
func wantErr(t *testing.T, what string, err, want error) {
	t.Helper()
	if !errors.Is(err, want) {
		t.Errorf("%s: %v, want %v", what, err, want)
	}
}

// failed checks that err is an error and none of the sentinels that
// would misname it.
func failed(t *testing.T, what string, err error) {
	t.Helper()
	if err == nil {
		t.Errorf("%s: no error", what)
		return
	}
	for _, s := range []error{remote.ErrExists, remote.ErrConflict, remote.ErrNoSpace, remote.ErrPermission} {
		if errors.Is(err, s) {
			t.Errorf("%s: %v, must not be %v", what, err, s)
		}
	}
}

// upload uploads a new file (fatal on error) and tells the cache.
func upload(t *testing.T, s WriteSubject, drive, dir int64, name string, content []byte) remote.Entry {
	t.Helper()
	e, err := s.W.Upload(t.Context(), newFile(drive, dir, name, content), content)
	if err != nil {
		t.Fatalf("upload %q: %v", name, err)
	}
	touched(s, drive, dir, e.ID)
	prime(t, s, drive, e.ID)
	return e
}

// prime reads item id through R, so that a cache holds it before the next
// write and must be told of it (or follow it) to show that write.
func prime(t *testing.T, s WriteSubject, drive, id int64) {
	t.Helper()
	if _, err := s.R.Stat(t.Context(), drive, id); err != nil {
		t.Fatalf("stat %d: %v", id, err)
	}
}

// writeDir makes a fresh folder for one test, through the world.
func writeDir(t *testing.T, s WriteSubject) (drive, dir int64) {
	drive, top := s.World.Dir(t)
	dir = s.World.AddDir(t, drive, top, fmt.Sprintf("write-%d", dirSeq.Add(1)))
	listed(t, s, drive, dir) // primed: see prime
	return drive, dir
}
