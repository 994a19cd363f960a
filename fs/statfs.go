package fs

import (
	"context"

	"github.com/hanwen/go-fuse/v2/fuse"
)

const statfsBsize = 4096

// statfs reports the drives' quotas summed (df shows the kDrive space);
// mail has no quota we know of. It never fails: df on a mount whose API
// is down should show something, not an error.
func (s *fsys) statfs(ctx context.Context, out *fuse.StatfsOut) {
	out.Bsize = statfsBsize
	out.Frsize = statfsBsize
	out.NameLen = MaxNameLen
	if s.drives == nil {
		return
	}
	drives, err := s.drives.Drives(ctx)
	if err != nil {
		s.log.Debug("statfs: no drive quotas", "err", err)
		return
	}
	var total, used int64
	for _, d := range drives {
		total += max(d.Size, 0)
		used += max(d.UsedSize, 0)
	}
	free := max(total-used, 0)
	out.Blocks = uint64(total) / statfsBsize
	out.Bfree = uint64(free) / statfsBsize
	out.Bavail = out.Bfree
}
