package writeback

import (
	"context"
	"time"

	"github.com/infomaniakfs/infomaniakfs/remote"
)

// uploaded is the queue's news of a job done: the local files of that job
// move onto the version it made, and go once nothing holds them.
func (f *Files) uploaded(j Job, e remote.Entry, conflict bool) {
	var closing []*Local
	var mtimes []mtimeFix
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
		if !l.mtimeAfter.IsZero() && !conflict && e.ID != 0 {
			mtimes = append(mtimes, mtimeFix{e.ID, l.mtimeAfter})
		}
		l.mtimeAfter = time.Time{}
		if f.dropLocked(l) {
			closing = append(closing, l)
		}
	}
	f.mu.Unlock()
	for _, l := range closing {
		l.st.Close()
	}
	for _, m := range mtimes {
		// Not journaled: after a crash here the content is safe, its
		// mtime the upload's.
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		if _, err := f.r.SetMTime(ctx, j.DriveID, m.id, m.t); err != nil {
			f.log.Warn("setting the mtime of an uploaded file", "name", j.Name, "err", err)
		}
		cancel()
	}
	if f.inv != nil {
		f.inv.Invalidate(j.DriveID, j.DirID)
		if e.ID != 0 {
			f.inv.Invalidate(j.DriveID, e.ID)
		}
	}
}

// mtimeFix is an mtime set while the upload of its file was under way.
type mtimeFix struct {
	id int64
	t  time.Time
}

// Overlay is folder dir's listing as the mount shows it: local sizes and
// times over the remote ones, new files not uploaded yet added (and the
// remote entry of the same name, its upload landing, hidden until the
// local one goes).
func (f *Files) Overlay(driveID, dirID int64, list []remote.Entry) []remote.Entry {
	f.mu.Lock()
	defer f.mu.Unlock()
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
	f.invalidate(driveID, parentID)
	return e, err
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
	var err error
	if !isPseudo(id) {
		err = f.r.Trash(ctx, driveID, id)
	}
	f.invalidate(driveID, dirID, id)
	return err
}

// Rmdir trashes folder e of parent; children is its remote listing. It
// fails with ErrNotEmpty if the folder holds anything, local files too.
func (f *Files) Rmdir(ctx context.Context, driveID, parentID int64, e remote.Entry, children []remote.Entry) error {
	if len(f.Overlay(driveID, e.ID, children)) > 0 {
		return ErrNotEmpty
	}
	err := f.r.Trash(ctx, driveID, e.ID)
	f.invalidate(driveID, parentID, e.ID)
	return err
}

// Rename moves item e from folder oldDir to newDir under newName. A file
// not uploaded yet is renamed in the queue; any other on the remote, then
// in the queue (where its conflict copy would go). A target of that name
// must be gone first (Unlink, Rmdir).
func (f *Files) Rename(ctx context.Context, driveID int64, e remote.Entry, oldDir, newDir int64, newName string) error {
	id := f.Resolve(driveID, e.ID)
	l := f.Local(driveID, e.ID)
	if l != nil && isPseudo(id) {
		j, err := f.q.Retarget(ctx, l.st.Job(), newDir, newName)
		if err != nil {
			return err
		}
		l.st.retarget(func(sj *Job) { sj.DirID, sj.Name = newDir, newName })
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
	f.invalidate(driveID, id, oldDir, newDir)
	if err != nil || l == nil {
		return err
	}
	if _, err := f.q.Retarget(ctx, l.st.Job(), newDir, newName); err != nil {
		return err
	}
	l.st.retarget(func(sj *Job) { sj.DirID, sj.Name = newDir, newName })
	return nil
}

// SetMTime sets item e's mtime: on its local content if it has some
// (uploaded with it), else on the remote.
//
// A closed file's content is queued already: rsync and cp -p set the
// mtime right after the close, and uploading a large file a second time
// for it would double the transfer. So the queued jobs take the new mtime,
// or the upload under way is followed by a remote mtime change.
func (f *Files) SetMTime(ctx context.Context, e remote.Entry, t time.Time) error {
	if l := f.Local(e.DriveID, e.ID); l != nil {
		f.mu.Lock()
		open := l.opens > 0
		f.mu.Unlock()
		if open { // the last close queues it with the content
			l.SetMTime(t)
			return nil
		}
		l.st.SetMTime(t, false)
		f.mu.Lock()
		l.mtime = t
		f.mu.Unlock()
		queued, running, err := f.q.SetMTime(l.st.Job(), t)
		switch {
		case err != nil || queued:
			return err
		case running:
			f.mu.Lock()
			l.mtimeAfter = t
			f.mu.Unlock()
			return nil
		}
	}
	id := f.Resolve(e.DriveID, e.ID)
	_, err := f.r.SetMTime(ctx, e.DriveID, id, t)
	f.invalidate(e.DriveID, id, e.ParentID)
	return err
}
