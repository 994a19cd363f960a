package cache

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"time"

	"github.com/infomaniakfs/infomaniakfs/remote"
)

// DriveFeed is a Snapshotter that also reports what changed in a drive
// since a snapshot's cursor (kDrive: listing/continue, and the long poll on
// the notify host). With it, a snapshotted drive is followed: its cached
// listings and stats no longer expire, each change is applied to them as
// it happens, and subscribers (SubscribeDriveChanges) are told.
type DriveFeed interface {
	// LongPoll waits (up to about 50 s) for a change after cursor; false
	// means none came in time. An error means the long poll cannot be used
	// now (the notify host unreachable): DriveChanges is then polled.
	LongPoll(ctx context.Context, driveID int64, cursor string) (bool, error)
	// DriveChanges returns every action after cursor, oldest first (all
	// pages), and the cursor to continue from. An error other than an
	// outage (remote.ErrUnavailable, ErrRateLimited, ErrAuth, a timeout)
	// means the cursor is no longer usable: the drive is snapshotted anew.
	DriveChanges(ctx context.Context, driveID int64, cursor string) ([]DriveAction, string, error)
}

// The actions of the kDrive change feed the cache applies (reference §9,
// additions §4.2); any other action is ignored.
const (
	ActionCreate        = "file_create"
	ActionUpdate        = "file_update"
	ActionUpdateMime    = "file_update_mime_type"
	ActionRename        = "file_rename"
	ActionMoveIn        = "file_move"
	ActionMoveOut       = "file_move_out"
	ActionTrash         = "file_trash"
	ActionTrashInherit  = "file_trash_inherited"
	ActionDelete        = "file_delete"
	ActionRestore       = "file_restore"
	minLongPollInterval = 10 * time.Second
	maxOutageBackoff    = 30 * time.Second
)

// DriveAction is one action of a drive's change feed.
type DriveAction struct {
	Action string // one of the Action constants, or one the cache ignores
	// Entry is the item after the action: ParentID is its (new) parent,
	// Name the last segment of its (new) path ("" when it has none: the
	// known name is kept). Version is empty when the action carries no
	// size or mtime: what the cache knows is kept.
	Entry remote.Entry
}

// DriveChangeKind says what happened to an item.
type DriveChangeKind int

const (
	DriveCreated  DriveChangeKind = iota + 1 // new, restored, or first seen
	DriveUpdated                             // same place and name, new attributes (a new version)
	DriveRenamed                             // same parent, new name
	DriveMoved                               // new parent (and maybe a new name)
	DriveRemoved                             // trashed or deleted, with everything under it
	DriveReloaded                            // the drive was snapshotted anew: anything may have changed
)

// DriveChange is one change the cache applied to a followed drive, as
// subscribers see it. Names are the API's (unsafe); parents are item ids,
// 0 where there is none (OldParent of a created item, NewParent of a
// removed one). A DriveReloaded change names only the Drive.
type DriveChange struct {
	Kind                 DriveChangeKind
	Drive, ID            int64
	IsDir                bool
	OldParent, NewParent int64
	OldName, NewName     string
}

// followers runs one goroutine per followed drive; Close stops and waits
// for them.
type followers struct {
	ctx    context.Context
	stop   context.CancelFunc
	wg     sync.WaitGroup
	mu     sync.Mutex
	closed bool // GUARDED_BY(mu)

	feedStates // what each follower last said (status, metrics)

	subMu sync.Mutex
	subs  map[int]func(DriveChange) // GUARDED_BY(subMu)
	next  int                       // GUARDED_BY(subMu)
}

func newFollowers() *followers {
	ctx, stop := context.WithCancel(context.Background())
	return &followers{ctx: ctx, stop: stop, subs: map[int]func(DriveChange){}}
}

// start runs fn on a goroutine of its own unless closed.
func (f *followers) start(fn func(context.Context)) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.closed {
		return
	}
	f.wg.Add(1)
	go func() {
		defer f.wg.Done()
		fn(f.ctx)
	}()
}

func (f *followers) close() {
	f.mu.Lock()
	f.closed = true
	f.mu.Unlock()
	f.stop()
	f.wg.Wait()
}

// SubscribeDriveChanges calls fn with every change applied to a followed
// drive, in order per drive, once the cache holds it (a List or Stat made
// from fn sees it). fn runs on the drive's follower goroutine with no lock
// of the cache held, so it may call the Drives; the drive's feed waits for
// it to return. Safe for concurrent use; cancel ends the subscription.
func (d *Drives) SubscribeDriveChanges(fn func(DriveChange)) (cancel func()) {
	f := d.follow
	f.subMu.Lock()
	id := f.next
	f.next++
	f.subs[id] = fn
	f.subMu.Unlock()
	return func() {
		f.subMu.Lock()
		delete(f.subs, id)
		f.subMu.Unlock()
	}
}

func (d *Drives) publish(changes []DriveChange) {
	if len(changes) == 0 {
		return
	}
	f := d.follow
	f.subMu.Lock()
	subs := make([]func(DriveChange), 0, len(f.subs))
	for _, fn := range f.subs {
		subs = append(subs, fn)
	}
	f.subMu.Unlock()
	for _, ch := range changes {
		for _, fn := range subs {
			fn(ch)
		}
	}
}

// followState is a followed drive's: whether its feed is read now.
type followState struct {
	current atomic.Bool // false during an outage: entries expire on the TTL
}

// following reports whether driveID is followed (its tree is in lists and
// stats, so a missing listing is asked for alone, not by a snapshot).
func (d *Drives) following(driveID int64) bool {
	_, ok := d.followed.Load(driveID)
	return ok
}

// current reports whether driveID's feed keeps its entries fresh now:
// they then never expire. While the feed cannot be read, the TTL applies,
// as without a feed.
func (d *Drives) current(driveID int64) bool {
	st, ok := d.followed.Load(driveID)
	return ok && st.(*followState).current.Load()
}

// setCurrent records whether driveID's feed can be read now.
func (d *Drives) setCurrent(driveID int64, ok bool) {
	if st, found := d.followed.Load(driveID); found {
		st.(*followState).current.Store(ok)
	}
}

// markFollowed marks driveID followed and current.
func (d *Drives) markFollowed(driveID int64) {
	st := &followState{}
	st.current.Store(true)
	d.followed.Store(driveID, st)
}

// waitOut reports an error that says "not now" rather than "this cursor
// is no good": an outage (isOutage), a token to renew, or the end of the
// follower's life. It is waited out, never answered with a new snapshot.
func waitOut(err error) bool {
	return isOutage(err) || errors.Is(err, remote.ErrAuth) || errors.Is(err, context.Canceled)
}

// sleepCtx waits d, or less if ctx ends; it reports whether ctx is alive.
func sleepCtx(ctx context.Context, d time.Duration) bool {
	if d <= 0 {
		return ctx.Err() == nil
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	}
}
