package cache

import (
	"slices"

	"github.com/infomaniakfs/infomaniakfs/remote"
)

// apply applies one batch of a drive's change feed, in order, to the
// listings and stats held, and returns what changed for the subscribers.
// Only the drive's follower calls it, so batches never interleave.
func (d *Drives) apply(driveID int64, actions []DriveAction) []DriveChange {
	if len(actions) == 0 {
		return nil
	}
	d.edits.Lock()
	defer d.edits.Unlock()
	// Loads under way began before these changes: they must not store.
	d.gen.bump()
	g := d.gen.get()
	// A move out that the same batch moves in again is no removal
	// (additions §4.2).
	movedIn := map[int64]int{}
	for i, a := range actions {
		if a.Action == ActionMoveIn {
			movedIn[a.Entry.ID] = i
		}
	}
	var out []DriveChange
	for i, a := range actions {
		if a.Entry.ID == 1 || a.Entry.ID == a.Entry.ParentID {
			continue // the drive's root: never listed, so nothing to do
		}
		var ch DriveChange
		ok := false
		switch a.Action {
		case ActionCreate, ActionUpdate, ActionUpdateMime, ActionRename, ActionMoveIn, ActionRestore:
			ch, ok = d.upsert(driveID, a, g)
		case ActionMoveOut:
			if j, in := movedIn[a.Entry.ID]; in && j > i {
				continue
			}
			ch, ok = d.remove(driveID, a.Entry, g)
		case ActionTrash, ActionTrashInherit, ActionDelete:
			ch, ok = d.remove(driveID, a.Entry, g)
		}
		if ok {
			out = append(out, ch)
		}
	}
	return out
}

// upsert puts an item created, changed, renamed, moved or restored where
// the action says, taking it out of the listing it was in.
func (d *Drives) upsert(driveID int64, a DriveAction, g uint64) (DriveChange, bool) {
	e := a.Entry
	e.DriveID = driveID
	key := itemKey{driveID, e.ID}
	old, had := d.stats.peek(key)
	if had {
		sameVersion := sameVersionEdit(a, old, had)
		if e.Version == "" {
			e.Size, e.MTime, e.Version = old.Size, old.MTime, old.Version
		}
		if sameVersion {
			e.Version = d.localVersion(old) // drive_follow_version.go
		}
		if e.CTime.IsZero() {
			e.CTime = old.CTime
		}
		if e.MimeType == "" {
			e.MimeType = old.MimeType
		}
		if e.Name == "" {
			e.Name = old.Name // an action without a path
		}
	}
	ch := DriveChange{Kind: DriveCreated, Drive: driveID, ID: e.ID, IsDir: e.IsDir,
		NewParent: e.ParentID, NewName: e.Name}
	if had {
		ch.OldParent, ch.OldName = old.ParentID, old.Name
		switch {
		case old.ParentID != e.ParentID:
			ch.Kind = DriveMoved
		case old.Name != e.Name:
			ch.Kind = DriveRenamed
		default:
			ch.Kind = DriveUpdated
		}
		if old.ParentID != e.ParentID {
			d.editListing(driveID, old.ParentID, g, func(l []remote.Entry) []remote.Entry {
				return slices.DeleteFunc(l, func(x remote.Entry) bool { return x.ID == e.ID })
			})
		}
	}
	if e.Version == "" && !e.IsDir {
		// Neither size nor mtime known: let the parent be listed again
		// rather than show a size that may be wrong.
		d.stats.del(key)
		d.lists.expire(itemKey{driveID, e.ParentID})
		return ch, true
	}
	d.editListing(driveID, e.ParentID, g, func(l []remote.Entry) []remote.Entry {
		if i := slices.IndexFunc(l, func(x remote.Entry) bool { return x.ID == e.ID }); i >= 0 {
			l[i] = e
			return l
		}
		return append(l, e)
	})
	d.stats.put(key, e, g)
	if e.IsDir && a.Action == ActionCreate {
		// The feed reports each child of a new folder on its own.
		if _, ok := d.lists.peek(key); !ok {
			d.lists.put(key, []remote.Entry{}, g)
		}
	}
	return ch, true
}

// remove takes an item trashed, deleted or moved away out of its parent's
// listing and drops it and everything under it. An item already gone (the
// delete that follows a trash, the children of a removed folder) is no
// change.
func (d *Drives) remove(driveID int64, gone remote.Entry, g uint64) (DriveChange, bool) {
	key := itemKey{driveID, gone.ID}
	old, had := d.stats.peek(key)
	if !had {
		old = gone
	}
	listed := false
	d.editListing(driveID, old.ParentID, g, func(l []remote.Entry) []remote.Entry {
		return slices.DeleteFunc(l, func(x remote.Entry) bool {
			if x.ID == gone.ID {
				listed, old = true, x
			}
			return x.ID == gone.ID
		})
	})
	if !had && !listed {
		return DriveChange{}, false
	}
	d.stats.del(key)
	d.dropTree(driveID, gone.ID)
	return DriveChange{Kind: DriveRemoved, Drive: driveID, ID: gone.ID, IsDir: old.IsDir,
		OldParent: old.ParentID, OldName: old.Name}, true
}

// dropTree drops the listing of dir and the listings and stats of
// everything under it: what its listings hold, and the stats of items
// under it whose listing is not held (one the feed reported on its own).
func (d *Drives) dropTree(driveID, dir int64) {
	under := map[int64]bool{dir: true}
	unlisted := false // a folder under it whose listing is not held
	stack := []int64{dir}
	for len(stack) > 0 {
		id := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		key := itemKey{driveID, id}
		list, ok := d.lists.peek(key)
		d.lists.del(key)
		if !ok {
			unlisted = true
			continue
		}
		for _, c := range list {
			d.stats.del(itemKey{driveID, c.ID})
			if c.IsDir {
				under[c.ID] = true
				stack = append(stack, c.ID)
			}
		}
	}
	if !unlisted {
		return // every stat under it was in a listing held
	}
	d.stats.delWhere(func(k itemKey, e remote.Entry) bool {
		if k.drive != driveID || !under[e.ParentID] {
			return false
		}
		if e.IsDir {
			under[e.ID] = true
			d.lists.del(k)
		}
		return true
	})
}

// editListing replaces dir's cached listing with edit of a copy of it;
// a listing not held stays so (the next List asks for it), and one
// expired stays expired (meta.edit).
func (d *Drives) editListing(driveID, dir int64, g uint64, edit func([]remote.Entry) []remote.Entry) {
	d.lists.edit(itemKey{driveID, dir}, g, func(l []remote.Entry) []remote.Entry {
		return edit(slices.Clone(l))
	})
}

// distrust expires what a batch of the feed changed when this mount wrote
// to the drive while the batch was read: the batch may predate the write
// (a file created then renamed here, the batch having only the creation),
// so the next look at those items asks the remote.
func (d *Drives) distrust(driveID int64, changes []DriveChange) {
	d.edits.Lock()
	defer d.edits.Unlock()
	for _, ch := range changes {
		if ch.ID == 0 {
			continue
		}
		d.invalidate(driveID, ch.ID, ch.OldParent)
		if ch.NewParent != 0 {
			d.lists.expire(itemKey{driveID, ch.NewParent})
		}
	}
}
