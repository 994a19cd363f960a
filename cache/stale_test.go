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

// TestCloseStopsLoads: Close cancels the metadata loads and size look-aheads
// under way and waits for them: no goroutine of the decorator is left.
func TestCloseStopsLoads(t *testing.T) {
	before := countGoroutines()
	f := newFakeDrives()
	f.addFile(1, 10, 5)
	f.latency = time.Hour
	d := NewDrives(f, Options{})
	for i := range 20 {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Millisecond)
		_, _ = d.List(ctx, 1, int64(100+i))
		_, _ = d.Stat(ctx, 1, int64(200+i))
		cancel()
	}
	closed := make(chan struct{})
	go func() { d.Close(); close(closed) }()
	select {
	case <-closed:
	case <-time.After(5 * time.Second):
		t.Fatal("Close did not stop the loads under way")
	}
	if _, err := d.List(context.Background(), 1, 1); !errors.Is(err, errClosed) {
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
