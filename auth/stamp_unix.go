//go:build unix

package auth

import (
	"io/fs"
	"syscall"
)

// inode tells two versions of the token file apart even when they have
// the same size and an mtime within the file system's granularity: every
// Save renames a new file into place.
func inode(fi fs.FileInfo) uint64 {
	if st, ok := fi.Sys().(*syscall.Stat_t); ok {
		return uint64(st.Ino)
	}
	return 0
}
