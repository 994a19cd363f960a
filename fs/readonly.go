package fs

import (
	"context"
	"syscall"

	gofs "github.com/hanwen/go-fuse/v2/fs"
	"github.com/hanwen/go-fuse/v2/fuse"
)

// Mail is read-only. The kernel refuses writes itself on a mount with
// MountOptions.ReadOnly; these answer EROFS when it does not, instead of
// go-fuse's defaults. The directories and kDrive files answer in
// write_dir.go and write_file.go: EROFS too unless the mount writes.

func (f *messageFile) Setattr(context.Context, gofs.FileHandle, *fuse.SetAttrIn, *fuse.AttrOut) syscall.Errno {
	return syscall.EROFS
}

func (f *messageFile) Write(context.Context, gofs.FileHandle, []byte, int64) (uint32, syscall.Errno) {
	return 0, syscall.EROFS
}
