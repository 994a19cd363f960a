package dataset

import (
	"errors"
	"fmt"
	"path"
	"path/filepath"
	"strings"
)

// Watcher follows a data directory that Load read, turning what changes on disk into the data
// set's own mutations, so the change feeds report it as the real service reports changes made
// elsewhere: files and folders created, modified, renamed, moved or deleted under
// DIR/kdrive/<drive>/, and .eml files added to or removed from the folders of DIR/mail/<address>/.
// Drives, mailboxes and mail folders are the ones Load found. Objects are followed by inode, so
// a mv is a rename or move, not a deletion and a creation. A Watcher is not safe for concurrent
// use: one goroutine calls Sync.
type Watcher struct {
	d     *Dataset
	root  string // absolute
	last  Scan
	nodes map[inode]nodeRef // what each kDrive object on disk is in the data set
}

type nodeRef struct{ drive, id int64 }

// Watch starts following dir, which must be the directory d was loaded from and unchanged since.
func (d *Dataset) Watch(dir string) (*Watcher, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, err
	}
	scan, err := scanData(abs)
	if err != nil {
		return nil, err
	}
	w := &Watcher{d: d, root: abs, last: scan, nodes: map[inode]nodeRef{}}
	for _, dr := range d.Drives() {
		idx := d.pathIndex(dr.ID)
		prefix := "kdrive/" + dr.Name
		for p, st := range scan {
			if p != prefix && !strings.HasPrefix(p, prefix+"/") {
				continue
			}
			if id, ok := idx[strings.TrimPrefix(p, prefix)]; ok {
				w.nodes[st.inode()] = nodeRef{dr.ID, id}
			}
		}
	}
	return w, nil
}

// Sync rescans the directory and applies every change since the last scan. A change that cannot
// be applied (a path outside every known drive or mail folder, say) is skipped; the errors are
// joined, and the others are applied all the same.
func (w *Watcher) Sync() error {
	cur, err := scanData(w.root)
	if err != nil {
		return err
	}
	var errs []error
	for _, c := range Diff(w.last, cur) {
		if err := w.apply(c, cur); err != nil {
			errs = append(errs, err)
		}
	}
	w.last = cur
	return errors.Join(errs...)
}

// scanData scans what Load reads of root: kdrive/ and mail/ (not .trash/).
func scanData(root string) (Scan, error) {
	s, err := ScanDir(root)
	for p := range s {
		if top, _, _ := strings.Cut(p, "/"); top != "kdrive" && top != "mail" {
			delete(s, p)
		}
	}
	return s, err
}

// apply makes one disk change a data set change. Changes the data set
// already holds (writes made through the API and mirrored to disk) are only
// taken note of, so they are not reported twice.
func (w *Watcher) apply(c DiskChange, cur Scan) error {
	switch c.Kind {
	case DiskCreated:
		return w.create(c.Path, c.Stat, cur)
	case DiskDeleted:
		return w.remove(c.OldPath, c.Old)
	case DiskModified:
		if isMail(c.Path) {
			if err := w.remove(c.OldPath, c.Old); err != nil {
				return err
			}
			return w.create(c.Path, c.Stat, cur)
		}
		ref, ok := w.nodes[c.Old.inode()]
		if !ok {
			return fmt.Errorf("modified %s: not followed", c.Path)
		}
		delete(w.nodes, c.Old.inode())
		w.nodes[c.Stat.inode()] = ref
		if c.Stat.IsDir {
			return nil // replaced by another directory: the same folder to the API
		}
		if n, ok := w.d.Item(ref.drive, ref.id); ok && n.Size == c.Stat.Size && n.MTime == seconds(c.Stat.MTime) {
			return nil // written through the API
		}
		_, err := w.d.UpdateDiskFile(ref.drive, ref.id, w.abs(c.Path), c.Stat.Size, seconds(c.Stat.MTime))
		return err
	case DiskMoved:
		return w.move(c, cur)
	}
	return nil
}

// move renames and/or re-parents within a drive; any other move (between drives, to or from
// mail) is a deletion here and a creation there, as the service would see it.
func (w *Watcher) move(c DiskChange, cur Scan) error {
	ref, ok := w.nodes[c.Old.inode()]
	parent, pok := w.parentRef(c.Path, cur)
	if !ok || !pok || parent.drive != ref.drive {
		var err error
		if ok || isMail(c.OldPath) {
			err = w.remove(c.OldPath, c.Old)
		}
		return errors.Join(err, w.createTree(c.Path, cur))
	}
	n, ok := w.d.Item(ref.drive, ref.id)
	if !ok {
		return nil // trashed or deleted through the API meanwhile
	}
	if name := path.Base(c.Path); n.Name != name {
		if err := w.d.Rename(ref.drive, ref.id, name); err != nil {
			return err
		}
	}
	if n.ParentID != parent.id {
		if err := w.d.Move(ref.drive, ref.id, parent.id); err != nil {
			return err
		}
	}
	// Changed on disk on the way, and not by the API (which the data set already shows)?
	changed := c.Old.Size != c.Stat.Size || c.Old.MTime != c.Stat.MTime
	if err := w.d.Relocate(ref.drive, ref.id, w.abs(c.Path)); err != nil || n.IsDir || !changed ||
		(n.Size == c.Stat.Size && n.MTime == seconds(c.Stat.MTime)) {
		return err
	}
	_, err := w.d.UpdateDiskFile(ref.drive, ref.id, w.abs(c.Path), c.Stat.Size, seconds(c.Stat.MTime))
	return err
}

