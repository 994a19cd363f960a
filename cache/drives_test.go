package cache

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/infomaniakfs/infomaniakfs/remote"
)

func newTestDrives(t *testing.T, f *fakeDrives, o Options) *Drives {
	t.Helper()
	d := NewDrives(f, o)
	t.Cleanup(func() { d.Close() })
	return d
}

func TestDrivesTTL(t *testing.T) {
	ctx := context.Background()
	tests := []struct {
		name    string
		call    func(d *Drives) error
		counter func(f *fakeDrives) int64
		ttl     time.Duration
	}{
		{"list", func(d *Drives) error { _, err := d.List(ctx, 1, 1); return err },
			func(f *fakeDrives) int64 { return f.lists() }, 5 * time.Minute},
		{"stat", func(d *Drives) error { _, err := d.Stat(ctx, 1, 10); return err },
			func(f *fakeDrives) int64 { return f.stats() }, 5 * time.Minute},
		{"drives", func(d *Drives) error { _, err := d.Drives(ctx); return err },
			func(f *fakeDrives) int64 { return f.drives() }, 5 * time.Minute},
		{"stat not found", func(d *Drives) error {
			_, err := d.Stat(ctx, 1, 999)
			if !errors.Is(err, remote.ErrNotFound) {
				return fmt.Errorf("want ErrNotFound, got %v", err)
			}
			return nil
		}, func(f *fakeDrives) int64 { return f.stats() }, 30 * time.Second},
		{"list not found", func(d *Drives) error {
			_, err := d.List(ctx, 1, 999)
			if !errors.Is(err, remote.ErrNotFound) {
				return fmt.Errorf("want ErrNotFound, got %v", err)
			}
			return nil
		}, func(f *fakeDrives) int64 { return f.lists() }, 30 * time.Second},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := newFakeDrives()
			f.addFile(1, 10, 5)
			clk := newClock()
			d := newTestDrives(t, f, Options{Now: clk.Now})
			step := func(wantCalls int64) {
				t.Helper()
				if err := tc.call(d); err != nil {
					t.Fatal(err)
				}
				if got := tc.counter(f); got != wantCalls {
					t.Fatalf("inner calls = %d, want %d", got, wantCalls)
				}
			}
			step(1)
			step(1)
			clk.advance(tc.ttl - time.Second)
			step(1)
			clk.advance(2 * time.Second)
			step(2)
			step(2)
		})
	}
}

func TestDrivesSingleflight(t *testing.T) {
	f := newFakeDrives()
	for i := int64(0); i < 10; i++ {
		f.addFile(1, 100+i, 1)
	}
	f.latency = 50 * time.Millisecond
	d := newTestDrives(t, f, Options{})
	var wg sync.WaitGroup
	errs := make(chan error, 100)
	for i := 0; i < 100; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			l, err := d.List(context.Background(), 1, 1)
			if err == nil && len(l) != 10 {
				err = fmt.Errorf("got %d entries", len(l))
			}
			errs <- err
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	if n := f.lists(); n != 1 {
		t.Fatalf("100 concurrent List cost %d calls, want 1", n)
	}
}

// One caller giving up must not fail the others sharing its call.
func TestDrivesSingleflightCancelDoesNotPoison(t *testing.T) {
	f := newFakeDrives()
	f.addFile(1, 10, 1)
	f.latency = 100 * time.Millisecond
	d := newTestDrives(t, f, Options{})
	ctx, cancel := context.WithCancel(context.Background())
	first := make(chan error, 1)
	go func() { _, err := d.List(ctx, 1, 1); first <- err }()
	eventually(t, "first List to start", func() bool { return f.lists() == 1 })
	second := make(chan error, 1)
	go func() { _, err := d.List(context.Background(), 1, 1); second <- err }()
	cancel()
	if err := <-first; !errors.Is(err, context.Canceled) {
		t.Fatalf("canceled caller got %v", err)
	}
	if err := <-second; err != nil {
		t.Fatalf("other caller got %v", err)
	}
	if n := f.lists(); n != 1 {
		t.Fatalf("List calls = %d, want 1", n)
	}
}

func TestListPrimesStat(t *testing.T) {
	f := newFakeDrives()
	for i := int64(0); i < 1000; i++ {
		f.addFile(1, 1000+i, i)
	}
	d := newTestDrives(t, f, Options{})
	ctx := context.Background()
	if _, err := d.List(ctx, 1, 1); err != nil {
		t.Fatal(err)
	}
	for i := int64(0); i < 1000; i++ {
		e, err := d.Stat(ctx, 1, 1000+i)
		if err != nil || e.Size != i {
			t.Fatalf("stat %d: %+v, %v", 1000+i, e, err)
		}
	}
	if n := f.stats(); n != 0 {
		t.Fatalf("stat of 1,000 listed files cost %d calls, want 0", n)
	}
}

