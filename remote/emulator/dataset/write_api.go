package dataset

import (
	"bytes"
	"fmt"
)

// The mutations below are what the API's write routes do; the emulator checks names and
// conflicts before calling them (the data set itself accepts any name).

// PutFile creates a file holding content (kept in memory), created and modified at the given
// Unix seconds (0: now).
func (d *Dataset) PutFile(driveID, parentID int64, name string, content []byte, created, mtime int64) (Node, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	dr, parent, err := d.lookup(driveID, parentID)
	if err != nil {
		return Node{}, err
	}
	if !parent.IsDir {
		return Node{}, fmt.Errorf("drive %d item %d: %w", driveID, parentID, ErrNotDir)
	}
	now := stamp(0)
	if created == 0 {
		created = now
	}
	if mtime == 0 {
		mtime = now
	}
	n := dr.add(parent, name, false, int64(len(content)), created, mtime)
	n.AddedAt = now
	n.raw = bytes.Clone(content)
	dr.log(ActionCreate, n.Node, 0)
	return n.Node, nil
}

// SetContent gives a file new content (a new version) modified at mtime (0: now).
func (d *Dataset) SetContent(driveID, id int64, content []byte, mtime int64) (Node, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	dr, n, err := d.lookup(driveID, id)
	if err != nil {
		return Node{}, err
	}
	if n.IsDir {
		return Node{}, fmt.Errorf("drive %d item %d: %w", driveID, id, ErrIsDir)
	}
	if mtime == 0 {
		mtime = stamp(n.MTime)
	}
	size := int64(len(content))
	dr.info.UsedSize += size - n.Size
	n.Size, n.MTime, n.src, n.raw = size, mtime, "", bytes.Clone(content)
	n.Version++
	dr.log(ActionUpdate, n.Node, 0)
	return n.Node, nil
}

// ChildByName finds a directory's child by its exact name (the first by ID if several).
func (d *Dataset) ChildByName(driveID, dirID int64, name string) (Node, bool) {
	d.mu.RLock()
	defer d.mu.RUnlock()
	dir := d.node(driveID, dirID)
	if dir == nil {
		return Node{}, false
	}
	dr := d.driveByID[driveID]
	for _, c := range dir.children {
		if k := dr.nodes[c]; k.Name == name {
			return k.Node, true
		}
	}
	return Node{}, false
}

// Trash takes a node and its subtree out of the tree into the drive's trash, logging
// file_trash for the node (its descendants are trashed with it, as kDrive's
// "trash_inherited"). The bytes still count in the drive's used size.
func (d *Dataset) Trash(driveID, id int64) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	dr, n, err := d.lookup(driveID, id)
	if err != nil {
		return err
	}
	if id == RootID {
		return fmt.Errorf("trash root: %w", ErrInvalid)
	}
	parent := dr.nodes[n.ParentID]
	dr.log(ActionTrash, n.Node, 0) // while its path is still known
	parent.children = removeID(parent.children, id)
	if dr.trash == nil {
		dr.trash = map[int64]*nodeState{}
	}
	var move func(*nodeState)
	move = func(x *nodeState) {
		delete(dr.nodes, x.ID)
		dr.trash[x.ID] = x
		for _, c := range x.children {
			move(dr.nodes[c])
		}
	}
	move(n)
	return nil
}
