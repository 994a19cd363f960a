package cache

import (
	"context"
	"errors"
	"sync"

	"github.com/infomaniakfs/infomaniakfs/remote"
)

// Snapshotter is a drive source that can list a whole drive in one call
// (kdrive.Client.FullListing: the desktop client's CSV snapshot). With it,
// the first listing of any directory of a drive fetches the whole tree, so
// `ls -R`, `find` and `rsync` over a drive cost one request instead of one
// per directory: the scarcest resource is the API's 60 requests a minute.
type Snapshotter interface {
	FullListing(ctx context.Context, driveID int64) (entries []remote.Entry, cursor string, err error)
}

// snapshot is one drive's tree: the children of every directory.
type snapshot map[int64][]remote.Entry

// snapshots remembers which drives refused a snapshot, so they are asked
// per directory from then on instead of once per TTL.
type snapshots struct {
	src     Snapshotter
	trees   *meta[int64, snapshot]
	refused sync.Map // drive id → struct{}
}

func newSnapshots(inner remote.Drives, o Options, gen *generation) *snapshots {
	src, ok := inner.(Snapshotter)
	if !ok || o.NoSnapshot {
		return nil
	}
	return &snapshots{src: src, trees: newMeta[int64, snapshot](o, gen)}
}

// children returns dirID's children from the drive's snapshot (fetched if
// needed, and then stored as listings and stats by store), or ok=false when
// the caller must list the directory itself: no snapshot for this drive,
// the directory is not in it (created since), or the snapshot failed.
func (s *snapshots) children(ctx context.Context, driveID, dirID int64, store func(tree snapshot, cursor string, gen uint64), gen *generation) ([]remote.Entry, bool) {
	if s == nil {
		return nil, false
	}
	if _, no := s.refused.Load(driveID); no {
		return nil, false
	}
	tree, err := s.trees.get(ctx, driveID, func(ctx context.Context) (snapshot, error) {
		g := gen.get()
		entries, cursor, err := s.src.FullListing(ctx, driveID)
		if err != nil {
			return nil, err
		}
		tree := newSnapshot(entries)
		store(tree, cursor, g)
		return tree, nil
	})
	if err != nil {
		// A drive that cannot be snapshotted (route refused, answer not
		// understood) is listed per directory for good; a passing outage
		// only for this call.
		if errors.Is(err, remote.ErrNotFound) || errors.Is(err, remote.ErrPermission) || errors.Is(err, remote.ErrInvalid) {
			s.refuse(driveID)
		}
		return nil, false
	}
	list, ok := tree[dirID]
	return list, ok
}

// newSnapshot files a drive's entries by parent.
func newSnapshot(entries []remote.Entry) snapshot {
	tree := snapshot{}
	for _, e := range entries {
		if e.IsDir {
			if _, ok := tree[e.ID]; !ok {
				tree[e.ID] = []remote.Entry{}
			}
		}
		if e.ID != e.ParentID && e.ID != 1 {
			tree[e.ParentID] = append(tree[e.ParentID], e)
		}
	}
	return tree
}

// refuse makes driveID listed per directory from now on.
func (s *snapshots) refuse(driveID int64) {
	if s != nil {
		s.refused.Store(driveID, struct{}{})
	}
}

// forget drops a drive's snapshot, so the next listing fetches a new one.
func (s *snapshots) forget(driveID int64) {
	if s != nil {
		s.trees.del(driveID)
	}
}

func (s *snapshots) clear() {
	if s != nil {
		s.trees.clear()
	}
}

// UsesSnapshots reports whether Drives made with o snapshot the drives of
// a source that can, and follow their change feeds: false with NoSnapshot
// or no metadata cache. Without, a drive's entries come from List and
// Stat alone, which may then carry more in their Version than a snapshot
// could (kdrive.Client.SetContentHash).
func (o Options) UsesSnapshots() bool { return !o.withDefaults().NoSnapshot }
