package remotetest

import (
	"context"
	"fmt"
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
	// protected, sessions, trashed and lose are guarded by DriveFake.mu.
	protected map[itemKey]bool
	sessions  map[string]*fakeSession
	trashed   map[itemKey]remote.Entry
	lose      map[Op]int
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
		sessions: map[string]*fakeSession{}, trashed: map[itemKey]remote.Entry{}, lose: map[Op]int{}}
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
	e, ok := w.trashed[itemKey{driveID, id}]
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

// LoseAnswer makes the next successful call of op lose its answer: the
// fake applies it again, as a client's retry would, and answers what the
// retry gets. A writer keeps the contract if the retry recognises the
// first attempt (kdrive.Client: landed, madeDir).
func (w *WriterFake) LoseAnswer(op Op) {
	w.mu.Lock()
	w.lose[op]++
	w.mu.Unlock()
}

// lost reports, once per LoseAnswer, whether op's answer is lost.
func (w *WriterFake) lost(op Op) bool {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.lose[op] == 0 {
		return false
	}
	w.lose[op]--
	return true
}

// retry is call, and call again when its answer is lost.
func retry[T any](w *WriterFake, op Op, call func() (T, error)) (T, error) {
	v, err := call()
	if err != nil || !w.lost(op) {
		return v, err
	}
	return call()
}

// Mkdir implements remote.DriveWriter. A retry that finds the name taken
// by an empty folder takes it for its first attempt's, as kdrive.Client
// does.
func (w *WriterFake) Mkdir(ctx context.Context, driveID, parentID int64, name string) (remote.Entry, error) {
	e, err := w.mkdir(ctx, driveID, parentID, name)
	if err != nil || !w.lost(OpMkdir) {
		return e, err
	}
	if _, err = w.mkdir(ctx, driveID, parentID, name); !errorsIs(err, remote.ErrExists) {
		return remote.Entry{}, err
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	if c, ok := w.namedLocked(driveID, parentID, name); ok && c.IsDir && len(w.children[itemKey{driveID, c.ID}]) == 0 {
		return c, nil
	}
	return remote.Entry{}, err
}

func (w *WriterFake) mkdir(ctx context.Context, driveID, parentID int64, name string) (remote.Entry, error) {
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
