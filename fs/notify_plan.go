package fs

import "sort"

// opKind is what the kernel is told about one name of a directory.
type opKind int

const (
	opEntry   opKind = iota + 1 // forget the name (NotifyEntry): the next access looks it up
	opDelete                    // the item is gone (NotifyDelete): inotify watchers see it
	opContent                   // same item, new version: forget its attributes and pages
)

// notifyOp is one thing to tell the kernel about a name of a directory.
type notifyOp struct {
	name string
	kind opKind
}

// knownChild is a name the kernel holds in a directory (a positive dentry):
// the inode it leads to and, for a kDrive file, the version whose
// attributes the kernel was given ("" when none applies).
type knownChild struct {
	ino     uint64
	version string
}

// planInvalidations says what the kernel must forget in one directory
// after a change, so that nothing it caches outlives the change:
//   - a held name that now leads elsewhere or nowhere is forgotten, as a
//     deletion when its item is gone from the drive (gone);
//   - a held name that leads to the same file in a new version has that
//     file's attributes and pages dropped;
//   - a name that appeared (new in after, compared with before, or naming
//     an item the change is about: touched) is forgotten too, in case the
//     kernel remembers it did not exist.
//
// before is the directory's listing the kernel was last answered from
// (nil: none), after the listing now (nil: it could not be had, so every
// held name is forgotten). touched nil means the change may concern
// anything (a drive read again).
func planInvalidations(known map[string]knownChild, before, after *listing, touched, gone map[uint64]bool) []notifyOp {
	var ops []notifyOp
	for name, k := range known {
		if after == nil {
			ops = append(ops, notifyOp{name, opEntry})
			continue
		}
		it, ok := after.items[name]
		switch {
		case !ok || it.stable().Ino != k.ino:
			kind := opEntry
			if gone[k.ino] {
				kind = opDelete
			}
			ops = append(ops, notifyOp{name, kind})
		case k.version != "" && itemVersion(it) != k.version:
			ops = append(ops, notifyOp{name, opContent})
		}
	}
	if after != nil {
		for name, it := range after.items {
			if _, held := known[name]; held {
				continue
			}
			ino := it.stable().Ino
			appeared := before != nil && (before.items[name] == nil || before.items[name].stable().Ino != ino)
			if appeared || touched[ino] {
				ops = append(ops, notifyOp{name, opEntry})
			}
		}
	}
	sort.Slice(ops, func(i, j int) bool { return ops[i].name < ops[j].name })
	return ops
}

// itemVersion is a kDrive file's content version, "" for anything else.
func itemVersion(it item) string {
	if t, ok := it.(driveEntry); ok && !t.e.IsDir {
		return t.e.Version
	}
	return ""
}
