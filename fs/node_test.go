package fs

import (
	"context"
	"syscall"
	"testing"
	"time"

	"github.com/hanwen/go-fuse/v2/fuse"
)

// Node methods that need no mount, called directly.

func TestReadHonoursContext(t *testing.T) {
	fx := newFixture()
	s := newFsys(Options{Drives: fx.drives, Mail: fx.mail})
	e, _ := fx.drives.Stat(context.Background(), 101, 10)
	f := &driveFile{s: s, e: e}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, errno := f.Read(ctx, &driveHandle{e}, make([]byte, 10), 0); errno != syscall.EINTR {
		t.Errorf("kDrive read with a canceled context: %v, want EINTR", errno)
	}
	m := &messageFile{s: s, it: messageItem{mailbox: "uuid-bob", folder: fx.mail.folders["uuid-bob"][0], m: fx.mail.msgs[mailKey("uuid-bob", "b-inbox")][0]}}
	if _, errno := m.Read(ctx, nil, make([]byte, 10), 0); errno != syscall.EINTR {
		t.Errorf("message read with a canceled context: %v, want EINTR", errno)
	}
}

func TestOpenKeepsCacheOnlyForAnUnchangedVersion(t *testing.T) {
	fx := newFixture()
	s := newFsys(Options{Drives: fx.drives})
	ctx := context.Background()
	e, _ := fx.drives.Stat(ctx, 101, 10)
	f := &driveFile{s: s, e: e}
	open := func() uint32 {
		t.Helper()
		fh, flags, errno := f.Open(ctx, syscall.O_RDONLY)
		if errno != 0 || fh == nil {
			t.Fatalf("Open: %v", errno)
		}
		return flags & fuse.FOPEN_KEEP_CACHE
	}
	if open() != 0 {
		t.Error("first open kept the cache")
	}
	if open() == 0 {
		t.Error("second open of the same version dropped the cache")
	}
	fx.drives.addFile(101, 1, 10, "hello.txt", 14, time.Now()) // new version
	if open() != 0 {
		t.Error("open of a new version kept the old pages")
	}
	if open() == 0 {
		t.Error("reopen of the new version dropped the cache")
	}
	for _, flags := range []uint32{syscall.O_WRONLY, syscall.O_RDWR, syscall.O_RDONLY | syscall.O_TRUNC} {
		if _, _, errno := f.Open(ctx, flags); errno != syscall.EROFS {
			t.Errorf("Open(%#x) = %v, want EROFS", flags, errno)
		}
	}
}

func TestMessageAttrNeverDownloads(t *testing.T) {
	fx := newFixture()
	s := newFsys(Options{Mail: fx.mail})
	it := messageItem{mailbox: "uuid-bob", folder: fx.mail.folders["uuid-bob"][0], m: fx.mail.msgs[mailKey("uuid-bob", "b-inbox")][0]}
	var out fuse.Attr
	if exact := it.attr(context.Background(), s, &out); exact || out.Size != 1 {
		t.Errorf("unknown size: exact=%v size=%d, want the hint (1) marked inexact", exact, out.Size)
	}
	if n := fx.mail.downloadCount(); n != 0 {
		t.Fatalf("attr downloaded %d messages", n)
	}
	want, _ := fx.mail.Size(context.Background(), "uuid-bob", "b-inbox", "1")
	if exact := it.attr(context.Background(), s, &out); !exact || int64(out.Size) != want {
		t.Errorf("known size: exact=%v size=%d, want %d exact", exact, out.Size, want)
	}
}
