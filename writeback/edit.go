package writeback

import (
	"context"
	"time"
)

// waitIdle waits until no job of j's file is being uploaded and returns
// with q.mu held and j moved onto what the uploads made of it (lineage), or
// false with it not held once ctx is done. Both keys count: an upload that
// landed meanwhile makes the file's later jobs go by its id.
func (q *Queue) waitIdle(ctx context.Context, j *Job) bool {
	for {
		q.mu.Lock()
		k := j.key()
		q.lineage.apply(j)
		busy := false
		for _, p := range q.jobs {
			busy = busy || (p.running && (p.key() == k || p.key() == j.key()))
		}
		if !busy {
			return true
		}
		ch := q.changed
		q.mu.Unlock()
		select {
		case <-ch:
		case <-ctx.Done():
			return false
		}
	}
}

// Cancel drops the pending jobs that write j's file (it was deleted here),
// waiting first for an upload of it under way, which then stands.
func (q *Queue) Cancel(ctx context.Context, j Job) error {
	k := j.key()
	if !q.waitIdle(ctx, &j) {
		return ctx.Err()
	}
	defer q.mu.Unlock()
	for i := 0; i < len(q.jobs); i++ {
		if key := q.jobs[i].key(); key == k || key == j.key() {
			q.retire(i, record{Op: "done", Seq: q.jobs[i].Seq})
			i--
		}
	}
	return nil
}

// Retarget points the pending jobs of j's file at folder dir and name (it
// was renamed or moved here before its upload), waiting first for an
// upload of it under way. It reports the jobs' target after the change:
// FileID is set when an upload gave the file an id meanwhile, and the
// caller must then rename the remote file itself.
func (q *Queue) Retarget(ctx context.Context, j Job, dir int64, name string) (Job, error) {
	k := j.key()
	if !q.waitIdle(ctx, &j) { // uploaded meanwhile: its jobs now go by id
		return j, ctx.Err()
	}
	defer q.mu.Unlock()
	for _, p := range q.jobs {
		if key := p.key(); key != k && key != j.key() {
			continue
		}
		moved := p.Job
		moved.DirID, moved.Name = dir, name
		// The same seq put again replaces the job on replay.
		if err := q.j.append(record{Op: "put", Job: &moved}); err != nil {
			return j, err
		}
		p.Job = moved
	}
	q.broadcast()
	j.DirID, j.Name = dir, name
	return j, nil
}

// SetMTime gives the waiting jobs of j's file mtime t (queued). running:
// none waits but one is being uploaded (it keeps its own mtime).
func (q *Queue) SetMTime(j Job, t time.Time) (queued, running bool, err error) {
	q.mu.Lock()
	defer q.mu.Unlock()
	k := j.key()
	for _, p := range q.jobs {
		switch {
		case p.key() != k:
		case p.running:
			running = true
		default:
			changed := p.Job
			changed.MTime = t
			if err := q.j.append(record{Op: "put", Job: &changed}); err != nil {
				return false, running, err
			}
			p.Job, queued = changed, true
		}
	}
	return queued, running, nil
}

// Pending reports whether a job of j's file waits or runs.
func (q *Queue) Pending(j Job) bool {
	q.mu.Lock()
	defer q.mu.Unlock()
	k := j.key()
	for _, p := range q.jobs {
		if p.key() == k {
			return true
		}
	}
	return false
}
