package cache

import (
	"context"
	"errors"
	"fmt"
	"hash/maphash"
	"io"
	"time"

	"github.com/infomaniakfs/infomaniakfs/remote"
)

// fileKey names one version of one file; blockKey one block of it.
type fileKey struct {
	drive, id int64
	version   string
}

type blockKey struct {
	fileKey
	idx int64
}

// pending is one piece a read needs (a block, or a sub-block for a random
// reader): its bytes or the flight bringing them, where they start in the
// file and how long they must be.
type pending struct {
	data       []byte
	f          *flight
	key        blockKey
	hash       uint64
	base, want int64
}

// subBlock is what a random reader's miss fetches instead of a whole block:
// a 4 KiB read at a random offset should not wait for 4 MiB to cross the
// link. Sub-blocks are cached under their own keys (negative indexes).
const subBlock = 256 << 10

// ReadAt reads file e's bytes at off into p through the block cache, with
// io.ReaderAt semantics (n < len(p) only at EOF, with io.EOF). Blocks are
// keyed by (drive, id, e.Version, index), fetched once however many readers
// want them, and a sequential reader has the next blocks fetched ahead of
// it in parallel; a read that continues no stream (random access) fetches
// only the sub-blocks it covers. The read waits only for what its range
// covers; ctx ends that wait, never a fetch others share. remote.ErrChanged
// from the remote invalidates the item's cached stat and listing and is
// returned with no bytes, so one call never mixes two versions.
func (d *Drives) ReadAt(ctx context.Context, e remote.Entry, p []byte, off int64) (int, error) {
	start := time.Now()
	n, err := d.readAt(ctx, e, p, off)
	d.rstats.read(time.Since(start))
	return n, err
}

func (d *Drives) readAt(ctx context.Context, e remote.Entry, p []byte, off int64) (int, error) {
	switch {
	case e.IsDir:
		return 0, fmt.Errorf("cache: read of directory %d: %w", e.ID, remote.ErrInvalid)
	case off < 0:
		return 0, fmt.Errorf("cache: read at negative offset %d", off)
	case len(p) == 0:
		return 0, nil
	case off >= e.Size:
		return 0, io.EOF
	}
	bs := d.o.BlockSize
	end := min(off+int64(len(p)), e.Size)
	first, last := off/bs, (end-1)/bs
	fk := fileKey{e.DriveID, e.ID, e.Version}
	vh := maphash.String(d.seed, e.Version)
	st := d.file(fk)
	stream, aheadFrom, aheadTo, seq := st.advance(off, end, bs, (e.Size-1)/bs, d.readAhead)
	useSub := !seq && bs > subBlock && bs%subBlock == 0

	// Start every fetch this read needs before waiting for any, so that
	// they run in parallel; read-ahead goes after, behind them.
	var small [4]pending
	need := small[:0]
	for b := first; b <= last; b++ {
		k, base, want := blockKey{fk, b}, b*bs, min(bs, e.Size-b*bs)
		// A block no larger than a sub-block (a small file) is fetched
		// whole: the same bytes, under the key everyone else uses.
		if _, ok := d.blocks.lookup(k, blockHash(vh, fk, b)); ok || !useSub || want <= subBlock {
			need = append(need, d.piece(ctx, e, st, vh, k, base, want))
			continue
		}
		per := bs / subBlock
		for j := (max(off, base) - base) / subBlock; j < per && base+j*subBlock < min(end, base+want); j++ {
			sb := base + j*subBlock
			need = append(need, d.piece(ctx, e, st, vh, blockKey{fk, -1 - (b*per + j)}, sb, min(subBlock, e.Size-sb)))
		}
	}
	if off == 0 && e.Size <= bs && d.readAhead > 0 {
		d.prefetchSiblings(e)
	}
	for b := aheadFrom; b <= aheadTo; b++ {
		k, h := blockKey{fk, b}, blockHash(vh, fk, b)
		if _, ok := d.blocks.lookup(k, h); ok {
			continue
		}
		if st.queueFull() {
			st.rewind(stream, b, aheadTo)
			break
		}
		d.blocks.obtain(ctx, k, h, d.fetcher(e, st, b*bs, min(bs, e.Size-b*bs), true))
	}

	n := 0
	for _, pd := range need {
		data := pd.data
		if pd.f != nil {
			var err error
			if data, err = pd.f.wait(ctx); err != nil {
				return d.readFailed(e, n, err)
			}
		}
		if int64(len(data)) != pd.want {
			// Same version, other size: the remote contradicts itself.
			d.blocks.forget(pd.key, pd.hash)
			return d.readFailed(e, n, fmt.Errorf("cache: bytes %d-%d of item %d: got %d, want %d: %w",
				pd.base, pd.base+pd.want, e.ID, len(data), pd.want, remote.ErrChanged))
		}
		n += copy(p[n:], data[off+int64(n)-pd.base:])
	}
	if n < len(p) {
		return n, io.EOF
	}
	return n, nil
}

