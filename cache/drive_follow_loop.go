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
	// changedAt is when a read last found changes.
	changedAt time.Time
}

// maxBusyPause bounds the pause between two reads of a busy drive: at
// most 20 reads a minute while changes keep coming, each seen within 3 s.
const maxBusyPause = 3 * time.Second

// run long-polls for changes and applies them until ctx ends. A failing
// long poll is followed by a read of the feed at once: if that works, the
// notify host alone is out, and the feed is read every PollInterval (the
// long poll is tried again after LongPollRetry); if not, it is an outage,
// waited out with a growing backoff, during which the drive's entries
// expire on the TTL again. A refused cursor costs one new snapshot. While
// changes keep coming, the feed is read on a growing pause (busy).
func (f *driveFollower) run(ctx context.Context) {
	o := f.d.o
	log := o.Logger.With("drive", f.drive)
	for ctx.Err() == nil {
		polled, pollDown := false, false
		switch {
		case !f.d.current(f.drive):
			// An outage, waited out in catchUp: a read tells when it ends.
		case f.busy > 0:
			if !sleepCtx(ctx, f.busy) {
				return
			}
		case f.pollFailed.IsZero() || time.Since(f.pollFailed) >= o.LongPollRetry:
			changed, err := f.longPoll(ctx)
			switch {
			case ctx.Err() != nil:
				return
			case err != nil:
				pollDown = true
				f.d.setCurrent(f.drive, false) // until a read says otherwise
			case !changed:
				continue
			default:
				polled = true
			}
		default:
			if !sleepCtx(ctx, o.PollInterval) {
				return
			}
		}
		n, ok, reached := f.catchUp(ctx, log)
		if pollDown {
			f.pollDown(reached, log)
		}
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

// pollDown handles a failed long poll once the feed was read after it:
// read, the notify host alone is out (timer mode); not read, the long poll
// is tried again after the outage's backoff.
func (f *driveFollower) pollDown(feedReached bool, log *slog.Logger) {
	if !feedReached {
		f.pollFailed = time.Time{}
		return
	}
	if f.pollFailed.IsZero() {
		log.Warn("kDrive long poll failed; asking for changes on a timer", "every", f.d.o.PollInterval)
	}
	f.pollFailed = time.Now()
}

// longPoll waits for a change after the cursor.
func (f *driveFollower) longPoll(ctx context.Context) (bool, error) {
	start := time.Now()
	changed, err := f.d.feed.LongPoll(ctx, f.drive, f.cursor)
	if err != nil || ctx.Err() != nil {
		f.d.o.Logger.Debug("kDrive long poll failed", "drive", f.drive, "err", err)
		return false, err
	}
	if !f.pollFailed.IsZero() {
		f.d.o.Logger.Info("kDrive long poll works again", "drive", f.drive)
		f.pollFailed = time.Time{}
	}
	if !changed {
		f.d.follow.note(f.drive, f.mode(), true)
		// A server answering at once must not make this spin.
		sleepCtx(ctx, minLongPollInterval-time.Since(start))
		return false, nil
	}
	if time.Since(f.changedAt) < time.Second {
		// Changes came right after the last ones: they keep coming.
		f.busy = time.Second
	}
	return true, nil
}

// catchUp reads the feed from the cursor and applies it; on an outage it
// waits, on a refused cursor it snapshots the drive anew. It returns how
// many actions it read (a reload counts as one), whether following goes
// on, and whether the feed answered (no outage).
func (f *driveFollower) catchUp(ctx context.Context, log *slog.Logger) (n int, alive, reached bool) {
	told, wrote := f.d.told.Load(), f.d.wrote.last()
	actions, next, err := f.d.feed.DriveChanges(ctx, f.drive, f.cursor)
	if ctx.Err() != nil {
		return 0, false, false
	}
	if err == nil {
		f.backoff = 0
		f.cursor = next
		changes := f.d.apply(f.drive, actions)
		if f.d.told.Load() != told {
			f.d.distrust(f.drive, changes)
		}
		f.d.reapplyWrotes(f.drive, wrote)
		f.d.publish(changes)
		f.d.noteCursor(f.drive, next)
		f.d.setCurrent(f.drive, true)
		f.d.follow.note(f.drive, f.mode(), true)
		if len(actions) > 0 {
			f.changedAt = time.Now()
		}
		return len(actions), true, true
	}
	if waitOut(err) {
		if f.backoff == 0 {
			log.Info("kDrive changes unavailable; listings expire on the TTL until they are back", "err", err)
		}
		f.d.setCurrent(f.drive, false)
		f.d.follow.note(f.drive, "outage", false)
		return 0, f.wait(ctx), false
	}
	log.Info("kDrive change cursor refused; reading the whole drive again", "err", err)
	for {
		wrote := f.d.wrote.last()
		cursor, err := f.d.reload(ctx, f.drive)
		if err == nil {
			f.d.reapplyWrotes(f.drive, wrote) // the snapshot may predate them
		}
		switch {
		case ctx.Err() != nil:
			return 0, false, false
		case err == nil:
			f.backoff = 0
			f.cursor = cursor
			f.d.noteCursor(f.drive, cursor)
			f.pollFailed = time.Time{} // it may have refused the old cursor
			f.d.setCurrent(f.drive, true)
			f.d.follow.note(f.drive, f.mode(), true)
			f.d.publish([]DriveChange{{Kind: DriveReloaded, Drive: f.drive}})
			return 1, true, true
		case waitOut(err):
			f.d.setCurrent(f.drive, false)
			if !f.wait(ctx) {
				return 0, false, false
			}
		default:
			log.Warn("kDrive drive cannot be snapshotted; its listings expire on the TTL from now on", "err", err)
			f.d.unfollow(f.drive)
			return 0, false, true
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

// wait sleeps the outage backoff (1 s doubling up to PollInterval, at
// least 30 s), reporting whether ctx is still alive.
func (f *driveFollower) wait(ctx context.Context) bool {
	f.backoff = min(max(2*f.backoff, time.Second), max(f.d.o.PollInterval, maxOutageBackoff))
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
	d.noteCursor(driveID, cursor)
	d.follow.note(driveID, f.mode(), true) // just snapshotted
	d.follow.start(f.run)
}

// unfollow hands driveID back to the TTL: its entries, kept so far without
// expiry, are dropped, and it is listed per directory from now on.
func (d *Drives) unfollow(driveID int64) {
	d.followed.Delete(driveID)
	d.follow.forget(driveID)
	d.edits.Lock()
	d.gen.bump()
	d.dropDrive(driveID)
	d.edits.Unlock()
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
	d.edits.Lock()
	d.gen.bump()
	g := d.gen.get()
	d.dropDrive(driveID)
	d.storeSnapshot(driveID, 0, newSnapshot(entries), g)
	d.edits.Unlock()
	return cursor, nil
}
