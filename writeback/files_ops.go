package writeback

import (
	"context"
	"strings"
	"time"

	"github.com/infomaniakfs/infomaniakfs/remote"
)

// uploaded is the queue's news of a job done: the local files of that job
// move onto the version it made, and go once nothing holds them. The
// metadata cache is told first and the new version is recorded as landed
// (see Mark), so the file never vanishes from its folder in between.
func (f *Files) uploaded(j Job, e remote.Entry, conflict bool) {
	e = uploadedEntry(j, e, conflict)
	f.log.Debug("uploaded", "name", e.Name, "id", e.ID, "dir", e.ParentID, "conflict", conflict, "seq", j.Seq)
	f.tell(e, false) // before the local file goes: listings asked after have it
	var closing []*Local
	var mtime time.Time // set while the upload ran; the remote gets it now
	f.mu.Lock()
	k := j.key()
	for r, l := range f.locals {
		if sj := l.st.Job(); sj.key() != k {
			continue
		}
		if !conflict {
			l.st.retarget(func(sj *Job) { sj.FileID, sj.BaseVersion = e.ID, e.Version })
			if isPseudo(r.id) {
				f.alias[r] = e.ID
			}
		}
		if l.pending != 0 && l.pending <= j.Seq {
			l.pending = 0
		}
		if !l.mtimeAfter.IsZero() && !conflict {
			mtime = l.mtimeAfter
		}
		l.mtimeAfter = time.Time{}
		if f.dropLocked(l) {
			closing = append(closing, l)
		}
	}
	shown := e
	seq := Mark(0)
	if !mtime.IsZero() {
		shown.MTime, seq = mtime, pinned // shown with its mtime until set
	}
	f.landLocked(shown, false, seq)
	f.mu.Unlock()
	for _, l := range closing {
		l.st.Close()
	}
	if !mtime.IsZero() {
		f.fixMTime(j, e, mtime)
	}
}

// uploadedEntry is e, the entry an upload of j made, completed from j (a
// conflict copy has a name of its own).
func uploadedEntry(j Job, e remote.Entry, conflict bool) remote.Entry {
	name := j.Name
	if conflict {
		name = e.Name
	}
	return completed(e, j.DriveID, j.DirID, name)
}

// fixMTime gives uploaded file e the mtime t set while its upload ran.
// Not journaled: after a crash here the content is safe, its mtime the
// upload's.
func (f *Files) fixMTime(j Job, e remote.Entry, t time.Time) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	got, err := f.r.SetMTime(ctx, j.DriveID, e.ID, t)
	if err != nil {
		f.log.Warn("setting the mtime of an uploaded file", "name", j.Name, "err", err)
	}
	// Through the pinned landing, under f.mu: a write of the file since
	// (a rename) replaced it, and the answer here, which may predate that
	// write, is not told; the cache asks the remote instead.
	if !f.unpin(j.DriveID, e.ID, func(shown *remote.Entry) {
		if err != nil {
			shown.MTime = e.MTime
			return
		}
		shown.MTime = t
		if got.ID == e.ID {
			shown.Version = got.Version
		}
	}) {
		f.invalidate(j.DriveID, e.ID)
	}
}

// Overlay is folder dir's listing as the mount shows it, list being the
// remote's asked at mark: the writes that landed since applied to it,
// local sizes and times over the remote ones, new files not uploaded yet
// added (and the remote entry of the same name, its upload landing, hidden
// until the local one goes).
func (f *Files) Overlay(driveID, dirID int64, list []remote.Entry, mark Mark) []remote.Entry {
	f.mu.Lock()
	defer f.mu.Unlock()
	list = f.overlayLanded(driveID, dirID, list, mark)
	fresh := map[string]*Local{}
	for r, l := range f.locals {
		if j := l.st.Job(); r.drive == driveID && isPseudo(r.id) && j.DirID == dirID && !l.gone {
			fresh[j.Name] = l
		}
	}
	if len(fresh) == 0 && len(f.locals) == 0 {
		return list
	}
	out := make([]remote.Entry, 0, len(list)+len(fresh))
	for _, e := range list {
		if fresh[e.Name] != nil {
			continue
		}
		if l := f.locals[ref{driveID, e.ID}]; l != nil && !l.gone && !e.IsDir {
			e = l.entryLocked()
		}
		out = append(out, e)
	}
	for _, l := range fresh {
		out = append(out, l.entryLocked())
	}
	return out
}

