package kdrive

import (
	"bytes"
	"errors"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/infomaniakfs/infomaniakfs/remote"
	"github.com/infomaniakfs/infomaniakfs/remote/emulator"
	"github.com/infomaniakfs/infomaniakfs/remote/emulator/dataset"
	"github.com/infomaniakfs/infomaniakfs/remote/remotetest"
)

// writeFixture is an emulator, a client and the Private folder of its drive.
func writeFixture(t *testing.T) (*emulator.Server, *Client, int64, int64) {
	t.Helper()
	s, c := startEmulator(t, dataset.Spec{})
	d := s.Data().Drives()[0].ID
	return s, c, d, child(t, c, d, 1, "Private").ID
}

// serverContent is what the emulator holds for file id.
func serverContent(t *testing.T, s *emulator.Server, d, id int64) []byte {
	t.Helper()
	r, size, _, ok := s.Data().Content(d, id)
	if !ok {
		t.Fatalf("no content for %d", id)
	}
	b, err := io.ReadAll(io.NewSectionReader(r, 0, size))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func newUpload(d, dir int64, name string, b []byte) remote.Upload {
	return remote.Upload{DriveID: d, DirID: dir, Name: name, Size: int64(len(b)), Hash: remote.Hash(b), MTime: time.Unix(1_700_000_000, 0)}
}

func TestWriteMkdir(t *testing.T) {
	_, c, d, priv := writeFixture(t)
	e, err := c.Mkdir(t.Context(), d, priv, "new")
	if err != nil || !e.IsDir || e.Name != "new" || e.ParentID != priv {
		t.Fatalf("mkdir: %+v %v", e, err)
	}
	for _, tc := range []struct {
		parent int64
		name   string
		want   error
	}{
		{priv, "new", remote.ErrExists},
		{priv, "a/b", remote.ErrInvalidName},
		{priv, strings.Repeat("x", 256), remote.ErrInvalidName},
		{1, "at-root", remote.ErrPermission},
		{987654, "x", remote.ErrNotFound},
	} {
		if _, err := c.Mkdir(t.Context(), d, tc.parent, tc.name); !errors.Is(err, tc.want) {
			t.Errorf("mkdir %q in %d: %v, want %v", tc.name, tc.parent, err, tc.want)
		}
	}
}

func TestWriteUploadDirect(t *testing.T) {
	s, c, d, priv := writeFixture(t)
	body := []byte("hello, kDrive")
	u := newUpload(d, priv, "a.txt", body)
	e, err := c.Upload(t.Context(), u, body)
	if err != nil || e.Size != int64(len(body)) || e.Name != "a.txt" || !e.MTime.Equal(u.MTime) {
		t.Fatalf("upload: %+v %v", e, err)
	}
	if got := serverContent(t, s, d, e.ID); !bytes.Equal(got, body) {
		t.Fatalf("server holds %q", got)
	}
	// The same upload again is what a retry after a lost answer sends:
	// recognised as landed, not an error and not a second file.
	again, err := c.Upload(t.Context(), u, body)
	if err != nil || again.ID != e.ID {
		t.Fatalf("repeated upload: %+v %v", again, err)
	}
	other := []byte("other bytes")
	if _, err := c.Upload(t.Context(), newUpload(d, priv, "a.txt", other), other); !errors.Is(err, remote.ErrExists) {
		t.Fatalf("upload over a taken name: %v, want ErrExists", err)
	}
	// Overwrite based on the current version, then on a stale one.
	over := newUpload(d, 0, "", other)
	over.FileID, over.BaseVersion = e.ID, e.Version
	over.MTime = u.MTime.Add(time.Hour)
	e2, err := c.Upload(t.Context(), over, other)
	if err != nil || e2.ID != e.ID || e2.Version == e.Version {
		t.Fatalf("overwrite: %+v %v", e2, err)
	}
	if got := serverContent(t, s, d, e.ID); !bytes.Equal(got, other) {
		t.Fatalf("server holds %q after overwrite", got)
	}
	if _, err := c.Upload(t.Context(), over, other); !errors.Is(err, remote.ErrConflict) {
		t.Fatalf("overwrite on a stale base: %v, want ErrConflict", err)
	}
	if h, err := c.Hash(t.Context(), d, e.ID); err != nil || h != remote.Hash(other) {
		t.Fatalf("hash %q %v", h, err)
	}
	// Empty files, bad names, a bad hash.
	if e, err := c.Upload(t.Context(), newUpload(d, priv, "empty", nil), nil); err != nil || e.Size != 0 {
		t.Fatalf("empty upload: %+v %v", e, err)
	}
	if _, err := c.Upload(t.Context(), newUpload(d, priv, "x/y", body), body); !errors.Is(err, remote.ErrInvalidName) {
		t.Fatalf("bad name: %v", err)
	}
	bad := newUpload(d, priv, "bad", body)
	bad.Hash = remote.Hash([]byte("not it"))
	if _, err := c.Upload(t.Context(), bad, body); err == nil {
		t.Fatal("a wrong hash was accepted")
	}
}

func TestWriteUploadQuota(t *testing.T) {
	s, c, d, priv := writeFixture(t)
	s.Data().SetQuota(s.Data().Drives()[0].UsedSize + 10)
	body := make([]byte, 100)
	if _, err := c.Upload(t.Context(), newUpload(d, priv, "big", body), body); !errors.Is(err, remote.ErrNoSpace) {
		t.Fatalf("upload over quota: %v, want ErrNoSpace", err)
	}
}

func TestWriteUploadSession(t *testing.T) {
	s, c, d, priv := writeFixture(t)
	content := bytes.Repeat([]byte("0123456789abcdef"), 4096) // 64 KiB
	u := newUpload(d, priv, "big.bin", content)
	const chunk = 25_000
	n := (len(content) + chunk - 1) / chunk
	sess, err := c.StartSession(t.Context(), u, n)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < n; i++ {
		part := content[i*chunk : min((i+1)*chunk, len(content))]
		if err := c.UploadChunk(t.Context(), sess, i+1, remotetest.Section(part)); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := c.childNamed(t.Context(), d, priv, "big.bin"); !errors.Is(err, remote.ErrNotFound) {
		t.Fatalf("the file shows before finish: %v", err)
	}
	e, err := c.FinishSession(t.Context(), sess, u)
	if err != nil || e.Size != int64(len(content)) {
		t.Fatalf("finish: %+v %v", e, err)
	}
	if got := serverContent(t, s, d, e.ID); !bytes.Equal(got, content) {
		t.Fatal("session content differs")
	}
	// A finish repeated (its first answer lost) finds the file landed.
	if again, err := c.FinishSession(t.Context(), sess, u); err != nil || again.ID != e.ID {
		t.Fatalf("repeated finish: %+v %v", again, err)
	}
	// A cancelled session leaves nothing.
	s2, err := c.StartSession(t.Context(), newUpload(d, priv, "gone.bin", content), 1)
	if err != nil {
		t.Fatal(err)
	}
	if err := c.CancelSession(t.Context(), s2); err != nil {
		t.Fatal(err)
	}
	if err := c.UploadChunk(t.Context(), s2, 1, remotetest.Section(content)); !errors.Is(err, remote.ErrNotFound) {
		t.Fatalf("chunk after cancel: %v", err)
	}
}

func TestWriteRenameMoveTrashMTime(t *testing.T) {
	s, c, d, priv := writeFixture(t)
	body := []byte("x")
	a, err := c.Upload(t.Context(), newUpload(d, priv, "a", body), body)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := c.Upload(t.Context(), newUpload(d, priv, "b", body), body)
	sub, _ := c.Mkdir(t.Context(), d, priv, "sub")
	if err := c.Rename(t.Context(), d, a.ID, "b"); !errors.Is(err, remote.ErrExists) {
		t.Fatalf("rename onto b: %v", err)
	}
	if err := c.Rename(t.Context(), d, a.ID, "bad/name"); !errors.Is(err, remote.ErrInvalidName) {
		t.Fatalf("rename to a bad name: %v", err)
	}
	for range 2 { // the second is a retry: idempotent
		if err := c.Rename(t.Context(), d, a.ID, "a2"); err != nil {
			t.Fatal(err)
		}
		if err := c.Move(t.Context(), d, a.ID, sub.ID, "a3"); err != nil {
			t.Fatal(err)
		}
	}
	if got := s.Data().Path(d, a.ID); got != "/Private/sub/a3" {
		t.Fatalf("moved to %q", got)
	}
	if err := c.Move(t.Context(), d, b.ID, sub.ID, "a3"); !errors.Is(err, remote.ErrExists) {
		t.Fatalf("move onto a3: %v", err)
	}
	mt := time.Unix(1_600_000_000, 0)
	if e, err := c.SetMTime(t.Context(), d, a.ID, mt); err != nil || !e.MTime.Equal(mt) {
		t.Fatalf("set mtime: %+v %v", e, err)
	}
	for range 2 { // trashing what is gone is not an error
		if err := c.Trash(t.Context(), d, b.ID); err != nil {
			t.Fatal(err)
		}
	}
	if _, ok := s.Data().Item(d, b.ID); ok {
		t.Fatal("b still in the tree")
	}
	if err := c.Trash(t.Context(), d, priv); !errors.Is(err, remote.ErrPermission) {
		t.Fatalf("trash Private: %v", err)
	}
}

func TestWriteVersionsMatchStatWithHash(t *testing.T) {
	_, c, d, priv := writeFixture(t)
	c.SetContentHash(true)
	body := []byte("one")
	e, err := c.Upload(t.Context(), newUpload(d, priv, "h.txt", body), body)
	if err != nil {
		t.Fatal(err)
	}
	st, err := c.Stat(t.Context(), d, e.ID)
	if err != nil || st.Version != e.Version {
		t.Fatalf("upload answered version %q, stat says %q (%v)", e.Version, st.Version, err)
	}
	two := []byte("two")
	over := newUpload(d, 0, "", two)
	over.FileID, over.BaseVersion = e.ID, e.Version
	if _, err := c.Upload(t.Context(), over, two); err != nil {
		t.Fatalf("overwrite based on the upload's answer: %v", err)
	}
	if m, err := c.SetMTime(t.Context(), d, e.ID, time.Unix(1_600_000_000, 0)); err != nil {
		t.Fatal(err)
	} else if st, _ := c.Stat(t.Context(), d, e.ID); st.Version != m.Version {
		t.Fatalf("set mtime answered version %q, stat says %q", m.Version, st.Version)
	}
}
