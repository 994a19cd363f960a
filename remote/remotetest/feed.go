package remotetest

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/infomaniakfs/infomaniakfs/remote"
)

// Feed is a DriveFake that can also list a whole drive at once and report
// its changes, as kdrive.Client does (FullListing, LongPoll, Changes): the
// cache takes a source with FullListing for a Snapshotter, so a plain
// Drives must not have it. A cursor is a position in the change log.
type Feed struct{ *DriveFake }

func (f *DriveFake) logLocked(action string, e remote.Entry) {
	f.log = append(f.log, Change{Action: action, Entry: e})
	close(f.changed)
	f.changed = make(chan struct{})
}

// Cursor returns the cursor of the current state.
func (f Feed) Cursor() string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return "c" + strconv.Itoa(len(f.log))
}

func parseCursor(c string) (int, error) {
	n, err := strconv.Atoi(strings.TrimPrefix(c, "c"))
	if err != nil || !strings.HasPrefix(c, "c") || n < 0 {
		return 0, fmt.Errorf("fake cursor %q: %w", c, remote.ErrInvalid)
	}
	return n, nil
}

// FullListing returns every item of a drive but its root, and the cursor
// of that state (no change can come between them).
func (f Feed) FullListing(ctx context.Context, driveID int64) ([]remote.Entry, string, error) {
	if err := f.enter(ctx, OpFullListing, driveID, 0); err != nil {
		return nil, "", err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []remote.Entry
	var walk func(dir int64)
	walk = func(dir int64) {
		for _, id := range f.children[itemKey{driveID, dir}] {
			e := f.items[itemKey{driveID, id}]
			out = append(out, e)
			if e.IsDir {
				walk(id)
			}
		}
	}
	walk(1)
	return out, "c" + strconv.Itoa(len(f.log)), nil
}

// LongPoll waits until a change comes after cursor (true) or ctx is done.
func (f Feed) LongPoll(ctx context.Context, driveID int64, cursor string) (bool, error) {
	if err := f.enter(ctx, OpLongPoll, driveID, 0); err != nil {
		return false, err
	}
	pos, err := parseCursor(cursor)
	if err != nil {
		return false, err
	}
	for {
		f.mu.Lock()
		n, ch := len(f.log), f.changed
		f.mu.Unlock()
		if n > pos {
			return true, nil
		}
		select {
		case <-ch:
		case <-ctx.Done():
			return false, ctx.Err()
		}
	}
}

// Changes returns the changes of a drive after cursor, oldest first, and
// the cursor to continue from.
func (f Feed) Changes(ctx context.Context, driveID int64, cursor string) ([]Change, string, error) {
	if err := f.enter(ctx, OpChanges, driveID, 0); err != nil {
		return nil, "", err
	}
	pos, err := parseCursor(cursor)
	f.mu.Lock()
	defer f.mu.Unlock()
	if err != nil || pos > len(f.log) {
		return nil, "", fmt.Errorf("fake changes after %q: %w", cursor, remote.ErrInvalid)
	}
	var out []Change
	for _, c := range f.log[pos:] {
		if c.Entry.DriveID == driveID {
			out = append(out, c)
		}
	}
	return slices.Clone(out), "c" + strconv.Itoa(len(f.log)), nil
}
