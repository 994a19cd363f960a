package cache

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/infomaniakfs/infomaniakfs/remote"
)

func TestFollowAppliesEveryAction(t *testing.T) {
	at := time.Unix(1_800_000_000, 0)
	tests := []struct {
		name   string
		action string
		id     int64
		change func(e *remote.Entry)
		want   DriveChange
		lists  map[int64][]string // directory → names after
		stat   func(t *testing.T, e remote.Entry, err error)
	}{
		{"file created", ActionCreate, 20, func(e *remote.Entry) {
			*e = remote.Entry{ID: 20, ParentID: 2, Name: "new", Size: 3, MTime: at, Version: "v2"}
		}, DriveChange{Kind: DriveCreated, ID: 20, NewParent: 2, NewName: "new"},
			map[int64][]string{2: {"d3", "f11", "new"}}, nil},
		{"folder created: empty, listed without a request", ActionCreate, 21, func(e *remote.Entry) {
			*e = remote.Entry{ID: 21, ParentID: 1, Name: "dir", IsDir: true, MTime: at, Version: "x"}
		}, DriveChange{Kind: DriveCreated, ID: 21, IsDir: true, NewParent: 1, NewName: "dir"},
			map[int64][]string{1: {"d2", "d4", "dir", "f12"}, 21: nil}, nil},
		{"file updated: new version", ActionUpdate, 11, func(e *remote.Entry) {
			e.Size, e.MTime, e.Version = 9, at, "v9"
		}, DriveChange{Kind: DriveUpdated, ID: 11, OldParent: 2, NewParent: 2, OldName: "f11", NewName: "f11"},
			nil, func(t *testing.T, e remote.Entry, err error) {
				if err != nil || e.Version != "v9" || e.Size != 9 {
					t.Fatalf("stat = %+v, %v", e, err)
				}
			}},
		{"file renamed", ActionRename, 12, func(e *remote.Entry) { e.Name = "g12" },
			DriveChange{Kind: DriveRenamed, ID: 12, OldParent: 1, NewParent: 1, OldName: "f12", NewName: "g12"},
			map[int64][]string{1: {"d2", "d4", "g12"}}, nil},
		{"folder renamed", ActionRename, 2, func(e *remote.Entry) { e.Name = "e2" },
			DriveChange{Kind: DriveRenamed, ID: 2, IsDir: true, OldParent: 1, NewParent: 1, OldName: "d2", NewName: "e2"},
			map[int64][]string{1: {"d4", "e2", "f12"}, 2: {"d3", "f11"}}, nil},
		{"file moved", ActionMoveIn, 10, func(e *remote.Entry) { e.ParentID = 4 },
			DriveChange{Kind: DriveMoved, ID: 10, OldParent: 3, NewParent: 4, OldName: "f10", NewName: "f10"},
			map[int64][]string{3: nil, 4: {"f10"}}, nil},
		{"folder moved, its tree with it", ActionMoveIn, 3, func(e *remote.Entry) { e.ParentID = 4 },
			DriveChange{Kind: DriveMoved, ID: 3, IsDir: true, OldParent: 2, NewParent: 4, OldName: "d3", NewName: "d3"},
			map[int64][]string{2: {"f11"}, 4: {"d3"}, 3: {"f10"}}, nil},
		{"file trashed", ActionTrash, 11, func(e *remote.Entry) {},
			DriveChange{Kind: DriveRemoved, ID: 11, OldParent: 2, OldName: "f11"},
			map[int64][]string{2: {"d3"}}, func(t *testing.T, e remote.Entry, err error) {
				if err == nil {
					t.Fatalf("stat of a trashed file = %+v", e)
				}
			}},
		{"folder deleted, with its tree", ActionDelete, 2, func(e *remote.Entry) {},
			DriveChange{Kind: DriveRemoved, ID: 2, IsDir: true, OldParent: 1, OldName: "d2"},
			map[int64][]string{1: {"d4", "f12"}}, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := newFeedFake()
			d, got := followed(t, f, Options{})
			f.mutate(tc.action, tc.id, tc.change)
			ch := next(t, got)
			tc.want.Drive = 1
			if ch != tc.want {
				t.Fatalf("change = %+v\nwant     %+v", ch, tc.want)
			}
			for dir, want := range tc.lists {
				if got := names(t, d, dir); !slices.Equal(got, want) {
					t.Errorf("list %d = %q, want %q", dir, got, want)
				}
			}
			if n := f.lists() + f.stats(); n != 0 {
				t.Errorf("%d List/Stat requests; the feed should have been enough", n)
			}
			if tc.stat != nil {
				e, err := d.Stat(context.Background(), 1, tc.id)
				tc.stat(t, e, err)
			}
			if n := f.snaps.Load(); n != 1 {
				t.Errorf("%d snapshots, want 1", n)
			}
		})
	}
}

