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
//
// stat reports the listed size (unless the mount wants exact sizes, see
// MailSource.ExactSizes); opening learns the exact one, since the read
// that follows downloads the message anyway. If the listing was wrong,
// Open tells the kernel to forget the size it holds, so an fstat after
// open (cp, rsync, tar) sees the truth, and serves that open with direct
// I/O, so even a reader holding the old size reads to the real end.
type messageFile struct {
	gofs.Inode
	s    *fsys
	path string

	mu        sync.Mutex
	it        messageItem // GUARDED_BY(mu)
	corrected bool        // GUARDED_BY(mu): the kernel was told the listing was wrong
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

// size returns the size stat reports: the exact one when known, else the
// listed one, or, when stat must be exact, the exact one downloaded.
func (f *messageFile) size(ctx context.Context) (int64, error) {
	t := f.item()
	if n, ok := f.s.mail.KnownSize(t.mailbox, t.folder.ID, t.m.UID); ok {
		return n, nil
	}
	if !f.s.mail.ExactSizes() {
		return t.m.SizeHint, nil
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
	t := f.item()
	n, err := f.s.mail.Size(ctx, t.mailbox, t.folder.ID, t.m.UID)
	if err != nil {
		return nil, 0, f.s.errs.fail("open", f.path, err)
	}
	if n == t.m.SizeHint || f.s.mail.ExactSizes() {
		return nil, fuse.FOPEN_KEEP_CACHE, 0
	}
	f.mu.Lock()
	tell := !f.corrected
	f.corrected = true
	f.mu.Unlock()
	if tell {
		// Attributes only; no page is locked during an open, so the
		// notification cannot deadlock.
		f.s.invalAttrs(f.EmbeddedInode())
	}
	return nil, fuse.FOPEN_DIRECT_IO, 0
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
