package dataset

import (
	"fmt"
	"path/filepath"
	"strconv"
	"strings"
)

// The mutations below mirror changes made to a loaded data directory (see Watcher): nodes keep
// reading their bytes from disk, and every change is logged like the others, so the change feeds
// report it.

// AddDiskFile creates a file whose bytes are the disk file src (size bytes, modified at mtime,
// Unix seconds).
func (d *Dataset) AddDiskFile(driveID, parentID int64, name, src string, size, mtime int64) (Node, error) {
	return d.createAt(driveID, parentID, name, false, size, mtime, src)
}

// AddDiskDir creates an empty directory modified at mtime (Unix seconds).
func (d *Dataset) AddDiskDir(driveID, parentID int64, name string, mtime int64) (Node, error) {
	return d.createAt(driveID, parentID, name, true, 0, mtime, "")
}

// UpdateDiskFile gives a file new content read from src: a new version. The mtime is the disk's,
// unless that equals the old one (a change within one second): then one second later, so the
// change shows in last_modified_at.
func (d *Dataset) UpdateDiskFile(driveID, id int64, src string, size, mtime int64) (Node, error) {
	if size < 0 {
		return Node{}, fmt.Errorf("size %d: %w", size, ErrInvalid)
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	dr, n, err := d.lookupKind(driveID, id, false)
	if err != nil {
		return Node{}, err
	}
	if mtime == n.MTime {
		mtime++
	}
	dr.info.UsedSize += size - n.Size
	n.Size, n.MTime, n.src, n.raw, n.genKey = size, mtime, src, nil, 0
	n.Version++
	dr.log(ActionUpdate, n.Node, 0)
	return n.Node, nil
}

// Relocate tells a node, and everything under it, that its bytes now live at src on disk (after
// a move there). Nodes with generated content keep it.
func (d *Dataset) Relocate(driveID, id int64, src string) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	dr, n, err := d.lookup(driveID, id)
	if err != nil {
		return err
	}
	var walk func(n *nodeState, p string)
	walk = func(n *nodeState, p string) {
		if n.src != "" {
			n.src = p
		}
		for _, c := range n.children {
			k := dr.nodes[c]
			walk(k, filepath.Join(p, k.Name))
		}
	}
	walk(n, src)
	return nil
}

// AddMessageFile adds the .eml file src to a folder: "<uid>.eml" keeps its UID when that is
// above every UID the folder had, else the message gets the next one.
func (d *Dataset) AddMessageFile(uuid, folderID, src string) (MailMessage, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	f, err := d.folderErr(uuid, folderID)
	if err != nil {
		return MailMessage{}, err
	}
	uid := f.nextUID
	name := filepath.Base(src)
	if n, err := strconv.ParseInt(strings.TrimSuffix(name, filepath.Ext(name)), 10, 64); err == nil && n > uid {
		uid = n
	}
	m, err := loadMessage(src, uid, folderID)
	if err != nil {
		return MailMessage{}, err
	}
	f.insert(m)
	f.log(MailAdded, m.UID)
	return m.MailMessage, nil
}

// DeleteMessageFile removes the message read from the .eml file src.
func (d *Dataset) DeleteMessageFile(uuid, folderID, src string) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	f, err := d.folderErr(uuid, folderID)
	if err != nil {
		return err
	}
	for _, m := range f.msgs {
		if m.src == src {
			f.remove(m.UID)
			return nil
		}
	}
	return fmt.Errorf("message file %s: %w", src, ErrNotFound)
}

// pathIndex maps every node's path ("" for the root, "/a/b") to its ID.
func (d *Dataset) pathIndex(driveID int64) map[string]int64 {
	byID := map[int64]string{}
	out := map[string]int64{}
	d.Walk(driveID, func(n Node) bool { // parents come first
		p := ""
		if n.ID != RootID {
			p = byID[n.ParentID] + "/" + n.Name
		}
		byID[n.ID] = p
		out[p] = n.ID
		return true
	})
	return out
}
