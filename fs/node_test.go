package fs

import (
	"context"
	"syscall"
	"testing"
	"time"

	gofs "github.com/hanwen/go-fuse/v2/fs"
	"github.com/hanwen/go-fuse/v2/fuse"
)

// Node methods that need no mount, called directly.

func TestReadHonoursContext(t *testing.T) {
	fx := newFixture()
	s := newFsys(Options{Drives: fx.drives, Mail: fx.mail})
	e, _ := fx.drives.Stat(context.Background(), 101, 10)
	f := newDriveFile(s, "", e)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, errno := f.Read(ctx, &driveHandle{e}, make([]byte, 10), 0); errno != syscall.EINTR {
		t.Errorf("kDrive read with a canceled context: %v, want EINTR", errno)
	}
	m := &messageFile{s: s, it: messageItem{mailbox: "uuid-bob", folder: fx.mail.folder("uuid-bob", 0), m: fx.mail.listed("uuid-bob", "b-inbox")[0]}}
	if _, errno := m.Read(ctx, nil, make([]byte, 10), 0); errno != syscall.EINTR {
		t.Errorf("message read with a canceled context: %v, want EINTR", errno)
	}
}

func TestOpenKeepsCacheOnlyForAnUnchangedVersion(t *testing.T) {
	fx := newFixture()
	s := newFsys(Options{Drives: fx.drives})
	ctx := context.Background()
	e, _ := fx.drives.Stat(ctx, 101, 10)
	f := newDriveFile(s, "", e)
	var invals int
	s.invalAttrs = func(*gofs.Inode) { invals++ }
	var handles []gofs.FileHandle
	openFlags := func() uint32 {
		t.Helper()
		fh, flags, errno := f.Open(ctx, syscall.O_RDONLY)
		if errno != 0 || fh == nil {
			t.Fatalf("Open: %v", errno)
		}
		handles = append(handles, fh)
		return flags
	}
	open := func() uint32 { t.Helper(); return openFlags() & fuse.FOPEN_KEEP_CACHE }
	if open() != 0 {
		t.Error("first open kept the cache")
	}
	if invals != 0 {
		t.Error("the first open invalidated the attributes its lookup had just given")
	}
	if open() == 0 {
		t.Error("second open of the same version dropped the cache")
	}
	old := handles
	handles = nil
	fx.drives.addFile(101, 1, 10, "hello.txt", 14, time.Now()) // new version
	flags := openFlags()
	if flags&fuse.FOPEN_KEEP_CACHE != 0 {
		t.Error("open of a new version kept the old pages")
	}
	if flags&fuse.FOPEN_DIRECT_IO == 0 {
		t.Error("open of a new version while the old one is open fills the page cache the old descriptors read")
	}
	if invals != 1 {
		t.Errorf("open of a new version invalidated the kernel's attributes %d times, want 1: "+
			"it would read up to the old size", invals)
	}
	for _, fh := range append(old, handles...) {
		f.Release(ctx, fh)
	}
	if flags := openFlags(); flags&fuse.FOPEN_KEEP_CACHE != 0 || flags&fuse.FOPEN_DIRECT_IO != 0 {
		t.Errorf("open once the other versions are closed: flags %#x, want page cache, dropped (its pages may be direct I/O's gaps)", flags)
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
	it := messageItem{mailbox: "uuid-bob", folder: fx.mail.folder("uuid-bob", 0), m: fx.mail.listed("uuid-bob", "b-inbox")[0]}
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

// openedFile returns hello.txt of the fixture opened once, outside a mount.
func openedFile(t *testing.T) (*fixture, *driveFile, gofs.FileHandle) {
	t.Helper()
	fx := newFixture()
	s := newFsys(Options{Drives: fx.drives})
	s.invalAttrs = func(*gofs.Inode) {}
	e, _ := fx.drives.Stat(context.Background(), 101, 10)
	f := newDriveFile(s, "", e)
	h, _, errno := f.Open(context.Background(), syscall.O_RDONLY)
	if errno != 0 {
		t.Fatal(errno)
	}
	return fx, f, h
}

func TestSupersededHandle(t *testing.T) {
	fx, f, h1 := openedFile(t)
	ctx := context.Background()
	if _, errno := f.Read(ctx, h1, make([]byte, 4), 0); errno != 0 {
		t.Fatalf("read of the current version: %v", errno)
	}
	fx.drives.addFile(101, 1, 10, "hello.txt", 14, time.Now())
	h2, _, errno := f.Open(ctx, syscall.O_RDONLY)
	if errno != 0 {
		t.Fatal(errno)
	}
	if _, errno := f.Read(ctx, h1, make([]byte, 4), 0); errno != syscall.EIO {
		t.Errorf("read through the superseded handle: %v, want EIO", errno)
	}
	var out fuse.AttrOut
	if errno := f.Getattr(ctx, h1, &out); errno != 0 || out.Size != 14 {
		t.Errorf("getattr through the superseded handle: size %d, %v; want the new version's 14", out.Size, errno)
	}
	if _, errno := f.Read(ctx, h2, make([]byte, 4), 0); errno != 0 {
		t.Errorf("read through the new handle: %v", errno)
	}
}

// A stat by path that finds a newer version while a descriptor reads the
// old one gives the kernel the new size: the old descriptor's reads would
// be cut or zero-padded to it, so they fail until its own fstat gives the
// kernel its version back.
func TestHandleReadsOnlyUnderItsOwnSize(t *testing.T) {
	fx, f, h1 := openedFile(t)
	ctx := context.Background()
	fx.drives.addFile(101, 1, 10, "hello.txt", 14, time.Now())
	var out fuse.AttrOut
	if errno := f.Getattr(ctx, nil, &out); errno != 0 || out.Size != 14 {
		t.Fatalf("stat by path: size %d, %v; want the new 14", out.Size, errno)
	}
	reads := fx.drives.readCount()
	if _, errno := f.Read(ctx, h1, make([]byte, 4), 0); errno != syscall.EIO || fx.drives.readCount() != reads {
		t.Errorf("read of the old version under the new size: %v, %d reads of the source; want EIO and none",
			errno, fx.drives.readCount()-reads)
	}
	if errno := f.Getattr(ctx, h1, &out); errno != 0 || out.Size != 13 {
		t.Fatalf("fstat of the old descriptor: size %d, %v; want its own 13", out.Size, errno)
	}
	// Now the read may go to the source (whose old version is gone here).
	f.Read(ctx, h1, make([]byte, 4), 0)
	if fx.drives.readCount() != reads+1 {
		t.Error("once the kernel holds the descriptor's version again, its read was refused")
	}
}
