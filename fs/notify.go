package fs

import (
	"context"
	"sync"
	"time"

	gofs "github.com/hanwen/go-fuse/v2/fs"

	"github.com/infomaniakfs/infomaniakfs/cache"
)

// driveChangeSource is a DriveSource that reports the changes it learns
// (cache.Drives, for drives it follows). The tree subscribes to it and
// tells the kernel what each change touches.
type driveChangeSource interface {
	SubscribeDriveChanges(func(cache.DriveChange)) (cancel func())
}

// notifyTimeout bounds the relisting a change makes (from the cache,
// normally without a request).
const notifyTimeout = 30 * time.Second

// dirKey names a kDrive folder: a drive and the folder's id.
type dirKey struct{ drive, dir int64 }

// mailDirKey names a mailbox's root (folder "") or one of its folders.
type mailDirKey struct{ mailbox, folder string }

// dirRegistry finds the live node of a remote folder (a kDrive folder by
// dirKey, a mailbox or mail folder by mailDirKey), so a change can reach
// the directories the kernel holds. A node is added when the kernel is
// given it and removed when the kernel forgets it.
type dirRegistry struct {
	mu    sync.Mutex
	nodes map[any]*dirNode // GUARDED_BY(mu)
}

// folderKey returns the registry key of a directory source that is a
// remote folder: a kDrive folder (a drive's root included), a mailbox or
// a mail folder.
func folderKey(src dirSource) (any, bool) {
	switch t := src.(type) {
	case driveDir:
		return dirKey{t.d.ID, kdriveRootID}, true
	case driveEntry:
		return dirKey{t.e.DriveID, t.e.ID}, t.e.IsDir
	case mailboxDir:
		return mailDirKey{t.mb.UUID, ""}, true
	case mailFolder:
		return mailDirKey{t.mailbox, t.f.ID}, true
	}
	return nil, false
}

func (r *dirRegistry) add(d *dirNode) {
	k, ok := folderKey(d.source())
	if !ok {
		return
	}
	r.mu.Lock()
	if r.nodes == nil {
		r.nodes = map[any]*dirNode{}
	}
	r.nodes[k] = d
	r.mu.Unlock()
}

func (r *dirRegistry) remove(d *dirNode) {
	k, ok := folderKey(d.source())
	if !ok {
		return
	}
	r.mu.Lock()
	if r.nodes[k] == d {
		delete(r.nodes, k)
	}
	r.mu.Unlock()
}

// get returns the live node of the folder k, or nil.
func (r *dirRegistry) get(k any) *dirNode {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.nodes[k]
}

// find returns the nodes of the given folders of drive that are live, or
// of all its folders when dirs is nil.
func (r *dirRegistry) find(drive int64, dirs []int64) []*dirNode {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []*dirNode
	if dirs == nil {
		for k, d := range r.nodes {
			if dk, ok := k.(dirKey); ok && dk.drive == drive {
				out = append(out, d)
			}
		}
		return out
	}
	seen := map[int64]bool{0: true} // 0: no parent
	for _, dir := range dirs {
		if d := r.nodes[dirKey{drive, dir}]; d != nil && !seen[dir] {
			out = append(out, d)
		}
		seen[dir] = true
	}
	return out
}

// OnForget drops the node from the registry: the kernel holds it no more.
func (d *dirNode) OnForget() { d.s.dirs.remove(d) }

// onDriveChange tells the kernel what a change touches: in the old and
// the new parent (every folder of the drive for a reload), the names that
// changed. It runs on the cache's follower goroutine, with no lock held.
func (s *fsys) onDriveChange(ch cache.DriveChange) {
	var touched, gone map[uint64]bool
	var dirs []int64
	if ch.Kind != cache.DriveReloaded {
		ino := driveItemIno(ch.Drive, ch.ID)
		touched = map[uint64]bool{ino: true}
		if ch.Kind == cache.DriveRemoved {
			gone = touched
		}
		dirs = []int64{ch.OldParent, ch.NewParent}
	}
	for _, d := range s.dirs.find(ch.Drive, dirs) {
		d.reconcile(touched, gone)
	}
}

// reconcile relists the directory (from the cache, which holds the change
// already) and tells the kernel to forget what the change made stale.
// Never called on a FUSE request: notifications wait on kernel locks that
// requests in flight may hold.
func (d *dirNode) reconcile(touched, gone map[uint64]bool) {
	ctx, cancel := context.WithTimeout(context.Background(), notifyTimeout)
	defer cancel()
	d.mu.Lock()
	before := d.last
	d.mu.Unlock()
	after, err := d.relist(ctx)
	if err != nil {
		d.forgetListing()
		after = nil
	}
	known := map[string]knownChild{}
	children := d.Children()
	for name, c := range children {
		k := knownChild{ino: c.StableAttr().Ino}
		if f, ok := c.Operations().(*driveFile); ok {
			k.version = f.toldVersion()
		}
		known[name] = k
	}
	for _, op := range planInvalidations(known, before, after, touched, gone) {
		d.s.log.Debug("kernel told of a change", "dir", d.path, "name", op.name, "op", op.kind)
		d.s.kernel.apply(d.EmbeddedInode(), op, children[op.name])
	}
}

// kernelNotifier sends invalidations to the kernel; tests of nodes outside
// a mount replace it.
type kernelNotifier interface {
	apply(dir *gofs.Inode, op notifyOp, child *gofs.Inode)
}

type goFuseNotifier struct{}

func (goFuseNotifier) apply(dir *gofs.Inode, op notifyOp, child *gofs.Inode) {
	switch op.kind {
	case opDelete:
		// Refused for a folder the kernel still uses inside (ENOTEMPTY):
		// then the name is only forgotten.
		if child == nil {
			dir.NotifyEntry(op.name)
		} else if dir.NotifyDelete(op.name, child) != 0 {
			dir.NotifyEntry(op.name)
		}
	case opContent:
		if child == nil || child.NotifyContent(0, 0) != 0 && child.NotifyContent(-1, 0) != 0 {
			dir.NotifyEntry(op.name)
		}
	default:
		dir.NotifyEntry(op.name) // ENOENT: the kernel had nothing to forget
	}
}

// toldVersion is the version of the attributes the kernel holds.
func (f *driveFile) toldVersion() string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.told
}
