// Package writeback is the write-back of the read-write mount: staging
// files under the cache directory, a journal of pending uploads that a
// restarted daemon replays, and the uploader that sends them, never
// silently overwriting a version it was not based on.
//
// The file system writes into a Staged file; Commit (close, fsync) syncs it
// and journals the upload; the queue's workers upload jobs in order (one
// file's jobs one after the other) with retries and backoff. A job leaves the journal only once the server
// acknowledged its content.
package writeback

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"sync"
	"syscall"
	"time"

	"github.com/infomaniakfs/infomaniakfs/remote"
)

// Remote is what the queue needs of kDrive: the write contract and Stat.
type Remote interface {
	remote.DriveWriter
	Stat(ctx context.Context, driveID, id int64) (remote.Entry, error)
}

// Options configure a Queue. Every field must be set (see Defaults).
type Options struct {
	Dir    string // staging files and journal: one per account
	Remote Remote
	Logger *slog.Logger
	// SessionThreshold: content larger than this goes through an upload
	// session of chunks streamed from the staging file, Parallel of them
	// in flight. A file is cut into ChunksPerFile chunks of whole MiB,
	// each within [MinChunkSize, MaxChunkSize] (at most remote.MaxChunk):
	// large files cost few API requests.
	SessionThreshold           int64
	MinChunkSize, MaxChunkSize int64
	ChunksPerFile              int
	Parallel                   int
	// Workers is how many files upload at once.
	Workers int
	// MinBackoff and MaxBackoff bound the wait before a failed upload is
	// tried again (doubling from the one to the other).
	MinBackoff, MaxBackoff time.Duration
	// Uploaded, when set, learns where each job's content went (the mount
	// updates what it shows). Called from an uploader goroutine, no lock
	// held, before the job counts as done (Wait returns after it).
	Uploaded func(j Job, e remote.Entry, conflict bool)
	Now      func() time.Time // conflict copies are named by it
}

