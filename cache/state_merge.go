package cache

import (
	"cmp"
	"slices"

	"github.com/infomaniakfs/infomaniakfs/remote"
)

// fillFrom completes st, read from the caches, with what prev (the state
// saved before) holds and the caches do not: a mount that only looked at
// one folder must not leave the next offline start with less than the
// last one had. Each piece kept from prev is whole and of one moment: a
// drive tree with its cursor, a mail listing with its signature. A drive
// tree the caches hold with a cursor (a snapshot, followed) replaces
// prev's; one held without (folders listed one by one) gets prev's other
// folders, and no cursor, since the mix is of no single moment.
func (st *State) fillFrom(prev *State) {
	if prev == nil {
		return
	}
	if st.Drives == nil {
		st.Drives = prev.Drives
	}
	if st.Mailboxes == nil {
		st.Mailboxes = prev.Mailboxes
	}
	held := map[int64]int{}
	for i, t := range st.Trees {
		held[t.Drive] = i
	}
	for _, t := range prev.Trees {
		i, ok := held[t.Drive]
		switch {
		case !ok:
			st.Trees = append(st.Trees, t)
		case st.Trees[i].Cursor == "":
			mergeTree(&st.Trees[i], t)
		}
	}
	slices.SortFunc(st.Trees, func(a, b DriveTree) int { return cmp.Compare(a.Drive, b.Drive) })
	if st.Folders == nil {
		st.Folders = map[string][]remote.Folder{}
	}
	for mb, fs := range prev.Folders {
		if _, ok := st.Folders[mb]; !ok {
			st.Folders[mb] = fs
		}
	}
	type fk struct{ mailbox, folder string }
	have := map[fk]bool{}
	for _, l := range st.Listings {
		have[fk{l.Mailbox, l.Folder}] = true
	}
	for _, l := range prev.Listings {
		if !have[fk{l.Mailbox, l.Folder}] {
			st.Listings = append(st.Listings, l)
		}
	}
	slices.SortFunc(st.Listings, func(a, b FolderListing) int {
		return cmp.Or(cmp.Compare(a.Mailbox, b.Mailbox), cmp.Compare(a.Folder, b.Folder))
	})
}

// mergeTree adds to t the folders and items of old it does not hold.
func mergeTree(t *DriveTree, old DriveTree) {
	if t.Dirs == nil {
		t.Dirs = map[int64][]remote.Entry{}
	}
	for dir, list := range old.Dirs {
		if _, ok := t.Dirs[dir]; !ok {
			t.Dirs[dir] = list
		}
	}
	listed := map[int64]bool{}
	for _, list := range t.Dirs {
		for _, e := range list {
			listed[e.ID] = true
		}
	}
	for _, e := range t.Items {
		listed[e.ID] = true
	}
	for _, e := range old.Items {
		if !listed[e.ID] {
			t.Items = append(t.Items, e)
		}
	}
	slices.SortFunc(t.Items, func(a, b remote.Entry) int { return cmp.Compare(a.ID, b.ID) })
}
