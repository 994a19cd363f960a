package fs

import (
	"context"
	"log/slog"
	"sync/atomic"
	"time"

	gofs "github.com/hanwen/go-fuse/v2/fs"

	"github.com/infomaniakfs/infomaniakfs/remote"
	"github.com/infomaniakfs/infomaniakfs/writeback"
)

// DriveSource is what the kDrive part of the tree reads from: the drive
// contract plus random-access reads. cache.Drives implements it; its
// cache decides how fresh listings are.
type DriveSource interface {
	remote.Drives
	// ReadAt reads file e's bytes at off into p, with io.ReaderAt
	// semantics (n < len(p) only with an error, io.EOF at the end).
	ReadAt(ctx context.Context, e remote.Entry, p []byte, off int64) (int, error)
}

// MailSource is what the Mail part of the tree reads from. cache.Mail
// implements it.
type MailSource interface {
	remote.Mail
	// Size returns the exact byte length of a message, downloading it
	// once if it is not known yet.
	Size(ctx context.Context, mailbox, folderID, uid string) (int64, error)
	// KnownSize returns the exact size if it is known without a request.
	KnownSize(mailbox, folderID, uid string) (int64, bool)
	// ExactSizes reports whether stat must wait for the exact size; if
	// not, it reports the listed size until the message is opened.
	ExactSizes() bool
	// ReadAt reads a message's bytes at off, io.ReaderAt semantics.
	ReadAt(ctx context.Context, mailbox, folderID, uid string, p []byte, off int64) (int, error)
}

// Options configure the tree.
type Options struct {
	Drives DriveSource // nil: no kDrive/ directory
	Mail   MailSource  // nil: no Mail/ directory
	// UID and GID own every file and directory.
	UID, GID uint32
	// EntryTimeout and AttrTimeout say how long the kernel may cache names
	// and attributes. 0 means the default, one minute; a negative value
	// turns the kernel caches off.
	EntryTimeout, AttrTimeout time.Duration
	Logger                    *slog.Logger // nil: discard
	// Listings is told of every kDrive folder listed (nil: nobody).
	Listings ListingWatcher
	// Writes makes kDrive folders and files writable through it (nil:
	// the tree is read-only). Mail stays read-only either way.
	Writes *writeback.Files
}

const defaultTimeout = time.Minute

// fsys is what every node shares: the sources and the settings.
type fsys struct {
	drives       DriveSource
	mail         MailSource
	uid, gid     uint32
	entryTimeout time.Duration
	attrTimeout  time.Duration
	log          *slog.Logger
	errs         *errLog
	now          func() time.Time
	// invalAttrs makes the kernel forget an inode's attributes; tests of
	// nodes outside a mount replace it.
	invalAttrs func(*gofs.Inode)
	// dirs finds the live kDrive folders a change touches; kernel tells
	// the kernel what to forget.
	dirs     dirRegistry
	kernel   kernelNotifier
	quota    atomic.Pointer[quota] // the last known, see statfs
	listings ListingWatcher        // nil: none (thumbnails.go)
	writes   *writeback.Files      // nil: read-only (write_*.go)
}

func newFsys(o Options) *fsys {
	log := o.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &fsys{
		drives:       o.Drives,
		mail:         o.Mail,
		listings:     o.Listings,
		writes:       o.Writes,
		uid:          o.UID,
		gid:          o.GID,
		entryTimeout: timeoutOrDefault(o.EntryTimeout),
		attrTimeout:  timeoutOrDefault(o.AttrTimeout),
		log:          log,
		errs:         newErrLog(log),
		now:          time.Now,
		invalAttrs:   func(n *gofs.Inode) { n.NotifyContent(-1, 0) },
		kernel:       goFuseNotifier{},
	}
}

func timeoutOrDefault(d time.Duration) time.Duration {
	switch {
	case d == 0:
		return defaultTimeout
	case d < 0:
		return 0
	}
	return d
}

// NewRoot returns the root of the tree: kDrive/ (when o.Drives is set)
// and Mail/ (when o.Mail is set). Mount it with Mount. When o.Drives
// reports changes (cache.Drives.SubscribeDriveChanges), the tree tells
// the kernel what each one touches; the subscription lasts as long as
// o.Drives, which the caller closes after unmounting.
func NewRoot(o Options) gofs.InodeEmbedder {
	s := newFsys(o)
	if src, ok := o.Drives.(driveChangeSource); ok {
		src.SubscribeDriveChanges(s.onDriveChange)
	}
	s.followMail(o.Mail)
	return &dirNode{s: s, src: rootDir{}, path: ""}
}