// piece returns the bytes [base, base+want) of e stored under k, cached or
// on their way.
func (d *Drives) piece(ctx context.Context, e remote.Entry, st *fileState, vh uint64, k blockKey, base, want int64) pending {
	h := blockHash(vh, k.fileKey, k.idx)
	pd := pending{key: k, hash: h, base: base, want: want}
	if data, ok := d.blocks.lookup(k, h); ok {
		pd.data = data
		d.rstats.memHits.Add(1)
	} else {
		pd.data, pd.f = d.blocks.obtain(ctx, k, h, d.fetcher(e, st, base, want, false))
		if pd.f != nil {
			d.rstats.memMisses.Add(1)
		} else {
			d.rstats.memHits.Add(1) // landed since lookup
		}
	}
	return pd
}

// readFailed returns a read's error: after ErrChanged no bytes at all (the
// caller must re-stat), otherwise the bytes copied so far.
func (d *Drives) readFailed(e remote.Entry, n int, err error) (int, error) {
	if errors.Is(err, remote.ErrChanged) {
		d.invalidate(e.DriveID, e.ID, e.ParentID)
		return 0, err
	}
	return n, err
}

// fetcher returns the fetch of block b of e: one Open of exactly that
// range, within the file's parallelism bound (read-ahead leaves one slot
// free for the blocks a reader is waiting on).
// Kept out of line: inlined, the closure would move its caller's Entry to
// the heap on every read, cached or not (TestWarmReadAllocs).
//
//go:noinline
func (d *Drives) fetcher(e remote.Entry, st *fileState, off, n int64, ahead bool) func(context.Context) ([]byte, error) {
	return func(ctx context.Context) ([]byte, error) {
		// The disk tier first: it costs no request, so no fetch slot.
		fk, bs := fileKey{e.DriveID, e.ID, e.Version}, d.o.BlockSize
		idx := off / bs
		blockLen := min(bs, e.Size-idx*bs)
		if data, ok := d.o.Disk.loadBlock(fk, idx, off-idx*bs, n, blockLen); ok {
			d.rstats.diskHits.Add(1)
			return data, nil
		}
		if d.o.Disk != nil {
			d.rstats.diskMisses.Add(1)
		}
		if data, ok := d.archived(ctx, fk, off, n); ok {
			return data, nil // an archive was bringing it: no request of its own
		}
		if ahead {
			if err := acquire(ctx, st.aheadSem); err != nil {
				return nil, err
			}
			defer release(st.aheadSem)
		}
		if err := acquire(ctx, st.sem); err != nil {
			return nil, err
		}
		defer release(st.sem)
		data, err := d.fetchRange(ctx, e, off, n)
		if err == nil {
			d.rstats.fetched.Add(n)
		}
		if err == nil && n == blockLen {
			d.o.Disk.storeBlock(fk, idx, data) // sub-blocks are not kept on disk
		}
		if err != nil {
			d.o.Logger.Debug("block fetch failed", "drive", e.DriveID, "id", e.ID, "offset", off, "ahead", ahead, "err", err)
			if errors.Is(err, remote.ErrChanged) {
				d.invalidate(e.DriveID, e.ID, e.ParentID)
			}
		}
		return data, err
	}
}

func (d *Drives) fetchRange(ctx context.Context, e remote.Entry, off, n int64) ([]byte, error) {
	rc, err := d.inner.Open(ctx, remoteVersion(e), off, n)
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	buf := make([]byte, n)
	if got, err := io.ReadFull(rc, buf); err != nil {
		if errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) {
			// The contract promises exactly the range or an error: a
			// shorter body means the file is not the size e says.
			return nil, fmt.Errorf("cache: item %d ended after %d of %d bytes at %d: %w",
				e.ID, got, n, off, remote.ErrChanged)
		}
		return nil, err
	}
	return buf, nil
}

func acquire(ctx context.Context, sem chan struct{}) error {
	select {
	case sem <- struct{}{}:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

func release(sem chan struct{}) { <-sem }

// blockHash is the ristretto key of a block: vh is the seeded hash of the
// version; the ids and index are mixed in (splitmix64's finalizer).
func blockHash(vh uint64, fk fileKey, idx int64) uint64 {
	h := mix64(vh ^ uint64(fk.drive))
	h = mix64(h ^ uint64(fk.id))
	return mix64(h ^ uint64(idx))
}

func mix64(x uint64) uint64 {
	x += 0x9e3779b97f4a7c15
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9
	x = (x ^ (x >> 27)) * 0x94d049bb133111eb
	return x ^ (x >> 31)
}
