package cache

import (
	"context"
	"hash/maphash"
	"io"
	"slices"
	"sync"
	"sync/atomic"

	"github.com/infomaniakfs/infomaniakfs/remote"
)

// Drives is a remote.Drives that caches listings and stats (TTL, negative
// TTL, one call per key however many ask at once) and serves file content
// through a block cache with read-ahead (ReadAt). Safe for concurrent use.
type Drives struct {
	inner remote.Drives
	o     Options
	gen   generation

	drives *meta[struct{}, []remote.DriveInfo]
	lists  *meta[itemKey, []remote.Entry]
	stats  *meta[itemKey, remote.Entry]
	snaps  *snapshots // nil when the source has none or they are off

	// told counts Invalidate calls: writes made here, which a batch of
	// the change feed read meanwhile may predate (distrust).
	told  atomic.Uint64
	wrote writes // Wrote's, re-applied over such a batch
	// edits orders the changes made to what is held (a feed batch, a
	// write, an invalidation), so that none bumps the generation under
	// another's edits: those would be refused, and lost.
	edits sync.Mutex

	feed     DriveFeed // nil when the source has none or snapshots are off
	followed sync.Map  // drive id → *followState
	cursors  sync.Map  // drive id → the cursor its cached tree is current to
	follow   *followers

	siblings *siblingScans
	archives *archives

	blocks    *content[blockKey]
	seed      maphash.Seed
	readAhead int // ReadAhead as the budget allows

	filesMu sync.Mutex
	files   map[fileKey]*fileState

	rstats readStats // stats.go
}

type itemKey struct{ drive, id int64 }

var _ remote.Drives = (*Drives)(nil)

// NewDrives wraps inner. Call Close when done with it to stop its
// background work.
func NewDrives(inner remote.Drives, o Options) *Drives {
	o = o.withDefaults()
	d := &Drives{
		inner: inner,
		o:     o,
		seed:  maphash.MakeSeed(),
		files: make(map[fileKey]*fileState),
	}
	d.drives = newMeta[struct{}, []remote.DriveInfo](o, &d.gen)
	d.lists = newMeta[itemKey, []remote.Entry](o, &d.gen)
	d.stats = newMeta[itemKey, remote.Entry](o, &d.gen)
	d.lists.keep = func(k itemKey) bool { return d.current(k.drive) }
	d.stats.keep = d.lists.keep
	d.snaps = newSnapshots(inner, o, &d.gen)
	if feed, ok := inner.(DriveFeed); ok && d.snaps != nil {
		d.feed = feed
	}
	d.follow = newFollowers()
	d.siblings = newSiblingScans(o.Parallel)
	budget, recent, ra := blockBudget(o)
	d.readAhead = ra
	d.archives = newArchives(inner, o, recent)
	blocks, err := newContent[blockKey](budget, recent, o.BlockSize, o.FetchTimeout)
	if err != nil {
		// Only reachable with a config ristretto refuses, which
		// blockBudget never produces; keep serving without the long-term
		// store rather than failing the mount.
		o.Logger.Warn("block cache disabled", "err", err)
		blocks, _ = newContent[blockKey](0, recent, o.BlockSize, o.FetchTimeout)
	}
	d.blocks = blocks
	return d
}

// blockBudget splits the content budget: read-ahead gets at most a quarter
// of it, the recent LRU holds two sequential readers' windows (or a quarter
// of the budget if more), ristretto the rest. A disabled cache (negative
// size) still keeps two blocks, the least a kernel reading 128 KiB at a time
// needs not to fetch each block 32 times.
func blockBudget(o Options) (budget, recent int64, readAhead int) {
	bs := o.BlockSize
	if o.CacheSize < 0 {
		return 0, 2 * bs, 0
	}
	readAhead = int(min(int64(o.ReadAhead), o.CacheSize/(4*bs)))
	recent = max(o.CacheSize/4, 2*int64(readAhead+2)*bs)
	return o.CacheSize, min(recent, max(o.CacheSize, 2*bs)), readAhead
}

// Drives lists the account's drives, cached.
func (d *Drives) Drives(ctx context.Context) ([]remote.DriveInfo, error) {
	v, err := d.drives.get(ctx, struct{}{}, d.inner.Drives)
	return slices.Clone(v), err
}

