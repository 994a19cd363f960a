package writeback

import (
	"context"
	"io"
	"log/slog"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/infomaniakfs/infomaniakfs/remote"
)

// offlineFiles is a Files over r whose uploads fail until online is set.
func offlineFiles(t *testing.T, r *fakeRemote) (*Files, *atomic.Bool) {
	t.Helper()
	var online atomic.Bool
	r.fail = func(op string) error {
		if !online.Load() && (op == "upload" || op == "start") {
			return remote.ErrUnavailable
		}
		return nil
	}
	o := Options{Dir: t.TempDir(), Remote: r, MinBackoff: time.Millisecond, MaxBackoff: 2 * time.Millisecond, Logger: slog.New(slog.DiscardHandler)}.Defaults()
	f, err := NewFiles(o, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close(context.Background(), false) })
	return f, &online
}

func names(es []remote.Entry) string {
	var out []string
	for _, e := range es {
		out = append(out, e.Name)
	}
	return strings.Join(out, ",")
}

func TestFilesCreateShowsBeforeUpload(t *testing.T) {
	r := newFakeRemote()
	f, online := offlineFiles(t, r)
	l, err := f.Create(1, 5, "new.txt")
	if err != nil {
		t.Fatal(err)
	}
	l.WriteAt([]byte("hello"), 0)
	if err := f.Release(l); err != nil {
		t.Fatal(err)
	}
	ov := f.Overlay(1, 5, nil, f.Mark())
	if len(ov) != 1 || ov[0].Name != "new.txt" || ov[0].Size != 5 {
		t.Fatalf("overlay %+v", ov)
	}
	// Renamed before it could upload: it uploads under the new name.
	if err := f.Rename(t.Context(), 1, ov[0], 5, 6, "moved.txt"); err != nil {
		t.Fatal(err)
	}
	if names(f.Overlay(1, 5, nil, f.Mark())) != "" || names(f.Overlay(1, 6, nil, f.Mark())) != "moved.txt" {
		t.Fatal("the rename does not show")
	}
	online.Store(true)
	waitWhile(func() bool { return f.Status().Pending > 0 })
	if content(t, r, 6, "moved.txt") != "hello" || r.find(5, "new.txt") != nil || r.count("move") != 0 {
		t.Fatal("not uploaded under the new name alone")
	}
	if got := f.Resolve(1, ov[0].ID); got != r.find(6, "moved.txt").id {
		t.Fatalf("pseudo id resolves to %d", got)
	}
	if f.Local(1, ov[0].ID) != nil {
		t.Fatal("the local file outlived its upload")
	}
}

func TestFilesUnlinkDropsPendingUpload(t *testing.T) {
	r := newFakeRemote()
	f, online := offlineFiles(t, r)
	l, _ := f.Create(1, 5, "tmp")
	l.WriteAt([]byte("x"), 0)
	f.Release(l)
	e := f.Overlay(1, 5, nil, f.Mark())[0]
	if err := f.Unlink(t.Context(), 1, 5, e); err != nil {
		t.Fatal(err)
	}
	online.Store(true)
	if f.Status().Pending != 0 || len(f.Overlay(1, 5, nil, f.Mark())) != 0 || r.count("trash") != 0 {
		t.Fatalf("status %+v after unlink", f.Status())
	}
}

func TestFilesOpenExistingSyncAndOverlay(t *testing.T) {
	r := newFakeRemote()
	base := r.put(5, "doc", []byte("0123456789"))
	base.DriveID = 1
	f, online := offlineFiles(t, r)
	online.Store(true)
	l, err := f.Open(t.Context(), base, false, func(context.Context) (io.Reader, error) {
		return strings.NewReader("0123456789"), nil
	})
	if err != nil {
		t.Fatal(err)
	}
	l.WriteAt([]byte("AB"), 12) // past the end: a hole of zeros
	if ov := f.Overlay(1, 5, []remote.Entry{base}, f.Mark()); ov[0].Size != 14 {
		t.Fatalf("overlay size %d", ov[0].Size)
	}
	if err := f.Sync(t.Context(), l); err != nil {
		t.Fatal(err)
	}
	if got := content(t, r, 5, "doc"); got != "0123456789\x00\x00AB" {
		t.Fatalf("remote %q", got)
	}
	l.Truncate(3) // after a sync, the same handle goes on: no conflict
	f.Release(l)
	waitWhile(func() bool { return f.Status().Pending > 0 })
	if got := content(t, r, 5, "doc"); got != "012" || f.Status().Conflicts != 0 {
		t.Fatalf("remote %q, status %+v", got, f.Status())
	}
}

