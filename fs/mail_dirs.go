package fs

import (
	"context"
	"strconv"
	"strings"
	"time"

	gofs "github.com/hanwen/go-fuse/v2/fs"
	"github.com/hanwen/go-fuse/v2/fuse"

	"github.com/infomaniakfs/infomaniakfs/remote"
)

// Mail folders and mailboxes have no remote mtime: they show the newest
// message cached under them (see staticDir.attr).

// mailboxesDir is Mail/: one directory per mailbox, named by address.
type mailboxesDir struct{ staticDir }

func (t mailboxesDir) node(s *fsys, path string) gofs.InodeEmbedder { return newDir(s, t, path) }

func (mailboxesDir) list(ctx context.Context, s *fsys) ([]item, error) {
	boxes, err := s.mail.Mailboxes(ctx)
	if err != nil {
		return nil, err
	}
	items := make([]item, len(boxes))
	for i, mb := range boxes {
		items[i] = mailboxDir{mb}
	}
	return items, nil
}

// mailboxDir is Mail/<address>/: the mailbox's root folders.
type mailboxDir struct{ mb remote.Mailbox }

func (t mailboxDir) name() string {
	if t.mb.Email != "" {
		return t.mb.Email
	}
	return t.mb.UUID
}

func (t mailboxDir) id() string {
	if t.mb.ID != 0 {
		return strconv.FormatInt(t.mb.ID, 10)
	}
	return t.mb.UUID
}

func (t mailboxDir) stable() gofs.StableAttr {
	return gofs.StableAttr{Mode: fuse.S_IFDIR, Ino: mailboxIno(t.mb.UUID)}
}

func (t mailboxDir) attr(ctx context.Context, s *fsys, out *fuse.Attr) bool {
	s.dirAttr(out, mailboxIno(t.mb.UUID), orEpoch(s.mailTime(ctx, t.mb.UUID, "")))
	return true
}

func (t mailboxDir) node(s *fsys, path string) gofs.InodeEmbedder {
	return newDir(s, t, path)
}

func (t mailboxDir) list(ctx context.Context, s *fsys) ([]item, error) {
	folders, err := s.mail.Folders(ctx, t.mb.UUID)
	if err != nil {
		return nil, err
	}
	return subfolders(t.mb.UUID, folders, ""), nil
}

// subfolders returns the folders whose parent is parentID. A folder whose
// parent is not listed (hidden, or gone) shows at the mailbox root rather
// than nowhere.
func subfolders(mailbox string, folders []remote.Folder, parentID string) []item {
	present := make(map[string]bool, len(folders))
	for _, f := range folders {
		present[f.ID] = true
	}
	var items []item
	for _, f := range folders {
		parent := f.ParentID
		if parent != "" && !present[parent] {
			parent = ""
		}
		if parent == parentID && f.ID != parentID {
			items = append(items, mailFolder{mailbox: mailbox, f: f})
		}
	}
	return items
}

// mailFolder is a mail folder: its subfolders and its messages.
type mailFolder struct {
	mailbox string // uuid
	f       remote.Folder
}

func (t mailFolder) name() string {
	if t.f.Name != "" {
		return t.f.Name
	}
	if t.f.Separator != "" {
		if i := strings.LastIndex(t.f.Path, t.f.Separator); i >= 0 {
			return t.f.Path[i+len(t.f.Separator):]
		}
	}
	return t.f.Path
}

func (t mailFolder) id() string  { return t.f.ID }
func (t mailFolder) ino() uint64 { return folderIno(t.mailbox, t.f.Path) }
func (t mailFolder) stable() gofs.StableAttr {
	return gofs.StableAttr{Mode: fuse.S_IFDIR, Ino: t.ino()}
}

// attr dates the folder by its newest message if its listing is cached,
// else by its mailbox.
func (t mailFolder) attr(ctx context.Context, s *fsys, out *fuse.Attr) bool {
	mtime, ok := time.Time{}, false
	if md, isDater := s.mail.(mailDater); isDater {
		mtime, ok = md.NewestMessage(t.mailbox, t.f.ID)
	}
	if !ok {
		mtime = s.mailTime(ctx, t.mailbox, "")
	}
	s.dirAttr(out, t.ino(), orEpoch(mtime))
	return true
}

func (t mailFolder) node(s *fsys, path string) gofs.InodeEmbedder {
	return newDir(s, t, path)
}

func (t mailFolder) list(ctx context.Context, s *fsys) ([]item, error) {
	folders, err := s.mail.Folders(ctx, t.mailbox)
	if err != nil {
		return nil, err
	}
	msgs, err := s.mail.Messages(ctx, t.mailbox, t.f.ID)
	if err != nil {
		return nil, err
	}
	items := subfolders(t.mailbox, folders, t.f.ID)
	for _, m := range msgs {
		items = append(items, messageItem{mailbox: t.mailbox, folder: t.f, m: m})
	}
	return items, nil
}

// messageItem is one listed message.
type messageItem struct {
	mailbox string
	folder  remote.Folder
	m       remote.Message
}

func (t messageItem) name() string { return MessageName(t.m) }
func (t messageItem) id() string   { return t.m.UID }
func (t messageItem) ino() uint64  { return messageIno(t.mailbox, t.folder.Path, t.m.UID) }
func (t messageItem) stable() gofs.StableAttr {
	return gofs.StableAttr{Mode: fuse.S_IFREG, Ino: t.ino()}
}

// attr never downloads: the exact size when known, else the listed one,
// which the kernel may cache unless stat must be exact (then Getattr
// learns the truth). Open corrects a wrong listed size (messageFile).
func (t messageItem) attr(_ context.Context, s *fsys, out *fuse.Attr) bool {
	size, exact := s.mail.KnownSize(t.mailbox, t.folder.ID, t.m.UID)
	if !exact {
		size = t.m.SizeHint
	}
	s.fileAttr(out, t.ino(), size, t.m.Date)
	return exact || !s.mail.ExactSizes()
}

func (t messageItem) node(s *fsys, path string) gofs.InodeEmbedder {
	return &messageFile{s: s, path: path, it: t}
}
