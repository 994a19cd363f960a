package remotetest

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/infomaniakfs/infomaniakfs/remote"
)

// The tree operations of WriterFake: rename, move, trash, set mtime.

// Rename implements remote.DriveWriter: the same name again is done.
func (w *WriterFake) Rename(ctx context.Context, driveID, id int64, name string) error {
	_, err := retry(w, OpRename, func() (struct{}, error) { return struct{}{}, w.rename(ctx, driveID, id, name) })
	return err
}

// rename is one attempt of Rename.
func (w *WriterFake) rename(ctx context.Context, driveID, id int64, name string) error {
	if err := w.enter(ctx, OpRename, driveID, id); err != nil {
		return err
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	e, err := w.movableLocked(driveID, id)
	if err != nil {
		return err
	}
	return w.placeLocked(e, e.ParentID, name, "file_rename")
}

// placeLocked puts e under dir as name, unless another item has that
// name there; w.mu is held.
func (w *WriterFake) placeLocked(e remote.Entry, dir int64, name, action string) error {
	if err := checkName(name); err != nil {
		return err
	}
	if c, taken := w.namedLocked(e.DriveID, dir, name); taken && c.ID != e.ID {
		return fmt.Errorf("fake %s %d to %q: %w", action, e.ID, name, remote.ErrExists)
	}
	if dir == e.ParentID && name == e.Name {
		return nil
	}
	if dir != e.ParentID {
		old := itemKey{e.DriveID, e.ParentID}
		w.children[old] = slices.DeleteFunc(w.children[old], func(x int64) bool { return x == e.ID })
		nk := itemKey{e.DriveID, dir}
		w.children[nk] = append(w.children[nk], e.ID)
	}
	e.ParentID, e.Name = dir, name
	w.items[itemKey{e.DriveID, e.ID}] = e
	w.logLocked(action, e)
	return nil
}

// Move implements remote.DriveWriter.
func (w *WriterFake) Move(ctx context.Context, driveID, id, destID int64, name string) error {
	_, err := retry(w, OpMove, func() (struct{}, error) { return struct{}{}, w.move(ctx, driveID, id, destID, name) })
	return err
}

// move is one attempt of Move.
func (w *WriterFake) move(ctx context.Context, driveID, id, destID int64, name string) error {
	if err := w.enter(ctx, OpMove, driveID, id); err != nil {
		return err
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	e, err := w.movableLocked(driveID, id)
	if err != nil {
		return err
	}
	if err := w.dirLocked(driveID, destID); err != nil {
		return err
	}
	for x := destID; x != 0; x = w.items[itemKey{driveID, x}].ParentID {
		if x == id {
			return fmt.Errorf("fake move %d into itself: %w", id, remote.ErrInvalid)
		}
		if x == 1 {
			break
		}
	}
	if name == "" {
		name = e.Name
	}
	return w.placeLocked(e, destID, name, "file_move")
}

// Trash implements remote.DriveWriter: the item and what it holds leave
// the tree (feed: file_trash). An item already gone is not an error: a
// retried trash finds what the first attempt did.
func (w *WriterFake) Trash(ctx context.Context, driveID, id int64) error {
	_, err := retry(w, OpTrash, func() (struct{}, error) { return struct{}{}, w.trash(ctx, driveID, id) })
	return err
}

// trash is one attempt of Trash.
func (w *WriterFake) trash(ctx context.Context, driveID, id int64) error {
	if err := w.enter(ctx, OpTrash, driveID, id); err != nil {
		return err
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	e, err := w.movableLocked(driveID, id)
	if errorsIs(err, remote.ErrNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	pk := itemKey{driveID, e.ParentID}
	w.children[pk] = slices.DeleteFunc(w.children[pk], func(x int64) bool { return x == id })
	w.dropLocked(driveID, id)
	w.trashed[itemKey{driveID, id}] = e
	w.logLocked("file_trash", e)
	return nil
}

// SetMTime implements remote.DriveWriter (seconds, the API's resolution).
// The Version changes with it, as kdrive.Client's (derived from
// last_modified_at) does: an overwrite is based on the entry it returns.
func (w *WriterFake) SetMTime(ctx context.Context, driveID, id int64, t time.Time) (remote.Entry, error) {
	return retry(w, OpSetMTime, func() (remote.Entry, error) { return w.setMTime(ctx, driveID, id, t) })
}

// setMTime is one attempt of SetMTime.
func (w *WriterFake) setMTime(ctx context.Context, driveID, id int64, t time.Time) (remote.Entry, error) {
	if err := w.enter(ctx, OpSetMTime, driveID, id); err != nil {
		return remote.Entry{}, err
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	k := itemKey{driveID, id}
	e, ok := w.items[k]
	if !ok {
		return e, fmt.Errorf("fake mtime %d/%d: %w", driveID, id, remote.ErrNotFound)
	}
	e.MTime = t.Truncate(time.Second)
	if !e.IsDir {
		e.Version = w.versionLocked()
	}
	w.items[k] = e
	w.logLocked("file_update", e)
	return e, nil
}
