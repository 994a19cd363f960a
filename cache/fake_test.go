package cache

import (
	"context"
	"fmt"
	"io"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"golang.org/x/time/rate"

	"github.com/infomaniakfs/infomaniakfs/remote"
	"github.com/infomaniakfs/infomaniakfs/remote/remotetest"
)

// fakeDrives is the shared fake (remotetest.DriveFake: drive 1, root
// directory 1) with the knobs the cache's tests turn.
type fakeDrives struct {
	*remotetest.DriveFake
	mu                sync.Mutex   // guards gate for the tests that set it while reads run
	active, maxActive atomic.Int64 // bodies open now, and at most

	latency time.Duration // before every answer
	limiter *rate.Limiter // bytes per second of all bodies together, nil: unlimited
	// fail, when set, may turn a call into an error: op is "drives",
	// "list", "stat" or "open".
	fail func(op string, id int64) error
	// gate, when set, blocks each Open until it is closed.
	gate chan struct{}
}

func newFakeDrives() *fakeDrives {
	f := &fakeDrives{DriveFake: remotetest.NewDrives()}
	f.AddDrive(remote.DriveInfo{ID: 1, Name: "Drive"}, remote.Entry{})
	f.SetHook(f.wait)
	f.SetBody(func(ctx context.Context, rc io.ReadCloser) io.ReadCloser {
		n := f.active.Add(1)
		for m := f.maxActive.Load(); n > m && !f.maxActive.CompareAndSwap(m, n); m = f.maxActive.Load() {
		}
		return &fakeBody{ctx: ctx, r: rc, limiter: f.limiter, active: &f.active}
	})
	return f
}

// The calls made so far.
func (f *fakeDrives) drives() int64 { return f.Calls(remotetest.OpDrives) }
func (f *fakeDrives) lists() int64  { return f.Calls(remotetest.OpList) }
func (f *fakeDrives) stats() int64  { return f.Calls(remotetest.OpStat) }
func (f *fakeDrives) opens() int64  { return f.Calls(remotetest.OpOpen) }

// addFile adds a file of size pseudo-random bytes under parent.
func (f *fakeDrives) addFile(parent, id, size int64) remote.Entry {
	return f.Add(remote.Entry{ID: id, ParentID: parent, DriveID: 1, Name: fmt.Sprintf("f%d", id), Version: "v1"},
		remotetest.Bytes(uint64(id), size))
}

func (f *fakeDrives) addDir(parent, id int64) {
	f.Add(remote.Entry{ID: id, ParentID: parent, DriveID: 1, Name: fmt.Sprintf("d%d", id), IsDir: true}, nil)
}

// rewrite replaces a file's content and bumps its version.
func (f *fakeDrives) rewrite(id int64, data []byte, version string) remote.Entry {
	return f.Modify(1, id, data, version)
}

func (f *fakeDrives) bytesOf(id int64) []byte { return f.Content(1, id) }

type openCall struct{ id, off, length int64 }

func (f *fakeDrives) opensLogged() []openCall {
	var out []openCall
	for _, c := range f.Opens() {
		out = append(out, openCall{c.ID, c.Off, c.Length})
	}
	return out
}

// wait is the hook of every call: the gate (Open), the latency, fail.
// The snapshot and the change feed have their own knobs.
func (f *fakeDrives) wait(ctx context.Context, op remotetest.Op, _, id int64) error {
	switch op {
	case remotetest.OpDrives, remotetest.OpList, remotetest.OpStat, remotetest.OpOpen:
	default:
		return nil
	}
	f.mu.Lock()
	gate := f.gate
	f.mu.Unlock()
	if op == remotetest.OpOpen && gate != nil {
		select {
		case <-gate:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	if f.latency > 0 {
		select {
		case <-time.After(f.latency):
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	if f.fail != nil {
		return f.fail(string(op), id)
	}
	return nil
}

// fakeBody paces its bytes through the shared limiter, like a link.
type fakeBody struct {
	ctx     context.Context
	r       io.ReadCloser
	limiter *rate.Limiter
	active  *atomic.Int64
	closed  atomic.Bool
}

func (b *fakeBody) Read(p []byte) (int, error) {
	if b.limiter != nil {
		if len(p) > b.limiter.Burst() {
			p = p[:b.limiter.Burst()]
		}
		if err := b.limiter.WaitN(b.ctx, len(p)); err != nil {
			return 0, err
		}
	}
	return b.r.Read(p)
}

func (b *fakeBody) Close() error {
	if !b.closed.Swap(true) {
		b.active.Add(-1)
	}
	return b.r.Close()
}

// clock is an injected clock tests move by hand.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func newClock() *clock { return &clock{now: time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)} }

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *clock) advance(d time.Duration) {
	c.mu.Lock()
	c.now = c.now.Add(d)
	c.mu.Unlock()
}

// eventually polls cond until it holds or a few seconds pass.
func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(time.Millisecond)
	}
}
