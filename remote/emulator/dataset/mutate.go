package dataset

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"time"
)

// Errors of the mutation methods; wrapped with the offending IDs.
var (
	ErrNotFound = errors.New("dataset: not found")
	ErrNotDir   = errors.New("dataset: not a directory")
	ErrIsDir    = errors.New("dataset: is a directory")
	ErrInvalid  = errors.New("dataset: invalid operation")
)

// stamp is a mutation's timestamp: the wall clock, but always after prev so a change is
// visible in mtime even within one second.
func stamp(prev int64) int64 {
	return max(time.Now().Unix(), prev+1)
}

// log records a change and wakes WaitDrive callers; the caller holds d.mu for writing.
func (dr *driveState) log(action string, n Node, oldParent int64) {
	dr.logMove(action, n, oldParent, "")
}

// logMove is log with the path a moved node had before.
func (dr *driveState) logMove(action string, n Node, oldParent int64, oldPath string) {
	dr.seq++
	dr.changes = append(dr.changes, Change{
		Seq: dr.seq, Action: action, Node: n, OldParentID: oldParent, Path: dr.path(n.ID), OldPath: oldPath,
	})
	close(dr.wake)
	dr.wake = make(chan struct{})
}

// lookup finds a drive and node for a mutation; the caller holds d.mu.
func (d *Dataset) lookup(driveID, id int64) (*driveState, *nodeState, error) {
	dr := d.driveByID[driveID]
	if dr == nil {
		return nil, nil, fmt.Errorf("drive %d: %w", driveID, ErrNotFound)
	}
	n := dr.nodes[id]
	if n == nil {
		return nil, nil, fmt.Errorf("drive %d item %d: %w", driveID, id, ErrNotFound)
	}
	return dr, n, nil
}

// lookupKind is lookup of a node that must be a directory (dir) or a
// file; the caller holds d.mu.
func (d *Dataset) lookupKind(driveID, id int64, dir bool) (*driveState, *nodeState, error) {
	dr, n, err := d.lookup(driveID, id)
	switch {
	case err != nil:
		return nil, nil, err
	case dir && !n.IsDir:
		return nil, nil, fmt.Errorf("drive %d item %d: %w", driveID, id, ErrNotDir)
	case !dir && n.IsDir:
		return nil, nil, fmt.Errorf("drive %d item %d: %w", driveID, id, ErrIsDir)
	}
	return dr, n, nil
}

// AddFile creates a file of the given size with generated content. Any name is accepted,
// including ones a file system cannot hold, so tests can feed the daemon hostile names.
func (d *Dataset) AddFile(driveID, parentID int64, name string, size int64) (Node, error) {
	return d.create(driveID, parentID, name, false, size)
}

// AddDir creates an empty directory; like AddFile it accepts any name.
func (d *Dataset) AddDir(driveID, parentID int64, name string) (Node, error) {
	return d.create(driveID, parentID, name, true, 0)
}

func (d *Dataset) create(driveID, parentID int64, name string, isDir bool, size int64) (Node, error) {
	return d.createAt(driveID, parentID, name, isDir, size, 0, "")
}

