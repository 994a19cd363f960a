package cache

import (
	"sort"
	"sync"
	"sync/atomic"
	"time"
)

// readStats counts what file reads found where, for `infomaniakfs status`
// and the metrics. Counted where it happens: a piece a read needs is a
// memory hit or miss (ReadAt), a fetched block a disk hit or miss and then
// bytes from the remote (fetcher). The kernel's page cache answers reads
// the daemon never sees, so it has no counter. Lock-free: it is on every
// read.
type readStats struct {
	memHits, memMisses   atomic.Int64
	diskHits, diskMisses atomic.Int64
	fetched              atomic.Int64 // content bytes fetched from the remote
	reads                atomic.Int64
	readNanos            atomic.Int64
	latency              [len(ReadLatencyBounds) + 1]atomic.Int64 // last: above every bound
}

// ReadLatencyBounds are the upper bounds of the read latency buckets: a
// memory hit takes microseconds, a WAN fetch tens of milliseconds to
// seconds.
var ReadLatencyBounds = [...]time.Duration{
	100 * time.Microsecond, time.Millisecond, 10 * time.Millisecond,
	50 * time.Millisecond, 100 * time.Millisecond, 250 * time.Millisecond,
	500 * time.Millisecond, time.Second, 2500 * time.Millisecond, 10 * time.Second,
}

func (s *readStats) read(d time.Duration) {
	s.reads.Add(1)
	s.readNanos.Add(int64(d))
	i := sort.Search(len(ReadLatencyBounds), func(i int) bool { return d <= ReadLatencyBounds[i] })
	s.latency[i].Add(1)
}

// Stats is a copy of the file cache's counters at one instant.
type Stats struct {
	MemoryHits, MemoryMisses int64 // pieces of reads found in memory, or not
	DiskHits, DiskMisses     int64 // fetches answered by the disk cache, or not (0 without one)
	FetchedBytes             int64 // file content fetched from the remote
	Reads                    int64 // ReadAt calls
	ReadTime                 time.Duration
	// ReadLatency[i] counts the reads that took at most
	// ReadLatencyBounds[i] (not cumulative); the last one counts the rest.
	ReadLatency []int64
	Feeds       []FeedState // followed drives, by drive id
}

// FeedState is how current the change feed keeps one drive.
type FeedState struct {
	Drive int64
	// LastOK is when the feed last confirmed the drive current (a long
	// poll that saw nothing, or changes read and applied).
	LastOK time.Time
	// Mode is "long poll", "polling" (the long poll fails: the feed is
	// read on a timer) or "outage" (the feed cannot be read now).
	Mode string
}

// Stats returns the counters of reads and of the change feed.
func (d *Drives) Stats() Stats {
	s := &d.rstats
	st := Stats{
		MemoryHits: s.memHits.Load(), MemoryMisses: s.memMisses.Load(),
		DiskHits: s.diskHits.Load(), DiskMisses: s.diskMisses.Load(),
		FetchedBytes: s.fetched.Load(),
		Reads:        s.reads.Load(), ReadTime: time.Duration(s.readNanos.Load()),
		ReadLatency: make([]int64, len(s.latency)),
		Feeds:       d.follow.states(),
	}
	for i := range s.latency {
		st.ReadLatency[i] = s.latency[i].Load()
	}
	return st
}

// feedStates is what the followers last said of their drives.
type feedStates struct {
	mu sync.Mutex
	m  map[int64]FeedState // GUARDED_BY(mu)
}

// note records drive's mode, and that the feed confirmed it current if ok.
func (f *feedStates) note(drive int64, mode string, ok bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.m == nil {
		f.m = make(map[int64]FeedState)
	}
	st := f.m[drive]
	st.Drive, st.Mode = drive, mode
	if ok {
		st.LastOK = time.Now()
	}
	f.m[drive] = st
}

func (f *feedStates) forget(drive int64) {
	f.mu.Lock()
	defer f.mu.Unlock()
	delete(f.m, drive)
}

func (f *feedStates) states() []FeedState {
	f.mu.Lock()
	defer f.mu.Unlock()
	out := make([]FeedState, 0, len(f.m))
	for _, st := range f.m {
		out = append(out, st)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Drive < out[j].Drive })
	return out
}

// FeedState returns how current the change feed keeps drive; ok is false
// when the drive is not followed.
func (d *Drives) FeedState(drive int64) (st FeedState, ok bool) {
	f := &d.follow.feedStates
	f.mu.Lock()
	defer f.mu.Unlock()
	st, ok = f.m[drive]
	return st, ok
}
