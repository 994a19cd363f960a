package cache

import (
	"context"
	"errors"
	"log/slog"
	"time"

	"github.com/infomaniakfs/infomaniakfs/remote"
)

// driveFollower follows one drive's change feed from a snapshot's cursor.
type driveFollower struct {
	d      *Drives
	drive  int64
	cursor string
	// pollFailed is when the long poll last failed; zero while it works.
	pollFailed time.Time
	backoff    time.Duration // next wait after an outage; 0 after a success
	// busy is the pause before the next read of a drive whose changes
	// keep coming (a sync client uploading for an hour), doubling while
	// they do, so that it is not read back to back; 0 once a read finds
	// nothing new, and the long poll takes over again.
	busy time.Duration
}

// maxBusyPause bounds the pause between two reads of a busy drive: at
// most 20 reads a minute while changes keep coming, each seen within 3 s.
const maxBusyPause = 3 * time.Second

// run long-polls for changes and applies them until ctx ends. A failing
// long poll turns into reading the feed every PollInterval (the long poll
// is tried again after LongPollRetry); an outage is waited out with a
// growing backoff; a refused cursor costs one new snapshot. While changes
// keep coming, the feed is read on a growing pause (busy) instead.
func (f *driveFollower) run(ctx context.Context) {
	o := f.d.o
	log := o.Logger.With("drive", f.drive)
	for ctx.Err() == nil {
		polled := false
		switch {
		case f.busy > 0:
			if !sleepCtx(ctx, f.busy) {
				return
			}
		case f.pollFailed.IsZero() || time.Since(f.pollFailed) >= o.LongPollRetry:
			changed, ok := f.longPoll(ctx, log)
			if !ok {
				return
			}
			if !changed {
				continue
			}
			polled = true
		default:
			if !sleepCtx(ctx, o.PollInterval) {
				return
			}
		}
		n, ok := f.catchUp(ctx, log)
		switch {
		case !ok:
			return
		case n > 0 && f.busy > 0:
			f.busy = min(2*f.busy, maxBusyPause)
		case n == 0 && f.busy > 0:
			f.busy = 0 // quiet again: back to the long poll
		case n == 0 && polled:
			// Told of changes that were not there: not again at once.
			if !sleepCtx(ctx, minLongPollInterval) {
				return
			}
		}
	}
}

// longPoll waits for a change. It reports whether one came, after which
// the feed is read (also when the long poll failed: then on the timer),
// and whether ctx is still alive.
func (f *driveFollower) longPoll(ctx context.Context, log *slog.Logger) (changed, alive bool) {
	o := f.d.o
	start := time.Now()
	changed, err := f.d.feed.LongPoll(ctx, f.drive, f.cursor)
	switch {
	case ctx.Err() != nil:
		return false, false
	case err != nil:
		if f.pollFailed.IsZero() {
			log.Warn("kDrive long poll failed; asking for changes on a timer", "every", o.PollInterval, "err", err)
		}
		f.pollFailed = time.Now()
		return true, sleepCtx(ctx, o.PollInterval)
	case !changed:
		f.d.follow.note(f.drive, "long poll", true)
		if !f.pollFailed.IsZero() {
			log.Info("kDrive long poll works again")
			f.pollFailed = time.Time{}
		}
		// A server answering at once must not make this spin.
		return false, sleepCtx(ctx, minLongPollInterval-time.Since(start))
	}
	f.pollFailed = time.Time{}
	if time.Since(start) < time.Second {
		// Changes came while the last ones were read: they keep coming.
		f.busy = time.Second
	}
	return true, true
}

