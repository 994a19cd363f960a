package fs

import (
	"sort"
	"strconv"
)

// maxIDLen bounds the remote id shown in a collision suffix, so a hostile
// id cannot eat the whole name.
const maxIDLen = 64

// Namer assigns the entries of one directory unique safe names.
//
// Each entry gets SafeName(name). When several entries get the same safe
// name, ALL of them are suffixed with their remote id: "report (42).pdf"
// and "report (57).pdf" (files: before a short extension; directories: at
// the end, "Archive (7)"). Suffixing every collider, not all but one,
// means no entry's name depends on which of its twins the API listed
// first. Should a suffixed name still be taken (a remote entry really
// named "report (42).pdf"), the colliders, taken in order of id, get
// "(42-2)", "(42-3)"... until free.
//
// The names depend only on the set of (name, id, dir) added, never on the
// order of Add calls, so they are the same on every listing and every
// mount while the remote entries are unchanged.
type Namer struct {
	entries []namerEntry
}

type namerEntry struct {
	safe string
	id   string
	dir  bool
}

// Add records one entry: its remote name, its remote id (unique in the
// directory) and whether it is a directory.
func (n *Namer) Add(name, id string, dir bool) {
	n.entries = append(n.entries, namerEntry{safe: SafeName(name), id: id, dir: dir})
}

// Names returns the unique name of every entry, in the order of Add.
func (n *Namer) Names() []string {
	out := make([]string, len(n.entries))
	count := make(map[string]int, len(n.entries))
	for _, e := range n.entries {
		count[e.safe]++
	}
	taken := make(map[string]bool, len(n.entries))
	var colliders []int
	for i, e := range n.entries {
		if count[e.safe] == 1 {
			out[i] = e.safe
			taken[e.safe] = true
		} else {
			colliders = append(colliders, i)
		}
	}
	// Order by (id, safe name) so the outcome cannot depend on Add order.
	sort.Slice(colliders, func(a, b int) bool {
		ea, eb := n.entries[colliders[a]], n.entries[colliders[b]]
		if ea.id != eb.id {
			return ea.id < eb.id
		}
		if ea.safe != eb.safe {
			return ea.safe < eb.safe
		}
		return !ea.dir && eb.dir
	})
	for _, i := range colliders {
		e := n.entries[i]
		id := idLabel(e.id)
		name := withSuffix(e.safe, id, e.dir)
		for k := 2; taken[name]; k++ {
			name = withSuffix(e.safe, id+"-"+strconv.Itoa(k), e.dir)
		}
		out[i] = name
		taken[name] = true
	}
	return out
}

// idLabel makes a remote id fit for a suffix: safe and short.
func idLabel(id string) string {
	if id == "" {
		return emptyName
	}
	return cutRunes(replaceUnsafe(id), maxIDLen)
}

// withSuffix appends " (label)" to a safe name (before a file's short
// extension), cutting the stem so the whole stays within MaxNameLen.
func withSuffix(safe, label string, dir bool) string {
	suffix := " (" + label + ")"
	stem, ext := safe, ""
	if !dir {
		stem, ext = splitExt(safe)
	}
	return cutRunes(stem, MaxNameLen-len(suffix)-len(ext)) + suffix + ext
}
