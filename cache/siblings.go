package cache

import (
	"context"
	"hash/maphash"
	"sort"
	"sync"
	"time"

	"github.com/infomaniakfs/infomaniakfs/remote"
)

// Copying a tree (cp -r, rsync, tar, a backup) reads whole files one after
// another in directory order, and each cold file costs its own round trips
// (the download's redirect, then the bytes): serially, a thousand small
// files take a thousand times that. Once a directory shows such a scan
// (a second small file of it read from its start within scanWindow), the
// next small siblings (one block at most each), in the order the mount
// lists them (by name), are fetched ahead, in parallel, so the scan finds
// them ready. One file read alone never triggers it: requests are scarce.
// Large files need none of it: their own read-ahead keeps the link busy.
const siblingsAhead = 8

type siblingScans struct {
	sem chan struct{} // sibling fetches at once, across the mount

	mu     sync.Mutex
	last   map[itemKey]time.Time // last file start per directory
	sorted map[itemKey]sortedList
}

// sortedList is a listing's entries in name order, valid while the listing
// is the same slice.
type sortedList struct {
	first *remote.Entry
	n     int
	order []int
}

func newSiblingScans(parallel int) *siblingScans {
	return &siblingScans{sem: make(chan struct{}, parallel),
		last: make(map[itemKey]time.Time), sorted: make(map[itemKey]sortedList)}
}

// next reports the up to siblingsAhead files that follow e in its
// directory's listing, if e's start continues a scan of that directory.
func (s *siblingScans) next(e remote.Entry, list []remote.Entry, blockSize int64, now time.Time) []remote.Entry {
	dir := itemKey{e.DriveID, e.ParentID}
	s.mu.Lock()
	defer s.mu.Unlock()
	prev, seen := s.last[dir]
	s.last[dir] = now
	if len(s.last) > 1024 {
		for k, t := range s.last {
			if now.Sub(t) > scanWindow {
				delete(s.last, k)
				delete(s.sorted, k)
			}
		}
	}
	if !seen || now.Sub(prev) > scanWindow || len(list) == 0 {
		return nil
	}
	sl, ok := s.sorted[dir]
	if !ok || sl.first != &list[0] || sl.n != len(list) {
		sl = sortedList{first: &list[0], n: len(list), order: make([]int, len(list))}
		for i := range sl.order {
			sl.order[i] = i
		}
		sort.Slice(sl.order, func(a, b int) bool { return list[sl.order[a]].Name < list[sl.order[b]].Name })
		s.sorted[dir] = sl
	}
	at := sort.Search(len(sl.order), func(i int) bool { return list[sl.order[i]].Name >= e.Name })
	var out []remote.Entry
	for i := at + 1; i < len(sl.order) && len(out) < siblingsAhead; i++ {
		if c := list[sl.order[i]]; !c.IsDir && c.Size > 0 && c.Size <= blockSize {
			out = append(out, c)
		}
	}
	return out
}

// prefetchSiblings starts fetching the first block of the files that
// follow e in its directory when a scan of that directory is under way.
func (d *Drives) prefetchSiblings(e remote.Entry) {
	list, ok := d.lists.peek(itemKey{e.DriveID, e.ParentID})
	if !ok {
		return
	}
	for _, sib := range d.siblings.next(e, list, d.o.BlockSize, d.o.Now()) {
		fk := fileKey{sib.DriveID, sib.ID, sib.Version}
		vh := maphash.String(d.seed, sib.Version)
		k, h := blockKey{fk, 0}, blockHash(vh, fk, 0)
		if _, ok := d.blocks.lookup(k, h); ok {
			continue
		}
		fetch := d.fetcher(sib, d.file(fk), 0, sib.Size, true)
		d.blocks.obtain(context.Background(), k, h, func(ctx context.Context) ([]byte, error) {
			if err := acquire(ctx, d.siblings.sem); err != nil {
				return nil, err
			}
			defer release(d.siblings.sem)
			return fetch(ctx)
		})
	}
}
