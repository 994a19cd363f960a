package remotetest

import (
	"context"
	"encoding/binary"
	"fmt"
	"io"
	"math/rand/v2"
	"slices"
	"sync"

	"github.com/infomaniakfs/infomaniakfs/remote"
)

// Op names a call of a fake, for Hook and Calls.
type Op string

// The calls the fakes count and hook.
const (
	OpDrives      Op = "drives"
	OpList        Op = "list"
	OpStat        Op = "stat"
	OpOpen        Op = "open"
	OpFullListing Op = "snapshot"
	OpLongPoll    Op = "longpoll"
	OpChanges     Op = "changes"
)

// Hook runs at the start of every call of a fake, after it is counted and
// before it answers: it may wait (latency, a gate: it must honour ctx) or
// fail the call by returning an error. id is the directory, item or file
// the call is about (0 for none).
type Hook func(ctx context.Context, op Op, driveID, id int64) error

// OpenCall is one Open as the fake saw it.
type OpenCall struct{ DriveID, ID, Off, Length int64 }

type itemKey struct{ drive, id int64 }

type callKey struct {
	op        Op
	drive, id int64
}

// DriveFake is an in-memory remote.Drives, safe for concurrent use. Every
// drive has its root directory at id 1. Entries keep their insertion
// order in listings. Changes made through its methods (AddFile, Modify,
// Rename, Move, Delete) are logged as kDrive change-feed actions, which
// Feed serves.
type DriveFake struct {
	mu       sync.Mutex
	drives   []remote.DriveInfo
	items    map[itemKey]remote.Entry
	children map[itemKey][]int64
	data     map[itemKey][]byte
	nextID   int64
	calls    map[callKey]int64
	opens    []OpenCall
	hook     Hook
	stall    chan struct{} // while set, every call waits for it or its ctx
	body     func(ctx context.Context, rc io.ReadCloser) io.ReadCloser
	log      []Change
	changed  chan struct{} // closed and replaced on every change
}

// Change is one action of the fake's change feed.
type Change struct {
	Action string // kDrive's: file_create, file_update, file_rename, file_move, file_delete
	Entry  remote.Entry
}

// NewDrives returns a fake with no drive.
func NewDrives() *DriveFake {
	return &DriveFake{
		items:    map[itemKey]remote.Entry{},
		children: map[itemKey][]int64{},
		data:     map[itemKey][]byte{},
		calls:    map[callKey]int64{},
		nextID:   1000,
		changed:  make(chan struct{}),
	}
}

// AddDrive adds a drive and its root directory (id 1, named "root").
func (f *DriveFake) AddDrive(info remote.DriveInfo, root remote.Entry) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.drives = append(f.drives, info)
	root.ID, root.DriveID, root.IsDir = 1, info.ID, true
	if root.Name == "" {
		root.Name = "root"
	}
	f.items[itemKey{info.ID, 1}] = root
}

// SetHook installs h (nil: none) for the calls from now on.
func (f *DriveFake) SetHook(h Hook) {
	f.mu.Lock()
	f.hook = h
	f.mu.Unlock()
}

// SetBody makes every body Open returns go through wrap (nil: as is).
func (f *DriveFake) SetBody(wrap func(ctx context.Context, rc io.ReadCloser) io.ReadCloser) {
	f.mu.Lock()
	f.body = wrap
	f.mu.Unlock()
}

// Bytes returns deterministic pseudo-random content of size n for seed.
func Bytes(seed uint64, n int64) []byte {
	var s [32]byte
	binary.LittleEndian.PutUint64(s[0:], seed)
	binary.LittleEndian.PutUint64(s[8:], uint64(n))
	b := make([]byte, n)
	rand.NewChaCha8(s).Read(b)
	return b
}

