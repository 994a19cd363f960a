package cache

import (
	"bytes"
	"context"
	"encoding/binary"
	"fmt"
	"io"
	"math/rand/v2"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"golang.org/x/time/rate"

	"github.com/infomaniakfs/infomaniakfs/remote"
)

// fakeDrives is an in-memory remote.Drives counting every call. One drive
// (1), root directory 1; files carry their bytes.
type fakeDrives struct {
	mu       sync.Mutex
	entries  map[int64]remote.Entry
	children map[int64][]int64
	data     map[int64][]byte

	drives, lists, stats, opens atomic.Int64
	openLog                     []openCall
	active, maxActive           atomic.Int64 // bodies open now, and at most

	latency time.Duration // before every answer
	limiter *rate.Limiter // bytes per second of all bodies together, nil: unlimited
	// fail, when set, may turn a call into an error: op is "drives",
	// "list", "stat" or "open".
	fail func(op string, id int64) error
	// gate, when set, blocks each Open until it is closed.
	gate chan struct{}
}

type openCall struct{ id, off, length int64 }

func newFakeDrives() *fakeDrives {
	f := &fakeDrives{
		entries:  map[int64]remote.Entry{1: {ID: 1, DriveID: 1, Name: "root", IsDir: true}},
		children: map[int64][]int64{},
		data:     map[int64][]byte{},
	}
	return f
}

// addFile adds a file of size pseudo-random bytes under parent.
func (f *fakeDrives) addFile(parent, id, size int64) remote.Entry {
	data := make([]byte, size)
	var seed [32]byte
	binary.LittleEndian.PutUint64(seed[0:], uint64(id))
	binary.LittleEndian.PutUint64(seed[8:], uint64(size))
	rand.NewChaCha8(seed).Read(data)
	f.mu.Lock()
	defer f.mu.Unlock()
	e := remote.Entry{ID: id, ParentID: parent, DriveID: 1, Name: fmt.Sprintf("f%d", id),
		Size: size, Version: "v1"}
	f.entries[id] = e
	f.children[parent] = append(f.children[parent], id)
	f.data[id] = data
	return e
}

func (f *fakeDrives) addDir(parent, id int64) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.entries[id] = remote.Entry{ID: id, ParentID: parent, DriveID: 1, Name: fmt.Sprintf("d%d", id), IsDir: true}
	f.children[parent] = append(f.children[parent], id)
}

// rewrite replaces a file's content and bumps its version.
func (f *fakeDrives) rewrite(id int64, data []byte, version string) remote.Entry {
	f.mu.Lock()
	defer f.mu.Unlock()
	e := f.entries[id]
	e.Size, e.Version = int64(len(data)), version
	f.entries[id] = e
	f.data[id] = data
	return e
}

func (f *fakeDrives) bytesOf(id int64) []byte {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.data[id]
}

func (f *fakeDrives) opensLogged() []openCall {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]openCall(nil), f.openLog...)
}

func (f *fakeDrives) wait(ctx context.Context, op string, id int64) error {
	if f.latency > 0 {
		select {
		case <-time.After(f.latency):
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	if f.fail != nil {
		return f.fail(op, id)
	}
	return nil
}

func (f *fakeDrives) Drives(ctx context.Context) ([]remote.DriveInfo, error) {
	f.drives.Add(1)
	if err := f.wait(ctx, "drives", 0); err != nil {
		return nil, err
	}
	return []remote.DriveInfo{{ID: 1, Name: "Drive"}}, nil
}

func (f *fakeDrives) List(ctx context.Context, driveID, dirID int64) ([]remote.Entry, error) {
	f.lists.Add(1)
	if err := f.wait(ctx, "list", dirID); err != nil {
		return nil, err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if e, ok := f.entries[dirID]; !ok || !e.IsDir {
		return nil, fmt.Errorf("list %d: %w", dirID, remote.ErrNotFound)
	}
	var out []remote.Entry
	for _, id := range f.children[dirID] {
		if e, ok := f.entries[id]; ok {
			out = append(out, e)
		}
	}
	return out, nil
}

func (f *fakeDrives) Stat(ctx context.Context, driveID, id int64) (remote.Entry, error) {
	f.stats.Add(1)
	if err := f.wait(ctx, "stat", id); err != nil {
		return remote.Entry{}, err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	e, ok := f.entries[id]
	if !ok {
		return remote.Entry{}, fmt.Errorf("stat %d: %w", id, remote.ErrNotFound)
	}
	return e, nil
}

func (f *fakeDrives) Open(ctx context.Context, e remote.Entry, off, length int64) (io.ReadCloser, error) {
	f.opens.Add(1)
	f.mu.Lock()
	f.openLog = append(f.openLog, openCall{e.ID, off, length})
	gate := f.gate
	f.mu.Unlock()
	if gate != nil {
		select {
		case <-gate:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
	if err := f.wait(ctx, "open", e.ID); err != nil {
		return nil, err
	}
	f.mu.Lock()
	cur, data := f.entries[e.ID], f.data[e.ID]
	f.mu.Unlock()
	if cur.Version != e.Version {
		return nil, fmt.Errorf("open %d: %w", e.ID, remote.ErrChanged)
	}
	if off > int64(len(data)) {
		off = int64(len(data))
	}
	end := int64(len(data))
	if length >= 0 && off+length < end {
		end = off + length
	}
	n := f.active.Add(1)
	for m := f.maxActive.Load(); n > m && !f.maxActive.CompareAndSwap(m, n); m = f.maxActive.Load() {
	}
	return &fakeBody{ctx: ctx, r: bytes.NewReader(data[off:end]), limiter: f.limiter, active: &f.active}, nil
}

// fakeBody paces its bytes through the shared limiter, like a link.
type fakeBody struct {
	ctx     context.Context
	r       *bytes.Reader
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
	return nil
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
