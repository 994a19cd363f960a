package dataset

import (
	"path/filepath"
	"strconv"
)

// TrashDir is where, under a loaded directory, trashed items are kept on disk:
// DIR/.trash/<drive name>/<id of what was trashed>/<its name>/…
const TrashDir = ".trash"

// Root is the directory the data set was loaded from (absolute), "" for generated data.
func (d *Dataset) Root() string { return d.root }

// DiskPath is where a node of the tree lives under the loaded directory:
// DIR/kdrive/<drive name>/<path>. False for generated data and unknown nodes.
func (d *Dataset) DiskPath(driveID, id int64) (string, bool) {
	d.mu.RLock()
	defer d.mu.RUnlock()
	dr := d.driveByID[driveID]
	if d.root == "" || dr == nil || dr.nodes[id] == nil {
		return "", false
	}
	return filepath.Join(d.root, "kdrive", dr.info.Name, filepath.FromSlash(dr.path(id))), true
}

// TrashDiskPath is where a trashed node lives under the loaded directory:
// DIR/.trash/<drive name>/<trashed root id>/<name>/<path below it>.
func (d *Dataset) TrashDiskPath(driveID, id int64) (string, bool) {
	d.mu.RLock()
	defer d.mu.RUnlock()
	dr := d.driveByID[driveID]
	if d.root == "" || dr == nil || dr.trash[id] == nil {
		return "", false
	}
	var parts []string
	n := dr.trash[id]
	for ; n != nil && n.trashedAt == 0; n = dr.trash[n.ParentID] {
		parts = append(parts, n.Name)
	}
	if n == nil {
		return "", false
	}
	p := filepath.Join(d.root, TrashDir, dr.info.Name, strconv.FormatInt(n.ID, 10), n.Name)
	for i := len(parts) - 1; i >= 0; i-- {
		p = filepath.Join(p, parts[i])
	}
	return p, true
}

// Adopt tells a file that its current bytes are now the disk file src (written there by the
// caller), so they need not be kept in memory.
func (d *Dataset) Adopt(driveID, id int64, src string) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if n := d.node(driveID, id); n != nil && !n.IsDir {
		n.src, n.raw, n.genKey = src, nil, 0
	}
}