// List returns the children of dirID, cached, and primes the Stat cache
// with each child, so stat of a listed name costs no call. The caller owns
// the returned slice.
func (d *Drives) List(ctx context.Context, driveID, dirID int64) ([]remote.Entry, error) {
	key := itemKey{driveID, dirID}
	v, err := d.lists.get(ctx, key, func(ctx context.Context) ([]remote.Entry, error) {
		gen := d.gen.get()
		old, hadOld := d.lists.peek(key)
		var list []remote.Entry
		ok := false
		// A followed drive's tree is all in lists and stats; what is not
		// there (a directory restored or moved in) is listed on its own.
		if !d.following(driveID) {
			list, ok = d.snaps.children(ctx, driveID, dirID, func(tree snapshot, cursor string, g uint64) {
				follow := d.canFollow(cursor)
				if follow {
					d.markFollowed(driveID)
				}
				d.storeSnapshot(driveID, dirID, tree, g)
				if follow {
					d.startFollower(driveID, cursor)
				}
			}, &d.gen)
			if d.following(driveID) {
				d.snaps.forget(driveID) // lists and stats hold it now
			}
		}
		if !ok {
			var err error
			if list, err = d.inner.List(ctx, driveID, dirID); err != nil {
				return nil, err
			}
		}
		d.primeStats(driveID, old, hadOld, list, gen)
		return list, nil
	})
	return slices.Clone(v), err
}

// storeSnapshot files a drive's whole tree as listings and stats, but the
// listing being loaded (skip), which the caller stores itself.
func (d *Drives) storeSnapshot(driveID, skip int64, tree snapshot, gen uint64) {
	for dir, list := range tree {
		if dir == skip {
			continue
		}
		key := itemKey{driveID, dir}
		old, hadOld := d.lists.peek(key)
		d.lists.put(key, list, gen)
		d.primeStats(driveID, old, hadOld, list, gen)
	}
}

// primeStats stores the stat of every child just listed and drops the
// stats of children the previous listing had and this one has not.
func (d *Drives) primeStats(driveID int64, old []remote.Entry, hadOld bool, list []remote.Entry, gen uint64) {
	if hadOld {
		present := make(map[int64]struct{}, len(list))
		for i := range list {
			present[list[i].ID] = struct{}{}
		}
		for i := range old {
			if _, ok := present[old[i].ID]; !ok {
				d.stats.del(itemKey{driveID, old[i].ID})
			}
		}
	}
	for i := range list {
		d.stats.put(itemKey{driveID, list[i].ID}, list[i], gen)
	}
}

// Stat returns one item, cached (not found too, for NegativeTTL).
func (d *Drives) Stat(ctx context.Context, driveID, id int64) (remote.Entry, error) {
	return d.stats.get(ctx, itemKey{driveID, id}, func(ctx context.Context) (remote.Entry, error) {
		return d.inner.Stat(ctx, driveID, id)
	})
}

// Open streams a byte range straight from the inner source: it is the raw
// contract, uncached (reads that should be cached use ReadAt).
func (d *Drives) Open(ctx context.Context, e remote.Entry, off, length int64) (io.ReadCloser, error) {
	return d.inner.Open(ctx, remoteVersion(e), off, length)
}

// Invalidate drops the cached stat and listing of id, and the listing of
// its parent (when the stat is known), so the next look asks the remote.
func (d *Drives) Invalidate(driveID, id int64) {
	d.told.Add(1)
	d.edits.Lock()
	defer d.edits.Unlock()
	d.invalidate(driveID, id, 0)
}

// invalidate is Invalidate also told the parent, for when the stat is gone.
// Listings are expired, not dropped: the next List compares with the old
// one to drop the stats of children that vanished.
func (d *Drives) invalidate(driveID, id, parentID int64) {
	d.gen.bump()
	d.snaps.forget(driveID)
	key := itemKey{driveID, id}
	if e, ok := d.stats.peek(key); ok && e.ParentID != 0 {
		d.lists.expire(itemKey{driveID, e.ParentID})
	}
	if parentID != 0 {
		d.lists.expire(itemKey{driveID, parentID})
	}
	d.stats.del(key)
	d.lists.expire(key)
}

// InvalidateAll drops every cached listing and stat. Content stays: it is
// keyed by version, so it cannot be served for changed files.
func (d *Drives) InvalidateAll() {
	d.edits.Lock()
	defer d.edits.Unlock()
	d.gen.bump()
	d.drives.clear()
	d.lists.clear()
	d.stats.clear()
	d.snaps.clear()
}

// Close stops the change feeds' followers and the loads and fetches under
// way, waits for them, and releases the block cache; the Drives must not
// be used afterwards.
func (d *Drives) Close() error {
	d.follow.close()
	d.archives.close()
	d.gen.close()
	d.blocks.close()
	return nil
}
