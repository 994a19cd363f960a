package fs

import (
	"context"
	"sort"
	"sync"
	"syscall"
	"time"

	gofs "github.com/hanwen/go-fuse/v2/fs"
	"github.com/hanwen/go-fuse/v2/fuse"
)

// item is one entry of a directory listing before it becomes a node: a
// drive, a kDrive file or folder, a mailbox, a mail folder or a message.
type item interface {
	// name is the remote's name, unsafe; the Namer makes it safe.
	name() string
	// id is the remote id, shown in the suffix that parts colliding names.
	id() string
	stable() gofs.StableAttr
	// attr fills out from what the item knows. exact is false when the
	// size is only a hint (a listed message), so the kernel must not
	// cache it and asks Getattr, which learns the truth.
	attr(ctx context.Context, s *fsys, out *fuse.Attr) (exact bool)
	// node makes a fresh node for the item; path is for log lines only.
	node(s *fsys, path string) gofs.InodeEmbedder
}

// dirSource is an item that is a directory.
type dirSource interface {
	item
	list(ctx context.Context, s *fsys) ([]item, error)
}

// refresher is an item that can fetch its own newer version (a cheap
// cached Stat), which Getattr uses once the kernel's attributes expire.
type refresher interface {
	refresh(ctx context.Context, s *fsys) (item, error)
}

// updater is a node that takes newer listing data for itself, so the
// node the kernel already holds answers with what the last listing said.
type updater interface {
	update(it item)
}

// listing is a directory's last listing, named.
type listing struct {
	at    time.Time
	names []string // sorted: Readdir must be deterministic
	items map[string]item
}

// dirNode is every directory of the tree; src says which one.
type dirNode struct {
	gofs.Inode
	s    *fsys
	path string // for log lines

	mu   sync.Mutex
	src  dirSource // GUARDED_BY(mu)
	last *listing  // GUARDED_BY(mu)
	// forgot counts forgetListing calls: a listing that began before one
	// may predate the change that made it (relist).
	forgot uint64 // GUARDED_BY(mu)
}

func (d *dirNode) source() dirSource {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.src
}

func (d *dirNode) update(it item) {
	if src, ok := it.(dirSource); ok {
		d.mu.Lock()
		d.src = src
		d.mu.Unlock()
	}
}

// relistTries bounds how often relist lists again because the folder
// changed here meanwhile.
const relistTries = 3

// relist lists the directory through its source (whose cache decides
// whether that costs a request) and names the entries. A listing during
// which the folder changed here (a file created, renamed, removed) may
// predate the change: it is taken again, and never kept as the last one.
func (d *dirNode) relist(ctx context.Context) (*listing, error) {
	for try := 1; ; try++ {
		d.mu.Lock()
		forgot := d.forgot
		d.mu.Unlock()
		l, err := d.list(ctx)
		if err != nil {
			return nil, err
		}
		d.mu.Lock()
		current := d.forgot == forgot
		if current {
			d.last = l
		}
		d.mu.Unlock()
		if current || try == relistTries {
			return l, nil
		}
	}
}

// list lists and names the entries.
func (d *dirNode) list(ctx context.Context) (*listing, error) {
	items, err := d.source().list(ctx, d.s)
	if err != nil {
		return nil, err
	}
	var nm Namer
	for _, it := range items {
		nm.Add(it.name(), it.id(), it.stable().Mode == fuse.S_IFDIR)
	}
	l := &listing{at: d.s.now(), names: nm.Names(), items: make(map[string]item, len(items))}
	for i, it := range items {
		l.items[l.names[i]] = it
	}
	sort.Strings(l.names)
	return l, nil
}

// forgetListing drops the last listing, so the next lookup lists again
// (a change was reported), and returns it (nil if none).
func (d *dirNode) forgetListing() *listing {
	d.mu.Lock()
	defer d.mu.Unlock()
	l := d.last
	d.last = nil
	d.forgot++
	return l
}

