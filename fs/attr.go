package fs

import (
	"time"

	"github.com/hanwen/go-fuse/v2/fuse"
)

// Modes of a read-only tree: nobody writes, everybody may read.
const (
	dirMode  = fuse.S_IFDIR | 0o555
	fileMode = fuse.S_IFREG | 0o444
	// blksize is what st_blksize advertises: cp and friends size their
	// buffers by it, and a bigger read means fewer round trips.
	blksize = 128 << 10
)

// epoch stands in for a missing time: never the mount time, which would
// make unchanged data look changed on every mount.
var epoch = time.Unix(0, 0)

// dirAttr fills the attributes of a directory. Nlink is 1, as on btrfs:
// "count unknown", so find(1) never prunes on a link count we cannot know.
func (s *fsys) dirAttr(out *fuse.Attr, ino uint64, mtime time.Time) {
	s.attr(out, ino, dirMode, 0, mtime)
}

// fileAttr fills the attributes of a regular file of size bytes.
func (s *fsys) fileAttr(out *fuse.Attr, ino uint64, size int64, mtime time.Time) {
	s.attr(out, ino, fileMode, size, mtime)
}

func (s *fsys) attr(out *fuse.Attr, ino uint64, mode uint32, size int64, mtime time.Time) {
	if mtime.IsZero() {
		mtime = epoch
	}
	if size < 0 {
		size = 0
	}
	out.Ino = ino
	out.Mode = mode
	out.Size = uint64(size)
	out.Blocks = (uint64(size) + 511) / 512
	out.Blksize = blksize
	out.Nlink = 1
	out.Uid = s.uid
	out.Gid = s.gid
	// ctime follows mtime: backup tools (borg) key on ctime, and a remote
	// file's status changes when its content does.
	out.SetTimes(&mtime, &mtime, &mtime)
}
