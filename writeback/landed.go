package writeback

import (
	"math"
	"time"

	"github.com/infomaniakfs/infomaniakfs/remote"
)

// Mark orders a listing against the writes that reached the remote: take
// one (Files.Mark) before asking for a listing, and give it to Overlay
// with what came back.
//
// Why: a listing asked before a write landed (in flight meanwhile, or
// joined by a caller after it) does not have it. Without the mark, a file
// whose upload has just landed would vanish from its folder for a moment:
// its local copy is gone and the listing does not have it yet. rsync's
// rename of its temporary file into place fell into that moment.
type Mark uint64

// pinned is the mark of a change still under way (an upload's mtime being
// set after it): it overrides every listing until it is done.
const pinned = Mark(math.MaxUint64)

// landing is an item as a write left it on the remote, shown over the
// listings asked before it.
type landing struct {
	e    remote.Entry
	gone bool // trashed
	seq  Mark
	at   time.Time
}

// landedFor is how long a landing is kept: longer than any listing takes
// (the metadata timeout is a minute), so none asked before it is still
// under way when it goes.
const landedFor = 5 * time.Minute

// Mark is the mark of a listing asked now.
func (f *Files) Mark() Mark {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.seq
}

// landLocked records what a write left of item e (gone: trashed) on the
// remote, after the metadata cache was told; f.mu is held. seq is the
// landing's mark: pinned, or 0 for the next one.
func (f *Files) landLocked(e remote.Entry, gone bool, seq Mark) {
	if e.ID <= 0 || isPseudo(e.ID) {
		return
	}
	now := time.Now()
	if now.Sub(f.pruned) > landedFor/10 { // a sweep per 30 s, not per write
		f.pruned = now
		for k, l := range f.landed {
			if l.seq != pinned && now.Sub(l.at) > landedFor {
				delete(f.landed, k)
			}
		}
	}
	if seq == 0 {
		f.seq++
		seq = f.seq
	}
	k := ref{e.DriveID, e.ID}
	if old := f.landed[k]; old != nil && old.seq == pinned {
		f.pinnedN--
	}
	if seq == pinned {
		f.pinnedN++
	}
	f.landed[k] = &landing{e: e, gone: gone, seq: seq, at: now}
}

// unpin dates the pinned landing of item id now, with its final entry
// (e.g. the mtime set after the upload), tells the cache, and reports
// whether it was still there (no write of the item replaced it).
func (f *Files) unpin(driveID, id int64, mod func(*remote.Entry)) bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	l := f.landed[ref{driveID, id}]
	if l == nil || l.seq != pinned {
		return false
	}
	mod(&l.e)
	f.tell(l.e, false)
	f.pinnedN--
	f.seq++
	l.seq, l.at = f.seq, time.Now()
	return true
}

// overlayLanded applies to list (folder dirID of driveID, asked at mark)
// the landings it may predate; f.mu is held.
func (f *Files) overlayLanded(driveID, dirID int64, list []remote.Entry, mark Mark) []remote.Entry {
	if mark == f.seq && f.pinnedN == 0 {
		return list // nothing landed since it was asked: the usual case
	}
	newer := map[int64]*landing{}
	for k, l := range f.landed {
		if k.drive == driveID && l.seq > mark {
			newer[k.id] = l
		}
	}
	if len(newer) == 0 {
		return list
	}
	out := make([]remote.Entry, 0, len(list)+len(newer))
	for _, e := range list {
		l := newer[e.ID]
		if l == nil {
			out = append(out, e)
			continue
		}
		delete(newer, e.ID)
		if !l.gone && l.e.ParentID == dirID {
			out = append(out, l.e)
		}
	}
	for _, l := range newer {
		if !l.gone && l.e.ParentID == dirID {
			out = append(out, l.e)
		}
	}
	return out
}