func TestFilesMTimeAfterCloseKeepsContent(t *testing.T) {
	// rsync: write, close, then set the mtime: a second job of the same
	// content, which replaces the first without losing its bytes.
	r := newFakeRemote()
	f, online := offlineFiles(t, r)
	l, _ := f.Create(1, 5, "f")
	l.WriteAt([]byte("bytes"), 0)
	f.Release(l)
	e := f.Overlay(1, 5, nil, f.Mark())[0]
	mt := time.Unix(1_500_000_000, 0)
	if err := f.SetMTime(t.Context(), e, mt); err != nil {
		t.Fatal(err)
	}
	if got := f.Overlay(1, 5, nil, f.Mark())[0]; !got.MTime.Equal(mt) || got.Size != 5 {
		t.Fatalf("shown %+v", got)
	}
	online.Store(true)
	waitWhile(func() bool { return f.Status().Pending > 0 })
	if content(t, r, 5, "f") != "bytes" || len(f.Status().Failed) != 0 {
		t.Fatalf("status %+v", f.Status())
	}
	// One upload of the content, with the mtime, not two.
	if n := r.count("stored"); n != 1 || !r.find(5, "f").mtime.Equal(mt) {
		t.Fatalf("%d uploads, mtime %v", n, r.find(5, "f").mtime)
	}
}

func TestFilesMTimeDuringUploadNoSecondUpload(t *testing.T) {
	r := newFakeRemote()
	r.gate = make(chan struct{})
	f, online := offlineFiles(t, r)
	online.Store(true)
	l, _ := f.Create(1, 5, "big")
	l.WriteAt([]byte("content"), 0)
	e := l.Entry()
	f.Release(l)
	for r.held.Load() == 0 { // the upload is under way
		time.Sleep(time.Millisecond)
	}
	mt := time.Unix(1_500_000_000, 0)
	if err := f.SetMTime(t.Context(), e, mt); err != nil {
		t.Fatal(err)
	}
	close(r.gate)
	waitWhile(func() bool { return f.Status().Pending > 0 || r.count("mtime") == 0 })
	if n := r.count("stored"); n != 1 || !r.find(5, "big").mtime.Equal(mt) {
		t.Fatalf("%d uploads, mtime %v", n, r.find(5, "big").mtime)
	}
}

// TestFilesLandedShowsToListingsAskedBefore: a listing asked before an
// upload landed (it lacks the file) and overlaid after it (the local copy
// gone) still shows the file, under its remote id; one asked after does
// not add it again; a trash hides it from listings asked before it.
func TestFilesLandedShowsToListingsAskedBefore(t *testing.T) {
	r := newFakeRemote()
	f, online := offlineFiles(t, r)
	l, _ := f.Create(1, 5, ".tmp.x")
	l.WriteAt([]byte("hello"), 0)
	f.Release(l)
	before := f.Mark()
	online.Store(true)
	waitWhile(func() bool { return f.Status().Pending > 0 })
	up := r.find(5, ".tmp.x")
	if up == nil || f.Local(1, l.shown) != nil {
		t.Fatal("not uploaded, or the local copy outlived it")
	}
	got := f.Overlay(1, 5, nil, before)
	if len(got) != 1 || got[0].ID != up.id || got[0].Name != ".tmp.x" || got[0].Size != 5 {
		t.Fatalf("listing asked before the landing shows %+v", got)
	}
	landed := got[0]
	if got := f.Overlay(1, 5, nil, f.Mark()); len(got) != 0 {
		t.Fatalf("listing asked after the landing gains %+v", got)
	}
	// Renamed, then trashed: listings asked before each see it done.
	before = f.Mark()
	if err := f.Rename(t.Context(), 1, landed, 5, 5, "x"); err != nil {
		t.Fatal(err)
	}
	stale := []remote.Entry{{ID: up.id, DriveID: 1, ParentID: 5, Name: ".tmp.x", Size: 5}}
	if got := f.Overlay(1, 5, stale, before); names(got) != "x" {
		t.Fatalf("stale listing after the rename shows %q", names(got))
	}
	before = f.Mark()
	if err := f.Unlink(t.Context(), 1, 5, remote.Entry{ID: up.id, DriveID: 1, ParentID: 5, Name: "x"}); err != nil {
		t.Fatal(err)
	}
	if got := f.Overlay(1, 5, stale, before); len(got) != 0 {
		t.Fatalf("stale listing after the trash shows %q", names(got))
	}
}

