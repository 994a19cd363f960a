package fs

import (
	"context"
	"errors"
	"fmt"
	"io"
	"sync"
	"syscall"

	gofs "github.com/hanwen/go-fuse/v2/fs"
	"github.com/hanwen/go-fuse/v2/fuse"

	"github.com/infomaniakfs/infomaniakfs/remote"
)

// driveFile is a kDrive file.
//
// The kernel keeps one size and one page cache per inode, shared by every
// open descriptor, while a remote change can leave descriptors of two
// versions open at once. So the file tracks what the kernel holds: told is
// the version of the last attributes it was given, opened the version of
// the newest open, whose pages it may cache. A descriptor reads only while
// both are its version: otherwise its bytes would land in a cache the
// newer version reads, or be cut or zero-padded to another version's
// size, so it gets EIO instead.
type driveFile struct {
	gofs.Inode
	s    *fsys
	path string

	mu     sync.Mutex
	e      remote.Entry // GUARDED_BY(mu): the newest version seen
	told   string       // GUARDED_BY(mu): version of the kernel's attributes
	opened remote.Entry // GUARDED_BY(mu): version of the newest open
	// dirty: a read found the remote changed under opened, so the next
	// open drops the kernel's pages even if the listing still shows it.
	dirty bool // GUARDED_BY(mu)
	// handles counts the open descriptors of each version. While one of
	// another version is open, an open reads with direct I/O: the page
	// cache is shared by every descriptor, and the old one would read the
	// new version's pages as its own without asking us.
	handles map[string]int // GUARDED_BY(mu)
}

// driveHandle pins the version a file was opened at, so one open file
// never serves bytes of two versions.
type driveHandle struct{ e remote.Entry }

// newDriveFile returns the node of e, whose attributes the kernel is being
// given in the lookup reply that creates it.
func newDriveFile(s *fsys, path string, e remote.Entry) *driveFile {
	return &driveFile{s: s, path: path, e: e, told: e.Version}
}

func (f *driveFile) entry() remote.Entry {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.e
}

// update takes a listed version, whose attributes the kernel was just
// given in a lookup reply.
func (f *driveFile) update(it item) {
	if t, ok := it.(driveEntry); ok {
		f.mu.Lock()
		f.e = t.e
		f.told = t.e.Version
		f.mu.Unlock()
	}
}

// stat asks the source for the current entry (cached there: a listed file
// costs no request) and remembers it.
func (f *driveFile) stat(ctx context.Context) (remote.Entry, error) {
	old := f.entry()
	id := old.ID
	if f.s.writes != nil { // a new file shown before its upload gave it an id
		id = f.s.writes.Resolve(old.DriveID, id)
	}
	e, err := f.s.drives.Stat(ctx, old.DriveID, id)
	if err != nil {
		return remote.Entry{}, err
	}
	e = newDriveEntry(old.DriveID, e).e
	f.mu.Lock()
	f.e = e
	f.mu.Unlock()
	return e, nil
}

// attrsOf returns the version to report through handle h, and records it
// as the kernel's.
func (f *driveFile) attrsOf(h *driveHandle) remote.Entry {
	f.mu.Lock()
	defer f.mu.Unlock()
	e := h.e
	if e.Version != f.opened.Version && f.opened.Version != "" {
		// A superseded descriptor: its version's size would become the
		// inode's, under the reads of the newer one.
		e = f.opened
	}
	f.told = e.Version
	return e
}

func (f *driveFile) Getattr(ctx context.Context, fh gofs.FileHandle, out *fuse.AttrOut) syscall.Errno {
	if f.localGetattr(fh, out) { // write_file.go
		return 0
	}
	// Through an open handle (fstat, and the kernel revalidating before a
	// read) the truth is the version that handle reads: asking the remote
	// would report a size its reads cannot return, and would fail reads of
	// cached bytes while the API is unreachable.
	if h, ok := fh.(*driveHandle); ok {
		driveEntry{f.attrsOf(h)}.attr(ctx, f.s, &out.Attr)
		out.SetTimeout(f.s.attrTimeout)
		return 0
	}
	e, err := f.stat(ctx)
	if err != nil {
		return f.s.errs.fail("getattr", f.path, err)
	}
	f.mu.Lock()
	f.told = e.Version
	f.mu.Unlock()
	driveEntry{e}.attr(ctx, f.s, &out.Attr)
	out.Ino = 0 // the node's own: a new file's id may have changed (write_file.go)
	out.SetTimeout(f.s.attrTimeout)
	return 0
}

