package writeback

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/infomaniakfs/infomaniakfs/remote"
)

// enqueue journals j (its staging file complete and synced) and hands it
// to the uploader; it returns j's seq.
func (q *Queue) enqueue(j Job) (int64, error) {
	q.mu.Lock()
	defer q.mu.Unlock()
	q.lastSeq++
	j.Seq = q.lastSeq
	q.lineage.apply(&j)
	if err := q.j.append(record{Op: "put", Job: &j}); err != nil {
		q.lastSeq--
		return 0, err
	}
	q.jobs = append(q.jobs, &jobState{Job: j})
	q.broadcast()
	return j.Seq, nil
}

// run is the uploader: Workers goroutines taking jobs in order, the jobs
// of one file one after the other, a failed one waiting its backoff while
// the others go on.
func (q *Queue) run() {
	var wg sync.WaitGroup
	for range q.o.Workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			q.work()
		}()
	}
	wg.Wait()
	close(q.done)
}

func (q *Queue) work() {
	timer := time.NewTimer(time.Hour)
	defer timer.Stop()
	for {
		j, wait, changed := q.next()
		if j != nil {
			e, conflict, err := q.upload(q.ctx, j.Job)
			q.finish(j, e, conflict, err)
			continue
		}
		timer.Reset(wait)
		select {
		case <-q.ctx.Done():
			return
		case <-changed:
		case <-timer.C:
		}
	}
}

// next picks the first job due whose file has no earlier job waiting or
// running, retiring those a later job of their file replaces; else it
// says how long until one is due, and what changes on news.
func (q *Queue) next() (*jobState, time.Duration, <-chan struct{}) {
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.ctx.Err() != nil {
		return nil, time.Hour, q.changed
	}
	now, wait := time.Now(), time.Hour
	busy := map[string]bool{} // files with an earlier job waiting or running
	for i := 0; i < len(q.jobs); i++ {
		j := q.jobs[i]
		k := j.key()
		if !j.running {
			if later := q.laterOfKey(i); later != nil {
				q.retire(i, record{Op: "done", Seq: j.Seq})
				q.superseded[j.Seq] = later.Seq
				i--
				continue
			}
		}
		if j.running || busy[k] {
			busy[k] = true
			continue
		}
		busy[k] = true
		if d := j.nextTry.Sub(now); d > 0 {
			wait = min(wait, d)
			continue
		}
		j.running = true
		return j, 0, q.changed
	}
	return nil, wait, q.changed
}

// laterOfKey is a later job writing the same file as job i, or nil.
func (q *Queue) laterOfKey(i int) *jobState {
	k := q.jobs[i].key()
	for _, l := range q.jobs[i+1:] {
		if l.key() == k {
			return l
		}
	}
	return nil
}

// retire journals job i done and drops it and its staging file; q.mu is
// held. A journal that cannot be written keeps the job (it is uploaded
// again, which the remote recognises).
func (q *Queue) retire(i int, r record) {
	j := q.jobs[i]
	if err := q.j.append(r); err != nil {
		q.o.Logger.Error("writeback: journal", "err", err)
		return
	}
	os.Remove(filepath.Join(q.staging, j.Staging))
	q.jobs = append(q.jobs[:i], q.jobs[i+1:]...)
	if len(q.jobs) == 0 {
		if err := q.j.reset(); err != nil {
			q.o.Logger.Warn("writeback: emptying the journal", "err", err)
		}
	}
	q.broadcast()
}