// wroteFunc is an Invalidator that runs a function on each Wrote.
type wroteFunc func(e remote.Entry, gone bool)

func (wroteFunc) Invalidate(int64, int64)            {}
func (fn wroteFunc) Wrote(e remote.Entry, gone bool) { fn(e, gone) }

// TestFilesMTimeWhileTheUploadLands: rsync's utimens arriving while the
// upload's news is being taken in (the job still counted running) is
// never lost: the remote file ends with that mtime.
func TestFilesMTimeWhileTheUploadLands(t *testing.T) {
	r := newFakeRemote()
	mt := time.Unix(1_500_000_000, 0)
	var f *Files
	var e remote.Entry
	var once sync.Once
	inv := wroteFunc(func(remote.Entry, bool) {
		once.Do(func() { // the first news of the landing
			if err := f.SetMTime(context.Background(), e, mt); err != nil {
				t.Error(err)
			}
		})
	})
	o := Options{Dir: t.TempDir(), Remote: r, MinBackoff: time.Millisecond, MaxBackoff: 2 * time.Millisecond, Logger: slog.New(slog.DiscardHandler)}.Defaults()
	r.gate = make(chan struct{})
	var err error
	if f, err = NewFiles(o, inv); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close(context.Background(), false) })
	l, _ := f.Create(1, 5, ".f.tmp")
	l.WriteAt([]byte("content"), 0)
	e = l.Entry()
	f.Release(l)
	close(r.gate)
	landed := func() bool {
		ff := r.find(5, ".f.tmp")
		return ff != nil && ff.mtime.Equal(mt) && f.Status().Pending == 0
	}
	waitWhile(func() bool { return !landed() })
	if !landed() {
		t.Fatalf("remote file %+v: the mtime set while the upload landed is lost", r.find(5, ".f.tmp"))
	}
}

// TestFilesMTimeBetweenCloseAndRelease: close flushes (a commit), the
// mtime comes before the kernel's release of the file (rsync, cp -p): one
// upload, with that mtime.
func TestFilesMTimeBetweenCloseAndRelease(t *testing.T) {
	r := newFakeRemote()
	f, online := offlineFiles(t, r)
	l, _ := f.Create(1, 5, "f")
	l.WriteAt([]byte("bytes"), 0)
	if err := f.Commit(l); err != nil { // the flush at close
		t.Fatal(err)
	}
	online.Store(true)
	waitWhile(func() bool { return r.count("stored") == 0 })
	mt := time.Unix(1_500_000_000, 0)
	if err := f.SetMTime(t.Context(), l.Entry(), mt); err != nil {
		t.Fatal(err)
	}
	if err := f.Release(l); err != nil {
		t.Fatal(err)
	}
	waitWhile(func() bool { return f.Status().Pending > 0 || !r.find(5, "f").mtime.Equal(mt) })
	if n := r.count("stored"); n != 1 || !r.find(5, "f").mtime.Equal(mt) {
		t.Fatalf("%d uploads, mtime %v", n, r.find(5, "f").mtime)
	}
}

// waitWhile waits, up to 5 s, while cond holds; the assertions that follow
// say what it was waiting for.
func waitWhile(cond func() bool) {
	for deadline := time.Now().Add(5 * time.Second); cond() && time.Now().Before(deadline); {
		time.Sleep(time.Millisecond)
	}
}