// Add adds e (a file when !e.IsDir, with content data) under e.ParentID of
// e.DriveID and logs its creation. e.ID 0 picks a fresh id. For files,
// Size is set from data and Version, when empty, to "v1". It returns the
// entry as stored.
func (f *DriveFake) Add(e remote.Entry, data []byte) remote.Entry {
	f.mu.Lock()
	defer f.mu.Unlock()
	if e.ID == 0 {
		f.nextID++
		e.ID = f.nextID
	}
	if !e.IsDir {
		e.Size = int64(len(data))
		if e.Version == "" {
			e.Version = "v1"
		}
		f.data[itemKey{e.DriveID, e.ID}] = data
	}
	k := itemKey{e.DriveID, e.ID}
	f.items[k] = e
	pk := itemKey{e.DriveID, e.ParentID}
	f.children[pk] = append(f.children[pk], e.ID)
	f.logLocked("file_create", e)
	return e
}

// Modify replaces a file's content and sets its version (empty: a new
// one), and logs the update.
func (f *DriveFake) Modify(driveID, id int64, data []byte, version string) remote.Entry {
	return f.update(driveID, id, "file_update", func(e *remote.Entry) {
		f.data[itemKey{driveID, id}] = data
		e.Size = int64(len(data))
		if version == "" {
			version = e.Version + "'"
		}
		e.Version = version
	})
}

// Rename renames an item and logs it.
func (f *DriveFake) Rename(driveID, id int64, name string) remote.Entry {
	return f.update(driveID, id, "file_rename", func(e *remote.Entry) { e.Name = name })
}

// Move moves an item under another directory and logs it.
func (f *DriveFake) Move(driveID, id, parentID int64) remote.Entry {
	return f.Apply(driveID, id, "file_move", false, func(e *remote.Entry) { e.ParentID = parentID })
}

func (f *DriveFake) update(driveID, id int64, action string, change func(e *remote.Entry)) remote.Entry {
	f.mu.Lock()
	defer f.mu.Unlock()
	k := itemKey{driveID, id}
	e, ok := f.items[k]
	if !ok {
		panic(fmt.Sprintf("remotetest: no item %d/%d", driveID, id))
	}
	change(&e)
	f.items[k] = e
	f.logLocked(action, e)
	return e
}

// Delete removes an item (and what is under it) and logs it.
func (f *DriveFake) Delete(driveID, id int64) { f.Apply(driveID, id, "file_delete", true, nil) }

// Apply is the general change: it changes item id through change (nil:
// none; it may move the item by setting ParentID), or removes the item
// and what is under it when remove, and logs action about the item as it
// is afterwards (or was). An item that is not there is (re)added by a
// change, and removing it logs the action alone.
func (f *DriveFake) Apply(driveID, id int64, action string, remove bool, change func(e *remote.Entry)) remote.Entry {
	f.mu.Lock()
	defer f.mu.Unlock()
	k := itemKey{driveID, id}
	e, had := f.items[k]
	if !had {
		e = remote.Entry{ID: id, DriveID: driveID}
	}
	oldParent := e.ParentID
	if change != nil {
		change(&e)
	}
	if had && (remove || e.ParentID != oldParent) {
		pk := itemKey{driveID, oldParent}
		f.children[pk] = slices.DeleteFunc(f.children[pk], func(x int64) bool { return x == id })
	}
	switch {
	case remove:
		f.dropLocked(driveID, id)
	default:
		e.ID, e.DriveID = id, driveID
		f.items[k] = e
		if !had || e.ParentID != oldParent {
			pk := itemKey{driveID, e.ParentID}
			f.children[pk] = append(f.children[pk], id)
		}
	}
	f.logLocked(action, e)
	return e
}

func (f *DriveFake) dropLocked(driveID, id int64) {
	k := itemKey{driveID, id}
	for _, c := range f.children[k] {
		f.dropLocked(driveID, c)
	}
	delete(f.items, k)
	delete(f.data, k)
	delete(f.children, k)
}

// Entry returns an item as stored.
func (f *DriveFake) Entry(driveID, id int64) (remote.Entry, bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	e, ok := f.items[itemKey{driveID, id}]
	return e, ok
}

// Content returns a file's content (shared: do not modify).
func (f *DriveFake) Content(driveID, id int64) []byte {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.data[itemKey{driveID, id}]
}