// A child gone from a fresh listing loses its primed stat, even while
// that stat would still be fresh.
func TestListDropsVanishedChildren(t *testing.T) {
	tests := []struct {
		name    string
		refresh func(d *Drives, clk *clock)
	}{
		{"listing expired", func(d *Drives, clk *clock) { clk.advance(6 * time.Minute) }},
		{"listing invalidated", func(d *Drives, clk *clock) { clk.advance(time.Minute); d.Invalidate(1, 1) }},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := newFakeDrives()
			f.addFile(1, 10, 1)
			f.addFile(1, 11, 1)
			clk := newClock()
			d := newTestDrives(t, f, Options{Now: clk.Now, DirCacheTime: 5 * time.Minute})
			ctx := context.Background()
			if _, err := d.List(ctx, 1, 1); err != nil {
				t.Fatal(err)
			}
			f.Delete(1, 11)
			tc.refresh(d, clk)
			if _, err := d.List(ctx, 1, 1); err != nil {
				t.Fatal(err)
			}
			if _, err := d.Stat(ctx, 1, 11); !errors.Is(err, remote.ErrNotFound) {
				t.Fatalf("stat of vanished child: %v, want ErrNotFound", err)
			}
			if _, err := d.Stat(ctx, 1, 10); err != nil {
				t.Fatal(err)
			}
			if n := f.stats(); n != 1 {
				t.Fatalf("stat calls = %d, want 1 (only the vanished one)", n)
			}
		})
	}
}

func TestErrorsNotCached(t *testing.T) {
	f := newFakeDrives()
	f.addFile(1, 10, 1)
	var failing atomic.Bool
	failing.Store(true)
	f.fail = func(op string, id int64) error {
		if failing.Load() {
			return fmt.Errorf("%s: %w", op, remote.ErrUnavailable)
		}
		return nil
	}
	d := newTestDrives(t, f, Options{})
	ctx := context.Background()
	for i := 0; i < 2; i++ {
		if _, err := d.List(ctx, 1, 1); !errors.Is(err, remote.ErrUnavailable) {
			t.Fatalf("List %d: %v", i, err)
		}
		if _, err := d.Stat(ctx, 1, 10); !errors.Is(err, remote.ErrUnavailable) {
			t.Fatalf("Stat %d: %v", i, err)
		}
	}
	if f.lists() != 2 || f.stats() != 2 {
		t.Fatalf("failures were cached: %d lists, %d stats", f.lists(), f.stats())
	}
	failing.Store(false)
	if _, err := d.List(ctx, 1, 1); err != nil {
		t.Fatal(err)
	}
	if _, err := d.Stat(ctx, 1, 10); err != nil {
		t.Fatal(err)
	}
}

func TestInvalidate(t *testing.T) {
	ctx := context.Background()
	tests := []struct {
		name                 string
		invalidate           func(d *Drives)
		wantLists, wantStats int64 // calls after re-stating the file and re-listing both dirs
	}{
		{"file drops its stat and its parent listing", func(d *Drives) { d.Invalidate(1, 10) }, 3, 1},
		{"dir drops its listing and its parent's", func(d *Drives) { d.Invalidate(1, 2) }, 4, 0},
		{"all", func(d *Drives) { d.InvalidateAll() }, 4, 1},
		{"unrelated", func(d *Drives) { d.Invalidate(1, 77) }, 2, 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := newFakeDrives()
			f.addDir(1, 2)
			f.addFile(2, 10, 3)
			d := newTestDrives(t, f, Options{})
			if _, err := d.List(ctx, 1, 1); err != nil {
				t.Fatal(err)
			}
			if _, err := d.List(ctx, 1, 2); err != nil {
				t.Fatal(err)
			}
			// The listings primed the stats of 2 and 10.
			tc.invalidate(d)
			if _, err := d.Stat(ctx, 1, 10); err != nil {
				t.Fatal(err)
			}
			d.List(ctx, 1, 1)
			d.List(ctx, 1, 2)
			if f.lists() != tc.wantLists || f.stats() != tc.wantStats {
				t.Fatalf("lists %d stats %d, want %d %d", f.lists(), f.stats(), tc.wantLists, tc.wantStats)
			}
		})
	}
}

// A listing that began before an invalidation is not cached as fresh, and
// callers after the invalidation do not join it.
func TestInvalidateDuringLoad(t *testing.T) {
	f := newFakeDrives()
	f.addFile(1, 10, 1)
	f.latency = 50 * time.Millisecond
	d := newTestDrives(t, f, Options{})
	ctx := context.Background()
	done := make(chan struct{})
	go func() { d.List(ctx, 1, 1); close(done) }()
	eventually(t, "List to start", func() bool { return f.lists() == 1 })
	d.Invalidate(1, 1)
	if _, err := d.List(ctx, 1, 1); err != nil {
		t.Fatal(err)
	}
	<-done
	if n := f.lists(); n != 2 {
		t.Fatalf("List calls = %d, want 2", n)
	}
	d.List(ctx, 1, 1)
	if n := f.lists(); n != 2 {
		t.Fatalf("second load not cached: %d calls", n)
	}
}

func TestMetaBound(t *testing.T) {
	f := newFakeDrives()
	for i := int64(0); i < 500; i++ {
		f.addFile(1, 1000+i, 1)
	}
	d := newTestDrives(t, f, Options{MaxEntries: 100})
	if _, err := d.List(context.Background(), 1, 1); err != nil {
		t.Fatal(err)
	}
	if n := d.stats.len(); n > 100 || n < 50 {
		t.Fatalf("stat entries = %d, want within (50, 100]", n)
	}
}
