package writeback

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/infomaniakfs/infomaniakfs/remote"
)

var fixedNow = time.Date(2026, 11, 30, 14, 5, 0, 0, time.UTC)

func openQueue(t *testing.T, dir string, r *fakeRemote, tune ...func(*Options)) *Queue {
	t.Helper()
	o := Options{Dir: dir, Remote: r, MinBackoff: time.Millisecond, MaxBackoff: 5 * time.Millisecond, Logger: slog.New(slog.DiscardHandler),
		Now: func() time.Time { return fixedNow }}.Defaults()
	for _, f := range tune {
		f(&o)
	}
	q, err := New(o)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { q.Close(context.Background(), false) })
	return q
}

// write stages content for j and commits it.
func write(t *testing.T, q *Queue, j Job, content string) (*Staged, int64) {
	t.Helper()
	s, err := q.Stage(j, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.WriteAt([]byte(content), 0); err != nil {
		t.Fatal(err)
	}
	seq, err := s.Commit()
	if err != nil || seq == 0 {
		t.Fatalf("commit: %d %v", seq, err)
	}
	return s, seq
}

func wait(t *testing.T, q *Queue, seq int64) {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	defer cancel()
	for {
		err := q.Wait(ctx, seq)
		if err == nil {
			return
		}
		if ctx.Err() != nil {
			t.Fatalf("wait %d: %v", seq, err)
		}
	}
}

func content(t *testing.T, r *fakeRemote, dir int64, name string) string {
	t.Helper()
	f := r.find(dir, name)
	if f == nil {
		t.Fatalf("no %q on the remote", name)
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	return string(f.content)
}

func stagingFiles(t *testing.T, dir string) int {
	ents, err := os.ReadDir(filepath.Join(dir, stagingDir))
	if err != nil {
		t.Fatal(err)
	}
	return len(ents)
}

func TestQueueNewThenOverwrite(t *testing.T) {
	dir, r := t.TempDir(), newFakeRemote()
	q := openQueue(t, dir, r)
	s, seq := write(t, q, Job{DriveID: 1, DirID: 5, Name: "a.txt"}, "one")
	wait(t, q, seq)
	if got := content(t, r, 5, "a.txt"); got != "one" {
		t.Fatalf("remote holds %q", got)
	}
	// The same handle writes again: a later write of ours, not a conflict.
	s.WriteAt([]byte("two!"), 0)
	seq, _ = s.Commit()
	wait(t, q, seq)
	s.Close()
	if got := content(t, r, 5, "a.txt"); got != "two!" || len(r.files) != 1 {
		t.Fatalf("remote holds %q in %d files", got, len(r.files))
	}
	// A new open based on the version now on the remote.
	e := r.find(5, "a.txt").entry()
	_, seq = write(t, q, Job{DriveID: 1, DirID: 5, Name: "a.txt", FileID: e.ID, BaseVersion: e.Version}, "three")
	wait(t, q, seq)
	if got := content(t, r, 5, "a.txt"); got != "three" || q.Status().Conflicts != 0 || stagingFiles(t, dir) != 0 {
		t.Fatalf("remote holds %q, status %+v, %d staging files", got, q.Status(), stagingFiles(t, dir))
	}
}

func TestQueueConflictCopy(t *testing.T) {
	dir, r := t.TempDir(), newFakeRemote()
	base := r.put(5, "report.odt", []byte("v1"))
	q := openQueue(t, dir, r)
	s, err := q.Stage(Job{DriveID: 1, DirID: 5, Name: "report.odt", FileID: base.ID, BaseVersion: base.Version}, strings.NewReader("v1"))
	if err != nil {
		t.Fatal(err)
	}
	r.put(5, "report.odt", []byte("theirs")) // someone else saves meanwhile
	s.WriteAt([]byte(" mine"), 2)
	seq, _ := s.Commit()
	wait(t, q, seq)
	if got := content(t, r, 5, "report.odt"); got != "theirs" {
		t.Fatalf("the remote version was overwritten: %q", got)
	}
	if got := content(t, r, 5, "report (conflict 2026-11-30 1405).odt"); got != "v1 mine" {
		t.Fatalf("conflict copy holds %q", got)
	}
	if q.Status().Conflicts != 1 {
		t.Fatalf("status %+v", q.Status())
	}
}

func TestConflictName(t *testing.T) {
	for _, tc := range []struct {
		in   string
		n    int
		want string
	}{
		{"a.txt", 1, "a (conflict 2026-11-30 1405).txt"},
		{"archive.tar.gz", 2, "archive.tar (conflict 2026-11-30 1405 2).gz"},
		{".bashrc", 1, ".bashrc (conflict 2026-11-30 1405)"},
		{"README", 1, "README (conflict 2026-11-30 1405)"},
	} {
		if got := ConflictName(tc.in, fixedNow, tc.n); got != tc.want {
			t.Errorf("ConflictName(%q, %d) = %q, want %q", tc.in, tc.n, got, tc.want)
		}
	}
}

func TestQueueRetryKeepsStaging(t *testing.T) {
	dir, r := t.TempDir(), newFakeRemote()
	var fails atomic.Int32
	fails.Store(3)
	r.fail = func(string) error {
		if fails.Add(-1) >= 0 {
			return remote.ErrNoSpace
		}
		return nil
	}
	q := openQueue(t, dir, r, func(o *Options) { o.MinBackoff, o.MaxBackoff = 20*time.Millisecond, 40*time.Millisecond })
	_, seq := write(t, q, Job{DriveID: 1, DirID: 5, Name: "a"}, "data")
	if err := q.Wait(t.Context(), seq); !errors.Is(err, remote.ErrNoSpace) {
		t.Fatalf("wait: %v, want the upload's ErrNoSpace", err)
	}
	wait(t, q, seq)
	if got := content(t, r, 5, "a"); got != "data" || r.count("upload") != 4 || stagingFiles(t, dir) != 0 {
		t.Fatalf("remote %q after %d uploads, %d staging files", got, r.count("upload"), stagingFiles(t, dir))
	}
}

func TestQueueCrashReplay(t *testing.T) {
	dir, r := t.TempDir(), newFakeRemote()
	r.fail = func(string) error { return remote.ErrUnavailable } // offline
	q := openQueue(t, dir, r)
	write(t, q, Job{DriveID: 1, DirID: 5, Name: "a"}, "alpha")
	write(t, q, Job{DriveID: 1, DirID: 5, Name: "b"}, "beta")
	// A third write was under way: never committed, it is not resumed.
	s, _ := q.Stage(Job{DriveID: 1, DirID: 5, Name: "c"}, nil)
	s.WriteAt([]byte("half"), 0)
	q.Close(context.Background(), false)
	// kill -9 mid-append leaves a torn line.
	jf, _ := os.OpenFile(filepath.Join(dir, journalName), os.O_APPEND|os.O_WRONLY, 0)
	jf.WriteString(`{"op":"put","job":{"seq":9`)
	jf.Close()
	r.fail = nil
	q2 := openQueue(t, dir, r)
	if err := q2.drain(t.Context()); err != nil {
		t.Fatal(err)
	}
	if content(t, r, 5, "a") != "alpha" || content(t, r, 5, "b") != "beta" || r.find(5, "c") != nil {
		t.Fatal("the replay did not upload exactly the committed jobs")
	}
	q2.Close(context.Background(), false)
	if pending, _, _ := replay(filepath.Join(dir, journalName)); len(pending) != 0 || stagingFiles(t, dir) != 0 {
		t.Fatalf("%d jobs left, %d staging files", len(pending), stagingFiles(t, dir))
	}
}

func TestQueueLostAnswerNoConflict(t *testing.T) {
	// An overwrite lands but its answer is lost, and the daemon dies before
	// the done record: on replay the base no longer matches, yet the
	// remote holds our bytes, so no conflict copy is made.
	dir, r := t.TempDir(), newFakeRemote()
	base := r.put(5, "a", []byte("old"))
	r.lost = func(string) error { return remote.ErrUnavailable }
	q := openQueue(t, dir, r, func(o *Options) { o.MinBackoff, o.MaxBackoff = time.Hour, time.Hour }) // dies before a retry
	_, seq := write(t, q, Job{DriveID: 1, DirID: 5, Name: "a", FileID: base.ID, BaseVersion: base.Version}, "new")
	if err := q.Wait(t.Context(), seq); !errors.Is(err, remote.ErrUnavailable) {
		t.Fatalf("wait: %v", err)
	}
	q.Close(context.Background(), false)
	r.lost = nil
	q2 := openQueue(t, dir, r)
	q2.drain(t.Context())
	if content(t, r, 5, "a") != "new" || len(r.files) != 1 || q2.Status().Conflicts != 0 {
		t.Fatalf("%d files, status %+v", len(r.files), q2.Status())
	}
}

func TestQueueSupersededAndSnapshot(t *testing.T) {
	dir, r := t.TempDir(), newFakeRemote()
	var offline atomic.Bool
	offline.Store(true)
	r.fail = func(string) error {
		if offline.Load() {
			return remote.ErrUnavailable
		}
		return nil
	}
	q := openQueue(t, dir, r)
	s, seq1 := write(t, q, Job{DriveID: 1, DirID: 5, Name: "a"}, "first")
	committed := filepath.Join(dir, stagingDir, s.Job().Staging)
	s.WriteAt([]byte("FIRST, then more"), 0) // after a commit: a fresh copy
	if b, _ := os.ReadFile(committed); string(b) != "first" {
		t.Fatalf("the committed staging file changed: %q", b)
	}
	seq2, _ := s.Commit()
	s.Close()
	offline.Store(false)
	wait(t, q, seq1) // replaced by seq2: waits for it
	if got := content(t, r, 5, "a"); got != "FIRST, then more" {
		t.Fatalf("remote %q", got)
	}
	wait(t, q, seq2)
	if n := r.count("upload"); n > 3 { // the offline attempts of seq1, then seq2 once
		t.Logf("uploads: %d", n)
	}
}

func TestQueueSession(t *testing.T) {
	dir, r := t.TempDir(), newFakeRemote()
	q := openQueue(t, dir, r, func(o *Options) { o.SessionThreshold, o.MinChunkSize, o.MaxChunkSize, o.Parallel = 100, 64, 64, 3 })
	big := bytes.Repeat([]byte("0123456789"), 100) // 1000 bytes: 16 chunks
	_, seq := write(t, q, Job{DriveID: 1, DirID: 5, Name: "big"}, string(big))
	wait(t, q, seq)
	if got := content(t, r, 5, "big"); got != string(big) || r.count("chunk") != 16 || r.count("upload") != 0 {
		t.Fatalf("session upload: %d bytes, %d chunks, %d direct", len(got), r.count("chunk"), r.count("upload"))
	}
}

func TestQueueCloseDrains(t *testing.T) {
	dir, r := t.TempDir(), newFakeRemote()
	q, err := New(Options{Dir: dir, Remote: r, MinBackoff: time.Millisecond, MaxBackoff: time.Millisecond}.Defaults())
	if err != nil {
		t.Fatal(err)
	}
	for i := range 20 {
		write(t, q, Job{DriveID: 1, DirID: 5, Name: string(rune('a' + i))}, "x")
	}
	if err := q.Close(t.Context(), true); err != nil {
		t.Fatal(err)
	}
	if len(r.files) != 20 {
		t.Fatalf("%d files uploaded before close returned", len(r.files))
	}
}

func TestOptionsRejected(t *testing.T) {
	if _, err := New(Options{Dir: t.TempDir(), Remote: newFakeRemote()}); err == nil {
		t.Fatal("zero tuning accepted")
	}
}

func TestJournalEmptiedWhenIdle(t *testing.T) {
	dir, r := t.TempDir(), newFakeRemote()
	q := openQueue(t, dir, r)
	name := strings.Repeat("n", 4000) // big records: past resetAfter in 150 jobs
	for i := range 150 {
		_, seq := write(t, q, Job{DriveID: 1, DirID: int64(i), Name: name}, "x")
		wait(t, q, seq)
	}
	st, err := os.Stat(filepath.Join(dir, journalName))
	if err != nil || st.Size() >= resetAfter {
		t.Fatalf("journal of %d bytes after the queue emptied (%v)", st.Size(), err)
	}
}

func TestQueueSessionResumesAfterCrash(t *testing.T) {
	for _, c := range []struct{ expired, resized bool }{{false, false}, {true, false}, {false, true}} {
		t.Run(fmt.Sprintf("expired=%v,resized=%v", c.expired, c.resized), func(t *testing.T) { testSessionResume(t, c.expired, c.resized) })
	}
}

// resized: the next mount cuts files in other chunks (new defaults); the
// session resumed keeps the size it started with.
func testSessionResume(t *testing.T, expired, resized bool) {
	dir, r := t.TempDir(), newFakeRemote()
	var chunks atomic.Int32
	r.fail = func(op string) error {
		if op == "chunk" && chunks.Add(1) == 6 { // the daemon dies after 5 chunks
			return remote.ErrUnavailable
		}
		return nil
	}
	small := func(o *Options) { o.SessionThreshold, o.MinChunkSize, o.MaxChunkSize, o.Parallel = 100, 64, 64, 1 }
	q := openQueue(t, dir, r, small, func(o *Options) { o.MinBackoff, o.MaxBackoff = time.Hour, time.Hour })
	big := bytes.Repeat([]byte("0123456789"), 100) // 16 chunks
	_, seq := write(t, q, Job{DriveID: 1, DirID: 5, Name: "big"}, string(big))
	if err := q.Wait(t.Context(), seq); !errors.Is(err, remote.ErrUnavailable) {
		t.Fatalf("wait: %v", err)
	}
	q.Close(context.Background(), false)
	if expired {
		r.mu.Lock()
		clear(r.sess)
		r.mu.Unlock()
	}
	next := small
	if resized {
		next = func(o *Options) { o.SessionThreshold, o.MinChunkSize, o.MaxChunkSize, o.Parallel = 100, 128, 128, 1 }
	}
	q2 := openQueue(t, dir, r, next)
	if err := q2.drain(t.Context()); err != nil {
		t.Fatal(err)
	}
	if got := content(t, r, 5, "big"); got != string(big) {
		t.Fatalf("resumed upload holds %d bytes", len(got))
	}
	// 5 chunks, the failed sixth, then only the 11 missing ones; or, the
	// session gone, a new one of all 16 after the one refused.
	wantStart, wantChunks := 1, 17
	if expired {
		wantStart, wantChunks = 2, 6+1+16
	}
	if r.count("start") != wantStart || r.count("chunk") != wantChunks {
		t.Fatalf("%d sessions, %d chunk calls", r.count("start"), r.count("chunk"))
	}
	if m := slices.Max(r.sizes); m != 64 {
		t.Fatalf("chunks of up to %d bytes, want 64", m)
	}
}