// freshWindow is how long a listing answers lookups without asking the
// source again. At least a second, so the lookups that follow a readdir
// (READDIRPLUS, ls -l) never cost a relisting each.
func (s *fsys) freshWindow() time.Duration {
	return max(s.entryTimeout, time.Second)
}

// lookupListing returns a fresh enough listing: the last one, or a new one.
func (d *dirNode) lookupListing(ctx context.Context) (*listing, error) {
	d.mu.Lock()
	l := d.last
	d.mu.Unlock()
	if l != nil && d.s.now().Sub(l.at) < d.s.freshWindow() {
		return l, nil
	}
	return d.relist(ctx)
}

func (d *dirNode) Lookup(ctx context.Context, name string, out *fuse.EntryOut) (*gofs.Inode, syscall.Errno) {
	l, err := d.lookupListing(ctx)
	if err != nil {
		return nil, d.s.errs.fail("lookup", d.path+"/"+name, err)
	}
	it, ok := l.items[name]
	if !ok {
		return nil, syscall.ENOENT
	}
	return d.child(ctx, name, it, out), 0
}

// child returns the node for a listed item: the one the kernel already
// knows under that name, brought up to date, or a new one.
func (d *dirNode) child(ctx context.Context, name string, it item, out *fuse.EntryOut) *gofs.Inode {
	st := it.stable()
	if it.attr(ctx, d.s, &out.Attr) {
		out.SetAttrTimeout(d.s.attrTimeout)
	}
	out.SetEntryTimeout(d.s.entryTimeout)
	ch := d.GetChild(name)
	if ch == nil || ch.StableAttr() != st {
		ch = d.NewInode(ctx, it.node(d.s, d.path+"/"+name), st)
	}
	// Also when NewInode found the inode known under another name (a
	// moved file): the reply gives the kernel these attributes.
	if u, ok := ch.Operations().(updater); ok {
		u.update(it)
	}
	if dn, ok := ch.Operations().(*dirNode); ok {
		d.s.dirs.add(dn) // changes reach it from now on (until OnForget)
	}
	return ch
}

func (d *dirNode) Readdir(ctx context.Context) (gofs.DirStream, syscall.Errno) {
	l, err := d.relist(ctx)
	if err != nil {
		return nil, d.s.errs.fail("readdir", d.path, err)
	}
	d.tellListed(ctx, l) // thumbnails.go
	// "." and ".." as every POSIX directory lists them (ls -a); the
	// Namer never hands out either name.
	self := d.StableAttr().Ino
	up := self
	if _, p := d.Parent(); p != nil {
		up = p.StableAttr().Ino
	}
	entries := make([]fuse.DirEntry, 0, len(l.names)+2)
	entries = append(entries,
		fuse.DirEntry{Name: ".", Mode: fuse.S_IFDIR, Ino: self},
		fuse.DirEntry{Name: "..", Mode: fuse.S_IFDIR, Ino: up})
	for _, name := range l.names {
		st := l.items[name].stable()
		entries = append(entries, fuse.DirEntry{Name: name, Mode: st.Mode, Ino: st.Ino})
	}
	return gofs.NewListDirStream(entries), 0
}

func (d *dirNode) Getattr(ctx context.Context, _ gofs.FileHandle, out *fuse.AttrOut) syscall.Errno {
	var src item = d.source()
	if r, ok := src.(refresher); ok {
		fresh, err := r.refresh(ctx, d.s)
		if err != nil {
			return d.s.errs.fail("getattr", d.path, err)
		}
		d.update(fresh)
		src = fresh
	}
	src.attr(ctx, d.s, &out.Attr)
	out.SetTimeout(d.s.attrTimeout)
	return 0
}

func (d *dirNode) Statfs(ctx context.Context, out *fuse.StatfsOut) syscall.Errno {
	d.s.statfs(ctx, out)
	return 0
}
