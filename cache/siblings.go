package cache

import (
	"context"
	"hash/maphash"
	"slices"
	"sort"
	"sync"
	"time"

	"github.com/infomaniakfs/infomaniakfs/remote"
)

// Copying a tree (cp -r, rsync, tar, a backup) reads whole files one after
// another in directory order, and each cold file costs its own round trips
// (the download's redirect, then the bytes): serially, a thousand small
// files take a thousand times that. Once a directory shows such a scan
// (another small file of it read from its start within scanWindow), the
// next small siblings (one block at most each), in the order the mount
// lists them (by name), are fetched ahead, in parallel, so the scan finds
// them ready. One file read alone never triggers it: requests are scarce.
// Large files need none of it: their own read-ahead keeps the link busy.
const siblingsAhead = 8

type siblingScans struct {
	sem chan struct{} // sibling fetches at once, across the mount

	mu     sync.Mutex
	last   map[itemKey]fileStart // last file start per directory
	sorted map[itemKey]sortedList
}

// fileStart is a file read from its start: which one, and when. The same
// file read again (a new version, a second cat) is no scan.
type fileStart struct {
	at time.Time
	id int64
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
		last: make(map[itemKey]fileStart), sorted: make(map[itemKey]sortedList)}
}

// next reports the up to siblingsAhead files that follow e in its
// directory's listing, if e's start continues a scan of that directory.
func (s *siblingScans) next(e remote.Entry, list []remote.Entry, blockSize int64, now time.Time) []remote.Entry {
	dir := itemKey{e.DriveID, e.ParentID}
	s.mu.Lock()
	defer s.mu.Unlock()
	prev, seen := s.last[dir]
	s.last[dir] = fileStart{now, e.ID}
	if len(s.last) > 1024 {
		for k, t := range s.last {
			if now.Sub(t.at) > scanWindow {
				delete(s.last, k)
				delete(s.sorted, k)
			}
		}
	}
	if !seen || prev.id == e.ID || now.Sub(prev.at) > scanWindow || len(list) == 0 {
		return nil
	}
	var out []remote.Entry
	s.walkLocked(e, list, blockSize, func(c remote.Entry) bool {
		out = append(out, c)
		return len(out) < siblingsAhead
	})
	return out
}

// after calls fn with the small files that follow e in its directory's
// listing, in name order, until fn returns false.
func (s *siblingScans) after(e remote.Entry, list []remote.Entry, blockSize int64, fn func(remote.Entry) bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(list) > 0 {
		s.walkLocked(e, list, blockSize, fn)
	}
}

func (s *siblingScans) walkLocked(e remote.Entry, list []remote.Entry, blockSize int64, fn func(remote.Entry) bool) {
	dir := itemKey{e.DriveID, e.ParentID}
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
	for i := at + 1; i < len(sl.order); i++ {
		if c := list[sl.order[i]]; !c.IsDir && c.Size > 0 && c.Size <= blockSize && !fn(c) {
			return
		}
	}
}

// prefetchSiblings starts fetching the first block of the files that
// follow e in its directory when a scan of that directory is under way:
// the rest of the directory's small files in one archive when the source
// can (see Archiver), else (and for what no archive brings) the next
// siblingsAhead files one by one.
func (d *Drives) prefetchSiblings(e remote.Entry) {
	list, ok := d.lists.peek(itemKey{e.DriveID, e.ParentID})
	if !ok {
		return
	}
	next := d.siblings.next(e, list, d.o.BlockSize, d.o.Now())
	if len(next) == 0 {
		return
	}
	d.archiveSiblings(e, list, next)
	for _, sib := range next {
		fk := fileKey{sib.DriveID, sib.ID, sib.Version}
		if d.archives.isPending(fk) {
			continue // its archive's reader waits for it
		}
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

// archiveSiblings starts an archive of the small files after e that are
// neither cached nor already asked of an archive, when one of the next
// ones needs fetching and enough of them do to be worth it: as the reader
// nears the end of one archive, the next one starts.
func (d *Drives) archiveSiblings(e remote.Entry, list, next []remote.Entry) {
	if !d.archives.usable(e.DriveID) {
		return
	}
	need := func(c remote.Entry) bool {
		fk := fileKey{c.DriveID, c.ID, c.Version}
		if d.archives.wasTried(fk) || d.o.Disk.hasBlock(fk, 0) {
			return false
		}
		_, cached := d.blocks.lookup(blockKey{fk, 0}, blockHash(maphash.String(d.seed, c.Version), fk, 0))
		return !cached
	}
	if !slices.ContainsFunc(next, need) {
		return
	}
	var batch []remote.Entry
	var bytes int64
	names := map[string]int{}
	d.siblings.after(e, list, d.o.BlockSize, func(c remote.Entry) bool {
		if bytes+c.Size > d.archives.maxBytes || len(batch) >= d.archives.maxFiles {
			return false
		}
		names[c.Name]++
		if need(c) {
			batch = append(batch, c)
			bytes += c.Size
		}
		return true
	})
	// Entries are told apart by name: two files of one name stay out.
	batch = slices.DeleteFunc(batch, func(c remote.Entry) bool { return names[c.Name] > 1 })
	if len(batch) >= archiveMinFiles {
		d.startArchive(e.DriveID, batch)
	}
}
