package fs

import (
	"bytes"
	"context"
	"io"
	"os"
	"path/filepath"
	"syscall"
	"testing"

	gofs "github.com/hanwen/go-fuse/v2/fs"
	"github.com/hanwen/go-fuse/v2/fuse"
)

// By default stat reports the listed size and downloads nothing; a read is
// exact whatever the listing said, and stat after an open is exact.
func TestMessageListedSizes(t *testing.T) {
	fx := newFixture()
	fx.mail.listedSizes = true
	mnt := mountFixture(t, fx, MountOptions{ReadOnly: true})
	inbox := filepath.Join(mnt, "Mail", "alice@example.com", "INBOX")
	entries, err := os.ReadDir(inbox)
	if err != nil {
		t.Fatal(err)
	}
	hints := map[string]int64{}
	for _, m := range fx.mail.listed("uuid-alice", "f-inbox") {
		hints[MessageName(m)] = max(m.SizeHint, 0)
	}
	for _, e := range entries {
		fi, err := os.Lstat(filepath.Join(inbox, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		if fi.Size() != hints[e.Name()] {
			t.Errorf("%q: stat size %d before any read, want the listed %d", e.Name(), fi.Size(), hints[e.Name()])
		}
	}
	if n := fx.mail.downloadCount(); n != 0 {
		t.Fatalf("stat of %d messages downloaded %d, want 0", len(entries), n)
	}
	for _, e := range entries {
		p := filepath.Join(inbox, e.Name())
		want := fx.files[filepath.Join("Mail", "alice@example.com", "INBOX", e.Name())].data
		f, err := os.Open(p)
		if err != nil {
			t.Fatal(err)
		}
		fi, err := f.Stat()
		if err != nil || fi.Size() != int64(len(want)) {
			t.Errorf("%q: fstat after open says %d (%v), want the exact %d", e.Name(), fi.Size(), err, len(want))
		}
		got, err := io.ReadAll(f)
		f.Close()
		if err != nil || !bytes.Equal(got, want) {
			t.Errorf("%q: read %d bytes (%v), want %d exact", e.Name(), len(got), err, len(want))
		}
		if fi, err := os.Lstat(p); err != nil || fi.Size() != int64(len(want)) {
			t.Errorf("%q: stat after the read says %d (%v), want %d", e.Name(), fi.Size(), err, len(want))
		}
	}
}

// Open tells the kernel once that a listed size was wrong, and serves a
// wrong-sized message with direct I/O; a right one keeps the page cache.
func TestMessageOpenCorrectsListedSize(t *testing.T) {
	fx := newFixture()
	fx.mail.listedSizes = true
	s := newFsys(Options{Mail: fx.mail})
	invals := 0
	s.invalAttrs = func(*gofs.Inode) { invals++ }
	list := fx.mail.listed("uuid-bob", "b-inbox")
	it := messageItem{mailbox: "uuid-bob", folder: fx.mail.folder("uuid-bob", 0), m: list[0]}
	f := it.node(s, "").(*messageFile)
	ctx := context.Background()
	var out fuse.AttrOut
	if errno := f.Getattr(ctx, nil, &out); errno != 0 || out.Size != uint64(it.m.SizeHint) {
		t.Fatalf("Getattr = %d (%v), want the listed %d", out.Size, errno, it.m.SizeHint)
	}
	if n := fx.mail.downloadCount(); n != 0 {
		t.Fatalf("Getattr downloaded %d messages", n)
	}
	for i := range 2 {
		_, flags, errno := f.Open(ctx, syscall.O_RDONLY)
		if errno != 0 || flags&fuse.FOPEN_DIRECT_IO == 0 {
			t.Fatalf("open %d: flags %#x (%v), want direct I/O for a wrong listed size", i, flags, errno)
		}
	}
	if invals != 1 {
		t.Errorf("two opens invalidated the kernel's attributes %d times, want once", invals)
	}
	raw, _ := fx.mail.Raw(ctx, "uuid-bob", "b-inbox", "1")
	if errno := f.Getattr(ctx, nil, &out); errno != 0 || out.Size != uint64(len(raw)) {
		t.Errorf("Getattr after open = %d (%v), want the exact %d", out.Size, errno, len(raw))
	}

	it.m.SizeHint = int64(len(raw))
	g := it.node(s, "").(*messageFile)
	if _, flags, errno := g.Open(ctx, syscall.O_RDONLY); errno != 0 || flags != fuse.FOPEN_KEEP_CACHE {
		t.Errorf("open of a rightly listed message: flags %#x (%v), want the page cache kept", flags, errno)
	}
	if invals != 1 {
		t.Errorf("a rightly listed message invalidated the kernel's attributes")
	}
}
