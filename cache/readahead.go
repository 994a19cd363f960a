package cache

import "sync"

// maxFiles bounds the per-file read states kept; beyond it, half are
// dropped (a dropped state only costs its readers a read-ahead ramp-up).
const maxFiles = 1024

// streamsPerFile is how many sequential readers of one file are told
// apart (like the kernel's per-descriptor read-ahead, without descriptors:
// a read continues the stream whose end it is near).
const streamsPerFile = 4

// fileState is the read state of one file version: its fetch bounds and
// the sequential streams reading it.
type fileState struct {
	sem      chan struct{} // all fetches of the file: Parallel
	aheadSem chan struct{} // read-ahead fetches: Parallel-1, leaving room for demand

	mu      sync.Mutex
	tick    uint64
	streams [streamsPerFile]stream
}

// stream is one sequential reader: where its last read ended, how many
// sequential reads in a row it made, and the last block read-ahead asked
// for on its behalf.
type stream struct {
	start  int64 // where it began
	next   int64
	streak int
	ahead  int64
	used   uint64 // tick of last use; 0 = free
}

// file returns the read state of fk, creating it.
func (d *Drives) file(fk fileKey) *fileState {
	d.filesMu.Lock()
	defer d.filesMu.Unlock()
	if st, ok := d.files[fk]; ok {
		return st
	}
	if len(d.files) >= maxFiles {
		for k := range d.files {
			if len(d.files) < maxFiles/2 {
				break
			}
			delete(d.files, k)
		}
	}
	st := &fileState{
		sem:      make(chan struct{}, d.o.Parallel),
		aheadSem: make(chan struct{}, max(1, d.o.Parallel-1)),
	}
	d.files[fk] = st
	return st
}

// advance records a read of [off, end) and returns the blocks to fetch
// ahead of it (from > to: none), and whether the read continues a
// sequential stream (false: random access). A read within a block of a stream's end
// continues it: the kernel issues its own read-ahead a little out of
// order. The window doubles with each sequential read up to readAhead, so
// a program peeking at a file's head costs one extra block, not eight; and
// it is at most half of what the stream has read, so a reader that stops
// leaves at most a third of its fetches unread. One stream fills the WAN
// link with two blocks in flight, so the ramp costs it nothing.
func (st *fileState) advance(off, end, bs, lastBlock int64, readAhead int) (s *stream, from, to int64, seq bool) {
	st.mu.Lock()
	defer st.mu.Unlock()
	st.tick++
	for i := range st.streams {
		c := &st.streams[i]
		if c.used != 0 && off >= c.next-bs && off <= c.next+bs {
			s = c
			break
		}
	}
	last := (end - 1) / bs
	if s != nil {
		s.streak++
		s.next = max(s.next, end)
	} else {
		// A new stream replaces the least recently used one. A file's
		// first read at its start counts as sequential already, once it
		// is past probing.
		s = &st.streams[0]
		for i := range st.streams {
			if st.streams[i].used < s.used {
				s = &st.streams[i]
			}
		}
		*s = stream{start: off, next: end, ahead: last}
		if off < bs {
			s.streak = 1
		}
	}
	s.used = st.tick
	if s.streak == 0 || s.probing(bs) {
		return s, 1, 0, false
	}
	if readAhead <= 0 {
		return s, 1, 0, true
	}
	window := min(int64(readAhead), 1<<min(s.streak-1, 16), max(1, (s.next-s.start)/(2*bs)))
	from = max(last+1, s.ahead+1)
	to = min(last+window, lastBlock)
	if to >= from {
		s.ahead = to
	}
	return s, from, to, true
}

// probing reports a stream that began at the file's start and has read
// no further than its first sub-block: a program sniffing the file's
// type (file, a thumbnailer's MIME check: 4 KiB, which the kernel turns
// into 128 KiB) looks just like a sequential reader's first reads. Such
// reads fetch sub-blocks only, with no read-ahead, so a folder of large
// files sniffed by a desktop costs 256 KiB per file, not a block and its
// read-ahead (8 MiB); a reader that goes on costs one sub-block's round
// trip before the blocks and read-ahead start. A single read larger than
// a sub-block proves intent at once.
func (s *stream) probing(bs int64) bool {
	return bs > subBlock && s.start < subBlock && s.next-s.start <= subBlock
}

// queueFull reports whether every read-ahead slot of the file is taken.
// Read-ahead then stops rather than queue: a queued block is fetched even
// when its reader stops first, and with several readers of one file the
// queues grew to a whole window each (8 readers of 32 MiB fetched 100
// blocks for 64). The reader's next read asks again.
func (st *fileState) queueFull() bool { return len(st.aheadSem) >= cap(st.aheadSem) }

// rewind says read-ahead for s stopped before block b of [.., to]: its
// next read starts from b again.
func (st *fileState) rewind(s *stream, b, to int64) {
	st.mu.Lock()
	defer st.mu.Unlock()
	if s.ahead == to {
		s.ahead = b - 1
	}
}
