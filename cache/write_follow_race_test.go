package cache

import (
	"context"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/infomaniakfs/infomaniakfs/remote"
	"github.com/infomaniakfs/infomaniakfs/remote/remotetest"
)

// heldFeed is the fake's change feed with two holds on the follower's
// DriveChanges: after it fetched a batch (the batch then lands late), and
// before it fetches the next one.
type heldFeed struct {
	feedSource
	mu            sync.Mutex
	after, before chan struct{} // nil: no hold; closed to release
	at            chan string   // where a held call waits: "after", "before"
}

func (h *heldFeed) DriveChanges(ctx context.Context, driveID int64, cursor string) ([]DriveAction, string, error) {
	h.wait(ctx, "before", &h.before)
	acts, next, err := h.feedSource.DriveChanges(ctx, driveID, cursor)
	h.wait(ctx, "after", &h.after)
	return acts, next, err
}

// wait holds the call while *gate is set (once: the hold is spent).
func (h *heldFeed) wait(ctx context.Context, where string, gate *chan struct{}) {
	h.mu.Lock()
	g := *gate
	*gate = nil
	h.mu.Unlock()
	if g == nil {
		return
	}
	h.at <- where
	select {
	case <-g:
	case <-ctx.Done():
	}
}

func (h *heldFeed) hold(gate *chan struct{}) chan struct{} {
	g := make(chan struct{})
	h.mu.Lock()
	*gate = g
	h.mu.Unlock()
	return g
}

// A batch of the change feed fetched before a write, applied after the
// writer told the cache (Invalidate), must not bring back what the write
// changed: here a rename (rsync's temporary file renamed into place). The
// stale file_create must not be applied over the fresh listing (distrust),
// or the final name would vanish until the next batch.
func TestStaleFeedBatchAfterWrite(t *testing.T) {
	w := remotetest.NewFakeWriteWorld()
	feed := &heldFeed{feedSource: feedSource{remotetest.Feed{DriveFake: w.F}}, at: make(chan string, 1)}
	d := decoratedForWrites(t, feed)
	ctx := t.Context()
	dir := w.AddDir(t, 1, 1, "dir")
	if _, err := d.List(ctx, 1, dir); err != nil { // the snapshot: the follower starts
		t.Fatal(err)
	}
	waitAt := func(want string) {
		t.Helper()
		select {
		case got := <-feed.at:
			if got != want {
				t.Fatalf("follower held %s, want %s", got, want)
			}
		case <-time.After(5 * time.Second):
			t.Fatalf("the follower never reached %s", want)
		}
	}
	late := feed.hold(&feed.after)
	content := []byte("rsync's temporary file")
	e, err := w.W.Upload(ctx, remoteUpload(dir, ".f.XXXXXX", content), content)
	if err != nil {
		t.Fatal(err)
	}
	waitAt("after") // the batch [file_create .f.XXXXXX] fetched, not applied
	next := feed.hold(&feed.before)
	if err := w.W.Rename(ctx, 1, e.ID, "f"); err != nil {
		t.Fatal(err)
	}
	d.Invalidate(1, dir) // what writeback tells the cache after a rename
	d.Invalidate(1, e.ID)
	if got := names(t, d, dir); !slices.Equal(got, []string{"f"}) {
		t.Fatalf("just after the rename: %q", got)
	}
	close(late)
	waitAt("before") // the stale batch applied, the next one not fetched
	defer close(next)
	if got := names(t, d, dir); !slices.Equal(got, []string{"f"}) {
		t.Errorf("after a feed batch older than the rename: %q, want [f]", got)
	}
	if st, err := d.Stat(ctx, 1, e.ID); err != nil || st.Name != "f" {
		t.Errorf("stat after a feed batch older than the rename: %+v, %v", st, err)
	}
}

func remoteUpload(dir int64, name string, content []byte) remote.Upload {
	return remote.Upload{DriveID: 1, DirID: dir, Name: name, Size: int64(len(content)), Hash: remote.Hash(content)}
}
