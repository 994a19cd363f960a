package writeback

import (
	"fmt"
	"slices"

	"github.com/infomaniakfs/infomaniakfs/remote"
)

// resumable is an upload session under way, journaled with its job so a
// daemon killed mid-upload sends only the chunks kDrive lacks (sessions
// live 12 h). The server checks every chunk's hash and the whole one at
// the end, so a wrong record costs a failed finish, never a wrong file.
type resumable struct {
	Session   remote.Session `json:"session"`
	Of        string         `json:"of"`         // the upload it serves (sessionOf)
	ChunkSize int64          `json:"chunk_size"` // kept when the options change
	Done      []int          `json:"done"`       // chunks acknowledged
}

// sessionOf names an upload: a saved session serves only the same one.
func sessionOf(u remote.Upload) string {
	return fmt.Sprintf("%d/%d/%d/%q/%d/%s", u.DriveID, u.FileID, u.DirID, u.Name, u.Size, u.Hash)
}

// resumes says whether saved is a session of u (its Hash set) that can go
// on: the same upload, and chunks of the size it started with, whatever
// the size options are now.
func resumes(saved *resumable, u remote.Upload) bool {
	cs := saved.ChunkSize
	return saved.Of == sessionOf(u) && cs > 0 && cs <= remote.MaxChunk &&
		int64(saved.Session.Chunks) == ceilDiv(u.Size, cs)
}

// saveResume journals st as job seq's session (seq 0: none, a conflict
// copy's). A journal that cannot be written costs only the resumption.
func (q *Queue) saveResume(seq int64, st *resumable) {
	if seq == 0 {
		return
	}
	q.mu.Lock()
	defer q.mu.Unlock()
	i := q.index(seq)
	if i < 0 {
		return
	}
	cp := *st
	cp.Done = slices.Clone(st.Done)
	slices.Sort(cp.Done)
	j := q.jobs[i].Job
	j.Resume = &cp
	if err := q.j.append(record{Op: "put", Job: &j}); err != nil {
		q.o.Logger.Warn("writeback: journaling an upload session", "err", err)
		return
	}
	q.jobs[i].Job = j
}
