package fs

import (
	"context"
	"errors"
	"io"
	"sync"
	"syscall"

	gofs "github.com/hanwen/go-fuse/v2/fs"
	"github.com/hanwen/go-fuse/v2/fuse"
)

// messageFile is one message as an .eml file. A (mailbox, folder, uid)
// never changes content, so the kernel may always keep its pages.
type messageFile struct {
	gofs.Inode
	s    *fsys
	path string

	mu sync.Mutex
	it messageItem // GUARDED_BY(mu)
}

func (f *messageFile) item() messageItem {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.it
}

func (f *messageFile) update(it item) {
	if t, ok := it.(messageItem); ok {
		f.mu.Lock()
		f.it = t
		f.mu.Unlock()
	}
}

// size returns the exact size, downloading the message once if needed:
// stat must tell the truth, and the listed size is only a hint.
func (f *messageFile) size(ctx context.Context) (int64, error) {
	t := f.item()
	if n, ok := f.s.mail.KnownSize(t.mailbox, t.folder.ID, t.m.UID); ok {
		return n, nil
	}
	return f.s.mail.Size(ctx, t.mailbox, t.folder.ID, t.m.UID)
}

func (f *messageFile) Getattr(ctx context.Context, _ gofs.FileHandle, out *fuse.AttrOut) syscall.Errno {
	n, err := f.size(ctx)
	if err != nil {
		return f.s.errs.fail("getattr", f.path, err)
	}
	t := f.item()
	f.s.fileAttr(&out.Attr, t.ino(), n, t.m.Date)
	out.SetTimeout(f.s.attrTimeout)
	return 0
}

func (f *messageFile) Open(ctx context.Context, flags uint32) (gofs.FileHandle, uint32, syscall.Errno) {
	if writeFlags(flags) {
		return nil, 0, syscall.EROFS
	}
	// Learn the exact size before the first read, so the kernel's next
	// attribute refresh (the hint was given with a zero timeout) is right.
	if _, err := f.size(ctx); err != nil {
		return nil, 0, f.s.errs.fail("open", f.path, err)
	}
	return nil, fuse.FOPEN_KEEP_CACHE, 0
}

func (f *messageFile) Read(ctx context.Context, _ gofs.FileHandle, dest []byte, off int64) (fuse.ReadResult, syscall.Errno) {
	t := f.item()
	n, err := f.s.mail.ReadAt(ctx, t.mailbox, t.folder.ID, t.m.UID, dest, off)
	if err != nil && !errors.Is(err, io.EOF) {
		return nil, f.s.errs.fail("read", f.path, err)
	}
	return fuse.ReadResultData(dest[:n]), 0
}

func (f *messageFile) Statfs(ctx context.Context, out *fuse.StatfsOut) syscall.Errno {
	f.s.statfs(ctx, out)
	return 0
}
