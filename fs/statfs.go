package fs

import (
	"context"
	"time"

	"github.com/hanwen/go-fuse/v2/fuse"
)

const statfsBsize = 4096

// statfsFirstWait is how long the first statfs may wait for the quotas;
// every later one answers from the last known, at once.
const statfsFirstWait = 250 * time.Millisecond

// quota is the drives' space summed, as last learned.
type quota struct{ total, used int64 }

// statfs reports the drives' quotas summed (df shows the kDrive space);
// mail has no quota we know of. It never fails and never waits on the
// network: df on a mount whose API is slow or down shows the last known
// quota. The tree takes no writes (readonly.go), so nothing is available:
// Bavail, what df shows as Avail and GIO as free space (file managers
// offer no copy into a full disk), is 0, while Bfree keeps the drives'
// real free space so that df's Used is right. Asking the cache starts a refresh when its copy expired; the
// cache's loads are detached from their callers, so the refresh lands for
// the next df even though this one does not wait for it.
func (s *fsys) statfs(ctx context.Context, out *fuse.StatfsOut) {
	out.Bsize = statfsBsize
	out.Frsize = statfsBsize
	out.NameLen = MaxNameLen
	if s.drives == nil {
		return
	}
	last := s.quota.Load()
	wait := time.Duration(0)
	if last == nil {
		wait = statfsFirstWait
	}
	qctx, cancel := context.WithTimeout(ctx, wait)
	drives, err := s.drives.Drives(qctx)
	cancel()
	if err == nil {
		q := &quota{}
		for _, d := range drives {
			q.total += max(d.Size, 0)
			q.used += max(d.UsedSize, 0)
		}
		s.quota.Store(q)
		last = q
	} else if last == nil {
		s.log.Debug("statfs: no drive quotas yet", "err", err)
		return
	}
	free := max(last.total-last.used, 0)
	out.Blocks = uint64(last.total) / statfsBsize
	out.Bfree = uint64(free) / statfsBsize
	out.Bavail = 0
}
