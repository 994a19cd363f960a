package fs

import (
	"context"
	"errors"
	"io"
	"sync/atomic"
	"syscall"

	gofs "github.com/hanwen/go-fuse/v2/fs"
	"github.com/hanwen/go-fuse/v2/fuse"

	"github.com/infomaniakfs/infomaniakfs/remote"
	"github.com/infomaniakfs/infomaniakfs/writeback"
)

// File writes. A file open for writing, or written and not uploaded yet,
// is a writeback.Local: every descriptor of it reads and writes the one
// staging file, with direct I/O, so what was written shows at once and
// the kernel never caches a page the upload would contradict.

// writeHandle is a descriptor of a local file.
type writeHandle struct {
	l      *writeback.Local
	append bool // O_APPEND: every write goes to the end
	// wrote: this descriptor changed the content (created, truncated or
	// written it), so its close queues an upload; a reader's close must
	// not upload what another descriptor is half-way through writing.
	wrote atomic.Bool
}

func newWriteHandle(l *writeback.Local, flags uint32, wrote bool) *writeHandle {
	h := &writeHandle{l: l, append: flags&syscall.O_APPEND != 0}
	h.wrote.Store(wrote)
	return h
}

// openLocal opens f through writeback when it must: for writing, or for
// reading a file whose newest content is local. ok false: the read-only
// path goes on.
func (f *driveFile) openLocal(ctx context.Context, flags uint32) (h gofs.FileHandle, fl uint32, errno syscall.Errno, ok bool) {
	if f.s.writes == nil {
		if writeFlags(flags) {
			return nil, 0, syscall.EROFS, true
		}
		return nil, 0, 0, false
	}
	e := f.entry()
	if !writeFlags(flags) {
		if l := f.s.writes.Hold(e.DriveID, e.ID); l != nil {
			return newWriteHandle(l, flags, false), fuse.FOPEN_DIRECT_IO, 0, true
		}
		return nil, 0, 0, false
	}
	trunc := flags&syscall.O_TRUNC != 0
	if f.s.writes.Local(e.DriveID, e.ID) == nil {
		// The remote's newest: the content to start from, and the version
		// the upload is based on (a new file's id is its real one now).
		var err error
		if e, err = f.stat(ctx); err != nil {
			return nil, 0, f.s.errs.fail("open", f.path, err), true
		}
	}
	l, err := f.s.writes.Open(ctx, e, trunc, func(ctx context.Context) (io.Reader, error) {
		return io.NewSectionReader(readerAt{ctx, f.s.drives, e}, 0, e.Size), nil
	})
	if err != nil {
		return nil, 0, f.s.errs.fail("open", f.path, err), true
	}
	return newWriteHandle(l, flags, trunc), fuse.FOPEN_DIRECT_IO, 0, true
}

// readerAt reads a remote file through the source (its caches).
type readerAt struct {
	ctx context.Context
	src DriveSource
	e   remote.Entry
}

func (r readerAt) ReadAt(p []byte, off int64) (int, error) { return r.src.ReadAt(r.ctx, r.e, p, off) }

// local is the local file f shows, if any.
func (f *driveFile) local() *writeback.Local {
	if f.s.writes == nil {
		return nil
	}
	e := f.entry()
	return f.s.writes.Local(e.DriveID, e.ID)
}

// localGetattr answers Getattr for a local file; ok false otherwise.
func (f *driveFile) localGetattr(fh gofs.FileHandle, out *fuse.AttrOut) (ok bool) {
	l := f.local()
	if h, isW := fh.(*writeHandle); isW {
		l = h.l
	}
	if l == nil {
		return false
	}
	f.localAttr(l, out)
	return true
}

func (f *driveFile) localAttr(l *writeback.Local, out *fuse.AttrOut) {
	e := l.Entry()
	f.s.fileAttr(&out.Attr, driveItemIno(e.DriveID, e.ID), e.Size, e.MTime)
	out.Mode = rwFileMode
	out.Ino = 0       // go-fuse puts the node's own
	out.SetTimeout(0) // sizes change under writes: always ask
}

