package kdrive

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/infomaniakfs/infomaniakfs/remote"
)

// rootID is every drive's root directory (kDrive reference §5); it alone
// may come without a name.
const rootID = 1

// maxSize rejects sizes no real file has (1 PiB): a garbage value must not
// reach stat, where it would make readers loop for ever.
const maxSize = 1 << 50

// fileJSON is the part of kDrive's File object (reference §6) we use.
// Nullable fields are pointers so absent and zero differ.
type fileJSON struct {
	ID             int64  `json:"id"`
	Name           string `json:"name"`
	Type           string `json:"type"`
	ParentID       int64  `json:"parent_id"`
	DriveID        int64  `json:"drive_id"`
	Size           *int64 `json:"size"`
	MimeType       string `json:"mime_type"`
	CreatedAt      *int64 `json:"created_at"`
	AddedAt        *int64 `json:"added_at"`
	LastModifiedAt *int64 `json:"last_modified_at"`
	Hash           string `json:"hash"`
	ETag           string `json:"etag"`
}

// errSkip marks an item of a type we do not show (not an error).
var errSkip = errors.New("unsupported item type")

// toEntry validates and maps one File object of drive.
func (f *fileJSON) toEntry(drive int64) (remote.Entry, error) {
	e := remote.Entry{ID: f.ID, ParentID: f.ParentID, DriveID: drive, Name: f.Name, MimeType: f.MimeType}
	// A nameless item stays visible: the file system gives every name,
	// the empty one included, a safe and unique form.
	if f.ID <= 0 {
		return e, fmt.Errorf("%w: item without id (name %q)", remote.ErrInvalid, f.Name)
	}
	switch f.Type {
	case "dir", "vault":
		e.IsDir = true
	case "file":
		if f.Size == nil || *f.Size < 0 || *f.Size > maxSize {
			return e, fmt.Errorf("%w: item %d has an impossible size", remote.ErrInvalid, f.ID)
		}
		e.Size = *f.Size
	default:
		return e, fmt.Errorf("%w: %q (item %d)", errSkip, f.Type, f.ID)
	}
	e.MTime = firstTime(f.LastModifiedAt, f.CreatedAt, f.AddedAt)
	e.CTime = firstTime(f.CreatedAt)
	if e.CTime.IsZero() {
		e.CTime = e.MTime
	}
	e.Version = version(e.MTime, e.Size)
	return e, nil
}

// version changes whenever the content may have: kDrive moves
// last_modified_at on every upload, and the size is checked too. Open
// checks size and mtime of the bytes it serves against the same two
// values. A same-second, same-size edit leaves both as they were: only the
// content hash tells it, and it is folded in by hashVersion where every
// source of a drive's entries carries one (SetContentHash).
func version(mtime time.Time, size int64) string {
	return fmt.Sprintf("%d-%d", mtime.Unix(), size)
}

// SetContentHash makes List and Stat ask for each file's content hash
// (with=hash) and fold it into the Version. It is for drives whose entries
// come from List and Stat alone (no snapshot, no change feed): the CSV
// snapshot and the change feed carry no hash (additions §1.3), so one item
// would otherwise get two Versions depending on the call that saw it, and
// the caches would take it as changed at every turn. No request is spent
// on a hash alone. Call it before the client is used.
func (c *Client) SetContentHash(on bool) { c.hash = on }

// hashVersion folds a content hash of the form kDrive gives today
// ("xxh3:" and 16 hex digits) into v; any other form (the announced
// nested "N:xxh3:...", an unknown algorithm, none) leaves v as it is, so
// a file falls back to mtime and size.
func hashVersion(v, hash string) string {
	h, ok := strings.CutPrefix(hash, "xxh3:")
	if !ok || len(h) != 16 {
		return v
	}
	for _, r := range h {
		if !(r >= '0' && r <= '9' || r >= 'a' && r <= 'f' || r >= 'A' && r <= 'F') {
			return v
		}
	}
	return v + "-" + strings.ToLower(h)
}

// firstTime is the first present Unix-seconds timestamp, else zero time.
func firstTime(ts ...*int64) time.Time {
	for _, t := range ts {
		if t != nil && *t > 0 {
			return time.Unix(*t, 0)
		}
	}
	return time.Time{}
}

// decodeEntry maps one raw item; errors name what is wrong with it. With
// withHash (the call asked for it), a file's content hash is folded into
// its Version.
func decodeEntry(raw json.RawMessage, drive int64, withHash bool) (remote.Entry, error) {
	var f fileJSON
	if err := json.Unmarshal(raw, &f); err != nil {
		return remote.Entry{}, fmt.Errorf("%w: item: %v", remote.ErrInvalid, err)
	}
	e, err := f.toEntry(drive)
	if err == nil && withHash && !e.IsDir {
		e.Version = hashVersion(e.Version, f.Hash)
	}
	return e, err
}

// driveJSON is the part of kDrive's Drive object (reference §4) we use;
// fixtures/ios-kDrive-*.json hold real ones.
type driveJSON struct {
	ID        int64  `json:"id"`
	Name      string `json:"name"`
	AccountID int64  `json:"account_id"`
	Account   *struct {
		ID   int64  `json:"id"`
		Name string `json:"name"`
	} `json:"account"`
	Size          int64 `json:"size"`
	UsedSize      int64 `json:"used_size"`
	InMaintenance bool  `json:"in_maintenance"`
	IsLocked      bool  `json:"is_locked"`
}

func (d *driveJSON) info() (remote.DriveInfo, error) {
	if d.ID <= 0 {
		return remote.DriveInfo{}, fmt.Errorf("%w: drive without id (name %q)", remote.ErrInvalid, d.Name)
	}
	di := remote.DriveInfo{ID: d.ID, Name: d.Name, AccountID: d.AccountID, Size: d.Size, UsedSize: d.UsedSize,
		InMaintenance: d.InMaintenance, IsLocked: d.IsLocked}
	if d.Account != nil {
		di.AccountName = d.Account.Name
		if di.AccountID == 0 {
			di.AccountID = d.Account.ID
		}
	}
	return di, nil
}
