package fs

import (
	"context"
	"syscall"

	gofs "github.com/hanwen/go-fuse/v2/fs"
	"github.com/hanwen/go-fuse/v2/fuse"

	"github.com/infomaniakfs/infomaniakfs/remote"
)

// Directory writes. Only the folders of a drive take them, and only on a
// read-write mount (Options.Writes); the rest of the tree answers EROFS
// (the drive roots EACCES: kDrive itself refuses writes there). The
// logic lives in writeback.Files; these only map names to items and
// errors to errno.

// folder is the drive folder d is, if writes may go to it.
func (d *dirNode) folder() (remote.Entry, syscall.Errno) {
	if d.s.writes == nil {
		return remote.Entry{}, syscall.EROFS
	}
	switch src := d.source().(type) {
	case driveEntry:
		return src.e, 0
	case driveDir:
		return remote.Entry{}, syscall.EACCES
	}
	return remote.Entry{}, syscall.EROFS
}

// named is the drive item d lists as name.
func (d *dirNode) named(ctx context.Context, name string) (remote.Entry, syscall.Errno) {
	l, err := d.lookupListing(ctx)
	if err != nil {
		return remote.Entry{}, d.s.errs.fail("lookup", d.path+"/"+name, err)
	}
	it, ok := l.items[name].(driveEntry)
	if !ok {
		return remote.Entry{}, syscall.ENOENT
	}
	return it.e, 0
}

// added answers a new child: the listing is relisted next time (with the
// overlay), and the kernel learns the node now.
func (d *dirNode) added(ctx context.Context, name string, e remote.Entry, out *fuse.EntryOut) *gofs.Inode {
	d.forgetListing()
	return d.child(ctx, name, driveEntry{e}, out)
}

func (d *dirNode) Create(ctx context.Context, name string, flags uint32, _ uint32, out *fuse.EntryOut) (*gofs.Inode, gofs.FileHandle, uint32, syscall.Errno) {
	dir, errno := d.folder()
	if errno != 0 {
		return nil, nil, 0, errno
	}
	l, err := d.s.writes.Create(dir.DriveID, dir.ID, name)
	if err != nil {
		return nil, nil, 0, d.s.errs.fail("create", d.path+"/"+name, err)
	}
	ch := d.added(ctx, name, l.Entry(), out)
	return ch, newWriteHandle(l, flags, true), fuse.FOPEN_DIRECT_IO, 0
}

func (d *dirNode) Mkdir(ctx context.Context, name string, _ uint32, out *fuse.EntryOut) (*gofs.Inode, syscall.Errno) {
	dir, errno := d.folder()
	if errno != 0 {
		return nil, errno
	}
	e, err := d.s.writes.Mkdir(ctx, dir.DriveID, dir.ID, name)
	if err != nil {
		return nil, d.s.errs.fail("mkdir", d.path+"/"+name, err)
	}
	return d.added(ctx, name, newDriveEntry(dir.DriveID, e).e, out), 0
}

func (d *dirNode) Unlink(ctx context.Context, name string) syscall.Errno {
	dir, errno := d.folder()
	if errno != 0 {
		return errno
	}
	e, errno := d.named(ctx, name)
	switch {
	case errno != 0:
		return errno
	case e.IsDir:
		return syscall.EISDIR
	}
	defer d.forgetListing()
	if err := d.s.writes.Unlink(ctx, dir.DriveID, dir.ID, e); err != nil {
		return d.s.errs.fail("unlink", d.path+"/"+name, err)
	}
	return 0
}

func (d *dirNode) Rmdir(ctx context.Context, name string) syscall.Errno {
	dir, errno := d.folder()
	if errno != 0 {
		return errno
	}
	e, errno := d.named(ctx, name)
	switch {
	case errno != 0:
		return errno
	case !e.IsDir:
		return syscall.ENOTDIR
	}
	defer d.forgetListing()
	if err := d.rmdir(ctx, dir, e); err != nil {
		return d.s.errs.fail("rmdir", d.path+"/"+name, err)
	}
	return 0
}

