package writeback

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"sync"
	"time"

	"github.com/infomaniakfs/infomaniakfs/remote"
)

// ErrNotEmpty: a folder to remove still holds something.
var ErrNotEmpty = errors.New("folder not empty")

// Invalidator is the metadata cache that writes must keep honest
// (cache.Drives).
type Invalidator interface {
	// Invalidate: item id changed in a way not known here (a write that
	// failed may have landed): the next look asks the remote.
	Invalidate(driveID, id int64)
	// Wrote: a write left item e so on the remote (gone: trashed); the
	// cache shows it without asking.
	Wrote(e remote.Entry, gone bool)
}

// pseudoBase starts the ids a new file shows before its first upload gives
// it one: far above kDrive's ids, so the two never meet.
const pseudoBase = 1 << 40

func isPseudo(id int64) bool { return id >= pseudoBase }

type ref struct{ drive, id int64 }

// Files is the write side of a read-write mount, for one account: what the
// mount shows of files whose newest content is local (being written, or
// committed and not uploaded yet), and the operations that go straight to
// the remote (mkdir, rename, trash, mtime), kept consistent with the
// queue. Safe for concurrent use; the file system's nodes stay thin over it.
type Files struct {
	q   *Queue
	r   Remote
	inv Invalidator
	log *slog.Logger

	mu     sync.Mutex
	locals map[ref]*Local // by the id the mount shows
	alias  map[ref]int64  // a new file's pseudo id → its remote id, once uploaded
	next   int64
	landed map[ref]*landing // by remote id: what writes left on the remote lately
	seq    Mark             // of the last landing
	// pinnedN counts the pinned landings; pruned is when landed was last
	// swept of old ones.
	pinnedN int
	pruned  time.Time
}

// NewFiles opens the queue of o (replaying its journal) under a Files.
func NewFiles(o Options, inv Invalidator) (*Files, error) {
	f := &Files{r: o.Remote, inv: inv, log: o.Logger, locals: map[ref]*Local{}, alias: map[ref]int64{}, landed: map[ref]*landing{}}
	o.Uploaded = f.uploaded
	q, err := New(o)
	if err != nil {
		return nil, err
	}
	f.q = q
	return f, nil
}

// Close queues what is still uncommitted (a commit that failed before),
// then closes the queue (see Queue.Close).
func (f *Files) Close(ctx context.Context, drain bool) error {
	f.mu.Lock()
	locals := make([]*Local, 0, len(f.locals))
	for _, l := range f.locals {
		locals = append(locals, l)
	}
	f.mu.Unlock()
	var errs []error
	for _, l := range locals {
		if err := f.Commit(l); err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", l.st.Job().Name, err))
		}
	}
	return errors.Join(append(errs, f.q.Close(ctx, drain))...)
}

// Status is the queue's.
func (f *Files) Status() Status { return f.q.Status() }

// localVersionPrefix starts the Version a local file shows: no remote one.
const localVersionPrefix = "local-"

// Local is a file whose newest content is here. Its methods are safe for
// concurrent use.
type Local struct {
	f     *Files
	st    *Staged
	shown int64 // the id the mount shows (a pseudo id for a new file)
	// Guarded by Files.mu:
	opens   int       // open handles
	pending int64     // the last commit not known uploaded (0: none)
	gone    bool      // unlinked: nothing more is uploaded
	mtime   time.Time // shown
	// mtimeAfter: set while the upload ran; the remote gets it after.
	mtimeAfter time.Time
}

// Entry is what the mount shows of l.
func (l *Local) Entry() remote.Entry {
	l.f.mu.Lock()
	defer l.f.mu.Unlock()
	return l.entryLocked()
}

func (l *Local) entryLocked() remote.Entry {
	j := l.st.Job()
	size, _ := l.st.Size()
	return remote.Entry{ID: l.shown, ParentID: j.DirID, DriveID: j.DriveID, Name: j.Name, Size: size,
		MTime: l.mtime, CTime: l.mtime, Version: fmt.Sprintf("%s%d-%d-%d", localVersionPrefix, l.shown, size, l.mtime.UnixNano())}
}

// ReadAt reads the local content.
func (l *Local) ReadAt(p []byte, off int64) (int, error) { return l.st.ReadAt(p, off) }

// WriteAt writes at any offset.
func (l *Local) WriteAt(p []byte, off int64) (int, error) {
	n, err := l.st.WriteAt(p, off)
	l.touch()
	return n, err
}

// Truncate sets the size.
func (l *Local) Truncate(size int64) error {
	err := l.st.Truncate(size)
	l.touch()
	return err
}

// touch dates l now, as a local write does.
func (l *Local) touch() {
	now := time.Now()
	l.st.SetMTime(now, false)
	l.f.mu.Lock()
	l.mtime = now
	l.f.mu.Unlock()
}

