package cache

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"sync/atomic"
	"testing"
	"time"

	"github.com/infomaniakfs/infomaniakfs/remote"
)

// TestStaleServedDuringOutage: past their TTL, a listing, a stat and the
// drive list are served as they were while the remote is unreachable,
// whether or not it is known to be offline; known offline, they come at
// once, without waiting for a load. Once the remote answers, the next
// access loads normally.
func TestStaleServedDuringOutage(t *testing.T) {
	for _, known := range []bool{false, true} {
		t.Run(fmt.Sprintf("offline known %v", known), func(t *testing.T) {
			f := newFakeDrives()
			f.addFile(1, 10, 5)
			var down, offline atomic.Bool
			f.fail = func(op string, id int64) error {
				if down.Load() {
					return fmt.Errorf("%s: %w", op, remote.ErrUnavailable)
				}
				return nil
			}
			clk := newClock()
			d := newTestDrives(t, f, Options{Now: clk.Now, Online: func() bool { return !offline.Load() }})
			ctx := context.Background()
			if _, err := d.List(ctx, 1, 1); err != nil {
				t.Fatal(err)
			}
			if _, err := d.Drives(ctx); err != nil {
				t.Fatal(err)
			}
			down.Store(true)
			offline.Store(known)
			if known {
				f.latency = time.Hour // a load would hang: only the stale answer is quick
			}
			clk.advance(time.Hour)
			done := make(chan struct{})
			go func() {
				defer close(done)
				if l, err := d.List(ctx, 1, 1); err != nil || len(l) != 1 {
					t.Errorf("stale listing: %v, %v", l, err)
				}
				if e, err := d.Stat(ctx, 1, 10); err != nil || e.Size != 5 {
					t.Errorf("stale stat: %+v, %v", e, err)
				}
				if ds, err := d.Drives(ctx); err != nil || len(ds) == 0 {
					t.Errorf("stale drives: %v, %v", ds, err)
				}
				// Never seen: the outage shows.
				if known {
					return
				}
				if _, err := d.List(ctx, 1, 77); !errors.Is(err, remote.ErrUnavailable) {
					t.Errorf("unseen listing during the outage: %v", err)
				}
			}()
			select {
			case <-done:
			case <-time.After(5 * time.Second):
				t.Fatal("stale answers waited for the remote")
			}
			if known {
				return // the hour-long loads end with Close
			}
			down.Store(false)
			f.addFile(1, 11, 6)
			if l, err := d.List(ctx, 1, 1); err != nil || len(l) != 2 {
				t.Fatalf("service back: %d entries, %v; want the new listing", len(l), err)
			}
		})
	}
}

// TestCloseStopsLoads: Close cancels every background goroutine of a
// decorator (metadata loads, block read-ahead and sibling prefetch, mail
// size look-ahead), waits for them, and leaves none behind.
func TestCloseStopsLoads(t *testing.T) {
	before := countGoroutines()
	f := newFakeDrives()
	for i := range 10 {
		f.addFile(1, int64(10+i), 3<<20)
	}
	f.gate = make(chan struct{}) // every Open hangs until Close
	d := NewDrives(f, Options{BlockSize: 1 << 20})
	ctx := context.Background()
	list, err := d.List(ctx, 1, 1)
	if err != nil {
		t.Fatal(err)
	}
	f.latency = time.Hour
	short := func(fn func(context.Context)) {
		c, cancel := context.WithTimeout(ctx, 10*time.Millisecond)
		defer cancel()
		fn(c)
	}
	for i := range 20 {
		short(func(c context.Context) { _, _ = d.List(c, 1, int64(100+i)) })
		short(func(c context.Context) { _, _ = d.Stat(c, 1, int64(200+i)) })
	}
	buf := make([]byte, 4096)
	for _, e := range list[:3] { // starts of files: sibling scan, read-ahead
		short(func(c context.Context) { _, _ = d.ReadAt(c, e, buf, 0) })
		short(func(c context.Context) { _, _ = d.ReadAt(c, e, buf, 4096) })
	}

	fm := newFakeMail(40)
	m := NewMail(fm, Options{})
	msgs, err := m.Messages(ctx, "mb", "inbox")
	if err != nil {
		t.Fatal(err)
	}
	fm.latency = time.Hour
	for _, msg := range msgs[:3] { // a scan of sizes: look-ahead starts
		short(func(c context.Context) { _, _ = m.Size(c, "mb", "inbox", msg.UID) })
	}
	if during := countGoroutines(); during < before+20 {
		t.Fatalf("%d goroutines while loads hang, %d before: the test starts nothing", during, before)
	}

	closed := make(chan struct{})
	go func() { d.Close(); m.Close(); close(closed) }()
	select {
	case <-closed:
	case <-time.After(5 * time.Second):
		t.Fatal("Close did not stop the work under way")
	}
	close(f.gate)
	if _, err := d.List(ctx, 1, 999); !errors.Is(err, errClosed) {
		t.Fatalf("List after Close: %v, want errClosed", err)
	}
	if after := settledGoroutines(before); after > before {
		t.Fatalf("%d goroutines before, %d after Close", before, after)
	}
}

