package fs

import "github.com/hanwen/go-fuse/v2/fuse"

// Modes of kDrive items on a read-write mount. kDrive has no modes: these
// only say what may be done; chmod is accepted and ignored.
const (
	rwDirMode  = fuse.S_IFDIR | 0o755
	rwFileMode = fuse.S_IFREG | 0o644
)

// writable shows a drive item's mode on a read-write mount.
func (s *fsys) writable(out *fuse.Attr, isDir bool) {
	if s.writes == nil {
		return
	}
	if isDir {
		out.Mode = rwDirMode
	} else {
		out.Mode = rwFileMode
	}
}
