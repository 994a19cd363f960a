package fs

import (
	"github.com/infomaniakfs/infomaniakfs/cache"
)

// Changes the mail cache finds (new, deleted or moved messages; a folder
// tree that changed) reach the kernel here: the directory's listing is
// dropped, new names are told with NotifyEntry (the kernel may hold a
// negative entry for them) and removed ones with NotifyDelete (inotify
// watchers such as file managers see them go). The calls run on the
// cache's poller goroutine, under no lock of ours: the kernel takes the
// directory's lock to apply them, which a FUSE request may hold while it
// waits on us.

// mailNotifier is a MailSource that reports changes (cache.Mail).
type mailNotifier interface {
	SubscribeMailChanges(fn func(cache.MailChange)) (cancel func())
}

// followMail subscribes to src's changes, if it reports any.
func (s *fsys) followMail(src MailSource) {
	if n, ok := src.(mailNotifier); ok {
		n.SubscribeMailChanges(s.mailChanged)
	}
}

func (s *fsys) mailChanged(c cache.MailChange) {
	if c.Folders {
		s.mailFoldersChanged(c)
		return
	}
	d := s.dirs.get(mailDirKey{c.Mailbox, c.FolderID})
	if d == nil {
		return // never shown
	}
	names := map[string]string{} // uid → name shown
	if l := d.forgetListing(); l != nil {
		for name, it := range l.items {
			if m, ok := it.(messageItem); ok {
				names[m.m.UID] = name
			}
		}
	}
	for _, m := range c.Removed {
		name, ok := names[m.UID]
		if !ok { // the listing was dropped since: the name it had
			name = MessageName(m)
		}
		notifyGone(d, name)
	}
	for _, m := range c.Added {
		d.NotifyEntry(MessageName(m))
	}
}

// mailFoldersChanged tells the parents of the folders that came and went.
func (s *fsys) mailFoldersChanged(c cache.MailChange) {
	parent := func(id string) *dirNode {
		if d := s.dirs.get(mailDirKey{c.Mailbox, id}); d != nil {
			return d
		}
		return s.dirs.get(mailDirKey{c.Mailbox, ""}) // shown at the root
	}
	for _, f := range c.RemovedFolders {
		d := parent(f.ParentID)
		if d == nil {
			continue
		}
		if l := d.forgetListing(); l != nil {
			for name, it := range l.items {
				if t, ok := it.(mailFolder); ok && t.f.ID == f.ID {
					notifyGone(d, name)
				}
			}
		}
	}
	for _, f := range c.AddedFolders {
		if d := parent(f.ParentID); d != nil {
			d.forgetListing()
			d.NotifyEntry(mailFolder{mailbox: c.Mailbox, f: f}.name())
		}
	}
}

// notifyGone tells the kernel that name left d.
func notifyGone(d *dirNode, name string) {
	if ch := d.GetChild(name); ch != nil {
		d.NotifyDelete(name, ch)
		return
	}
	d.NotifyEntry(name)
}
