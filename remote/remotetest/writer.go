package remotetest

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/infomaniakfs/infomaniakfs/remote"
)

// The calls of WriterFake, counted and hooked as DriveFake's are.
const (
	OpMkdir    Op = "mkdir"
	OpUpload   Op = "upload"
	OpStart    Op = "session-start"
	OpChunk    Op = "session-chunk"
	OpFinish   Op = "session-finish"
	OpCancel   Op = "session-cancel"
	OpRename   Op = "rename"
	OpMove     Op = "move"
	OpTrash    Op = "trash"
	OpSetMTime Op = "mtime"
	OpHash     Op = "hash"
)

// WriterFake is the shared fake of remote.DriveWriter: it writes into a
// DriveFake, so the fake's reads, its change feed and its world see every
// write. It holds the checks kDrive makes (kDrive reference §10,
// additions §5; the emulator's doc): names, names taken, the base version
// of an overwrite, size and hash, quota, folders nobody may write to. It
// is safe for concurrent use. Changes are logged as the kDrive feed names
// them (file_create, file_update, file_rename, file_move, file_trash).
type WriterFake struct {
	*DriveFake
	// protected, sessions and trash are guarded by DriveFake.mu.
	protected map[itemKey]bool
	sessions  map[string]*fakeSession
	trash     map[itemKey]remote.Entry
}

var _ remote.DriveWriter = (*WriterFake)(nil)

// fakeSession is an upload session under way: where it goes (checked at
// start) and the chunks received.
type fakeSession struct {
	u      remote.Upload
	total  int
	chunks map[int][]byte
}

// NewWriter returns a writer into f.
func NewWriter(f *DriveFake) *WriterFake {
	return &WriterFake{DriveFake: f, protected: map[itemKey]bool{},
		sessions: map[string]*fakeSession{}, trash: map[itemKey]remote.Entry{}}
}

// Protect makes folder id refuse writes (ErrPermission): nothing may be
// created in it, nor may it be renamed, moved or trashed, as kDrive's
// root and a shared folder without write right.
func (w *WriterFake) Protect(driveID, id int64) {
	w.mu.Lock()
	w.protected[itemKey{driveID, id}] = true
	w.mu.Unlock()
}

// SetFree sets the drive's quota to what it uses plus free bytes.
func (w *WriterFake) SetFree(driveID, free int64) {
	w.mu.Lock()
	defer w.mu.Unlock()
	for i, d := range w.drives {
		if d.ID == driveID {
			w.drives[i].Size = d.UsedSize + free
		}
	}
}

// Trashed returns an item trashed through Trash (not what went with it).
func (w *WriterFake) Trashed(driveID, id int64) (remote.Entry, bool) {
	w.mu.Lock()
	defer w.mu.Unlock()
	e, ok := w.trash[itemKey{driveID, id}]
	return e, ok
}

// maxName is the longest name kDrive takes, in bytes.
const maxName = 255

// checkName refuses what kDrive refuses (the emulator's validName).
func checkName(name string) error {
	if name == "" || name == "." || name == ".." || strings.ContainsAny(name, "/\x00") || len(name) > maxName {
		return fmt.Errorf("fake: name %.40q: %w", name, remote.ErrInvalidName)
	}
	return nil
}

// dirLocked is folder dir, ready to take a new child; w.mu is held.
func (w *WriterFake) dirLocked(driveID, dir int64) error {
	k := itemKey{driveID, dir}
	switch e, ok := w.items[k]; {
	case !ok:
		return fmt.Errorf("fake: folder %d/%d: %w", driveID, dir, remote.ErrNotFound)
	case !e.IsDir:
		return fmt.Errorf("fake: %d/%d is a file: %w", driveID, dir, remote.ErrInvalid)
	case w.protected[k]:
		return fmt.Errorf("fake: folder %d/%d: %w", driveID, dir, remote.ErrPermission)
	}
	return nil
}

// namedLocked is the child called name of dir; w.mu is held.
func (w *WriterFake) namedLocked(driveID, dir int64, name string) (remote.Entry, bool) {
	for _, id := range w.children[itemKey{driveID, dir}] {
		if e := w.items[itemKey{driveID, id}]; e.Name == name {
			return e, true
		}
	}
	return remote.Entry{}, false
}

// movableLocked is item id, which a rename, move or trash may change.
func (w *WriterFake) movableLocked(driveID, id int64) (remote.Entry, error) {
	k := itemKey{driveID, id}
	e, ok := w.items[k]
	switch {
	case !ok:
		return e, fmt.Errorf("fake: item %d/%d: %w", driveID, id, remote.ErrNotFound)
	case w.protected[k] || id == 1:
		return e, fmt.Errorf("fake: item %d/%d: %w", driveID, id, remote.ErrPermission)
	}
	return e, nil
}

