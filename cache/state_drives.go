package cache

import (
	"cmp"
	"slices"

	"github.com/infomaniakfs/infomaniakfs/remote"
)

// saveState adds the drives and the tree held of each to st. The cursor
// of a followed drive is read before its listings, so the listings are at
// least as new as the cursor: replaying a change they hold already is
// harmless, missing one would not be.
func (d *Drives) saveState(st *State) {
	st.Drives, _ = d.drives.peek(struct{}{})
	cursors := map[int64]string{}
	d.cursors.Range(func(k, v any) bool {
		if d.following(k.(int64)) {
			cursors[k.(int64)] = v.(string)
		}
		return true
	})
	trees := map[int64]*DriveTree{}
	tree := func(drive int64) *DriveTree {
		t, ok := trees[drive]
		if !ok {
			t = &DriveTree{Drive: drive, Cursor: cursors[drive], Dirs: map[int64][]remote.Entry{}}
			trees[drive] = t
		}
		return t
	}
	listed := map[itemKey]bool{}
	d.lists.each(func(k itemKey, list []remote.Entry) {
		tree(k.drive).Dirs[k.id] = list
		for i := range list {
			listed[itemKey{k.drive, list[i].ID}] = true
		}
	})
	// Items stat'ed but in no listing held (a drive's root) are kept too.
	d.stats.each(func(k itemKey, e remote.Entry) {
		if !listed[k] {
			t := tree(k.drive)
			t.Items = append(t.Items, e)
		}
	})
	for _, t := range trees {
		slices.SortFunc(t.Items, func(a, b remote.Entry) int { return cmp.Compare(a.ID, b.ID) })
		st.Trees = append(st.Trees, *t)
	}
	// Sorted, so an unchanged state is the same bytes (StateKeeper skips it).
	slices.SortFunc(st.Trees, func(a, b DriveTree) int { return cmp.Compare(a.Drive, b.Drive) })
}

// restoreState fills the caches from st, every entry expired (served while
// offline, asked again once the remote answers), and follows each drive
// that was followed from its saved cursor: the follower waits out the
// outage and then applies what changed meanwhile, or, if the cursor
// expired, snapshots the drive once.
func (d *Drives) restoreState(st *State) {
	if st.Drives != nil {
		d.drives.restore(struct{}{}, st.Drives)
	}
	for _, t := range st.Trees {
		for dir, list := range t.Dirs {
			d.lists.restore(itemKey{t.Drive, dir}, list)
			for _, e := range list {
				d.stats.restore(itemKey{t.Drive, e.ID}, e)
			}
		}
		for _, e := range t.Items {
			d.stats.restore(itemKey{t.Drive, e.ID}, e)
		}
		if d.canFollow(t.Cursor) && !d.following(t.Drive) {
			d.markFollowed(t.Drive)
			d.setCurrent(t.Drive, false) // until the feed answers
			d.startFollower(t.Drive, t.Cursor)
		}
	}
}

// noteCursor records the cursor a followed drive's cached tree is current
// to, for saveState.
func (d *Drives) noteCursor(driveID int64, cursor string) {
	d.cursors.Store(driveID, cursor)
}