// rmdir trashes folder e of dir if it is empty, asking the remote afresh.
func (d *dirNode) rmdir(ctx context.Context, dir, e remote.Entry) error {
	d.s.writes.Forget(e.DriveID, e.ID)
	mark := d.s.writes.Mark()
	children, err := d.s.drives.List(ctx, e.DriveID, e.ID)
	if err != nil {
		return err
	}
	return d.s.writes.Rmdir(ctx, e.DriveID, dir.ID, e, children, mark)
}

func (d *dirNode) Rename(ctx context.Context, name string, newParent gofs.InodeEmbedder, newName string, flags uint32) syscall.Errno {
	dir, errno := d.folder()
	if errno != 0 {
		return errno
	}
	nd, ok := newParent.(*dirNode)
	if !ok {
		return syscall.EXDEV
	}
	to, errno := nd.folder()
	if errno != 0 {
		return errno
	}
	if to.DriveID != dir.DriveID {
		return syscall.EXDEV // mv copies
	}
	if flags&^uint32(1) != 0 { // RENAME_EXCHANGE, RENAME_WHITEOUT
		return syscall.EINVAL
	}
	e, errno := d.named(ctx, name)
	if errno != 0 {
		return errno
	}
	defer d.forgetListing()
	defer nd.forgetListing()
	if errno := nd.replace(ctx, to, e, newName, flags&1 != 0); errno != 0 {
		return errno
	}
	if err := d.s.writes.Rename(ctx, dir.DriveID, e, dir.ID, to.ID, newName); err != nil {
		return d.s.errs.fail("rename", d.path+"/"+name, err)
	}
	return 0
}

// replace makes way for e under name in d (folder to), as POSIX rename
// does: an existing target goes to the trash, if it may be replaced.
func (d *dirNode) replace(ctx context.Context, to, e remote.Entry, name string, noReplace bool) syscall.Errno {
	t, errno := d.named(ctx, name)
	switch {
	case errno == syscall.ENOENT:
		return 0
	case errno != 0:
		return errno
	case noReplace:
		return syscall.EEXIST
	case t.ID == e.ID:
		return 0
	case t.IsDir && !e.IsDir:
		return syscall.EISDIR
	case !t.IsDir && e.IsDir:
		return syscall.ENOTDIR
	}
	var err error
	if t.IsDir {
		err = d.rmdir(ctx, to, t)
	} else {
		err = d.s.writes.Unlink(ctx, to.DriveID, to.ID, t)
	}
	if err != nil {
		return d.s.errs.fail("rename", d.path+"/"+name, err)
	}
	return 0
}

// Setattr takes a folder's mtime; mode and owner are accepted and ignored
// (kDrive has neither).
func (d *dirNode) Setattr(ctx context.Context, _ gofs.FileHandle, in *fuse.SetAttrIn, out *fuse.AttrOut) syscall.Errno {
	dir, errno := d.folder()
	if errno != 0 {
		return errno
	}
	if mt, ok := in.GetMTime(); ok {
		if err := d.s.writes.SetMTime(ctx, dir, mt); err != nil {
			return d.s.errs.fail("setattr", d.path, err)
		}
	}
	return d.Getattr(ctx, nil, out)
}

func (d *dirNode) Mknod(context.Context, string, uint32, uint32, *fuse.EntryOut) (*gofs.Inode, syscall.Errno) {
	if _, errno := d.folder(); errno != 0 {
		return nil, errno
	}
	return nil, syscall.EPERM // regular files come through Create
}

func (d *dirNode) Link(context.Context, gofs.InodeEmbedder, string, *fuse.EntryOut) (*gofs.Inode, syscall.Errno) {
	if _, errno := d.folder(); errno != 0 {
		return nil, errno
	}
	return nil, syscall.EPERM // kDrive has no hard links
}

func (d *dirNode) Symlink(context.Context, string, string, *fuse.EntryOut) (*gofs.Inode, syscall.Errno) {
	if _, errno := d.folder(); errno != 0 {
		return nil, errno
	}
	return nil, syscall.EPERM // nor symbolic ones
}
