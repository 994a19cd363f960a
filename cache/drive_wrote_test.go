package cache

import (
	"context"
	"slices"
	"testing"

	"github.com/infomaniakfs/infomaniakfs/remote"
)

// What a write made here left on the remote shows through the cache with
// no request: a new file, a rename, a trash, a new folder.
func TestWroteNeedsNoRequest(t *testing.T) {
	ctx := context.Background()
	f := newFeedFake()
	d, _ := followed(t, f, Options{})
	names(t, d, 2)
	before := f.lists() + f.stats() + f.snaps.Load()
	d.Wrote(remote.Entry{ID: 20, ParentID: 2, DriveID: 1, Name: "new", Size: 3, Version: "v1"}, false)
	d.Wrote(remote.Entry{ID: 11, ParentID: 2, DriveID: 1, Name: "g11", Version: "v1"}, false)
	d.Wrote(remote.Entry{ID: 3, ParentID: 2, DriveID: 1, IsDir: true}, true)
	d.Wrote(remote.Entry{ID: 21, ParentID: 1, DriveID: 1, Name: "dir", IsDir: true}, false)
	if got := names(t, d, 2); !slices.Equal(got, []string{"g11", "new"}) {
		t.Errorf("list 2 = %q", got)
	}
	if got := names(t, d, 1); !slices.Equal(got, []string{"d2", "d4", "dir", "f12"}) {
		t.Errorf("list 1 = %q", got)
	}
	if e, err := d.Stat(ctx, 1, 20); err != nil || e.Size != 3 {
		t.Errorf("stat of the new file = %+v, %v", e, err)
	}
	if n := f.lists() + f.stats() + f.snaps.Load() - before; n != 0 {
		t.Errorf("%d requests after the writes, want none", n)
	}
}

// A batch of the feed read before a write and applied after it does not
// undo the write: the write is applied again over it.
func TestWroteStandsOverAStaleBatch(t *testing.T) {
	f := newFeedFake()
	d, got := followed(t, f, Options{})
	f.setDuring(func() {
		// The write here, told as Wrote: renamed on the server and in
		// the cache; the batch still has the older name.
		f.mutate(ActionRename, 12, func(e *remote.Entry) { e.Name = "g12" })
		d.Wrote(remote.Entry{ID: 12, ParentID: 1, DriveID: 1, Name: "g12", Size: 7, Version: "v9"}, false)
		f.setErrs(nil, remote.ErrUnavailable) // the rename's batch never comes
	})
	f.mutate(ActionUpdate, 12, func(e *remote.Entry) { e.Size, e.Version = 7, "v9" })
	next(t, got)
	if got := names(t, d, 1); !slices.Equal(got, []string{"d2", "d4", "g12"}) {
		t.Fatalf("list 1 = %q, want the rename made here", got)
	}
}
