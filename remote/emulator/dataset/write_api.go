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
	dr, parent, err := d.lookupKind(driveID, parentID, true)
	if err != nil {
		return Node{}, err
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
	dr, n, err := d.lookupKind(driveID, id, false)
	if err != nil {
		return Node{}, err
	}
	if mtime == 0 {
		mtime = stamp(n.MTime)
	}
	size := int64(len(content))
	dr.info.UsedSize += size - n.Size
	n.Size, n.MTime, n.src, n.raw, n.genKey = size, mtime, "", bytes.Clone(content), 0
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

// SetMTime sets a node's last_modified_at (Unix seconds), logging file_update.
func (d *Dataset) SetMTime(driveID, id, mtime int64) (Node, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	dr, n, err := d.lookup(driveID, id)
	if err != nil {
		return Node{}, err
	}
	n.MTime = mtime
	dr.log(ActionUpdate, n.Node, 0)
	return n.Node, nil
}

// CopyFile copies file id's content: into a new file name in destDir, or, when over is not 0,
// as a new version of file over. The copy keeps the source's mtime; its bytes are shared, not
// duplicated (a later change to either makes them differ).
func (d *Dataset) CopyFile(driveID, id, destDir int64, name string, over int64) (Node, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	dr, src, err := d.lookup(driveID, id)
	if err != nil {
		return Node{}, err
	}
	if src.IsDir {
		return Node{}, fmt.Errorf("copy %d: %w", id, ErrIsDir)
	}
	// The source's bytes, named before anything changes (over may be id itself).
	srcPath, raw, key := src.src, src.raw, uint64(0)
	if srcPath == "" && raw == nil {
		key = d.genKey(src)
	}
	var dst *nodeState
	action := ActionUpdate
	if over != 0 {
		if _, dst, err = d.lookup(driveID, over); err != nil {
			return Node{}, err
		}
		if dst.IsDir {
			return Node{}, fmt.Errorf("copy over %d: %w", over, ErrIsDir)
		}
		dr.info.UsedSize += src.Size - dst.Size
		dst.Size, dst.MTime = src.Size, src.MTime
		dst.Version++
	} else {
		_, parent, err := d.lookup(driveID, destDir)
		if err != nil {
			return Node{}, err
		}
		if !parent.IsDir {
			return Node{}, fmt.Errorf("drive %d item %d: %w", driveID, destDir, ErrNotDir)
		}
		dst = dr.add(parent, name, false, src.Size, stamp(0), src.MTime)
		action = ActionCreate
	}
	dst.src, dst.raw, dst.genKey = srcPath, raw, key // raw is never modified in place
	dr.log(action, dst.Node, 0)
	return dst.Node, nil
}

// SetQuota sets every drive's quota (its size in bytes); writes beyond it are refused.
func (d *Dataset) SetQuota(bytes int64) {
	d.mu.Lock()
	defer d.mu.Unlock()
	for _, dr := range d.drives {
		dr.info.Size = bytes
	}
}
