package writeback

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"sync"
	"time"
)

// Job is one upload waiting in the queue: the content of a staging file
// going to a file of a drive. It is what the journal records.
type Job struct {
	Seq     int64 `json:"seq"`
	DriveID int64 `json:"drive"`
	// FileID > 0: a new version of that file, based on BaseVersion (the
	// version the file had when it was opened); else a new file.
	FileID      int64  `json:"file_id,omitempty"`
	BaseVersion string `json:"base,omitempty"`
	// DirID and Name: where a new file goes, and where a conflict copy
	// goes when the file changed remotely meanwhile.
	DirID   int64     `json:"dir"`
	Name    string    `json:"name"`
	MTime   time.Time `json:"mtime"`
	Staging string    `json:"staging"` // file name under the staging folder
	// Resume is the upload session under way, if any: a restart sends
	// only the chunks it lacks.
	Resume *resumable `json:"resume,omitempty"`
}

// key names the remote file a job writes: jobs of one key replace each
// other in order.
func (j Job) key() string {
	if j.FileID > 0 {
		return fmt.Sprintf("%d:id:%d", j.DriveID, j.FileID)
	}
	return fmt.Sprintf("%d:%d/%s", j.DriveID, j.DirID, j.Name)
}

// record is one line of the journal.
type record struct {
	Op      string `json:"op"` // "put" or "done"
	Job     *Job   `json:"job,omitempty"`
	Seq     int64  `json:"seq,omitempty"`
	FileID  int64  `json:"file_id,omitempty"` // done: where the content went,
	Version string `json:"version,omitempty"` // at which version (0/"": a conflict copy or superseded)
}

// journal is the append-only record of the queue: a put once a staging
// file is complete and synced, a done once its upload is acknowledged.
// Every append is fsynced before it returns, so what a caller was told is
// queued survives kill -9 and power loss.
type journal struct {
	mu      sync.Mutex
	f       *os.File
	written int64 // bytes appended since the file was last emptied
}

// resetAfter is how much a journal holds before an empty queue empties it:
// a mount that lives for weeks must not grow it for ever.
const resetAfter = 1 << 20

const journalName = "journal"

// openJournal replays the journal in dir (pending jobs by seq, the
// highest seq seen), then rewrites it holding only those jobs.
func openJournal(dir string) (*journal, []Job, int64, error) {
	path := filepath.Join(dir, journalName)
	pending, last, err := replay(path)
	if err != nil {
		return nil, nil, 0, err
	}
	if err := rewrite(path, pending); err != nil {
		return nil, nil, 0, err
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		return nil, nil, 0, err
	}
	return &journal{f: f}, pending, last, nil
}

// replay reads the journal; a torn last line (a crash mid-append) is
// ignored: its append never returned, so nobody was told it was queued.
func replay(path string) ([]Job, int64, error) {
	f, err := os.Open(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil, 0, nil
	}
	if err != nil {
		return nil, 0, err
	}
	defer f.Close()
	jobs := map[int64]Job{}
	var last int64
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		var r record
		if json.Unmarshal(sc.Bytes(), &r) != nil {
			continue
		}
		switch {
		case r.Op == "put" && r.Job != nil:
			jobs[r.Job.Seq] = *r.Job
			last = max(last, r.Job.Seq)
		case r.Op == "done":
			if j, ok := jobs[r.Seq]; ok {
				delete(jobs, r.Seq)
				rebaseJobs(jobs, j, r.FileID, r.Version)
			}
		}
	}
	if err := sc.Err(); err != nil && !errors.Is(err, io.ErrUnexpectedEOF) {
		return nil, 0, fmt.Errorf("reading the upload journal: %w", err)
	}
	out := make([]Job, 0, len(jobs))
	for _, j := range jobs {
		out = append(out, j)
	}
	sort.Slice(out, func(a, b int) bool { return out[a].Seq < out[b].Seq })
	return out, last, nil
}

// rebaseJobs moves the later jobs of done's key onto the version done's
// upload made, so they replace it instead of conflicting with it.
func rebaseJobs(jobs map[int64]Job, done Job, fileID int64, version string) {
	if fileID <= 0 || version == "" {
		return
	}
	k := done.key()
	for s, j := range jobs {
		if s > done.Seq && j.key() == k {
			j.FileID, j.BaseVersion = fileID, version
			jobs[s] = j
		}
	}
}

// rewrite replaces the journal by the puts of jobs, atomically.
func rewrite(path string, jobs []Job) error {
	tmp := path + ".tmp"
	f, err := os.OpenFile(tmp, os.O_CREATE|os.O_TRUNC|os.O_WRONLY, 0o600)
	if err != nil {
		return err
	}
	w := bufio.NewWriter(f)
	for i := range jobs {
		b, _ := json.Marshal(record{Op: "put", Job: &jobs[i]})
		w.Write(append(b, '\n'))
	}
	err = errors.Join(w.Flush(), f.Sync(), f.Close())
	if err == nil {
		err = os.Rename(tmp, path)
	}
	if err == nil {
		err = syncDir(filepath.Dir(path))
	}
	return err
}

// append writes r and fsyncs.
func (j *journal) append(r record) error {
	b, err := json.Marshal(r)
	if err != nil {
		return err
	}
	j.mu.Lock()
	defer j.mu.Unlock()
	if _, err := j.f.Write(append(b, '\n')); err != nil {
		return fmt.Errorf("writing the upload journal: %w", err)
	}
	if err := j.f.Sync(); err != nil {
		return fmt.Errorf("syncing the upload journal: %w", err)
	}
	j.written += int64(len(b)) + 1
	return nil
}

// reset empties the journal once it is large; the caller knows no job is
// pending, so nothing it holds is needed any more.
func (j *journal) reset() error {
	j.mu.Lock()
	defer j.mu.Unlock()
	if j.written < resetAfter {
		return nil
	}
	if err := j.f.Truncate(0); err != nil {
		return err
	}
	j.written = 0
	return j.f.Sync()
}

func (j *journal) close() error { return j.f.Close() }

// syncDir makes a rename or a new file in dir durable.
func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	return d.Sync()
}
