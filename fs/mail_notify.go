package fs

import (
	"sync"

	gofs "github.com/hanwen/go-fuse/v2/fs"

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

// mailDirKey names a mailbox's root (folder "") or one of its folders.
type mailDirKey struct{ mailbox, folder string }

// mailDirs are the mail directory nodes in the tree, by mailbox and folder
// id. A node the kernel has forgotten may stay until replaced: notifying
// it is harmless.
type mailDirs struct {
	mu    sync.Mutex
	nodes map[mailDirKey]*dirNode
}

// add remembers a node just made. While the one it has is in the tree,
// NewInode returns that one (same inode number) and drops the new one.
// (Forgotten is deprecated for NodeOnForgetter, which dirNode, shared by
// every directory, does not implement.)
func (r *mailDirs) add(k mailDirKey, d *dirNode) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.nodes == nil {
		r.nodes = make(map[mailDirKey]*dirNode)
	}
	if old := r.nodes[k]; old != nil && old.Operations() != nil && !old.Forgotten() {
		return
	}
	r.nodes[k] = d
}

// get returns the node of k, if one was put in the tree.
func (r *mailDirs) get(k mailDirKey) *dirNode {
	r.mu.Lock()
	defer r.mu.Unlock()
	if d := r.nodes[k]; d != nil && d.Operations() != nil {
		return d
	}
	return nil
}

func (r *mailDirs) del(k mailDirKey) {
	r.mu.Lock()
	defer r.mu.Unlock()
	delete(r.nodes, k)
}

// mailDir makes the node of a mailbox root or folder and remembers it.
func (s *fsys) mailDir(k mailDirKey, src dirSource, path string) gofs.InodeEmbedder {
	d := &dirNode{s: s, src: src, path: path}
	s.mailDirs.add(k, d)
	return d
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
	d := s.mailDirs.get(mailDirKey{c.Mailbox, c.FolderID})
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
		if d := s.mailDirs.get(mailDirKey{c.Mailbox, id}); d != nil {
			return d
		}
		return s.mailDirs.get(mailDirKey{c.Mailbox, ""}) // shown at the root
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
		s.mailDirs.del(mailDirKey{c.Mailbox, f.ID})
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
