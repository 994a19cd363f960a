package dataset

import (
	"fmt"
	"sort"
)

// Trashed is an item in a drive's trash.
type Trashed struct {
	Node
	// DeletedAt is when it (or the folder it was in) was trashed; Inherited says the latter.
	DeletedAt int64
	Inherited bool
}

// Trash takes a node and its subtree out of the tree into the drive's trash, logging
// file_trash for the node (its descendants are trashed with it, as kDrive's
// "trash_inherited"). The bytes still count in the drive's used size until purged.
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
	n.trashedAt = stamp(0)
	dr.walk(n, func(x *nodeState) {
		delete(dr.nodes, x.ID)
		dr.trash[x.ID] = x
	})
	return nil
}

// walk calls fn for n and everything under it, parents first, in the live tree or the trash.
func (dr *driveState) walk(n *nodeState, fn func(*nodeState)) {
	fn(n)
	for _, c := range n.children {
		k := dr.nodes[c]
		if k == nil {
			k = dr.trash[c]
		}
		dr.walk(k, fn)
	}
}

// trashed describes a node of the trash; the caller holds d.mu.
func (dr *driveState) trashed(n *nodeState) Trashed {
	t := Trashed{Node: n.Node, DeletedAt: n.trashedAt}
	for x := n; t.DeletedAt == 0 && x != nil; x = dr.trash[x.ParentID] {
		t.DeletedAt, t.Inherited = x.trashedAt, true
	}
	return t
}

// TrashList lists what was trashed itself (not what went with a folder), by ID.
func (d *Dataset) TrashList(driveID int64) []Trashed {
	d.mu.RLock()
	defer d.mu.RUnlock()
	dr := d.driveByID[driveID]
	if dr == nil {
		return nil
	}
	var out []Trashed
	for _, n := range dr.trash {
		if n.trashedAt != 0 {
			out = append(out, dr.trashed(n))
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out
}

// TrashItem finds one trashed item, and lists its children when it is a folder.
func (d *Dataset) TrashItem(driveID, id int64) (Trashed, []Trashed, bool) {
	d.mu.RLock()
	defer d.mu.RUnlock()
	dr := d.driveByID[driveID]
	if dr == nil || dr.trash[id] == nil {
		return Trashed{}, nil, false
	}
	n := dr.trash[id]
	var kids []Trashed
	for _, c := range n.children {
		kids = append(kids, dr.trashed(dr.trash[c]))
	}
	return dr.trashed(n), kids, true
}

// Restore takes a trashed item (and what it holds) back into the tree, into destDir (0: where
// it was) under name, logging file_restore.
func (d *Dataset) Restore(driveID, id, destDir int64, name string) (Node, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	dr := d.driveByID[driveID]
	if dr == nil || dr.trash[id] == nil {
		return Node{}, fmt.Errorf("drive %d trashed item %d: %w", driveID, id, ErrNotFound)
	}
	n := dr.trash[id]
	if destDir == 0 {
		destDir = n.ParentID
	}
	dest := dr.nodes[destDir]
	if dest == nil || !dest.IsDir {
		return Node{}, fmt.Errorf("drive %d restore into %d: %w", driveID, destDir, ErrNotFound)
	}
	if old := dr.trash[n.ParentID]; old != nil { // out of a trashed folder
		old.children = removeID(old.children, id)
	}
	dr.walk(n, func(x *nodeState) {
		delete(dr.trash, x.ID)
		dr.nodes[x.ID] = x
	})
	n.trashedAt, n.Name, n.ParentID = 0, name, destDir
	dest.children = insertID(dest.children, id)
	dr.reparent(n, dest)
	dr.log(ActionRestore, n.Node, 0)
	return n.Node, nil
}

// Purge deletes a trashed item and what it holds for ever, logging file_delete for each.
func (d *Dataset) Purge(driveID, id int64) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	dr := d.driveByID[driveID]
	if dr == nil || dr.trash[id] == nil {
		return fmt.Errorf("drive %d trashed item %d: %w", driveID, id, ErrNotFound)
	}
	dr.purge(dr.trash[id])
	return nil
}

func (dr *driveState) purge(n *nodeState) {
	if old := dr.trash[n.ParentID]; old != nil {
		old.children = removeID(old.children, n.ID)
	}
	var gone []*nodeState
	dr.walk(n, func(x *nodeState) {
		dr.log(ActionDelete, x.Node, 0)
		gone = append(gone, x)
	})
	for _, x := range gone {
		delete(dr.trash, x.ID)
		dr.info.UsedSize -= x.Size
	}
}

// EmptyTrash purges everything in the drive's trash.
func (d *Dataset) EmptyTrash(driveID int64) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	dr := d.driveByID[driveID]
	if dr == nil {
		return fmt.Errorf("drive %d: %w", driveID, ErrNotFound)
	}
	var roots []*nodeState
	for _, n := range dr.trash {
		if n.trashedAt != 0 {
			roots = append(roots, n)
		}
	}
	sort.Slice(roots, func(i, j int) bool { return roots[i].ID < roots[j].ID })
	for _, n := range roots {
		dr.purge(n)
	}
	return nil
}