// Create starts a new file name in folder dir, local until uploaded.
func (f *Files) Create(driveID, dirID int64, name string) (*Local, error) {
	st, err := f.q.Stage(Job{DriveID: driveID, DirID: dirID, Name: name}, nil)
	if err != nil {
		return nil, err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.next++
	l := &Local{f: f, st: st, shown: pseudoBase + f.next, opens: 1, mtime: time.Now()}
	f.locals[ref{driveID, l.shown}] = l
	return l, nil
}

// Open opens e for writing: its local content if it has some, else a
// staging copy of the remote content that load reads (none if trunc).
func (f *Files) Open(ctx context.Context, e remote.Entry, trunc bool, load func(context.Context) (io.Reader, error)) (*Local, error) {
	if l := f.Local(e.DriveID, e.ID); l != nil {
		if err := f.hold(l); err == nil {
			if trunc {
				err = l.Truncate(0)
			}
			return l, err
		}
	}
	var r io.Reader
	if !trunc {
		var err error
		if r, err = load(ctx); err != nil {
			return nil, err
		}
	}
	st, err := f.q.Stage(Job{DriveID: e.DriveID, FileID: e.ID, BaseVersion: e.Version, DirID: e.ParentID, Name: e.Name, MTime: e.MTime}, r)
	if err != nil {
		return nil, err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if l := f.locals[ref{e.DriveID, e.ID}]; l != nil && !l.gone { // opened meanwhile
		st.Close()
		l.opens++
		return l, nil
	}
	l := &Local{f: f, st: st, shown: e.ID, opens: 1, mtime: e.MTime}
	f.locals[ref{e.DriveID, e.ID}] = l
	return l, nil
}

// hold counts one more handle on l, unless it was dropped meanwhile.
func (f *Files) hold(l *Local) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.locals[ref{l.st.Job().DriveID, l.shown}] != l {
		return errors.New("dropped")
	}
	l.opens++
	return nil
}

// Local is the local file shown as item id, or nil.
func (f *Files) Local(driveID, id int64) *Local {
	f.mu.Lock()
	defer f.mu.Unlock()
	if l := f.locals[ref{driveID, id}]; l != nil && !l.gone {
		return l
	}
	return nil
}

// Resolve is the remote id of what the mount shows as id (a new file's
// pseudo id once uploaded), else id.
func (f *Files) Resolve(driveID, id int64) int64 {
	f.mu.Lock()
	defer f.mu.Unlock()
	if r, ok := f.alias[ref{driveID, id}]; ok {
		return r
	}
	return id
}

// Commit queues l's content if it changed; it returns at once.
func (f *Files) Commit(l *Local) error {
	_, err := f.commit(l)
	return err
}

func (f *Files) commit(l *Local) (int64, error) {
	f.mu.Lock()
	gone := l.gone
	f.mu.Unlock()
	if gone {
		return 0, nil
	}
	seq, err := l.st.Commit()
	f.mu.Lock()
	defer f.mu.Unlock()
	if seq > 0 {
		l.pending = seq
	}
	return l.pending, err
}

// Sync queues l's content and returns once the server acknowledged it (or
// with the error of the attempt that failed; the upload stays queued).
func (f *Files) Sync(ctx context.Context, l *Local) error {
	seq, err := f.commit(l)
	if err != nil || seq == 0 {
		return err
	}
	return f.q.Wait(ctx, seq)
}

// Release drops a handle. The last one queues the content (if it changed:
// earlier ones leave it to the handles still open, which may be half-way
// through writing), and l is forgotten once uploaded.
func (f *Files) Release(l *Local) error {
	f.mu.Lock()
	last := l.opens == 1
	f.mu.Unlock()
	var err error
	if last {
		err = f.Commit(l)
	}
	f.mu.Lock()
	l.opens--
	// Content that could not be queued (the staging disk full) stays
	// shown and open rather than dropped with its staging file.
	drop := err == nil && f.dropLocked(l)
	f.mu.Unlock()
	if err != nil {
		f.log.Error("a written file could not be queued for upload; it is tried again at unmount", "err", err)
	}
	if drop {
		l.st.Close()
	}
	return err
}

// dropLocked forgets l if nothing holds it; f.mu is held. The caller
// closes l.st when it returns true.
func (f *Files) dropLocked(l *Local) bool {
	if l.opens > 0 || (l.pending != 0 && !l.gone) {
		return false
	}
	k := ref{l.st.Job().DriveID, l.shown}
	if f.locals[k] == l {
		delete(f.locals, k)
	}
	return true
}

// Hold returns the local file shown as id with one more handle on it
// (a read-only open), or nil.
func (f *Files) Hold(driveID, id int64) *Local {
	f.mu.Lock()
	defer f.mu.Unlock()
	l := f.locals[ref{driveID, id}]
	if l == nil || l.gone {
		return nil
	}
	l.opens++
	return l
}

// Forget makes the metadata cache ask the remote about id next time.
func (f *Files) Forget(driveID, id int64) { f.invalidate(driveID, id) }
