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