// createTree creates p and everything under it in the scan, parents first.
func (w *Watcher) createTree(p string, cur Scan) error {
	cs := []DiskChange{{Kind: DiskCreated, Path: p, Stat: cur[p]}}
	for q, st := range cur {
		if strings.HasPrefix(q, p+"/") {
			cs = append(cs, DiskChange{Kind: DiskCreated, Path: q, Stat: st})
		}
	}
	sortChanges(cs, func(c DiskChange) string { return c.Path })
	var errs []error
	for _, c := range cs {
		errs = append(errs, w.create(c.Path, c.Stat, cur))
	}
	return errors.Join(errs...)
}

func (w *Watcher) create(p string, st FileStat, cur Scan) error {
	if isMail(p) {
		if st.IsDir {
			return nil // new mail folders are not followed
		}
		mb, folder, ok := w.mailFolder(p)
		if !ok {
			return fmt.Errorf("new %s: not in a known mail folder", p)
		}
		_, err := w.d.AddMessageFile(mb, folder, w.abs(p))
		return err
	}
	parent, ok := w.parentRef(p, cur)
	if !ok {
		return fmt.Errorf("new %s: not in a known drive", p)
	}
	if n, ok := w.d.ChildByName(parent.drive, parent.id, path.Base(p)); ok && n.IsDir == st.IsDir {
		w.nodes[st.inode()] = nodeRef{parent.drive, n.ID} // written through the API
		if !n.IsDir && (n.Size != st.Size || n.MTime != seconds(st.MTime)) {
			_, err := w.d.UpdateDiskFile(parent.drive, n.ID, w.abs(p), st.Size, seconds(st.MTime))
			return err
		}
		return nil
	}
	var n Node
	var err error
	if st.IsDir {
		n, err = w.d.AddDiskDir(parent.drive, parent.id, path.Base(p), seconds(st.MTime))
	} else {
		n, err = w.d.AddDiskFile(parent.drive, parent.id, path.Base(p), w.abs(p), st.Size, seconds(st.MTime))
	}
	if err == nil {
		w.nodes[st.inode()] = nodeRef{parent.drive, n.ID}
	}
	return err
}

// remove deletes what p held; a mail folder's removal removes the messages it held.
func (w *Watcher) remove(p string, st FileStat) error {
	if !isMail(p) {
		ref, ok := w.nodes[st.inode()]
		if !ok {
			return fmt.Errorf("deleted %s: not followed", p)
		}
		delete(w.nodes, st.inode())
		if err := w.d.Delete(ref.drive, ref.id); !errors.Is(err, ErrNotFound) {
			return err
		}
		return nil // trashed or deleted through the API
	}
	var errs []error
	for q, qs := range w.last {
		if (q == p || strings.HasPrefix(q, p+"/")) && !qs.IsDir {
			if mb, folder, ok := w.mailFolder(q); ok {
				errs = append(errs, w.d.DeleteMessageFile(mb, folder, w.abs(q)))
			}
		}
	}
	return errors.Join(errs...)
}

// parentRef is the node of p's directory, found by its inode in the scan.
func (w *Watcher) parentRef(p string, cur Scan) (nodeRef, bool) {
	st, ok := cur[path.Dir(p)]
	if !ok {
		return nodeRef{}, false
	}
	ref, ok := w.nodes[st.inode()]
	return ref, ok
}

// mailFolder resolves "mail/<address>/<folder path>/<name>.eml".
func (w *Watcher) mailFolder(p string) (uuid, folderID string, ok bool) {
	parts := strings.Split(p, "/")
	if len(parts) < 4 || !strings.HasSuffix(strings.ToLower(p), ".eml") {
		return "", "", false
	}
	folderPath := strings.Join(parts[2:len(parts)-1], "/")
	for _, mb := range w.d.Mailboxes() {
		if mb.Email != parts[1] {
			continue
		}
		id := FolderID(folderPath)
		w.d.mu.RLock()
		f := w.d.folder(mb.UUID, id)
		w.d.mu.RUnlock()
		return mb.UUID, id, f != nil
	}
	return "", "", false
}

func isMail(p string) bool { return p == "mail" || strings.HasPrefix(p, "mail/") }

func (w *Watcher) abs(p string) string { return filepath.Join(w.root, filepath.FromSlash(p)) }

func seconds(ns int64) int64 { return ns / 1e9 }
