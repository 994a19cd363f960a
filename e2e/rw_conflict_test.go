package e2e

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/infomaniakfs/infomaniakfs/remote"
	"github.com/infomaniakfs/infomaniakfs/remote/emulator"
	"github.com/infomaniakfs/infomaniakfs/remote/emulator/dataset"
	"github.com/infomaniakfs/infomaniakfs/remote/kdrive"
)

type fixedToken string

func (s fixedToken) Token(context.Context) (string, error) { return string(s), nil }
func (fixedToken) Invalidate(string)                       {}

// otherClient is another kDrive client of the same account (a phone, the
// web app), writing through the API.
func otherClient(srv *emulator.Server) *kdrive.Client {
	return kdrive.New(remote.NewClient(remote.ClientOptions{Tokens: fixedToken(srv.IssueToken())}), srv.URL())
}

func nodeAt(t *testing.T, d *dataset.Dataset, drive int64, p string) dataset.Node {
	t.Helper()
	var found dataset.Node
	d.Walk(drive, func(n dataset.Node) bool {
		if d.Path(drive, n.ID) == p {
			found = n
			return false
		}
		return true
	})
	if found.ID == 0 {
		t.Fatalf("no %s on the server", p)
	}
	return found
}

// TestRWConflictCopy: a file is changed on kDrive while it is open for
// writing here; the local version is uploaded beside it as a conflict
// copy, and the remote one stays: nothing is silently overwritten.
func TestRWConflictCopy(t *testing.T) {
	e := newRW(t)
	if err := os.WriteFile(e.mnt("doc.txt"), []byte("v1"), 0o644); err != nil {
		t.Fatal(err)
	}
	waitFile(t, e.server("doc.txt"), []byte("v1"), 20*time.Second)
	f, err := os.OpenFile(e.mnt("doc.txt"), os.O_RDWR, 0)
	if err != nil {
		t.Fatal(err)
	}
	f.WriteAt([]byte("mine"), 0)
	drive := e.srv.Data().Drives()[0].ID
	n := nodeAt(t, e.srv.Data(), drive, "/Private/doc.txt")
	theirs := []byte("theirs, saved meanwhile")
	if _, err := otherClient(e.srv).Upload(t.Context(), remote.Upload{DriveID: drive, FileID: n.ID,
		Size: int64(len(theirs)), Hash: remote.Hash(theirs)}, theirs); err != nil {
		t.Fatal(err)
	}
	f.Close()
	e.d.stop()
	if b, _ := os.ReadFile(e.server("doc.txt")); string(b) != string(theirs) {
		t.Fatalf("the remote version was overwritten: %q", b)
	}
	copies, _ := filepath.Glob(e.server("doc (conflict *).txt"))
	if len(copies) != 1 {
		t.Fatalf("conflict copies %v", copies)
	}
	if b, _ := os.ReadFile(copies[0]); string(b) != "mine" {
		t.Fatalf("the conflict copy holds %q", b)
	}
	if !strings.Contains(e.d.log.String(), "conflict copy") {
		t.Fatalf("the log does not say so:\n%s", e.d.log)
	}
}

// TestRWUploadFaults: resets, 500s and 429s on the upload routes are
// retried until the tree is on the server, exact.
func TestRWUploadFaults(t *testing.T) {
	e := newRW(t)
	for _, f := range []emulator.Fault{
		{Endpoint: emulator.EpUpload, Kind: emulator.FaultReset, Times: 2},
		{Endpoint: emulator.EpUpload, Kind: emulator.Fault500, Times: 2},
		{Endpoint: emulator.EpUpload, Kind: emulator.Fault429, Times: 1},
		{Endpoint: emulator.EpSessionChunk, Kind: emulator.FaultReset, Times: 2},
		{Endpoint: emulator.EpSessionFinish, Kind: emulator.Fault500, Times: 1},
	} {
		e.srv.AddFault(f)
	}
	src := filepath.Join(t.TempDir(), "src")
	randomTree(t, src, map[string]int{"a": 100, "b": 200 << 10, "c/d": 7, "big": 17 << 20})
	run(t, "cp", "-r", src, e.mnt("f"))
	e.d.stop()
	diffTrees(t, src, e.server("f"))
}

// TestRWOverwriteNoSnapshot: without the drive snapshot, versions carry the
// content hash; an overwrite based on the mount's own upload is no
// conflict.
func TestRWOverwriteNoSnapshot(t *testing.T) {
	e := newRW(t, "--no-snapshot")
	for i, s := range []string{"first", "second, longer", "third"} {
		if err := os.WriteFile(e.mnt("doc.txt"), []byte(s), 0o644); err != nil {
			t.Fatal(err)
		}
		waitFile(t, e.server("doc.txt"), []byte(s), 20*time.Second)
		if i == 1 { // an edit in place, from the version the mount shows
			f, _ := os.OpenFile(e.mnt("doc.txt"), os.O_RDWR, 0)
			f.WriteAt([]byte("S"), 0)
			f.Close()
			waitFile(t, e.server("doc.txt"), []byte("Second, longer"), 20*time.Second)
		}
	}
	e.d.stop()
	if copies, _ := filepath.Glob(e.server("doc (conflict *")); len(copies) != 0 {
		t.Fatalf("conflict copies of our own uploads: %v", copies)
	}
}
