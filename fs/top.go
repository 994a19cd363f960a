package fs

import (
	"context"
	"strconv"

	gofs "github.com/hanwen/go-fuse/v2/fs"
	"github.com/hanwen/go-fuse/v2/fuse"
)

// The fixed directories: the mount root, kDrive/ and Mail/. They have no
// remote time, so they show the epoch: nothing may change between mounts.

// staticDir is the shared part of the fixed directories.
type staticDir struct {
	label string
	ino   uint64
}

func (t staticDir) name() string { return t.label }
func (t staticDir) id() string   { return strconv.FormatUint(t.ino, 10) }
func (t staticDir) stable() gofs.StableAttr {
	return gofs.StableAttr{Mode: fuse.S_IFDIR, Ino: t.ino}
}
func (t staticDir) attr(_ context.Context, s *fsys, out *fuse.Attr) bool {
	s.dirAttr(out, t.ino, epoch)
	return true
}

// rootDir is the mount root.
type rootDir struct{}

var rootStatic = staticDir{label: "", ino: inoRoot}

func (rootDir) name() string                          { return rootStatic.name() }
func (rootDir) id() string                            { return rootStatic.id() }
func (rootDir) stable() gofs.StableAttr               { return rootStatic.stable() }
func (rootDir) node(*fsys, string) gofs.InodeEmbedder { return nil } // never a child
func (rootDir) attr(ctx context.Context, s *fsys, out *fuse.Attr) bool {
	return rootStatic.attr(ctx, s, out)
}

func (rootDir) list(_ context.Context, s *fsys) ([]item, error) {
	var items []item
	if s.drives != nil {
		items = append(items, drivesDir{staticDir{label: "kDrive", ino: inoDrivesTop}})
	}
	if s.mail != nil {
		items = append(items, mailboxesDir{staticDir{label: "Mail", ino: inoMailTop}})
	}
	return items, nil
}

// newDir makes the node of a directory item.
func newDir(s *fsys, src dirSource, path string) gofs.InodeEmbedder {
	return &dirNode{s: s, src: src, path: path}
}