func (h *writeHandle) read(dest []byte, off int64) (fuse.ReadResult, syscall.Errno) {
	n, err := h.l.ReadAt(dest, off)
	if err != nil && !errors.Is(err, io.EOF) {
		return nil, syscall.EIO
	}
	return fuse.ReadResultData(dest[:n]), 0
}

func (f *driveFile) Write(ctx context.Context, fh gofs.FileHandle, data []byte, off int64) (uint32, syscall.Errno) {
	h, ok := fh.(*writeHandle)
	if !ok {
		return 0, syscall.EBADF
	}
	if h.append {
		e := h.l.Entry()
		off = e.Size
	}
	h.wrote.Store(true)
	n, err := h.l.WriteAt(data, off)
	if err != nil {
		return uint32(n), f.s.errs.fail("write", f.path, err)
	}
	return uint32(n), 0
}

// Flush (each close) queues the upload; it does not wait for it.
func (f *driveFile) Flush(ctx context.Context, fh gofs.FileHandle) syscall.Errno {
	if h, ok := fh.(*writeHandle); ok && h.wrote.Load() {
		if err := f.s.writes.Commit(h.l); err != nil {
			return f.s.errs.fail("flush", f.path, err)
		}
	}
	return 0
}

// Fsync returns once the server acknowledged the content.
func (f *driveFile) Fsync(ctx context.Context, fh gofs.FileHandle, _ uint32) syscall.Errno {
	if h, ok := fh.(*writeHandle); ok {
		if err := f.s.writes.Sync(ctx, h.l); err != nil {
			return f.s.errs.fail("fsync", f.path, err)
		}
	}
	return 0
}

func (f *driveFile) releaseLocal(h *writeHandle) syscall.Errno {
	if err := f.s.writes.Release(h.l); err != nil {
		return f.s.errs.fail("release", f.path, err)
	}
	return 0
}

// Setattr takes a size (truncate) and an mtime; mode and owner are
// accepted and ignored (kDrive has neither).
func (f *driveFile) Setattr(ctx context.Context, fh gofs.FileHandle, in *fuse.SetAttrIn, out *fuse.AttrOut) syscall.Errno {
	if f.s.writes == nil {
		return syscall.EROFS
	}
	if size, ok := in.GetSize(); ok {
		if errno := f.truncate(ctx, fh, int64(size)); errno != 0 {
			return errno
		}
	}
	if mt, ok := in.GetMTime(); ok {
		if err := f.s.writes.SetMTime(ctx, f.writeEntry(fh), mt); err != nil {
			return f.s.errs.fail("setattr", f.path, err)
		}
	}
	return f.Getattr(ctx, fh, out)
}

// writeEntry is the item a setattr through fh changes: the local file fh
// writes, else the node's.
func (f *driveFile) writeEntry(fh gofs.FileHandle) remote.Entry {
	if h, ok := fh.(*writeHandle); ok {
		return h.l.Entry()
	}
	return f.entry()
}

// truncate sets the size, through fh or a handle of its own.
func (f *driveFile) truncate(ctx context.Context, fh gofs.FileHandle, size int64) syscall.Errno {
	if h, ok := fh.(*writeHandle); ok {
		h.wrote.Store(true)
		if err := h.l.Truncate(size); err != nil {
			return f.s.errs.fail("truncate", f.path, err)
		}
		return 0
	}
	flags := uint32(syscall.O_WRONLY)
	if size == 0 {
		flags |= syscall.O_TRUNC
	}
	h, _, errno, _ := f.openLocal(ctx, flags)
	if errno != 0 {
		return errno
	}
	w := h.(*writeHandle)
	err := w.l.Truncate(size)
	if errno := f.releaseLocal(w); err == nil && errno != 0 {
		return errno
	}
	if err != nil {
		return f.s.errs.fail("truncate", f.path, err)
	}
	return 0
}