// tell gives the metadata cache what a write left of item e on the
// remote (gone: trashed).
func (f *Files) tell(e remote.Entry, gone bool) {
	if f.inv != nil && e.ID > 0 && !isPseudo(e.ID) {
		f.inv.Wrote(e, gone)
	}
}

// wrote records what a write left of item e on the remote: the metadata
// cache takes it, then listings asked before it (see Mark). Under f.mu, so
// that the cache hears of the writes of one item in the order they land.
func (f *Files) wrote(e remote.Entry, gone bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.tell(e, gone)
	f.landLocked(e, gone, 0)
}

// wroteSince is wrote for the answer of a write asked at mark, unless
// another write of the item landed since: the answer may predate it (a
// rename), so the cache asks the remote instead.
func (f *Files) wroteSince(e remote.Entry, mark Mark) {
	f.mu.Lock()
	if l := f.landed[ref{e.DriveID, e.ID}]; l != nil && l.seq > mark {
		f.mu.Unlock()
		f.invalidate(e.DriveID, e.ID, e.ParentID)
		return
	}
	defer f.mu.Unlock()
	f.tell(e, false)
	f.landLocked(e, false, 0)
}

func (f *Files) invalidate(driveID int64, ids ...int64) {
	if f.inv == nil {
		return
	}
	for _, id := range ids {
		if id > 0 && !isPseudo(id) {
			f.inv.Invalidate(driveID, id)
		}
	}
}

// Mkdir creates folder name in parentID.
func (f *Files) Mkdir(ctx context.Context, driveID, parentID int64, name string) (remote.Entry, error) {
	e, err := f.r.Mkdir(ctx, driveID, parentID, name)
	if err != nil {
		f.invalidate(driveID, parentID)
		return e, err
	}
	f.wrote(completed(e, driveID, parentID, name), false)
	return e, nil
}

// Unlink removes file e (shown in folder dir): its pending uploads are
// dropped and the remote file, if any, goes to the trash.
func (f *Files) Unlink(ctx context.Context, driveID, dirID int64, e remote.Entry) error {
	id := f.Resolve(driveID, e.ID)
	if l := f.Local(driveID, e.ID); l != nil {
		if err := f.q.Cancel(ctx, l.st.Job()); err != nil {
			return err
		}
		j := l.st.Job() // an upload under way may have given it an id
		if j.FileID > 0 {
			id = j.FileID
		}
		f.mu.Lock()
		l.gone = true
		drop := f.dropLocked(l)
		f.mu.Unlock()
		if drop {
			l.st.Close()
		}
	}
	if isPseudo(id) {
		return nil
	}
	if err := f.r.Trash(ctx, driveID, id); err != nil {
		f.invalidate(driveID, dirID, id)
		return err
	}
	f.wrote(remote.Entry{ID: id, DriveID: driveID, ParentID: dirID, Name: e.Name}, true)
	return nil
}

// Rmdir trashes folder e of parent; children is its remote listing. It
// fails with ErrNotEmpty if the folder holds anything, local files too.
func (f *Files) Rmdir(ctx context.Context, driveID, parentID int64, e remote.Entry, children []remote.Entry, mark Mark) error {
	if len(f.Overlay(driveID, e.ID, children, mark)) > 0 {
		return ErrNotEmpty
	}
	if err := f.r.Trash(ctx, driveID, e.ID); err != nil {
		f.invalidate(driveID, parentID, e.ID)
		return err
	}
	f.wrote(completed(e, driveID, parentID, e.Name), true)
	return nil
}

// Rename moves item e from folder oldDir to newDir under newName. A file
// not uploaded yet is renamed in the queue; any other on the remote, then
// in the queue (where its conflict copy would go). A target of that name
// must be gone first (Unlink, Rmdir).
func (f *Files) Rename(ctx context.Context, driveID int64, e remote.Entry, oldDir, newDir int64, newName string) error {
	id := f.Resolve(driveID, e.ID)
	l := f.Local(driveID, e.ID)
	if l != nil && isPseudo(id) {
		j, err := f.retarget(ctx, l, newDir, newName)
		if err != nil {
			return err
		}
		if j.FileID == 0 {
			return nil // only here so far: its upload goes to the new name
		}
		id = j.FileID // uploaded meanwhile
	}
	var err error
	if newDir == oldDir {
		err = f.r.Rename(ctx, driveID, id, newName)
	} else {
		err = f.r.Move(ctx, driveID, id, newDir, newName)
	}
	if err != nil {
		f.invalidate(driveID, id, oldDir, newDir)
		return err
	}
	moved, known := f.remoteEntry(driveID, id, e, l)
	moved.ID, moved.DriveID, moved.ParentID, moved.Name = id, driveID, newDir, newName
	if known {
		f.wrote(moved, false)
	} else {
		f.invalidate(driveID, id, oldDir, newDir)
	}
	if l == nil {
		return nil
	}
	_, err = f.retarget(ctx, l, newDir, newName)
	return err
}

