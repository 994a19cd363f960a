package main

import (
	"context"
	"fmt"
	"syscall"

	gofs "github.com/hanwen/go-fuse/v2/fs"
	"github.com/hanwen/go-fuse/v2/fuse"
)

// The FUSE ceiling: an in-process go-fuse mount of one file whose bytes
// come straight from memory, with the mount options infomaniakfs uses
// (1 MiB reads and read-ahead, keep-cache). Reading it measures what FUSE
// itself costs on this machine; no remote file system can beat it.

// ceilPeriod is the repeating pattern's length; reads are at most 1 MiB
// (the kernel's cap), so a 2×period buffer serves any read as one slice.
const ceilPeriod = 1 << 20

var ceilPattern = func() []byte {
	b := make([]byte, 2*ceilPeriod+(1<<20))
	x := uint64(0x9e3779b97f4a7c15)
	for i := range b[:ceilPeriod] {
		x ^= x << 13
		x ^= x >> 7
		x ^= x << 17
		b[i] = byte(x)
	}
	for i := ceilPeriod; i < len(b); i++ {
		b[i] = b[i-ceilPeriod]
	}
	return b
}()

type memRoot struct {
	gofs.Inode
	size int64
}

var _ gofs.NodeOnAdder = (*memRoot)(nil)

func (r *memRoot) OnAdd(ctx context.Context) {
	ch := r.NewPersistentInode(ctx, &memFile{size: r.size}, gofs.StableAttr{Ino: 2})
	r.AddChild(ceilName, ch, false)
}

const ceilName = "big.bin"

type memFile struct {
	gofs.Inode
	size int64
}

var (
	_ gofs.NodeGetattrer = (*memFile)(nil)
	_ gofs.NodeOpener    = (*memFile)(nil)
	_ gofs.NodeReader    = (*memFile)(nil)
)

func (f *memFile) Getattr(_ context.Context, _ gofs.FileHandle, out *fuse.AttrOut) syscall.Errno {
	out.Mode = syscall.S_IFREG | 0o444
	out.Size = uint64(f.size)
	out.Blocks = (uint64(f.size) + 511) / 512
	out.SetTimeout(60e9)
	return 0
}

func (f *memFile) Open(_ context.Context, flags uint32) (gofs.FileHandle, uint32, syscall.Errno) {
	if flags&(syscall.O_WRONLY|syscall.O_RDWR) != 0 {
		return nil, 0, syscall.EROFS
	}
	return nil, fuse.FOPEN_KEEP_CACHE, 0
}

func (f *memFile) Read(_ context.Context, _ gofs.FileHandle, dest []byte, off int64) (fuse.ReadResult, syscall.Errno) {
	return fuse.ReadResultData(ceilSlice(off, len(dest), f.size)), 0
}

// ceilSlice is the file's bytes [off, off+n) clipped to size.
func ceilSlice(off int64, n int, size int64) []byte {
	if off >= size || off < 0 {
		return nil
	}
	n = int(min(int64(n), size-off, int64(len(ceilPattern)-ceilPeriod)))
	start := off % ceilPeriod
	return ceilPattern[start : start+int64(n)]
}

// mountCeiling mounts the memory file at dir; the returned func unmounts.
func mountCeiling(dir string, size int64) (func(), error) {
	srv, err := gofs.Mount(dir, &memRoot{size: size}, &gofs.Options{
		MountOptions: fuse.MountOptions{
			FsName:        "bench-ceiling",
			Name:          "benchceiling",
			Options:       []string{"ro"},
			MaxReadAhead:  1 << 20,
			MaxWrite:      1 << 20,
			DirectMount:   true,
			DisableXAttrs: true,
		},
	})
	if err != nil {
		return nil, fmt.Errorf("ceiling mount: %w", err)
	}
	return func() {
		if err := srv.Unmount(); err != nil {
			unmount(dir)
		}
	}, nil
}
