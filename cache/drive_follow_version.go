package cache

import (
	"hash/maphash"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/infomaniakfs/infomaniakfs/remote"
)

// A file_update whose item keeps its Version (mtime and size: the drive
// snapshot and the feed carry no content hash) is a same-second, same-size
// edit, or an update the feed describes without times. Bytes cached under
// that Version may be the old ones, in memory, on disk, and in the
// kernel's page cache, which the file system keeps while the Version
// holds. So the item gets a Version of its own (the old one, a mark of this
// daemon's life and a count): the file system sees a new version and the
// block cache a new key. The old Version's blocks are dropped too, since
// the next snapshot of the drive gives the item its mtime-and-size Version
// back.

// editNonce tells one daemon's local versions from another's: blocks kept
// on disk under a local version of an earlier run are never found again.
var editNonce = strconv.FormatInt(time.Now().UnixNano(), 36)

// localEdits counts the local versions made.
var localEdits atomic.Uint64

// sameVersionEdit reports an update action that leaves the item's
// Version as old had it (before any local mark).
func sameVersionEdit(a DriveAction, old remote.Entry, had bool) bool {
	return a.Action == ActionUpdate && had && !old.IsDir && old.Version != "" &&
		(a.Entry.Version == "" || a.Entry.Version == baseVersion(old.Version))
}

// baseVersion is v without a local mark: the Version the remote gives.
func baseVersion(v string) string {
	base, _, _ := strings.Cut(v, "~")
	return base
}

// remoteVersion is e as the source gave it, without a local mark: the
// source checks what it serves against e.Version (remote.Drives.Open), and
// a mark is no Version it ever gave.
func remoteVersion(e remote.Entry) remote.Entry {
	e.Version = baseVersion(e.Version)
	return e
}

// localVersion is the Version a same-version edit gives old's item, and
// drops what is cached under its current and its remote Version.
func (d *Drives) localVersion(old remote.Entry) string {
	base := baseVersion(old.Version)
	d.dropContent(old)
	if base != old.Version {
		old.Version = base
		d.dropContent(old)
	}
	return base + "~" + editNonce + "." + strconv.FormatUint(localEdits.Add(1), 10)
}

// dropContent forgets the bytes cached for version e.Version of e: every
// block and sub-block in memory, every block on disk. Stores already made
// are applied first (ristretto buffers them). Not covered: a fetch of the
// old bytes still under way, or queued for the disk, which lands after;
// its bytes can only be served if the remote Version comes back (a new
// snapshot, a restart) and no later edit moved it.
func (d *Drives) dropContent(e remote.Entry) {
	d.blocks.wait()
	fk := fileKey{e.DriveID, e.ID, e.Version}
	vh := maphash.String(d.seed, e.Version)
	bs := d.o.BlockSize
	per := int64(0)
	if bs > subBlock && bs%subBlock == 0 {
		per = bs / subBlock
	}
	for b := int64(0); b*bs < e.Size; b++ {
		d.blocks.forget(blockKey{fk, b}, blockHash(vh, fk, b))
		d.o.Disk.dropBlock(fk, b)
		for j := range per {
			idx := -1 - (b*per + j)
			d.blocks.forget(blockKey{fk, idx}, blockHash(vh, fk, idx))
		}
	}
}

// dropBlock removes block idx of fk from the disk, if there.
func (d *Disk) dropBlock(fk fileKey, idx int64) {
	if d != nil {
		d.drop(blockName(fk, idx))
	}
}