func (f *driveFile) Open(ctx context.Context, flags uint32) (gofs.FileHandle, uint32, syscall.Errno) {
	if h, fl, errno, ok := f.openLocal(ctx, flags); ok { // write_file.go
		return h, fl, errno
	}
	e, err := f.stat(ctx)
	if err != nil {
		return nil, 0, f.s.errs.fail("open", f.path, err)
	}
	f.mu.Lock()
	keep := !f.dirty && f.opened.Version == e.Version
	stale := f.told != e.Version
	direct := f.otherOpenLocked(e.Version)
	// The kernel asks for this version's attributes before it reads
	// (stale: once told to forget the others, below).
	// After direct I/O, the next open drops the pages: old descriptors
	// may have left some in the cache meanwhile.
	f.opened, f.dirty, f.told = e, direct, e.Version
	if f.handles == nil {
		f.handles = map[string]int{}
	}
	f.handles[e.Version]++
	f.mu.Unlock()
	if stale {
		// The kernel holds another version's size and would read up to
		// it, padding a shrunk file with zeros: make it ask again (with
		// this handle) before it reads. Attributes only; no page is
		// locked during an open, so the notification cannot deadlock.
		f.s.invalAttrs(f.EmbeddedInode())
	}
	var fuseFlags uint32
	switch {
	case direct:
		fuseFlags = fuse.FOPEN_DIRECT_IO
	case keep:
		fuseFlags = fuse.FOPEN_KEEP_CACHE
	}
	return &driveHandle{e}, fuseFlags, 0
}

func (f *driveFile) Read(ctx context.Context, fh gofs.FileHandle, dest []byte, off int64) (fuse.ReadResult, syscall.Errno) {
	if h, ok := fh.(*writeHandle); ok { // write_file.go
		return h.read(dest, off)
	}
	e := f.entry()
	if h, ok := fh.(*driveHandle); ok {
		e = h.e
		f.mu.Lock()
		superseded := f.opened.Version != "" && e.Version != f.opened.Version ||
			f.told != "" && e.Version != f.told
		f.mu.Unlock()
		if superseded {
			return nil, f.s.errs.fail("read", f.path,
				fmt.Errorf("%w: the kernel now holds another version of the file", remote.ErrChanged))
		}
	}
	n, err := f.s.drives.ReadAt(ctx, e, dest, off)
	if err != nil && !errors.Is(err, io.EOF) {
		if errors.Is(err, remote.ErrChanged) {
			f.mu.Lock()
			f.dirty = true
			f.mu.Unlock()
		}
		return nil, f.s.errs.fail("read", f.path, err)
	}
	return fuse.ReadResultData(dest[:n]), 0
}

// otherOpenLocked reports whether a descriptor of a version other than
// v is open.
func (f *driveFile) otherOpenLocked(v string) bool {
	for ver, n := range f.handles {
		if ver != v && n > 0 {
			return true
		}
	}
	return false
}

// Release forgets a closed descriptor's version.
func (f *driveFile) Release(_ context.Context, fh gofs.FileHandle) syscall.Errno {
	if h, ok := fh.(*writeHandle); ok { // write_file.go
		return f.releaseLocal(h)
	}
	if h, ok := fh.(*driveHandle); ok {
		f.mu.Lock()
		if f.handles[h.e.Version]--; f.handles[h.e.Version] <= 0 {
			delete(f.handles, h.e.Version)
		}
		f.mu.Unlock()
	}
	return 0
}

func (f *driveFile) Statfs(ctx context.Context, out *fuse.StatfsOut) syscall.Errno {
	f.s.statfs(ctx, out)
	return 0
}

// writeFlags reports whether open flags ask for anything but reading.
func writeFlags(flags uint32) bool {
	return flags&syscall.O_ACCMODE != syscall.O_RDONLY || flags&syscall.O_TRUNC != 0
}
