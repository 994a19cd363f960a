package cache

import (
	"context"
	"errors"
	"sync/atomic"
	"testing"

	"github.com/infomaniakfs/infomaniakfs/remote"
	"github.com/infomaniakfs/infomaniakfs/remote/remotetest"
)

// snapFake adds a whole-drive listing to fakeDrives.
type snapFake struct {
	*fakeDrives
	snaps atomic.Int64
	err   error
}

func (s *snapFake) FullListing(ctx context.Context, driveID int64) ([]remote.Entry, string, error) {
	s.snaps.Add(1)
	if s.err != nil {
		return nil, "", s.err
	}
	return remotetest.Feed{DriveFake: s.DriveFake}.FullListing(ctx, driveID)
}

func treeFake() *snapFake {
	f := newFakeDrives()
	f.addDir(1, 2)
	f.addDir(2, 3)
	f.addDir(1, 4) // empty
	f.addFile(3, 10, 5)
	f.addFile(2, 11, 6)
	f.addFile(1, 12, 7)
	return &snapFake{fakeDrives: f}
}

func TestSnapshotServesEveryListing(t *testing.T) {
	ctx := context.Background()
	tests := []struct {
		name            string
		err             error
		o               Options
		snaps, lists    int64
		snapsAfterRetry int64
	}{
		{"one call for the whole tree", nil, Options{}, 1, 0, 2},
		{"turned off", nil, Options{NoSnapshot: true}, 0, 4, 0},
		{"refused route: per directory for good", remote.ErrNotFound, Options{}, 1, 4, 1},
		{"outage: per directory this time, snapshot again later", remote.ErrUnavailable, Options{}, 4, 4, 8},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := treeFake()
			f.err = tc.err
			d := NewDrives(f, tc.o)
			defer d.Close()
			want := map[int64]int{1: 3, 2: 2, 3: 1, 4: 0}
			for dir, n := range want {
				list, err := d.List(ctx, 1, dir)
				if err != nil || len(list) != n {
					t.Fatalf("List(%d) = %d entries, %v; want %d", dir, len(list), err, n)
				}
			}
			if _, err := d.Stat(ctx, 1, 10); err != nil {
				t.Fatal(err)
			}
			if got := f.snaps.Load(); got != tc.snaps {
				t.Errorf("%d snapshot calls, want %d", got, tc.snaps)
			}
			if got := f.lists(); got != tc.lists {
				t.Errorf("%d list calls, want %d", got, tc.lists)
			}
			if f.stats() != 0 {
				t.Errorf("%d stat calls, want 0", f.stats())
			}
			d.InvalidateAll()
			for dir := range want {
				if _, err := d.List(ctx, 1, dir); err != nil {
					t.Fatal(err)
				}
			}
			if got := f.snaps.Load(); got != tc.snapsAfterRetry {
				t.Errorf("after InvalidateAll: %d snapshot calls, want %d", got, tc.snapsAfterRetry)
			}
		})
	}
}

// A directory created after the snapshot is listed on its own; an
// Invalidate refetches the snapshot, which then shows the change.
func TestSnapshotFreshness(t *testing.T) {
	ctx := context.Background()
	f := treeFake()
	d := NewDrives(f, Options{})
	defer d.Close()
	if _, err := d.List(ctx, 1, 1); err != nil {
		t.Fatal(err)
	}
	f.addDir(1, 5)
	if list, err := d.List(ctx, 1, 5); err != nil || len(list) != 0 || f.lists() != 1 {
		t.Fatalf("new dir: %v %v, %d list calls", list, err, f.lists())
	}
	f.addFile(4, 20, 3)
	d.Invalidate(1, 4)
	list, err := d.List(ctx, 1, 4)
	if err != nil || len(list) != 1 || f.snaps.Load() != 2 {
		t.Fatalf("after Invalidate: %v %v, %d snapshots", list, err, f.snaps.Load())
	}
	if !errors.Is(func() error { _, err := d.List(ctx, 1, 999); return err }(), remote.ErrNotFound) {
		t.Error("a directory in neither snapshot nor source must be not found")
	}
}
