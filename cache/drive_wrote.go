package cache

import (
	"sync"
	"time"

	"github.com/infomaniakfs/infomaniakfs/remote"
)

// wroteFor is how long a write made here is re-applied over the change
// feed's batches: longer than a batch read takes (FetchTimeout), so every
// batch read before the write reached the remote is over by then.
const wroteFor = 2 * time.Minute

// writes are the writes made here lately, in order: a batch of the change
// feed read while one was made may predate it, and the write is applied
// again over it.
type writes struct {
	mu   sync.Mutex
	seq  uint64 // of the last write
	list []wrote
}

type wrote struct {
	seq  uint64
	at   time.Time
	e    remote.Entry
	gone bool
}

// add records a write.
func (w *writes) add(e remote.Entry, gone bool) {
	w.mu.Lock()
	defer w.mu.Unlock()
	now := time.Now()
	for len(w.list) > 0 && now.Sub(w.list[0].at) > wroteFor {
		w.list = w.list[1:]
	}
	w.seq++
	w.list = append(w.list, wrote{seq: w.seq, at: now, e: e, gone: gone})
}

// last is the sequence number of the last write.
func (w *writes) last() uint64 {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.seq
}

// since returns the writes made after the one numbered seq.
func (w *writes) since(seq uint64) []wrote {
	w.mu.Lock()
	defer w.mu.Unlock()
	var out []wrote
	for _, r := range w.list {
		if r.seq > seq {
			out = append(out, r)
		}
	}
	return out
}

// Wrote takes what a write made here left on the remote, item e as it is
// now (gone: trashed), into the cached listings and stats, so that the
// next look at it costs no request. (Invalidate is for a write whose
// outcome is not known.) It stands over a batch of the change feed read
// meanwhile, which may predate it.
func (d *Drives) Wrote(e remote.Entry, gone bool) {
	d.edits.Lock() // the writes are recorded in the order they are applied
	defer d.edits.Unlock()
	d.wrote.add(e, gone)
	d.applyWrote(e, gone)
}

// applyWrote applies a write to what is held; d.edits is held.
func (d *Drives) applyWrote(e remote.Entry, gone bool) {
	d.gen.bump() // loads under way began before the write: they must not store
	g := d.gen.get()
	d.snaps.forget(e.DriveID)
	if gone {
		d.remove(e.DriveID, e, g)
		return
	}
	// As a rename would be applied: no same-version edit, and a folder's
	// listing not held stays so.
	d.upsert(e.DriveID, DriveAction{Action: ActionRename, Entry: e}, g)
}

// reapplyWrotes applies again the writes made on driveID after the one
// numbered seq, over a batch of its feed read meanwhile.
func (d *Drives) reapplyWrotes(driveID int64, seq uint64) {
	d.edits.Lock() // no write in between: a later one would be undone
	defer d.edits.Unlock()
	for _, w := range d.wrote.since(seq) {
		if w.e.DriveID == driveID {
			d.applyWrote(w.e, w.gone)
		}
	}
}
