package fs

import (
	"context"
	"strconv"
	"time"

	gofs "github.com/hanwen/go-fuse/v2/fs"
	"github.com/hanwen/go-fuse/v2/fuse"
)

// The fixed directories: the mount root, kDrive/ and Mail/. They have no
// remote time of their own, so they show the newest time of what they
// hold, from the remote's data only: nothing may change between two
// mounts of unchanged data (never the mount time). kDrive/ is dated by
// its drives' root folders (cached stats); Mail/, a mailbox and a mail
// folder by their newest message among the listings already cached (no
// request: dating a folder must not list it), else by their parent's
// date; the root by the newest of both. The epoch only when nothing is
// known (an account without drives whose mail was never listed).

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
func (t staticDir) attr(ctx context.Context, s *fsys, out *fuse.Attr) bool {
	var mtime time.Time
	switch t.ino {
	case inoRoot:
		mtime = latest(s.drivesTime(ctx), s.mailTime(ctx, "", ""))
	case inoDrivesTop:
		mtime = s.drivesTime(ctx)
	case inoMailTop:
		mtime = s.mailTime(ctx, "", "")
	}
	s.dirAttr(out, t.ino, orEpoch(mtime))
	return true
}

// datingTimeout bounds the requests that date kDrive/: a stat of the
// root never waits long on a server that does not answer.
const datingTimeout = 5 * time.Second

// mailDater is what a MailSource may offer to date mail folders without
// a request (cache.Mail does); without it they take kDrive/'s date.
type mailDater interface {
	NewestMessage(mailbox, folderID string) (time.Time, bool)
}

// drivesTime is the newest mtime of the drives' root folders (zero if
// none is known). The drive list and the root stats are cached: after the
// first look, this costs no request.
func (s *fsys) drivesTime(ctx context.Context) time.Time {
	var newest time.Time
	if s.drives == nil {
		return newest
	}
	ctx, cancel := context.WithTimeout(ctx, datingTimeout)
	defer cancel()
	drives, err := s.drives.Drives(ctx)
	if err != nil {
		return newest
	}
	for _, d := range drives {
		if e, err := s.drives.Stat(ctx, d.ID, kdriveRootID); err == nil {
			newest = latest(newest, e.MTime)
		}
	}
	return newest
}

// mailTime dates a mail directory: the newest message cached under it
// (mailbox "" for Mail/, folderID "" for a whole mailbox), else the date
// of kDrive/.
func (s *fsys) mailTime(ctx context.Context, mailbox, folderID string) time.Time {
	if md, ok := s.mail.(mailDater); ok {
		if t, ok := md.NewestMessage(mailbox, folderID); ok {
			return t
		}
	}
	return s.drivesTime(ctx)
}

func latest(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}

func orEpoch(t time.Time) time.Time {
	if t.IsZero() {
		return epoch
	}
	return t
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
