package writeback

import "github.com/infomaniakfs/infomaniakfs/remote"

// lineage is what this mount's uploads made of one remote file: its id and
// version now, and the versions they replaced. A job based on one of those
// is a later write of ours, not a write over someone else's change: it is
// moved onto the current version instead of becoming a conflict copy (a
// file written, fsynced, written again; two opens one after the other).
type lineage struct {
	id       int64
	version  string
	replaced map[string]bool // "" for a job that created the file
}

// lineages holds them by job key (both a new file's folder/name key and
// its id key). Guarded by Queue.mu.
type lineages map[string]*lineage

// record notes that job j's upload made version e.
func (ls lineages) record(j Job, e remote.Entry) {
	l := ls[j.key()]
	if l == nil {
		l = &lineage{replaced: map[string]bool{}}
	}
	l.replaced[j.BaseVersion] = true
	if l.version != "" {
		l.replaced[l.version] = true
	}
	l.id, l.version = e.ID, e.Version
	ls[j.key()] = l
	ls[Job{DriveID: j.DriveID, FileID: e.ID}.key()] = l
}

// apply moves j onto the current version when it was based on one of ours.
func (ls lineages) apply(j *Job) {
	if l := ls[j.key()]; l != nil && l.replaced[j.BaseVersion] && l.version != j.BaseVersion {
		j.FileID, j.BaseVersion = l.id, l.version
	}
}
