package cache

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/infomaniakfs/infomaniakfs/remote"
)

// A first read misses memory and fetches the file; reading it again hits.
func TestStatsMemoryHitsAndFetchedBytes(t *testing.T) {
	f := newFakeDrives()
	e := f.addFile(1, 10, 3<<20)
	d := newTestDrives(t, f, Options{BlockSize: 1 << 20})
	if _, err := readAll(context.Background(), d, e, 1<<20); err != nil {
		t.Fatal(err)
	}
	d.blocks.wait()
	st := d.Stats()
	if st.MemoryMisses == 0 || st.FetchedBytes != e.Size {
		t.Fatalf("after a cold read: %+v, want misses and %d bytes fetched", st, e.Size)
	}
	if _, err := readAll(context.Background(), d, e, 1<<20); err != nil {
		t.Fatal(err)
	}
	st2 := d.Stats()
	if st2.MemoryHits < 3 || st2.MemoryMisses != st.MemoryMisses || st2.FetchedBytes != st.FetchedBytes {
		t.Fatalf("after a warm read: %+v (before %+v), want 3 more hits and nothing fetched", st2, st)
	}
	if st2.DiskHits+st2.DiskMisses != 0 {
		t.Fatalf("disk counted without a disk cache: %+v", st2)
	}
}

// A block on disk is a disk hit for the next run's cache; before, a miss.
func TestStatsDiskHitsAndMisses(t *testing.T) {
	dir := t.TempDir()
	f := newFakeDrives()
	e := f.addFile(1, 10, 1<<20)
	disk := openTestDisk(t, dir, 1<<30)
	d := newTestDrives(t, f, Options{BlockSize: 1 << 20, Disk: disk})
	if _, err := readAll(context.Background(), d, e, 1<<20); err != nil {
		t.Fatal(err)
	}
	if st := d.Stats(); st.DiskMisses != 1 || st.DiskHits != 0 {
		t.Fatalf("cold: %+v, want 1 disk miss", st)
	}
	eventually(t, "block on disk", func() bool { return disk.bytes() >= e.Size })
	d2 := newTestDrives(t, f, Options{BlockSize: 1 << 20, Disk: disk})
	if _, err := readAll(context.Background(), d2, e, 1<<20); err != nil {
		t.Fatal(err)
	}
	if st := d2.Stats(); st.DiskHits != 1 || st.FetchedBytes != 0 {
		t.Fatalf("from disk: %+v, want 1 disk hit and nothing fetched", st)
	}
}

// Every read lands in one latency bucket; the time adds up.
func TestStatsReadLatency(t *testing.T) {
	f := newFakeDrives()
	e := f.addFile(1, 10, 2<<20)
	d := newTestDrives(t, f, Options{BlockSize: 1 << 20})
	p := make([]byte, 4096)
	for i := range 5 {
		if _, err := d.ReadAt(context.Background(), e, p, int64(i)*4096); err != nil {
			t.Fatal(err)
		}
	}
	st := d.Stats()
	var n int64
	for _, c := range st.ReadLatency {
		n += c
	}
	if st.Reads != 5 || n != 5 || st.ReadTime <= 0 || len(st.ReadLatency) != len(ReadLatencyBounds)+1 {
		t.Fatalf("%+v: want 5 reads in the buckets", st)
	}
	var s readStats
	s.read(time.Hour)
	s.read(50 * time.Microsecond)
	if s.latency[len(ReadLatencyBounds)].Load() != 1 || s.latency[0].Load() != 1 {
		t.Fatal("an hour is not above every bound, or 50µs not in the first bucket")
	}
}

// A followed drive reports when the feed last confirmed it, and how the
// feed is read.
func TestStatsFeedState(t *testing.T) {
	f := newFeedFake()
	before := time.Now()
	d, got := followed(t, f, Options{})
	st, ok := d.FeedState(1)
	if !ok || st.Mode != "long poll" || st.LastOK.Before(before) {
		t.Fatalf("after the snapshot: %+v %v", st, ok)
	}
	f.mutate(ActionRename, 12, func(e *remote.Entry) { e.Name = "g12" })
	next(t, got)
	eventually(t, "a newer confirmation", func() bool {
		st2, _ := d.FeedState(1)
		return st2.LastOK.After(st.LastOK)
	})
	if feeds := d.Stats().Feeds; len(feeds) != 1 || feeds[0].Drive != 1 {
		t.Fatalf("Stats().Feeds = %+v", feeds)
	}
	if _, ok := d.FeedState(2); ok {
		t.Fatal("drive 2 is not followed")
	}
}

// An outage says so, and does not move LastOK.
func TestStatsFeedOutage(t *testing.T) {
	f := newFeedFake()
	f.changesErr = fmt.Errorf("api: %w", remote.ErrUnavailable)
	d, _ := followed(t, f, Options{PollInterval: time.Millisecond})
	st, _ := d.FeedState(1)
	f.mutate(ActionRename, 12, func(e *remote.Entry) { e.Name = "g12" })
	eventually(t, "outage mode", func() bool {
		st2, _ := d.FeedState(1)
		return st2.Mode == "outage"
	})
	if st2, _ := d.FeedState(1); !st2.LastOK.Equal(st.LastOK) {
		t.Fatalf("LastOK moved during an outage: %v → %v", st.LastOK, st2.LastOK)
	}
}