func TestFollowRestoreAndDeleteAfterTrash(t *testing.T) {
	f := newFeedFake()
	d, got := followed(t, f, Options{})
	f.mutate(ActionTrash, 12, func(e *remote.Entry) {})
	f.mutate(ActionDelete, 12, func(e *remote.Entry) {}) // purge: no second change
	f.mutate(ActionRestore, 11, func(e *remote.Entry) { e.ParentID = 4 })
	if ch := next(t, got); ch.Kind != DriveRemoved || ch.ID != 12 {
		t.Fatalf("first change = %+v", ch)
	}
	if ch := next(t, got); ch.Kind != DriveMoved || ch.ID != 11 {
		t.Fatalf("second change = %+v", ch)
	}
	if l := names(t, d, 4); !slices.Equal(l, []string{"f11"}) {
		t.Fatalf("restored into d4: %q", l)
	}
}

// A feed batch touching a listing that a write here invalidated leaves it
// expired: the next List asks the remote, which has the write.
func TestFollowNeverRevivesAnInvalidatedListing(t *testing.T) {
	f := newFeedFake()
	d, _ := followed(t, f, Options{PollInterval: -1}) // the test applies the batch
	f.addFile(2, 20, 3)                               // a file uploaded here
	d.Invalidate(1, 2)
	old := remote.Entry{ID: 11, ParentID: 2, Name: "f11", Size: 9, Version: "v9"}
	d.apply(1, []DriveAction{{Action: ActionUpdate, Entry: old}}) // read before the upload
	if got := names(t, d, 2); !slices.Contains(got, "f20") {
		t.Fatalf("list 2 = %q: the upload is missing", got)
	}
}

// A batch read while this mount wrote to the drive may predate the write:
// what it touches is asked again, never shown as the batch says.
func TestFollowDistrustsABatchReadDuringAWrite(t *testing.T) {
	f := newFeedFake()
	d, got := followed(t, f, Options{})
	f.setDuring(func() {
		// The write here: renamed on the server, the cache told, the
		// folder listed again; the batch still has the older name.
		f.mutate(ActionRename, 12, func(e *remote.Entry) { e.Name = "g12" })
		d.Invalidate(1, 12)
		d.List(context.Background(), 1, 1)
		f.setErrs(nil, remote.ErrUnavailable) // the rename's batch never comes
	})
	f.mutate(ActionUpdate, 12, func(e *remote.Entry) { e.Size, e.Version = 9, "v9" })
	next(t, got)
	if got := names(t, d, 1); !slices.Equal(got, []string{"d2", "d4", "g12"}) {
		t.Fatalf("list 1 = %q, want the rename made here", got)
	}
}

// A removed folder takes the stats of everything under it, also of items
// whose folder listing is not held (one the feed reported on its own).
func TestFollowRemovedFolderDropsStatsUnderIt(t *testing.T) {
	f := newFeedFake()
	d, _ := followed(t, f, Options{PollInterval: -1}) // the test applies the batch
	if _, err := d.Stat(context.Background(), 1, 10); err != nil {
		t.Fatal(err)
	}
	d.lists.del(itemKey{1, 3}) // f10's folder, d3, no longer listed
	d.apply(1, []DriveAction{{Action: ActionTrash, Entry: remote.Entry{ID: 2, ParentID: 1, IsDir: true}}})
	for _, id := range []int64{2, 3, 10, 11} {
		if e, ok := d.stats.peek(itemKey{1, id}); ok {
			t.Errorf("stat of %d kept after its folder went: %+v", id, e)
		}
	}
}
