package dataset

import (
	"errors"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"
	"syscall"
)

// FileStat is what a scan records of one path: enough to tell a changed file from an unchanged
// one (size, mtime) and a moved one from a new one (device and inode).
type FileStat struct {
	Dev, Ino uint64
	Size     int64 // files
	MTime    int64 // nanoseconds
	IsDir    bool
}

type inode struct{ dev, ino uint64 }

func (s FileStat) inode() inode { return inode{s.Dev, s.Ino} }

// Scan maps the slash-separated path of every file and directory under a root, relative to it.
type Scan map[string]FileStat

// ScanDir records every file and directory under root as Load sees them: symlinks to files are
// followed, symlinks to directories skipped. Entries that vanish during the scan are left out.
func ScanDir(root string) (Scan, error) {
	out := Scan{}
	return out, scanInto(out, root, "")
}

func scanInto(out Scan, root, rel string) error {
	ents, err := os.ReadDir(filepath.Join(root, filepath.FromSlash(rel)))
	if err != nil {
		if rel != "" && errors.Is(err, fs.ErrNotExist) {
			return nil // removed while scanning: the next scan sees it gone
		}
		return err
	}
	for _, e := range ents {
		p := path.Join(rel, e.Name())
		st, err := os.Stat(filepath.Join(root, filepath.FromSlash(p)))
		if err != nil {
			continue // dangling symlink, or gone meanwhile
		}
		fst := FileStat{Size: st.Size(), MTime: st.ModTime().UnixNano(), IsDir: st.IsDir()}
		if sys, ok := st.Sys().(*syscall.Stat_t); ok {
			fst.Dev, fst.Ino = uint64(sys.Dev), uint64(sys.Ino)
		}
		switch {
		case st.IsDir() && e.Type()&fs.ModeSymlink == 0:
			fst.Size = 0
			out[p] = fst
			if err := scanInto(out, root, p); err != nil {
				return err
			}
		case st.Mode().IsRegular():
			out[p] = fst
		}
	}
	return nil
}

// DiskChangeKind says what happened to a path between two scans.
type DiskChangeKind int

// Kinds of DiskChange.
const (
	DiskCreated  DiskChangeKind = iota + 1 // Path is new
	DiskModified                           // Path holds new content (a directory: was replaced)
	DiskMoved                              // OldPath is now Path (renamed and/or moved)
	DiskDeleted                            // OldPath is gone, with everything under it
)

// DiskChange is one difference between two scans. Old is OldPath's stat in the old scan (the
// object's identity for Modified, Moved and Deleted); Stat is Path's in the new one.
type DiskChange struct {
	Kind          DiskChangeKind
	Path, OldPath string
	Old, Stat     FileStat
}

// Diff tells what happened between two scans of one tree, in the order the changes can be
// applied: created directories (parents first), moves (shallowest destination first), modified
// files, created files, then deletions (a deleted directory stands for its whole subtree).
//
// An object is followed by its inode: a path whose inode shows up at another path was moved, not
// deleted and created, and the entries under a moved directory are not reported again (unless
// modified too). A moved file whose size or mtime changed is Moved with Stat telling its new
// state: a file deleted whose inode number a new one got within one scan looks so too, which
// costs nothing worse than a move where there was a deletion and a creation. A path that holds a
// different object of the same type, whose old object went away (an editor's atomic save), is
// modified in place.
func Diff(old, cur Scan) []DiskChange {
	oldAt := make(map[inode]string, len(old))
	for p, st := range old {
		oldAt[st.inode()] = p
	}
	usedOld := map[string]bool{}
	moved := map[string]string{} // new path → old path
	var dirs, moves, mods, files, dels []DiskChange
	for q, st := range cur {
		p, ok := oldAt[st.inode()]
		if !ok {
			continue
		}
		was := old[p]
		switch {
		case was.IsDir != st.IsDir:
			continue
		case p == q:
			if !st.IsDir && (was.Size != st.Size || was.MTime != st.MTime) {
				mods = append(mods, DiskChange{Kind: DiskModified, Path: q, OldPath: p, Old: was, Stat: st})
			}
		default:
			moved[q] = p
		}
		usedOld[p] = true
	}
	for q, st := range cur {
		if p, ok := oldAt[st.inode()]; ok && usedOld[p] && (p == q || moved[q] == p) {
			continue // seen above
		}
		if was, ok := old[q]; ok && !usedOld[q] && was.IsDir == st.IsDir {
			usedOld[q] = true
			mods = append(mods, DiskChange{Kind: DiskModified, Path: q, OldPath: q, Old: was, Stat: st})
			continue
		}
		c := DiskChange{Kind: DiskCreated, Path: q, Stat: st}
		if st.IsDir {
			dirs = append(dirs, c)
		} else {
			files = append(files, c)
		}
	}
	for q, p := range moved {
		was, st := old[p], cur[q]
		if pq, ok := moved[path.Dir(q)]; ok && pq == path.Dir(p) && path.Base(p) == path.Base(q) {
			if !st.IsDir && (was.Size != st.Size || was.MTime != st.MTime) {
				mods = append(mods, DiskChange{Kind: DiskModified, Path: q, OldPath: p, Old: was, Stat: st})
			}
			continue // carried along by its directory's move
		}
		moves = append(moves, DiskChange{Kind: DiskMoved, Path: q, OldPath: p, Old: was, Stat: st})
	}
	for p, was := range old {
		if usedOld[p] {
			continue
		}
		if dp := path.Dir(p); dp != "." && !usedOld[dp] {
			if _, ok := old[dp]; ok {
				continue // its directory's deletion covers it
			}
		}
		dels = append(dels, DiskChange{Kind: DiskDeleted, OldPath: p, Old: was})
	}
	sortChanges(dirs, func(c DiskChange) string { return c.Path })
	sortChanges(moves, func(c DiskChange) string { return c.Path })
	sortChanges(mods, func(c DiskChange) string { return c.Path })
	sortChanges(files, func(c DiskChange) string { return c.Path })
	sortChanges(dels, func(c DiskChange) string { return c.OldPath })
	return append(append(append(append(dirs, moves...), mods...), files...), dels...)
}

// sortChanges orders changes shallowest first, then by path, so the result is deterministic and
// a parent always comes before what it holds.
func sortChanges(cs []DiskChange, key func(DiskChange) string) {
	sort.Slice(cs, func(i, j int) bool {
		a, b := key(cs[i]), key(cs[j])
		if da, db := strings.Count(a, "/"), strings.Count(b, "/"); da != db {
			return da < db
		}
		return a < b
	})
}
