package cache

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/infomaniakfs/infomaniakfs/remote"
)

// feedFake adds a change feed to the snapshot fake: every mutation is
// logged as an action, and a cursor is a position in the log.
type feedFake struct {
	*snapFake
	feedMu  sync.Mutex
	log     []DriveAction
	changed chan struct{} // closed and replaced on every mutation
	expired map[string]bool

	polls, changes, activePolls atomic.Int64
	pollErr, changesErr         error // GUARDED_BY(feedMu)
}

func (f *feedFake) setErrs(poll, changes error) {
	f.feedMu.Lock()
	f.pollErr, f.changesErr = poll, changes
	f.feedMu.Unlock()
}

func newFeedFake() *feedFake {
	return &feedFake{snapFake: treeFake(), changed: make(chan struct{}), expired: map[string]bool{}}
}

func (f *feedFake) cursor() string {
	f.feedMu.Lock()
	defer f.feedMu.Unlock()
	return "c" + strconv.Itoa(len(f.log))
}

func (f *feedFake) FullListing(ctx context.Context, driveID int64) ([]remote.Entry, string, error) {
	f.feedMu.Lock() // no mutation between the tree and its cursor
	defer f.feedMu.Unlock()
	entries, _, err := f.snapFake.FullListing(ctx, driveID)
	return entries, "c" + strconv.Itoa(len(f.log)), err
}

func (f *feedFake) pos(cursor string) int {
	n, _ := strconv.Atoi(cursor[1:])
	return n
}

func (f *feedFake) LongPoll(ctx context.Context, driveID int64, cursor string) (bool, error) {
	f.polls.Add(1)
	f.activePolls.Add(1)
	defer f.activePolls.Add(-1)
	for {
		f.feedMu.Lock()
		n, ch, err := len(f.log), f.changed, f.pollErr
		f.feedMu.Unlock()
		if err != nil {
			return false, err
		}
		if n > f.pos(cursor) {
			return true, nil
		}
		select {
		case <-ch:
		case <-ctx.Done():
			return false, ctx.Err()
		}
	}
}

func (f *feedFake) DriveChanges(ctx context.Context, driveID int64, cursor string) ([]DriveAction, string, error) {
	f.changes.Add(1)
	f.feedMu.Lock()
	defer f.feedMu.Unlock()
	if f.changesErr != nil {
		return nil, "", f.changesErr
	}
	if f.expired[cursor] {
		return nil, "", fmt.Errorf("changes: %w", &remote.APIError{Status: 400, Code: "invalid_cursor_error", Kind: remote.ErrInvalid})
	}
	return slices.Clone(f.log[f.pos(cursor):]), "c" + strconv.Itoa(len(f.log)), nil
}

// mutate changes the fake's tree and logs action about item id as it is
// afterwards (or was, for a removal).
func (f *feedFake) mutate(action string, id int64, change func(e *remote.Entry)) {
	f.feedMu.Lock()
	defer f.feedMu.Unlock()
	f.mu.Lock()
	e := f.entries[id]
	oldParent := e.ParentID
	change(&e)
	switch action {
	case ActionTrash, ActionDelete:
		delete(f.entries, id)
		f.children[oldParent] = slices.DeleteFunc(f.children[oldParent], func(x int64) bool { return x == id })
	default:
		e.DriveID = 1
		f.entries[id] = e
		if oldParent != e.ParentID {
			f.children[oldParent] = slices.DeleteFunc(f.children[oldParent], func(x int64) bool { return x == id })
			f.children[e.ParentID] = append(f.children[e.ParentID], id)
		}
	}
	f.mu.Unlock()
	f.log = append(f.log, DriveAction{Action: action, Entry: e})
	close(f.changed)
	f.changed = make(chan struct{})
}

// followed starts a cache over f and loads drive 1's snapshot; changes
// reach the returned channel.
func followed(t *testing.T, f *feedFake, o Options) (*Drives, chan DriveChange) {
	t.Helper()
	d := NewDrives(f, o)
	t.Cleanup(func() { d.Close() })
	got := make(chan DriveChange, 100)
	d.SubscribeDriveChanges(func(ch DriveChange) {
		select {
		case got <- ch:
		default: // a test that makes more changes does not read them
		}
	})
	if _, err := d.List(context.Background(), 1, 1); err != nil {
		t.Fatal(err)
	}
	return d, got
}

func next(t *testing.T, got chan DriveChange) DriveChange {
	t.Helper()
	select {
	case ch := <-got:
		return ch
	case <-time.After(5 * time.Second):
		t.Fatal("no change reported")
		return DriveChange{}
	}
}