func countGoroutines() int { return runtime.NumGoroutine() }

// settledGoroutines waits a little for goroutines on their way out to
// finish, and returns how many are left.
func settledGoroutines(want int) int {
	deadline := time.Now().Add(2 * time.Second)
	n := runtime.NumGoroutine()
	for n > want && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
		n = runtime.NumGoroutine()
	}
	return n
}

// TestNoMetadataCache: --dir-cache-time 0 (DirCacheTime < 0) asks the
// remote on every listing, one directory at a time: not the whole drive's
// snapshot for each listing.
func TestNoMetadataCache(t *testing.T) {
	f := treeFake()
	d := NewDrives(f, Options{DirCacheTime: -1})
	defer d.Close()
	for range 3 {
		if list, err := d.List(context.Background(), 1, 2); err != nil || len(list) != 2 {
			t.Fatalf("List = %d entries, %v", len(list), err)
		}
	}
	for range 2 {
		if _, err := d.Stat(context.Background(), 1, 999); !errors.Is(err, remote.ErrNotFound) {
			t.Fatalf("Stat of a missing item: %v", err)
		}
	}
	if f.stats() != 2 {
		t.Fatalf("%d stats for 2 of a missing item: \"not found\" was cached", f.stats())
	}
	if f.snaps.Load() != 0 || f.lists() != 3 {
		t.Fatalf("%d snapshots and %d listings for 3 listings with no metadata cache, want 0 and 3",
			f.snaps.Load(), f.lists())
	}
}

// TestOfflineReloadsAreSpaced: offline, an expired listing is served at
// once and reloaded behind the answer at most every offlineRetry, not on
// every access.
func TestOfflineReloadsAreSpaced(t *testing.T) {
	f := newFakeDrives()
	f.addFile(1, 10, 5)
	clk := newClock()
	var offline atomic.Bool
	d := newTestDrives(t, f, Options{Now: clk.Now, Online: func() bool { return !offline.Load() }, NoSnapshot: true})
	ctx := context.Background()
	if _, err := d.List(ctx, 1, 1); err != nil {
		t.Fatal(err)
	}
	f.fail = func(op string, id int64) error { return fmt.Errorf("%s: %w", op, remote.ErrUnavailable) }
	offline.Store(true)
	clk.advance(time.Hour)
	load := func() {
		t.Helper()
		if l, err := d.List(ctx, 1, 1); err != nil || len(l) != 1 {
			t.Fatalf("offline listing: %v, %v", l, err)
		}
	}
	settle := func(want int64) {
		t.Helper()
		eventually(t, "the reload", func() bool { return f.lists() == want })
		time.Sleep(10 * time.Millisecond)
		if got := f.lists(); got != want {
			t.Fatalf("%d listings from the remote, want %d", got, want)
		}
	}
	for range 50 {
		load()
	}
	settle(2) // the first, and one reload
	clk.advance(offlineRetry)
	for range 50 {
		load()
	}
	settle(3)
}
