package writeback

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/infomaniakfs/infomaniakfs/remote"
)

// upload sends job j's staging file. conflict: the content went to a
// conflict copy beside the file, because the file changed remotely since
// j's base version (or a new file's name was taken meanwhile).
func (q *Queue) upload(ctx context.Context, j Job) (e remote.Entry, conflict bool, err error) {
	f, err := os.Open(filepath.Join(q.staging, j.Staging))
	if errors.Is(err, os.ErrNotExist) {
		return e, false, fmt.Errorf("staging file of %q: %w: %w", j.Name, errStagingGone, err)
	}
	if err != nil {
		return e, false, fmt.Errorf("staging file of %q: %w", j.Name, err)
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return e, false, err
	}
	sum := startSum(ctx, f, st.Size())
	defer sum.stop()
	u := remote.Upload{DriveID: j.DriveID, FileID: j.FileID, BaseVersion: j.BaseVersion, DirID: j.DirID,
		Name: j.Name, Size: st.Size(), MTime: j.MTime}
	e, err = q.send(ctx, f, u, sum, j.Seq, j.Resume)
	switch {
	case errors.Is(err, remote.ErrConflict) && j.FileID > 0:
		// Our own upload, landed before a crash kept its done record?
		mine, herr := sum.wait(ctx)
		if herr != nil {
			return e, false, herr
		}
		if h, herr := q.o.Remote.Hash(ctx, j.DriveID, j.FileID); herr == nil && h == mine {
			e, err = q.o.Remote.Stat(ctx, j.DriveID, j.FileID)
			return e, false, err
		}
	case errors.Is(err, remote.ErrExists) && j.FileID == 0:
	default:
		return e, false, err
	}
	e, err = q.conflictCopy(ctx, f, u, sum)
	return e, err == nil, err
}

// errStagingGone: a job's staging file vanished (removed by hand): there
// is nothing left to upload, and retrying would loop for ever.
var errStagingGone = errors.New("staging file gone")

// maxConflictNames bounds the names a conflict copy tries.
const maxConflictNames = 20

// conflictCopy uploads u as a new file beside the one it was meant for.
func (q *Queue) conflictCopy(ctx context.Context, f *os.File, u remote.Upload, sum *contentSum) (remote.Entry, error) {
	orig := u.Name
	u.FileID, u.BaseVersion = 0, ""
	for i := 1; i <= maxConflictNames; i++ {
		u.Name = ConflictName(orig, q.o.Now(), i)
		e, err := q.send(ctx, f, u, sum, 0, nil)
		if errors.Is(err, remote.ErrExists) {
			continue
		}
		if err == nil {
			q.o.Logger.Warn("the file changed on kDrive while it was being written here: both are kept, the local version as a conflict copy",
				"file", orig, "copy", u.Name, "drive", u.DriveID)
		}
		return e, err
	}
	return remote.Entry{}, fmt.Errorf("conflict copy of %q: %w: no free name", orig, remote.ErrExists)
}

// ConflictName is "NAME (conflict YYYY-MM-DD HHMM).EXT" (n > 1 adds " n"
// after the time).
func ConflictName(name string, t time.Time, n int) string {
	ext := path.Ext(name)
	if ext == name || strings.Contains(ext, " ") {
		ext = ""
	}
	tag := " (conflict " + t.Format("2006-01-02 1504")
	if n > 1 {
		tag += fmt.Sprintf(" %d", n)
	}
	return strings.TrimSuffix(name, ext) + tag + ")" + ext
}

// send uploads the content of f as u, whose Hash sum gives: one request
// up to the threshold, an upload session beyond it, resumed from job
// seq's journal when it holds one for this very upload.
func (q *Queue) send(ctx context.Context, f *os.File, u remote.Upload, sum *contentSum, seq int64, saved *resumable) (remote.Entry, error) {
	if u.Size <= q.o.SessionThreshold {
		b := make([]byte, u.Size)
		if _, err := f.ReadAt(b, 0); err != nil && !(errors.Is(err, io.EOF) && u.Size == 0) {
			return remote.Entry{}, fmt.Errorf("reading the staging file of %q: %w", u.Name, err)
		}
		var err error
		if u.Hash, err = sum.wait(ctx); err != nil {
			return remote.Entry{}, err
		}
		return q.o.Remote.Upload(ctx, u, b)
	}
	if saved != nil {
		// Only a session of this very content resumes: its hash first.
		var err error
		if u.Hash, err = sum.wait(ctx); err != nil {
			return remote.Entry{}, err
		}
		if !resumes(saved, u) {
			saved = nil
		}
	}
	for {
		st := saved
		if st == nil {
			cs := q.o.chunkSize(u.Size)
			s, err := q.o.Remote.StartSession(ctx, u, int(ceilDiv(u.Size, cs)))
			if err != nil {
				return remote.Entry{}, err
			}
			// Journaled once the hash, part of its name, is known.
			st = &resumable{Session: s, ChunkSize: cs}
		}
		err := q.sendChunks(ctx, f, st, u, sum, seq)
		if err == nil {
			u.Hash, err = sum.wait(ctx)
		}
		var e remote.Entry
		if err == nil {
			e, err = q.o.Remote.FinishSession(ctx, st.Session, u)
		}
		if saved != nil && errors.Is(err, remote.ErrNotFound) {
			saved = nil // the session resumed had expired: a new one
			continue
		}
		// A failed session is kept for the next attempt (an abandoned one
		// expires on its own).
		return e, err
	}
}

// sendChunks sends the chunks of f that st lacks, Parallel at a time, each
// streamed from f, journaling each one acknowledged once u's hash is known.
func (q *Queue) sendChunks(ctx context.Context, f *os.File, st *resumable, u remote.Upload, sum *contentSum, seq int64) error {
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(q.o.Parallel)
	var mu sync.Mutex
	done := map[int]bool{}
	for _, n := range st.Done {
		done[n] = true
	}
	for n := 1; n <= st.Session.Chunks; n++ {
		if done[n] {
			continue
		}
		off := int64(n-1) * st.ChunkSize
		g.Go(func() error {
			if err := gctx.Err(); err != nil {
				return err // a chunk failed: the others are not sent
			}
			chunk := io.NewSectionReader(f, off, min(st.ChunkSize, u.Size-off))
			if err := q.o.Remote.UploadChunk(gctx, st.Session, n, chunk); err != nil {
				return err
			}
			mu.Lock()
			defer mu.Unlock()
			st.Done = append(st.Done, n)
			q.noteSession(seq, st, u, sum)
			return nil
		})
	}
	err := g.Wait()
	if st.Of == "" && len(st.Done) > 0 {
		// Chunks outran the hash: journal them once it is there.
		_, _ = sum.wait(ctx)
		q.noteSession(seq, st, u, sum)
	}
	return err
}

// noteSession journals st as job seq's session once u's hash, part of the
// session's name (sessionOf), is known; until then it is not resumable.
func (q *Queue) noteSession(seq int64, st *resumable, u remote.Upload, sum *contentSum) {
	if h, ok := sum.ready(); ok && st.Of == "" {
		u.Hash = h
		st.Of = sessionOf(u)
	}
	if st.Of != "" {
		q.saveResume(seq, st)
	}
}