// Mkdir implements remote.DriveWriter.
func (w *WriterFake) Mkdir(ctx context.Context, driveID, parentID int64, name string) (remote.Entry, error) {
	if err := w.enter(ctx, OpMkdir, driveID, parentID); err != nil {
		return remote.Entry{}, err
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	if err := w.dirLocked(driveID, parentID); err != nil {
		return remote.Entry{}, err
	}
	if err := checkName(name); err != nil {
		return remote.Entry{}, err
	}
	if _, taken := w.namedLocked(driveID, parentID, name); taken {
		return remote.Entry{}, fmt.Errorf("fake mkdir %q: %w", name, remote.ErrExists)
	}
	now := time.Now().Truncate(time.Second)
	w.nextID++
	e := remote.Entry{ID: w.nextID, DriveID: driveID, ParentID: parentID, Name: name, IsDir: true, MTime: now, CTime: now}
	w.addLocked(e)
	return e, nil
}

// addLocked adds e under its parent and logs it; w.mu is held.
func (w *WriterFake) addLocked(e remote.Entry) {
	k := itemKey{e.DriveID, e.ID}
	w.items[k] = e
	pk := itemKey{e.DriveID, e.ParentID}
	w.children[pk] = append(w.children[pk], e.ID)
	w.logLocked("file_create", e)
}

// Rename implements remote.DriveWriter: the same name again is done.
func (w *WriterFake) Rename(ctx context.Context, driveID, id int64, name string) error {
	if err := w.enter(ctx, OpRename, driveID, id); err != nil {
		return err
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	e, err := w.movableLocked(driveID, id)
	if err != nil {
		return err
	}
	return w.placeLocked(e, e.ParentID, name, "file_rename")
}

// placeLocked puts e under dir as name, unless another item has that
// name there; w.mu is held.
func (w *WriterFake) placeLocked(e remote.Entry, dir int64, name, action string) error {
	if err := checkName(name); err != nil {
		return err
	}
	if c, taken := w.namedLocked(e.DriveID, dir, name); taken && c.ID != e.ID {
		return fmt.Errorf("fake %s %d to %q: %w", action, e.ID, name, remote.ErrExists)
	}
	if dir == e.ParentID && name == e.Name {
		return nil
	}
	if dir != e.ParentID {
		old := itemKey{e.DriveID, e.ParentID}
		w.children[old] = slices.DeleteFunc(w.children[old], func(x int64) bool { return x == e.ID })
		nk := itemKey{e.DriveID, dir}
		w.children[nk] = append(w.children[nk], e.ID)
	}
	e.ParentID, e.Name = dir, name
	w.items[itemKey{e.DriveID, e.ID}] = e
	w.logLocked(action, e)
	return nil
}

// Move implements remote.DriveWriter.
func (w *WriterFake) Move(ctx context.Context, driveID, id, destID int64, name string) error {
	if err := w.enter(ctx, OpMove, driveID, id); err != nil {
		return err
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	e, err := w.movableLocked(driveID, id)
	if err != nil {
		return err
	}
	if err := w.dirLocked(driveID, destID); err != nil {
		return err
	}
	for x := destID; x != 0; x = w.items[itemKey{driveID, x}].ParentID {
		if x == id {
			return fmt.Errorf("fake move %d into itself: %w", id, remote.ErrInvalid)
		}
		if x == 1 {
			break
		}
	}
	if name == "" {
		name = e.Name
	}
	return w.placeLocked(e, destID, name, "file_move")
}

// Trash implements remote.DriveWriter: the item and what it holds leave
// the tree (feed: file_trash). An item already gone is not an error: a
// retried trash finds what the first attempt did.
func (w *WriterFake) Trash(ctx context.Context, driveID, id int64) error {
	if err := w.enter(ctx, OpTrash, driveID, id); err != nil {
		return err
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	e, err := w.movableLocked(driveID, id)
	if errorsIs(err, remote.ErrNotFound) {
		return nil
	}
	if err != nil {
		return err
	}
	pk := itemKey{driveID, e.ParentID}
	w.children[pk] = slices.DeleteFunc(w.children[pk], func(x int64) bool { return x == id })
	w.dropLocked(driveID, id)
	w.trash[itemKey{driveID, id}] = e
	w.logLocked("file_trash", e)
	return nil
}

// SetMTime implements remote.DriveWriter (seconds, the API's resolution).
// The Version changes with it, as kdrive.Client's (derived from
// last_modified_at) does: an overwrite is based on the entry it returns.
func (w *WriterFake) SetMTime(ctx context.Context, driveID, id int64, t time.Time) (remote.Entry, error) {
	if err := w.enter(ctx, OpSetMTime, driveID, id); err != nil {
		return remote.Entry{}, err
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	k := itemKey{driveID, id}
	e, ok := w.items[k]
	if !ok {
		return e, fmt.Errorf("fake mtime %d/%d: %w", driveID, id, remote.ErrNotFound)
	}
	e.MTime = t.Truncate(time.Second)
	if !e.IsDir {
		e.Version = w.versionLocked()
	}
	w.items[k] = e
	w.logLocked("file_update", e)
	return e, nil
}

// versionLocked is a Version never given before; w.mu is held.
func (w *WriterFake) versionLocked() string {
	w.nextID++
	return fmt.Sprintf("w%d", w.nextID)
}

// Hash implements remote.DriveWriter.
func (w *WriterFake) Hash(ctx context.Context, driveID, id int64) (string, error) {
	if err := w.enter(ctx, OpHash, driveID, id); err != nil {
		return "", err
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	k := itemKey{driveID, id}
	if e, ok := w.items[k]; !ok || e.IsDir {
		return "", fmt.Errorf("fake hash %d/%d: %w", driveID, id, remote.ErrNotFound)
	}
	return remote.Hash(w.data[k]), nil
}
