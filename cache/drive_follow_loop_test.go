package cache

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/infomaniakfs/infomaniakfs/remote"
)

func TestFollowKeepsEntriesPastTTL(t *testing.T) {
	c := newClock()
	f := newFeedFake()
	d, _ := followed(t, f, Options{Now: c.Now})
	c.advance(24 * time.Hour)
	names(t, d, 2)
	if _, err := d.Stat(context.Background(), 1, 10); err != nil {
		t.Fatal(err)
	}
	if n := f.snaps.Load() + f.lists() + f.stats(); n != 1 {
		t.Fatalf("%d requests after a day, want the 1 snapshot", n)
	}
}

func TestFollowOff(t *testing.T) {
	for _, o := range []Options{{NoSnapshot: true}, {PollInterval: -1}} {
		f := newFeedFake()
		followed(t, f, o)
		time.Sleep(50 * time.Millisecond)
		if n := f.polls.Load() + f.changes.Load(); n != 0 {
			t.Fatalf("%+v: %d feed requests, want none", o, n)
		}
	}
}

func TestFollowRefusedCursorCostsOneSnapshot(t *testing.T) {
	f := newFeedFake()
	d, got := followed(t, f, Options{})
	f.feedMu.Lock()
	f.expired[f.cursor()] = true // the snapshot's: the follower's first
	f.feedMu.Unlock()
	f.mutate(ActionRename, 12, func(e *remote.Entry) { e.Name = "g12" })
	if ch := next(t, got); ch.Kind != DriveReloaded || ch.Drive != 1 {
		t.Fatalf("change = %+v, want a reload", ch)
	}
	if l := names(t, d, 1); !slices.Equal(l, []string{"d2", "d4", "g12"}) {
		t.Fatalf("root after reload = %q", l)
	}
	// Followed from the new cursor: the next change comes as a change.
	f.mutate(ActionRename, 10, func(e *remote.Entry) { e.Name = "g10" })
	if ch := next(t, got); ch.Kind != DriveRenamed || ch.ID != 10 {
		t.Fatalf("change after reload = %+v", ch)
	}
	if n := f.snaps.Load(); n != 2 {
		t.Fatalf("%d snapshots, want 2", n)
	}
	if n := f.lists() + f.stats(); n != 0 {
		t.Fatalf("%d List/Stat requests", n)
	}
}

func TestFollowLongPollDownFallsBackToTimer(t *testing.T) {
	f := newFeedFake()
	f.setErrs(fmt.Errorf("notify host: %w", remote.ErrUnavailable), nil)
	d, got := followed(t, f, Options{PollInterval: 20 * time.Millisecond, LongPollRetry: time.Hour})
	f.mutate(ActionRename, 12, func(e *remote.Entry) { e.Name = "g12" })
	if ch := next(t, got); ch.Kind != DriveRenamed {
		t.Fatalf("change = %+v", ch)
	}
	if l := names(t, d, 1); !slices.Contains(l, "g12") {
		t.Fatalf("root = %q", l)
	}
	if n := f.polls.Load(); n != 1 {
		t.Fatalf("%d long polls, want 1 (retried only after LongPollRetry)", n)
	}
}

func TestFollowOutageBacksOff(t *testing.T) {
	f := newFeedFake()
	f.setErrs(nil, fmt.Errorf("api: %w", remote.ErrUnavailable))
	followed(t, f, Options{PollInterval: time.Millisecond})
	f.mutate(ActionRename, 12, func(e *remote.Entry) { e.Name = "g12" })
	eventually(t, "a changes request", func() bool { return f.changes.Load() > 0 })
	time.Sleep(500 * time.Millisecond)
	if n := f.changes.Load(); n > 2 {
		t.Fatalf("%d changes requests in half a second of outage: not backing off", n)
	}
	if n := f.snaps.Load(); n != 1 {
		t.Fatalf("%d snapshots: an outage must not cost one", n)
	}
}

func TestCloseStopsFollowers(t *testing.T) {
	f := newFeedFake()
	d := NewDrives(f, Options{})
	if _, err := d.List(context.Background(), 1, 1); err != nil {
		t.Fatal(err)
	}
	eventually(t, "a long poll", func() bool { return f.activePolls.Load() == 1 })
	done := make(chan struct{})
	go func() { d.Close(); close(done) }()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("Close did not return")
	}
	if n := f.activePolls.Load(); n != 0 {
		t.Fatalf("%d long polls still running after Close", n)
	}
	polls := f.polls.Load()
	f.mutate(ActionRename, 12, func(e *remote.Entry) { e.Name = "g12" })
	time.Sleep(50 * time.Millisecond)
	if f.polls.Load() != polls || f.changes.Load() != 0 {
		t.Fatal("feed requests after Close")
	}
}

func TestFollowBusyDriveIsNotReadBackToBack(t *testing.T) {
	f := newFeedFake()
	d, _ := followed(t, f, Options{})
	stop := time.Now().Add(2500 * time.Millisecond)
	i := 0
	for ; time.Now().Before(stop); i++ {
		f.mutate(ActionRename, 12, func(e *remote.Entry) { e.Name = fmt.Sprintf("n%d", i) })
		time.Sleep(10 * time.Millisecond)
	}
	if n := f.changes.Load(); n < 2 || n > 4 {
		t.Fatalf("%d reads of the feed in 2.5 s of changes every 10 ms, want 2 to 4", n)
	}
	last := fmt.Sprintf("n%d", i-1)
	eventually(t, "the last change", func() bool { return slices.Contains(names(t, d, 1), last) })
}

func TestFollowOutageFallsBackToTTL(t *testing.T) {
	c := newClock()
	f := newFeedFake()
	down := fmt.Errorf("down: %w", remote.ErrUnavailable)
	f.setErrs(down, down)
	d, _ := followed(t, f, Options{Now: c.Now})
	eventually(t, "the outage seen", func() bool { return !d.current(1) })
	c.advance(DefaultDirCacheTime + time.Second)
	names(t, d, 2)
	if n := f.lists(); n != 1 {
		t.Fatalf("%d listings during the outage past the TTL, want 1: the feed keeps nothing fresh then", n)
	}
	f.setErrs(nil, nil)
	eventually(t, "the feed back", func() bool { return d.current(1) })
	c.advance(DefaultDirCacheTime + time.Second)
	names(t, d, 3)
	if n := f.lists(); n != 1 {
		t.Fatalf("%d listings with the feed back, want still 1", n)
	}
}
