package cache

import (
	"context"
	"errors"
	"log/slog"
	"slices"
	"sync/atomic"
	"testing"
	"time"

	"github.com/infomaniakfs/infomaniakfs/remote"
)

// TestStateRestoreOffline: a followed drive's tree and cursor are saved at
// Close; a new cache restored from them serves the tree with the remote
// down (no request needed), and once it answers, resumes the change feed
// from the saved cursor (a change made meanwhile shows, no new snapshot).
func TestStateRestoreOffline(t *testing.T) {
	f := newFeedFake()
	d, _ := followed(t, f, Options{})
	want := names(t, d, 1)
	for _, dir := range []int64{2, 3, 4} {
		names(t, d, dir)
	}
	dir := t.TempDir()
	k := KeepState(dir, State{Profile: remote.Profile{ID: 5}}, d, nil, time.Hour, slog.New(slog.DiscardHandler))
	if err := k.Close(); err != nil {
		t.Fatal(err)
	}
	st, err := LoadState(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(st.Trees) != 1 || st.Trees[0].Cursor != f.cursor() || len(st.Trees[0].Dirs) != 4 {
		t.Fatalf("saved trees %+v, want drive 1's 4 directories at cursor %s", st.Trees, f.cursor())
	}

	down := errors.Join(remote.ErrUnavailable, errors.New("connection refused"))
	f.setErrs(down, down)
	var failing atomic.Bool
	failing.Store(true)
	f.fail = func(string, int64) error {
		if failing.Load() {
			return down
		}
		return nil
	}
	f.mutate(ActionRename, 12, func(e *remote.Entry) { e.Name = "g12" })
	var online atomic.Bool
	snaps := f.snaps.Load()
	d2 := NewDrives(f, Options{Online: online.Load, PollInterval: 50 * time.Millisecond, LongPollRetry: time.Hour})
	defer d2.Close()
	RestoreState(st, d2, nil)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	got, err := d2.List(ctx, 1, 1)
	if err != nil {
		t.Fatalf("offline list of the restored tree: %v", err)
	}
	if n := entryNames(got); !slices.Equal(n, want) {
		t.Fatalf("offline list %v, want %v", n, want)
	}

	f.setErrs(nil, nil)
	failing.Store(false)
	online.Store(true)
	eventually(t, "the change made while offline", func() bool {
		return slices.Contains(names(t, d2, 1), "g12")
	})
	if n := f.snaps.Load(); n != snaps {
		t.Errorf("%d snapshots after the restore, want none: the saved cursor resumes the feed", n-snaps)
	}
}

func entryNames(l []remote.Entry) []string {
	var out []string
	for _, e := range l {
		out = append(out, e.Name)
	}
	slices.Sort(out)
	return out
}