// createAt creates a node modified at mtime (0: now) whose bytes are the disk file src ("":
// generated).
func (d *Dataset) createAt(driveID, parentID int64, name string, isDir bool, size, mtime int64, src string) (Node, error) {
	if size < 0 {
		return Node{}, fmt.Errorf("size %d: %w", size, ErrInvalid)
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	dr, parent, err := d.lookupKind(driveID, parentID, true)
	if err != nil {
		return Node{}, err
	}
	now := stamp(0)
	if mtime == 0 {
		mtime = now
	}
	n := dr.add(parent, name, isDir, size, now, mtime)
	n.src = src
	dr.log(ActionCreate, n.Node, 0)
	return n.Node, nil
}

// ModifyFile gives a file new content of the given size: a new version, new bytes, and an
// mtime at least one second later.
func (d *Dataset) ModifyFile(driveID, id int64, size int64) (Node, error) {
	if size < 0 {
		return Node{}, fmt.Errorf("size %d: %w", size, ErrInvalid)
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	dr, n, err := d.lookupKind(driveID, id, false)
	if err != nil {
		return Node{}, err
	}
	dr.info.UsedSize += size - n.Size
	n.Size = size
	n.Version++
	n.MTime = stamp(n.MTime)
	n.src, n.raw, n.genKey = "", nil, 0 // loaded, uploaded or copied bytes become generated ones
	dr.log(ActionUpdate, n.Node, 0)
	return n.Node, nil
}

// Rename changes a node's name; any name is accepted.
func (d *Dataset) Rename(driveID, id int64, name string) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	dr, n, err := d.lookup(driveID, id)
	if err != nil {
		return err
	}
	if id == RootID {
		return fmt.Errorf("rename root: %w", ErrInvalid)
	}
	n.Name = name
	dr.log(ActionRename, n.Node, 0)
	return nil
}

// SetName sets a raw name, for hostile-name tests; it is Rename under a name that says so.
func (d *Dataset) SetName(driveID, id int64, name string) error {
	return d.Rename(driveID, id, name)
}

// Move re-parents a node, logging file_move_out then file_move (both carry the moved node
// after the move and its old parent).
func (d *Dataset) Move(driveID, id, newParentID int64) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	dr, n, err := d.lookup(driveID, id)
	if err != nil {
		return err
	}
	_, np, err := d.lookup(driveID, newParentID)
	if err != nil {
		return err
	}
	if !np.IsDir {
		return fmt.Errorf("drive %d item %d: %w", driveID, newParentID, ErrNotDir)
	}
	for a := np; ; a = dr.nodes[a.ParentID] {
		if a.ID == id {
			return fmt.Errorf("move %d into itself: %w", id, ErrInvalid)
		}
		if a.ID == RootID {
			break
		}
	}
	old := dr.nodes[n.ParentID]
	oldPath := dr.path(id)
	old.children = removeID(old.children, id)
	np.children = insertID(np.children, id)
	n.ParentID = newParentID
	dr.reparent(n, np)
	dr.logMove(ActionMoveOut, n.Node, old.ID, oldPath)
	dr.logMove(ActionMoveIn, n.Node, old.ID, oldPath)
	return nil
}

// reparent recomputes depth and visibility of n's subtree under its new parent.
func (dr *driveState) reparent(n, parent *nodeState) {
	n.Depth = parent.Depth + 1
	n.Visibility = childVisibility(parent.Node, n.Name)
	for _, c := range n.children {
		dr.reparent(dr.nodes[c], n)
	}
}

// Delete removes a node and its whole subtree, logging file_delete for each, parents first.
func (d *Dataset) Delete(driveID, id int64) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	dr, n, err := d.lookup(driveID, id)
	if err != nil {
		return err
	}
	if id == RootID {
		return fmt.Errorf("delete root: %w", ErrInvalid)
	}
	parent := dr.nodes[n.ParentID]
	parent.children = removeID(parent.children, id)
	var drop func(*nodeState)
	drop = func(x *nodeState) {
		dr.log(ActionDelete, x.Node, 0) // before its parent goes, so its path is known
		for _, c := range x.children {
			drop(dr.nodes[c])
		}
		delete(dr.nodes, x.ID)
		dr.info.UsedSize -= x.Size
	}
	drop(n)
	return nil
}

func removeID(ids []int64, id int64) []int64 {
	i := sort.Search(len(ids), func(i int) bool { return ids[i] >= id })
	if i < len(ids) && ids[i] == id {
		return append(ids[:i], ids[i+1:]...)
	}
	return ids
}

func insertID(ids []int64, id int64) []int64 {
	i := sort.Search(len(ids), func(i int) bool { return ids[i] >= id })
	ids = append(ids, 0)
	copy(ids[i+1:], ids[i:])
	ids[i] = id
	return ids
}

// DriveSeq is the drive's current change sequence number (0 before any change).
func (d *Dataset) DriveSeq(driveID int64) int64 {
	d.mu.RLock()
	defer d.mu.RUnlock()
	if dr := d.driveByID[driveID]; dr != nil {
		return dr.seq
	}
	return 0
}

// DriveChanges returns the changes with Seq > sinceSeq, oldest first.
func (d *Dataset) DriveChanges(driveID, sinceSeq int64) []Change {
	d.mu.RLock()
	defer d.mu.RUnlock()
	dr := d.driveByID[driveID]
	if dr == nil {
		return nil
	}
	i := sort.Search(len(dr.changes), func(i int) bool { return dr.changes[i].Seq > sinceSeq })
	return append([]Change(nil), dr.changes[i:]...)
}

// WaitDrive blocks until the drive's seq exceeds seq or ctx is done; it reports whether it
// changed. An unknown drive never changes.
func (d *Dataset) WaitDrive(ctx context.Context, driveID, seq int64) bool {
	for {
		d.mu.RLock()
		dr := d.driveByID[driveID]
		if dr == nil {
			d.mu.RUnlock()
			return false
		}
		if dr.seq > seq {
			d.mu.RUnlock()
			return true
		}
		wake := dr.wake
		d.mu.RUnlock()
		select {
		case <-wake:
		case <-ctx.Done():
			return false
		}
	}
}
