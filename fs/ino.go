package fs

import (
	"hash/fnv"
	"strconv"
)

// Kind is the kind of object an inode number stands for.
type Kind uint64

// Inode numbers are derived from remote ids, never from counters or maps,
// so a file keeps its number across remounts (backup tools key their
// change detection on it). Layout of the 64 bits:
//
//	63..61  kind (3 bits)
//	60..0   depends on the kind:
//	  KindStatic     the fixed directories: 1 = mount root (FUSE_ROOT_ID),
//	                 2 = kDrive/, 3 = Mail/ (kind bits 0)
//	  KindDrive      a drive's directory: the drive id
//	  KindDriveItem  bits 60..37 drive id (24 bits), 36..0 kDrive file id
//	                 (37 bits): exact, collision-free while ids fit
//	  KindDriveHash  a drive item whose ids do not fit the above:
//	                 61-bit FNV-1a hash of (drive id, file id)
//	  KindMailbox    61-bit FNV-1a hash of the mailbox uuid
//	  KindFolder     61-bit FNV-1a hash of (mailbox uuid, folder PATH):
//	                 folder ids change on rename, the path is what users see
//	  KindMessage    61-bit FNV-1a hash of (mailbox uuid, folder path, uid)
//
// Hashing messages over all three, rather than packing the 32-bit IMAP uid
// under a folder hash, makes a collision need one unlucky message pair
// (~n²/2^62) instead of one unlucky folder pair that would take all their
// messages along.
const (
	KindStatic Kind = iota
	KindDrive
	KindDriveItem
	KindDriveHash
	KindMailbox
	KindFolder
	KindMessage
)

const (
	kindShift    = 61
	lowMask      = 1<<kindShift - 1
	itemIDBits   = 37
	driveIDBits  = kindShift - itemIDBits
	inoRoot      = 1
	inoDrivesTop = 2
	inoMailTop   = 3
)

// Ino returns the inode number of an object. ns is the namespace the id
// lives in (the drive id; the mailbox uuid, or the mailbox uuid and folder
// path joined by NUL) and id the remote id within it. For KindStatic, id
// is the number itself.
func Ino(kind Kind, ns, id string) uint64 {
	switch kind {
	case KindStatic:
		n, _ := strconv.ParseUint(id, 10, 64)
		return n & lowMask
	case KindDrive:
		if n, err := strconv.ParseUint(id, 10, 64); err == nil && n <= lowMask {
			return uint64(kind)<<kindShift | n
		}
		return uint64(kind)<<kindShift | hash61("", id)
	case KindDriveItem:
		d, derr := strconv.ParseUint(ns, 10, 64)
		n, nerr := strconv.ParseUint(id, 10, 64)
		if derr == nil && nerr == nil && d < 1<<driveIDBits && n < 1<<itemIDBits {
			return uint64(kind)<<kindShift | d<<itemIDBits | n
		}
		return uint64(KindDriveHash)<<kindShift | hash61(ns, id)
	}
	return uint64(kind)<<kindShift | hash61(ns, id)
}

// driveItemIno and friends spell out Ino for the node code.
func driveItemIno(driveID, id int64) uint64 {
	return Ino(KindDriveItem, strconv.FormatInt(driveID, 10), strconv.FormatInt(id, 10))
}

func driveIno(driveID int64) uint64 {
	return Ino(KindDrive, "", strconv.FormatInt(driveID, 10))
}

func mailboxIno(uuid string) uint64 { return Ino(KindMailbox, uuid, "") }

func folderIno(uuid, path string) uint64 { return Ino(KindFolder, uuid, path) }

func messageIno(uuid, path, uid string) uint64 {
	return Ino(KindMessage, uuid+"\x00"+path, uid)
}

// hash61 is FNV-1a over ns, a NUL, and id, folded to 61 bits. It is never
// 0, so no hashed number can be mistaken for a missing one.
func hash61(ns, id string) uint64 {
	h := fnv.New64a()
	h.Write([]byte(ns))
	h.Write([]byte{0})
	h.Write([]byte(id))
	v := h.Sum64()
	v = (v ^ v>>kindShift) & lowMask
	if v == 0 {
		v = 1
	}
	return v
}
