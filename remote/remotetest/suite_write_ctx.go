package remotetest

import (
	"context"
	"fmt"
	"sync"
	"testing"

	"github.com/infomaniakfs/infomaniakfs/remote"
)

// writeCalls are one call of each write method, about what setup
// prepared: a folder, a file in it and an open session.
func writeCalls(w remote.DriveWriter, drive, dir int64, f remote.Entry, sess remote.Session) map[string]func(ctx context.Context) error {
	content := []byte("never")
	u := newFile(drive, dir, "never", content)
	return map[string]func(ctx context.Context) error{
		"Mkdir":  func(ctx context.Context) error { _, err := w.Mkdir(ctx, drive, dir, "never"); return err },
		"Upload": func(ctx context.Context) error { _, err := w.Upload(ctx, u, content); return err },
		"StartSession": func(ctx context.Context) error {
			_, err := w.StartSession(ctx, u, 1)
			return err
		},
		"UploadChunk":   func(ctx context.Context) error { return w.UploadChunk(ctx, sess, 1, Section(content)) },
		"FinishSession": func(ctx context.Context) error { _, err := w.FinishSession(ctx, sess, u); return err },
		"CancelSession": func(ctx context.Context) error { return w.CancelSession(ctx, sess) },
		"Rename":        func(ctx context.Context) error { return w.Rename(ctx, drive, f.ID, "never") },
		"Move":          func(ctx context.Context) error { return w.Move(ctx, drive, f.ID, dir, "never") },
		"Trash":         func(ctx context.Context) error { return w.Trash(ctx, drive, f.ID) },
		"SetMTime": func(ctx context.Context) error {
			_, err := w.SetMTime(ctx, drive, f.ID, suiteTime)
			return err
		},
		"Hash": func(ctx context.Context) error { _, err := w.Hash(ctx, drive, f.ID); return err },
	}
}

// ctxFixture is a folder holding file "f" and a session for "never" with
// its one chunk sent: every call of writeCalls would change something.
func ctxFixture(t *testing.T, s WriteSubject) (drive, dir int64, f remote.Entry, sess remote.Session) {
	drive, dir = writeDir(t, s)
	f = upload(t, s, drive, dir, "f", []byte("still here"))
	sess = start(t, s, newFile(drive, dir, "never", []byte("never")), 1)
	send(t, s, sess, [][]byte{[]byte("never")}, 1)
	return drive, dir, f, sess
}

// unchanged checks that the calls of writeCalls did nothing.
func unchanged(t *testing.T, s WriteSubject, drive, dir int64, f remote.Entry) {
	t.Helper()
	touched(s, drive, dir, f.ID)
	l := listed(t, s, drive, dir)
	if len(l) != 1 || l["f"].ID != f.ID {
		t.Errorf("calls that gave up changed the folder: %+v", l)
	}
	holds(t, s, l["f"], dir, []byte("still here"))
	if !l["f"].MTime.Equal(f.MTime) {
		t.Errorf("a call that gave up set the mtime: %+v", l["f"])
	}
}

// Every call with a context already cancelled returns its error
// (context.Canceled) promptly and changes nothing.
func testWriteCancelled(t *testing.T, s WriteSubject) {
	drive, dir, f, sess := ctxFixture(t, s)
	for name, call := range writeCalls(s.W, drive, dir, f, sess) {
		err := promptly(t, name, call)
		if err == nil {
			t.Errorf("%s with a cancelled context: no error", name)
		}
		wantCanceled(t, name, err)
	}
	unchanged(t, s, drive, dir, f)
}

// Every call gives up when its context ends while the server hangs, and
// changes nothing.
func testWriteHanging(t *testing.T, s WriteSubject) {
	st, ok := s.World.(Staller)
	if !ok {
		t.Skip("the world cannot hang")
	}
	drive, dir, f, sess := ctxFixture(t, s)
	release := st.Stall(t)
	for name, call := range writeCalls(s.W, drive, dir, f, sess) {
		giveUp(t, name, call)
	}
	release()
	unchanged(t, s, drive, dir, f)
}

// Every method is safe for concurrent use: uploads, folders and renames
// in one folder at once all land, once each.
func testWriteConcurrent(t *testing.T, s WriteSubject) {
	drive, dir := writeDir(t, s)
	const n = 8
	var wg sync.WaitGroup
	errs := make(chan error, 3*n)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			content := Bytes(uint64(30+i), int64(1000*i))
			e, err := s.W.Upload(t.Context(), newFile(drive, dir, fmt.Sprintf("u%d", i), content), content)
			if err == nil {
				err = s.W.Rename(t.Context(), drive, e.ID, fmt.Sprintf("r%d", i))
			}
			if err == nil {
				_, err = s.W.Mkdir(t.Context(), drive, dir, fmt.Sprintf("d%d", i))
			}
			errs <- err
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Error(err)
		}
	}
	touched(s, drive, dir)
	l := listed(t, s, drive, dir)
	for i := range n {
		if _, ok := l[fmt.Sprintf("r%d", i)]; !ok || !l[fmt.Sprintf("d%d", i)].IsDir {
			t.Errorf("r%d or d%d missing: %+v", i, i, l)
		}
	}
	if len(l) != 2*n {
		t.Errorf("%d listed, want %d", len(l), 2*n)
	}
}
