package fs

import (
	"context"
	"errors"
	"io"
	"sync"
	"syscall"

	gofs "github.com/hanwen/go-fuse/v2/fs"
	"github.com/hanwen/go-fuse/v2/fuse"

	"github.com/infomaniakfs/infomaniakfs/remote"
)

// driveFile is a kDrive file.
type driveFile struct {
	gofs.Inode
	s    *fsys
	path string

	mu sync.Mutex
	e  remote.Entry // GUARDED_BY(mu): the newest version seen
	// kept is the version whose pages the kernel may hold: an open of the
	// same version keeps them (FOPEN_KEEP_CACHE), any other drops them.
	kept string // GUARDED_BY(mu)
}

// driveHandle pins the version a file was opened at, so one open file
// never serves bytes of two versions.
type driveHandle struct{ e remote.Entry }

func (f *driveFile) entry() remote.Entry {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.e
}

func (f *driveFile) update(it item) {
	if t, ok := it.(driveEntry); ok {
		f.mu.Lock()
		f.e = t.e
		f.mu.Unlock()
	}
}

// stat asks the source for the current entry (cached there: a listed file
// costs no request) and remembers it.
func (f *driveFile) stat(ctx context.Context) (remote.Entry, error) {
	old := f.entry()
	e, err := f.s.drives.Stat(ctx, old.DriveID, old.ID)
	if err != nil {
		return remote.Entry{}, err
	}
	f.update(newDriveEntry(old.DriveID, e))
	return f.entry(), nil
}

func (f *driveFile) Getattr(ctx context.Context, fh gofs.FileHandle, out *fuse.AttrOut) syscall.Errno {
	// Through an open handle (fstat, and the kernel revalidating before a
	// read) the truth is the version that handle reads: asking the remote
	// would report a size its reads cannot return, and would fail reads of
	// cached bytes while the API is unreachable.
	if h, ok := fh.(*driveHandle); ok {
		driveEntry{h.e}.attr(ctx, f.s, &out.Attr)
		out.SetTimeout(f.s.attrTimeout)
		return 0
	}
	e, err := f.stat(ctx)
	if err != nil {
		return f.s.errs.fail("getattr", f.path, err)
	}
	driveEntry{e}.attr(ctx, f.s, &out.Attr)
	out.SetTimeout(f.s.attrTimeout)
	return 0
}

func (f *driveFile) Open(ctx context.Context, flags uint32) (gofs.FileHandle, uint32, syscall.Errno) {
	if writeFlags(flags) {
		return nil, 0, syscall.EROFS
	}
	e, err := f.stat(ctx)
	if err != nil {
		return nil, 0, f.s.errs.fail("open", f.path, err)
	}
	f.mu.Lock()
	keep := f.kept != "" && f.kept == e.Version
	f.kept = e.Version
	f.mu.Unlock()
	var fuseFlags uint32
	if keep {
		fuseFlags = fuse.FOPEN_KEEP_CACHE
	}
	return &driveHandle{e}, fuseFlags, 0
}

func (f *driveFile) Read(ctx context.Context, fh gofs.FileHandle, dest []byte, off int64) (fuse.ReadResult, syscall.Errno) {
	e := f.entry()
	if h, ok := fh.(*driveHandle); ok {
		e = h.e
	}
	n, err := f.s.drives.ReadAt(ctx, e, dest, off)
	if err != nil && !errors.Is(err, io.EOF) {
		if errors.Is(err, remote.ErrChanged) {
			f.mu.Lock()
			f.kept = "" // the next open must drop the pages of the old version
			f.mu.Unlock()
		}
		return nil, f.s.errs.fail("read", f.path, err)
	}
	return fuse.ReadResultData(dest[:n]), 0
}

func (f *driveFile) Statfs(ctx context.Context, out *fuse.StatfsOut) syscall.Errno {
	f.s.statfs(ctx, out)
	return 0
}

// writeFlags reports whether open flags ask for anything but reading.
func writeFlags(flags uint32) bool {
	return flags&syscall.O_ACCMODE != syscall.O_RDONLY || flags&syscall.O_TRUNC != 0
}
