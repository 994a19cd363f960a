package writeback

import (
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sync"
	"time"
)

// Staged is the content of a file open for writing: a staging file the
// mount reads and writes at any offset. Commit hands the content to the
// queue; a write after a commit goes to a fresh copy, so the queue uploads
// exactly what was committed. Safe for concurrent use.
type Staged struct {
	q   *Queue
	mu  sync.Mutex
	f   *os.File
	job Job  // the target; Staging names f
	own bool // f is ours (false once committed: the queue owns it)
	// dirty: written since the last commit (a new file starts dirty: even
	// empty, it must reach the server).
	dirty bool
}

// Stage starts a staged file for j's target holding initial's bytes (nil:
// empty, as for a new or truncated file).
func (q *Queue) Stage(j Job, initial io.Reader) (*Staged, error) {
	f, name, err := q.newStaging()
	if err != nil {
		return nil, err
	}
	if initial != nil {
		if _, err := io.Copy(f, initial); err != nil {
			f.Close()
			os.Remove(f.Name())
			return nil, fmt.Errorf("staging %q: %w", j.Name, err)
		}
	}
	j.Staging = name
	return &Staged{q: q, f: f, job: j, own: true, dirty: initial == nil}, nil
}

// newStaging creates an empty staging file with a unique name.
func (q *Queue) newStaging() (*os.File, string, error) {
	b := make([]byte, 8)
	rand.Read(b)
	name := fmt.Sprintf("%d-%s", time.Now().UnixNano(), hex.EncodeToString(b))
	f, err := os.OpenFile(filepath.Join(q.staging, name), os.O_CREATE|os.O_EXCL|os.O_RDWR, 0o600)
	return f, name, err
}

// link gives the staging file name a second name, returned.
func (q *Queue) link(name string) (string, error) {
	f, fresh, err := q.newStaging()
	if err != nil {
		return "", err
	}
	f.Close()
	dst := filepath.Join(q.staging, fresh)
	if err := os.Remove(dst); err != nil {
		return "", err
	}
	if err := os.Link(filepath.Join(q.staging, name), dst); err != nil {
		return "", err
	}
	return fresh, nil
}

// ensureOwn makes f a file the queue does not hold; s.mu is held.
func (s *Staged) ensureOwn() error {
	if s.own {
		return nil
	}
	f, name, err := s.q.newStaging()
	if err != nil {
		return err
	}
	if _, err := io.Copy(f, io.NewSectionReader(s.f, 0, 1<<62)); err != nil {
		f.Close()
		os.Remove(f.Name())
		return err
	}
	s.f.Close()
	s.f, s.job.Staging, s.own = f, name, true
	return nil
}

// ReadAt reads the staged content.
func (s *Staged) ReadAt(p []byte, off int64) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.f.ReadAt(p, off)
}

// WriteAt writes at any offset (a hole reads as zeros).
func (s *Staged) WriteAt(p []byte, off int64) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.ensureOwn(); err != nil {
		return 0, err
	}
	s.dirty = true
	return s.f.WriteAt(p, off)
}

// Truncate sets the size.
func (s *Staged) Truncate(size int64) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.ensureOwn(); err != nil {
		return err
	}
	s.dirty = true
	return s.f.Truncate(size)
}

// Size is the staged size.
func (s *Staged) Size() (int64, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	st, err := s.f.Stat()
	if err != nil {
		return 0, err
	}
	return st.Size(), nil
}

// SetMTime sets the mtime the upload gives the file; dirty: it must be
// uploaded even if no byte changed (utimens).
func (s *Staged) SetMTime(t time.Time, dirty bool) {
	s.mu.Lock()
	s.job.MTime = t
	s.dirty = s.dirty || dirty
	s.mu.Unlock()
}

// setMTimeIfDirty gives the next commit mtime t if there is one to make
// (writes not committed yet), and reports whether it did.
func (s *Staged) setMTimeIfDirty(t time.Time) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.dirty {
		s.job.MTime = t
	}
	return s.dirty
}

// retarget changes where the next commits go (rename, first upload).
func (s *Staged) retarget(change func(*Job)) {
	s.mu.Lock()
	change(&s.job)
	s.mu.Unlock()
}

// Job is the staged file's target as it stands.
func (s *Staged) Job() Job {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.job
}

// Commit syncs the staged content and queues its upload, returning the
// job's seq for Wait; 0 when nothing changed since the last commit.
func (s *Staged) Commit() (int64, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.dirty {
		return 0, nil
	}
	if s.job.MTime.IsZero() {
		s.job.MTime = time.Now()
	}
	if err := s.f.Sync(); err != nil {
		return 0, fmt.Errorf("syncing the staging file of %q: %w", s.job.Name, err)
	}
	if !s.own {
		// Committed already and unchanged since (an mtime was set): the
		// queue may drop that file once its job is replaced, so this job
		// gets a name of its own for the same immutable content.
		name, err := s.q.link(s.job.Staging)
		if err != nil {
			return 0, fmt.Errorf("staging %q: %w", s.job.Name, err)
		}
		s.job.Staging = name
	}
	// The file's name too must survive a power cut, not only its bytes.
	if err := syncDir(s.q.staging); err != nil {
		return 0, fmt.Errorf("syncing the staging folder: %w", err)
	}
	seq, err := s.q.enqueue(s.job)
	if err != nil {
		return 0, err
	}
	s.own, s.dirty = false, false
	return seq, nil
}

// Close releases the staged file; content never committed is dropped.
func (s *Staged) Close() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	err := s.f.Close()
	if s.own {
		err = errors.Join(err, os.Remove(s.f.Name()))
	}
	return err
}