func names(t *testing.T, d *Drives, dir int64) []string {
	t.Helper()
	l, err := d.List(context.Background(), 1, dir)
	if err != nil {
		t.Fatalf("list %d: %v", dir, err)
	}
	var out []string
	for _, e := range l {
		out = append(out, e.Name)
	}
	slices.Sort(out)
	return out
}

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
			if n := f.lists.Load() + f.stats.Load(); n != 0 {
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

func TestFollowKeepsEntriesPastTTL(t *testing.T) {
	c := newClock()
	f := newFeedFake()
	d, _ := followed(t, f, Options{Now: c.Now})
	c.advance(24 * time.Hour)
	names(t, d, 2)
	if _, err := d.Stat(context.Background(), 1, 10); err != nil {
		t.Fatal(err)
	}
	if n := f.snaps.Load() + f.lists.Load() + f.stats.Load(); n != 1 {
		t.Fatalf("%d requests after a day, want the 1 snapshot", n)
	}
}

func TestFollowOff(t *testing.T) {
	for _, o := range []Options{{NoSnapshot: true}, {PollInterval: -1}} {
		f := newFeedFake()
		followed(t, f, o)
		time.Sleep(50 * time.Millisecond)
		if n := f.polls.Load() + f.changes.Load(); n != 0 {
			t.Fatalf("%+v: %d feed requests, want none", o, n)
		}
	}
}

func TestFollowRefusedCursorCostsOneSnapshot(t *testing.T) {
	f := newFeedFake()
	d, got := followed(t, f, Options{})
	f.feedMu.Lock()
	f.expired["c0"] = true
	f.feedMu.Unlock()
	f.mutate(ActionRename, 12, func(e *remote.Entry) { e.Name = "g12" })
	if ch := next(t, got); ch.Kind != DriveReloaded || ch.Drive != 1 {
		t.Fatalf("change = %+v, want a reload", ch)
	}
	if l := names(t, d, 1); !slices.Equal(l, []string{"d2", "d4", "g12"}) {
		t.Fatalf("root after reload = %q", l)
	}
	// Followed from the new cursor: the next change comes as a change.
	f.mutate(ActionRename, 10, func(e *remote.Entry) { e.Name = "g10" })
	if ch := next(t, got); ch.Kind != DriveRenamed || ch.ID != 10 {
		t.Fatalf("change after reload = %+v", ch)
	}
	if n := f.snaps.Load(); n != 2 {
		t.Fatalf("%d snapshots, want 2", n)
	}
	if n := f.lists.Load() + f.stats.Load(); n != 0 {
		t.Fatalf("%d List/Stat requests", n)
	}
}

func TestFollowLongPollDownFallsBackToTimer(t *testing.T) {
	f := newFeedFake()
	f.setErrs(fmt.Errorf("notify host: %w", remote.ErrUnavailable), nil)
	d, got := followed(t, f, Options{PollInterval: 20 * time.Millisecond, LongPollRetry: time.Hour})
	f.mutate(ActionRename, 12, func(e *remote.Entry) { e.Name = "g12" })
	if ch := next(t, got); ch.Kind != DriveRenamed {
		t.Fatalf("change = %+v", ch)
	}
	if l := names(t, d, 1); !slices.Contains(l, "g12") {
		t.Fatalf("root = %q", l)
	}
	if n := f.polls.Load(); n != 1 {
		t.Fatalf("%d long polls, want 1 (retried only after LongPollRetry)", n)
	}
}

func TestFollowOutageBacksOff(t *testing.T) {
	f := newFeedFake()
	f.setErrs(nil, fmt.Errorf("api: %w", remote.ErrUnavailable))
	followed(t, f, Options{PollInterval: time.Millisecond})
	f.mutate(ActionRename, 12, func(e *remote.Entry) { e.Name = "g12" })
	eventually(t, "a changes request", func() bool { return f.changes.Load() > 0 })
	time.Sleep(500 * time.Millisecond)
	if n := f.changes.Load(); n > 2 {
		t.Fatalf("%d changes requests in half a second of outage: not backing off", n)
	}
	if n := f.snaps.Load(); n != 1 {
		t.Fatalf("%d snapshots: an outage must not cost one", n)
	}
}

func TestCloseStopsFollowers(t *testing.T) {
	f := newFeedFake()
	d := NewDrives(f, Options{})
	if _, err := d.List(context.Background(), 1, 1); err != nil {
		t.Fatal(err)
	}
	eventually(t, "a long poll", func() bool { return f.activePolls.Load() == 1 })
	done := make(chan struct{})
	go func() { d.Close(); close(done) }()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("Close did not return")
	}
	if n := f.activePolls.Load(); n != 0 {
		t.Fatalf("%d long polls still running after Close", n)
	}
	polls := f.polls.Load()
	f.mutate(ActionRename, 12, func(e *remote.Entry) { e.Name = "g12" })
	time.Sleep(50 * time.Millisecond)
	if f.polls.Load() != polls || f.changes.Load() != 0 {
		t.Fatal("feed requests after Close")
	}
}

func TestFollowBusyDriveIsNotReadBackToBack(t *testing.T) {
	f := newFeedFake()
	d, _ := followed(t, f, Options{})
	stop := time.Now().Add(2500 * time.Millisecond)
	i := 0
	for ; time.Now().Before(stop); i++ {
		f.mutate(ActionRename, 12, func(e *remote.Entry) { e.Name = fmt.Sprintf("n%d", i) })
		time.Sleep(10 * time.Millisecond)
	}
	if n := f.changes.Load(); n < 2 || n > 4 {
		t.Fatalf("%d reads of the feed in 2.5 s of changes every 10 ms, want 2 to 4", n)
	}
	last := fmt.Sprintf("n%d", i-1)
	eventually(t, "the last change", func() bool { return slices.Contains(names(t, d, 1), last) })
}

func TestFollowOutageFallsBackToTTL(t *testing.T) {
	c := newClock()
	f := newFeedFake()
	down := fmt.Errorf("down: %w", remote.ErrUnavailable)
	f.setErrs(down, down)
	d, _ := followed(t, f, Options{Now: c.Now})
	eventually(t, "the outage seen", func() bool { return !d.current(1) })
	c.advance(DefaultDirCacheTime + time.Second)
	names(t, d, 2)
	if n := f.lists.Load(); n != 1 {
		t.Fatalf("%d listings during the outage past the TTL, want 1: the feed keeps nothing fresh then", n)
	}
	f.setErrs(nil, nil)
	eventually(t, "the feed back", func() bool { return d.current(1) })
	c.advance(DefaultDirCacheTime + time.Second)
	names(t, d, 3)
	if n := f.lists.Load(); n != 1 {
		t.Fatalf("%d listings with the feed back, want still 1", n)
	}
}