// catchUp reads the feed from the cursor and applies it; on an outage it
// waits, on a refused cursor it snapshots the drive anew. It returns how
// many actions it read (a reload counts as one) and whether following
// goes on.
func (f *driveFollower) catchUp(ctx context.Context, log *slog.Logger) (int, bool) {
	actions, next, err := f.d.feed.DriveChanges(ctx, f.drive, f.cursor)
	if ctx.Err() != nil {
		return 0, false
	}
	if err == nil {
		f.backoff = 0
		f.cursor = next
		f.d.publish(f.d.apply(f.drive, actions))
		f.d.follow.note(f.drive, f.mode(), true)
		return len(actions), true
	}
	if waitOut(err) {
		log.Debug("kDrive changes unavailable; waiting", "err", err)
		f.d.follow.note(f.drive, "outage", false)
		return 0, f.wait(ctx)
	}
	log.Info("kDrive change cursor refused; reading the whole drive again", "err", err)
	for {
		cursor, err := f.d.reload(ctx, f.drive)
		switch {
		case ctx.Err() != nil:
			return 0, false
		case err == nil:
			f.backoff = 0
			f.cursor = cursor
			f.pollFailed = time.Time{} // it may have refused the old cursor
			f.d.follow.note(f.drive, f.mode(), true)
			f.d.publish([]DriveChange{{Kind: DriveReloaded, Drive: f.drive}})
			return 1, true
		case waitOut(err):
			if !f.wait(ctx) {
				return 0, false
			}
		default:
			log.Warn("kDrive drive cannot be snapshotted; its listings expire on the TTL from now on", "err", err)
			f.d.unfollow(f.drive)
			return 0, false
		}
	}
}

// mode is how the feed is read now (FeedState.Mode).
func (f *driveFollower) mode() string {
	if f.pollFailed.IsZero() {
		return "long poll"
	}
	return "polling"
}

// wait sleeps the outage backoff (PollInterval/6 doubling up to 5 min),
// reporting whether ctx is still alive.
func (f *driveFollower) wait(ctx context.Context) bool {
	f.backoff = min(max(2*f.backoff, f.d.o.PollInterval/6, time.Second), maxOutageBackoff)
	return sleepCtx(ctx, f.backoff)
}

// canFollow reports whether a drive snapshotted with cursor is followed:
// the source has a feed and following is on.
func (d *Drives) canFollow(cursor string) bool {
	return d.feed != nil && d.o.PollInterval > 0 && cursor != ""
}

// startFollower starts following driveID (already marked followed) from
// cursor.
func (d *Drives) startFollower(driveID int64, cursor string) {
	f := &driveFollower{d: d, drive: driveID, cursor: cursor}
	d.follow.note(driveID, f.mode(), true) // just snapshotted
	d.follow.start(f.run)
}

// unfollow hands driveID back to the TTL: its entries, kept so far without
// expiry, are dropped, and it is listed per directory from now on.
func (d *Drives) unfollow(driveID int64) {
	d.followed.Delete(driveID)
	d.follow.forget(driveID)
	d.gen.bump()
	d.dropDrive(driveID)
	d.snaps.refuse(driveID)
}

func (d *Drives) dropDrive(driveID int64) {
	match := func(k itemKey) bool { return k.drive == driveID }
	d.lists.delIf(match)
	d.stats.delIf(match)
}

// reload snapshots a followed drive anew, replacing all it held of it,
// and returns the new cursor.
func (d *Drives) reload(ctx context.Context, driveID int64) (string, error) {
	fctx, cancel := context.WithTimeout(ctx, d.o.FetchTimeout)
	defer cancel()
	entries, cursor, err := d.snaps.src.FullListing(fctx, driveID)
	if err == nil && cursor == "" {
		err = errors.New("snapshot without a cursor")
	}
	if err != nil {
		if !waitOut(err) && !errors.Is(err, remote.ErrNotFound) && !errors.Is(err, remote.ErrPermission) {
			// Not understood this time (a truncated body): try again later.
			return "", errors.Join(remote.ErrUnavailable, err)
		}
		return "", err
	}
	d.gen.bump()
	g := d.gen.get()
	d.dropDrive(driveID)
	d.storeSnapshot(driveID, 0, newSnapshot(entries), g)
	return cursor, nil
}
