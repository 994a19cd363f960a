package cache

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/infomaniakfs/infomaniakfs/remote"
	"github.com/infomaniakfs/infomaniakfs/remote/remotetest"
)

// feedFake adds the shared fake's change feed (remotetest.Feed: a cursor
// is a position in its log of mutations) to the snapshot fake, with the
// knobs the follower's tests turn.
type feedFake struct {
	*snapFake
	feedMu  sync.Mutex
	expired map[string]bool

	polls, changes, activePolls atomic.Int64
	pollErr, changesErr         error  // GUARDED_BY(feedMu)
	during                      func() // GUARDED_BY(feedMu); run once, after a batch is read
}

// setDuring makes fn run once, after the next batch is read and before it
// is returned.
func (f *feedFake) setDuring(fn func()) {
	f.feedMu.Lock()
	f.during = fn
	f.feedMu.Unlock()
}

func (f *feedFake) setErrs(poll, changes error) {
	f.feedMu.Lock()
	f.pollErr, f.changesErr = poll, changes
	f.feedMu.Unlock()
}

func newFeedFake() *feedFake {
	return &feedFake{snapFake: treeFake(), expired: map[string]bool{}}
}

func (f *feedFake) feed() remotetest.Feed { return remotetest.Feed{DriveFake: f.DriveFake} }

func (f *feedFake) cursor() string { return f.feed().Cursor() }

func (f *feedFake) pollError() error {
	f.feedMu.Lock()
	defer f.feedMu.Unlock()
	return f.pollErr
}

// LongPoll fails with pollErr, also when it is set during the wait.
func (f *feedFake) LongPoll(ctx context.Context, driveID int64, cursor string) (bool, error) {
	f.polls.Add(1)
	f.activePolls.Add(1)
	defer f.activePolls.Add(-1)
	if err := f.pollError(); err != nil {
		return false, err
	}
	changed, err := f.feed().LongPoll(ctx, driveID, cursor)
	if perr := f.pollError(); perr != nil {
		return false, perr
	}
	return changed, err
}

func (f *feedFake) DriveChanges(ctx context.Context, driveID int64, cursor string) ([]DriveAction, string, error) {
	f.changes.Add(1)
	f.feedMu.Lock()
	err, expired := f.changesErr, f.expired[cursor]
	f.feedMu.Unlock()
	if err != nil {
		return nil, "", err
	}
	if expired {
		return nil, "", fmt.Errorf("changes: %w", &remote.APIError{Status: 400, Code: "invalid_cursor_error", Kind: remote.ErrInvalid})
	}
	actions, next, err := feedSource{f.feed()}.DriveChanges(ctx, driveID, cursor)
	f.feedMu.Lock()
	during := f.during
	f.during = nil
	f.feedMu.Unlock()
	if during != nil {
		during()
	}
	return actions, next, err
}

// mutate changes the fake's tree and logs action about item id as it is
// afterwards (or was, for a removal).
func (f *feedFake) mutate(action string, id int64, change func(e *remote.Entry)) {
	f.Apply(1, id, action, action == ActionTrash || action == ActionDelete, change)
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