// remoteEntry is item id as the remote holds it, if known here (shown as
// e): the answer of the last write of it, or e if it is the remote's. The
// entry a local file shows is not: its size and version are the local
// content's, perhaps from a listing made before its writes.
func (f *Files) remoteEntry(driveID, id int64, e remote.Entry, l *Local) (remote.Entry, bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if ld := f.landed[ref{driveID, id}]; ld != nil && !ld.gone {
		return ld.e, true
	}
	return e, l == nil && e.ID == id && !strings.HasPrefix(e.Version, localVersionPrefix)
}

// retarget points l's queued jobs and its next commits at newDir/newName,
// and reports the jobs' target (FileID set: uploaded meanwhile). A commit
// between the two went under the old name (a close racing the rename: the
// kernel sends the release after close returns), so the queue is told
// again once the commits are retargeted: no job uploads the old name.
func (f *Files) retarget(ctx context.Context, l *Local, newDir int64, newName string) (Job, error) {
	old := l.st.Job()
	j, err := f.q.Retarget(ctx, old, newDir, newName)
	if err != nil {
		return j, err
	}
	l.st.retarget(func(sj *Job) { sj.DirID, sj.Name = newDir, newName })
	again, err := f.q.Retarget(ctx, old, newDir, newName)
	if j.FileID == 0 {
		j.FileID = again.FileID
	}
	return j, err
}

// SetMTime sets item e's mtime: on its local content if some is still to
// be uploaded (uploaded with it), else on the remote.
//
// A closed file's content is queued already: rsync and cp -p set the
// mtime right after the close, and uploading a large file a second time
// for it would double the transfer. So the queued jobs take the new mtime,
// or the upload under way is followed by a remote mtime change.
func (f *Files) SetMTime(ctx context.Context, e remote.Entry, t time.Time) error {
	if l := f.Local(e.DriveID, e.ID); l != nil {
		if local, err := f.setLocalMTime(l, t); local {
			return err
		}
	}
	id := f.Resolve(e.DriveID, e.ID)
	mark := f.Mark()
	got, err := f.r.SetMTime(ctx, e.DriveID, id, t)
	if err != nil {
		f.invalidate(e.DriveID, id, e.ParentID)
		return err
	}
	if got.ID != id {
		got = e
		got.ID, got.MTime = id, t
	}
	f.wroteSince(completed(got, e.DriveID, e.ParentID, e.Name), mark)
	return nil
}

// setLocalMTime gives l's content still to upload mtime t, and reports
// whether it had some: writes not committed yet (their commit carries it),
// or committed ones not uploaded yet. mtimeAfter is set under f.mu before
// the queue is asked, and uploaded takes it under f.mu: an upload landing
// meanwhile either sets it after, or had cleared pending, and the remote
// takes it. An mtime set between a close and the release that follows it
// (rsync, cp -p) so never makes a second upload of the same content.
func (f *Files) setLocalMTime(l *Local, t time.Time) (bool, error) {
	if l.st.setMTimeIfDirty(t) {
		f.mu.Lock()
		l.mtime = t
		f.mu.Unlock()
		return true, nil
	}
	f.mu.Lock()
	pending := l.pending != 0
	if pending {
		l.mtime, l.mtimeAfter = t, t
	}
	f.mu.Unlock()
	if !pending {
		return false, nil
	}
	l.st.SetMTime(t, false)
	queued, _, err := f.q.SetMTime(l.st.Job(), t)
	if queued && err == nil {
		// The last job carries it: no remote change after the upload.
		f.mu.Lock()
		if l.mtimeAfter.Equal(t) {
			l.mtimeAfter = time.Time{}
		}
		f.mu.Unlock()
	}
	return true, err
}

// completed is e with what a write route may leave out filled in.
func completed(e remote.Entry, driveID, parentID int64, name string) remote.Entry {
	if e.DriveID == 0 {
		e.DriveID = driveID
	}
	if e.ParentID == 0 {
		e.ParentID = parentID
	}
	if e.Name == "" {
		e.Name = name
	}
	return e
}