// finish records an upload's outcome. Uploaded hears of a success before
// the job is done, so a waiter that returns finds the mount up to date.
func (q *Queue) finish(j *jobState, e remote.Entry, conflict bool, err error) {
	if err == nil && q.o.Uploaded != nil {
		q.o.Uploaded(j.Job, e, conflict)
	}
	q.mu.Lock()
	defer q.mu.Unlock()
	j.running = false
	if errors.Is(err, errStagingGone) {
		q.o.Logger.Error("an upload's staging file is gone: nothing left to upload", "name", j.Name, "err", err)
		if i := q.index(j.Seq); i >= 0 {
			q.retire(i, record{Op: "done", Seq: j.Seq})
		}
		return
	}
	if err != nil {
		j.attempts++
		j.lastErr = err
		j.nextTry = time.Now().Add(q.backoff(j.attempts))
		q.broadcast()
		if q.ctx.Err() == nil {
			q.logFailure(j.Job, err, j.attempts)
		}
		return
	}
	// Infomaniak answers again: what waits out an outage goes now.
	for _, o := range q.jobs {
		if !o.running && errors.Is(o.lastErr, remote.ErrUnavailable) {
			o.nextTry = time.Time{}
		}
	}
	r := record{Op: "done", Seq: j.Seq}
	if conflict {
		q.conflicts++
	} else {
		r.FileID, r.Version = e.ID, e.Version
		q.lineage.record(j.Job, e)
		for _, l := range q.jobs {
			q.lineage.apply(&l.Job)
		}
	}
	if i := q.index(j.Seq); i >= 0 {
		q.retire(i, r)
	}
}

func (q *Queue) index(seq int64) int {
	for i, j := range q.jobs {
		if j.Seq == seq {
			return i
		}
	}
	return -1
}

// backoff doubles from MinBackoff to MaxBackoff.
func (q *Queue) backoff(attempts int) time.Duration {
	d := q.o.MinBackoff
	for i := 1; i < attempts && d < q.o.MaxBackoff; i++ {
		d *= 2
	}
	return min(d, q.o.MaxBackoff)
}

// logFailure says why an upload failed, loudly for what the user must fix.
func (q *Queue) logFailure(j Job, err error, attempts int) {
	args := []any{"name", j.Name, "drive", j.DriveID, "attempt", attempts, "err", err}
	switch {
	case errors.Is(err, remote.ErrInvalidName):
		q.o.Logger.Warn("upload refused: kDrive does not accept this name (at most 255 bytes, no '/' or NUL); rename the file", args...)
	case errors.Is(err, remote.ErrNoSpace):
		q.o.Logger.Warn("upload refused: the drive is full; it is retried", args...)
	case errors.Is(err, remote.ErrPermission):
		q.o.Logger.Warn("upload refused: no write permission there; it is retried", args...)
	case attempts == 1 || attempts%10 == 0:
		q.o.Logger.Info("upload failed; it is retried", args...)
	default:
		q.o.Logger.Debug("upload failed; it is retried", args...)
	}
}

// Wait returns once the upload of seq (or of a later job of the same file
// that replaced it) is acknowledged, or with the error of its last failed
// attempt (it stays queued): the one that failed before Wait was called,
// if it waits its backoff, else the next one. Or with ctx's.
func (q *Queue) Wait(ctx context.Context, seq int64) error {
	tried := -1
	for {
		q.mu.Lock()
		for q.superseded[seq] != 0 {
			seq = q.superseded[seq]
		}
		i, ch := q.index(seq), q.changed
		var err error
		if i >= 0 {
			j := q.jobs[i]
			switch {
			case tried < 0 && !j.running && j.lastErr != nil:
				err = j.lastErr // failed already, waiting its backoff
			case tried < 0:
				tried = j.attempts
			case j.attempts > tried && !j.running:
				err = j.lastErr
			}
		}
		q.mu.Unlock()
		if i < 0 || err != nil {
			return err
		}
		select {
		case <-ch:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

// Failed is a pending upload whose last attempt failed.
type Failed struct {
	Name     string
	Attempts int
	Err      string
}

// Status is what `infomaniakfs status` shows of the queue.
type Status struct {
	Pending   int
	Failed    []Failed
	Conflicts int // conflict copies made since the mount started
}

// Status reports the queue now.
func (q *Queue) Status() Status {
	q.mu.Lock()
	defer q.mu.Unlock()
	s := Status{Pending: len(q.jobs), Conflicts: q.conflicts}
	for _, j := range q.jobs {
		if j.lastErr != nil {
			s.Failed = append(s.Failed, Failed{Name: j.Name, Attempts: j.attempts, Err: j.lastErr.Error()})
		}
	}
	return s
}