// Defaults fills the tuning fields of o left zero.
func (o Options) Defaults() Options {
	// Direct uploads are sent from memory: at most Workers × this, 64 MiB.
	if o.SessionThreshold == 0 {
		o.SessionThreshold = 16 << 20
	}
	// Chunks cost no memory (streamed), only API requests: kDrive allows
	// 60 a minute, the client paces itself at 50 after a burst of 10.
	// 16 chunks make any session up to 4 GiB cost 18 requests (start,
	// chunks, finish): ~10 s of that budget, what 1 GiB takes at 100 MiB/s.
	// rclone's fixed 20 MiB costs 52 a GiB, the desktop client's size/200
	// within [10, 100] MiB ~100, today's 8 MiB 130.
	if o.ChunksPerFile == 0 {
		o.ChunksPerFile = 16
	}
	// Small enough a floor that a file just past the threshold still goes
	// in a few chunks (8 MiB ran at the full 100 MiB/s of the bench's
	// link, 2 in flight).
	if o.MinChunkSize == 0 {
		o.MinChunkSize = 8 << 20
	}
	// The ceiling bounds what a failed chunk costs to send again and what
	// a kill loses (Parallel chunks): a quarter of the API's 1 GB cap. A
	// 50 GB file (kDrive's largest) is 187 chunks of it.
	if o.MaxChunkSize == 0 {
		o.MaxChunkSize = 256 << 20
	}
	if o.Parallel == 0 {
		o.Parallel = 2
	}
	if o.Workers == 0 {
		o.Workers = 4
	}
	if o.MinBackoff == 0 {
		o.MinBackoff = time.Second
	}
	if o.MaxBackoff == 0 {
		o.MaxBackoff = time.Minute
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	return o
}

func (o Options) check() error {
	switch {
	case o.Dir == "" || o.Remote == nil || o.Logger == nil || o.Now == nil:
		return errors.New("writeback: Dir, Remote, Logger and Now are required")
	case o.SessionThreshold <= 0 || o.MinChunkSize <= 0 || o.ChunksPerFile <= 0 || o.Parallel <= 0 || o.Workers <= 0 || o.MinBackoff <= 0 || o.MaxBackoff < o.MinBackoff:
		return errors.New("writeback: sizes, parallelism and backoffs must be positive")
	case o.SessionThreshold > remote.MaxDirectUpload:
		return fmt.Errorf("writeback: the session threshold is at most %d", remote.MaxDirectUpload)
	case o.MaxChunkSize < o.MinChunkSize || o.MaxChunkSize > remote.MaxChunk || o.ChunksPerFile > maxChunks:
		return fmt.Errorf("writeback: chunk sizes must satisfy 0 < min ≤ max ≤ %d, chunks per file ≤ %d", remote.MaxChunk, maxChunks)
	}
	return nil
}

// jobState is a pending job and how its upload fares.
type jobState struct {
	Job
	attempts int
	lastErr  error
	nextTry  time.Time
	running  bool
}

// Queue is the upload queue of one account. Safe for concurrent use.
type Queue struct {
	o       Options
	staging string
	j       *journal

	mu         sync.Mutex
	jobs       []*jobState     // by seq
	superseded map[int64]int64 // seq → the later seq of its key that replaced it
	lineage    lineages
	lastSeq    int64
	conflicts  int
	changed    chan struct{} // closed and replaced on every change

	ctx    context.Context
	cancel context.CancelFunc
	done   chan struct{}
	lock   *os.File // flock of Dir: one daemon per queue
}

// lockDir takes Dir for this process: two daemons replaying one journal
// would upload everything twice.
func lockDir(dir string) (*os.File, error) {
	f, err := os.OpenFile(filepath.Join(dir, "lock"), os.O_CREATE|os.O_RDWR, 0o600)
	if err != nil {
		return nil, err
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		f.Close()
		return nil, fmt.Errorf("writeback: %s is used by another mount of this account: %w", dir, err)
	}
	return f, nil
}

const stagingDir = "staging"

// New opens the queue in o.Dir, replays its journal and starts the
// uploader; the jobs a previous daemon left are uploaded first.
func New(o Options) (*Queue, error) {
	if err := o.check(); err != nil {
		return nil, err
	}
	staging := filepath.Join(o.Dir, stagingDir)
	if err := os.MkdirAll(staging, 0o700); err != nil {
		return nil, err
	}
	lock, err := lockDir(o.Dir)
	if err != nil {
		return nil, err
	}
	j, pending, last, err := openJournal(o.Dir)
	if err != nil {
		lock.Close()
		return nil, fmt.Errorf("writeback: %w", err)
	}
	q := &Queue{o: o, staging: staging, j: j, lock: lock, lastSeq: last, superseded: map[int64]int64{}, lineage: lineages{},
		changed: make(chan struct{}), done: make(chan struct{})}
	for _, p := range pending {
		q.jobs = append(q.jobs, &jobState{Job: p})
	}
	q.dropOrphans(pending)
	if len(pending) > 0 {
		o.Logger.Info("resuming uploads left by the last mount", "pending", len(pending))
	}
	q.ctx, q.cancel = context.WithCancel(context.Background())
	go q.run()
	return q, nil
}

// dropOrphans removes staging files no job holds: files that were being
// written when the daemon died, never closed nor synced.
func (q *Queue) dropOrphans(pending []Job) {
	keep := map[string]bool{}
	for _, p := range pending {
		keep[p.Staging] = true
	}
	ents, _ := os.ReadDir(q.staging)
	for _, e := range ents {
		if !keep[e.Name()] {
			q.o.Logger.Debug("writeback: dropping an unsynced staging file", "file", e.Name())
			os.Remove(filepath.Join(q.staging, e.Name()))
		}
	}
}

// Close stops the uploader. With drain, it first waits for the queue to
// empty (logging progress) until ctx ends; what remains stays in the
// journal for the next mount. Close returns once nothing runs.
func (q *Queue) Close(ctx context.Context, drain bool) error {
	var err error
	if drain {
		err = q.drain(ctx)
	}
	q.cancel()
	<-q.done
	return errors.Join(err, q.j.close(), q.lock.Close())
}

// drain waits for an empty queue, with a progress line every few seconds.
func (q *Queue) drain(ctx context.Context) error {
	tick := time.NewTicker(3 * time.Second)
	defer tick.Stop()
	for {
		q.mu.Lock()
		n, ch := len(q.jobs), q.changed
		q.mu.Unlock()
		if n == 0 {
			return nil
		}
		select {
		case <-ch:
		case <-tick.C:
			q.o.Logger.Info("waiting for uploads before unmounting", "pending", n)
		case <-ctx.Done():
			q.o.Logger.Warn("unmounting with uploads pending: the next mount resumes them", "pending", n)
			return nil
		}
	}
}

// broadcast wakes every waiter; q.mu is held.
func (q *Queue) broadcast() {
	close(q.changed)
	q.changed = make(chan struct{})
}
