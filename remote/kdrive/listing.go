package kdrive

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/infomaniakfs/infomaniakfs/remote"
)

// maxSnapshotBytes caps a whole-drive CSV snapshot (about 3 M entries).
const maxSnapshotBytes = 256 << 20

// Change is one action of the drive-wide change feed (listing/continue).
type Change struct {
	Action      string // file_create, file_rename, file_move, file_trash, file_delete, file_update, ...
	FileID      int64
	ParentID    int64
	Path        string // drive-relative path of the item (its old path for moves)
	Destination string // new path, for moves
	IsDir       bool
	Size        int64 // -1 when not sent (directories)
	CTime       time.Time
	MTime       time.Time
}

// Entry is the item as the change leaves it, for a cache to apply: its
// (new) parent, its name (the last segment of its new path) and, when the
// change carries them, its size, times and the Version List and Stat give
// it; Version is empty when the change carries no mtime, or no size for a
// file.
func (ch Change) Entry(driveID int64) remote.Entry {
	p := ch.Path
	if ch.Destination != "" {
		p = ch.Destination
	}
	e := remote.Entry{ID: ch.FileID, ParentID: ch.ParentID, DriveID: driveID,
		Name: p[strings.LastIndexByte(p, '/')+1:], IsDir: ch.IsDir, MTime: ch.MTime, CTime: ch.CTime}
	if e.CTime.IsZero() {
		e.CTime = e.MTime
	}
	if !ch.IsDir && ch.Size >= 0 && ch.Size <= maxSize {
		e.Size = ch.Size
	} else if !ch.IsDir {
		return e
	}
	if !e.MTime.IsZero() {
		e.Version = version(e.MTime, e.Size)
	}
	return e
}

// FullListing fetches the whole tree of a drive in one call (the desktop
// client's CSV snapshot) and the cursor from which Changes continues.
func (c *Client) FullListing(ctx context.Context, driveID int64) ([]remote.Entry, string, error) {
	req := &remote.Request{Method: "POST", URL: c.listingFullURL(driveID),
		Header: map[string][]string{"Accept": {"text/csv,application/json"}}}
	body, hdr, err := c.rc.Bytes(ctx, req, maxSnapshotBytes)
	if err != nil {
		return nil, "", fmt.Errorf("full listing of drive %d: %w", driveID, err)
	}
	if strings.Contains(hdr.Get("Content-Type"), "json") {
		// An error envelope under 200: let the decoder name it.
		if _, err := remote.DecodeEnvelope(200, body); err != nil {
			return nil, "", fmt.Errorf("full listing of drive %d: %w", driveID, err)
		}
		return nil, "", fmt.Errorf("full listing of drive %d: %w: JSON instead of CSV", driveID, remote.ErrInvalid)
	}
	cursor := hdr.Get("X-kDrive-Cursor")
	if cursor == "" {
		return nil, "", fmt.Errorf("full listing of drive %d: %w: no X-kDrive-Cursor", driveID, remote.ErrInvalid)
	}
	entries, err := c.parseSnapshot(driveID, body)
	if err != nil {
		return nil, "", fmt.Errorf("full listing of drive %d: %w", driveID, err)
	}
	return entries, cursor, nil
}

var snapshotColumns = []string{"id", "parent_id", "name", "type", "size", "created_at", "last_modified_at"}

// parseSnapshot reads the safe_csv format: a header line, one row per
// item, and a final "#EOF" line whose absence means a truncated body.
func (c *Client) parseSnapshot(driveID int64, body []byte) ([]remote.Entry, error) {
	r := csv.NewReader(bytes.NewReader(body))
	r.FieldsPerRecord = -1
	r.ReuseRecord = true
	head, err := r.Read()
	if err != nil {
		return nil, fmt.Errorf("%w: CSV header: %v", remote.ErrInvalid, err)
	}
	col := map[string]int{}
	for i, h := range head {
		col[strings.TrimSpace(h)] = i
	}
	for _, name := range snapshotColumns {
		if _, ok := col[name]; !ok {
			return nil, fmt.Errorf("%w: CSV without column %q", remote.ErrInvalid, name)
		}
	}
	var out []remote.Entry
	for {
		rec, err := r.Read()
		if err == io.EOF {
			return nil, fmt.Errorf("%w: CSV snapshot without #EOF (truncated)", remote.ErrInvalid)
		}
		if err != nil {
			return nil, fmt.Errorf("%w: CSV: %v", remote.ErrInvalid, err)
		}
		if len(rec) == 1 && rec[0] == "#EOF" {
			return out, nil
		}
		if len(out) >= maxEntries {
			return nil, fmt.Errorf("%w: over %d entries", remote.ErrInvalid, maxEntries)
		}
		e, err := snapshotEntry(driveID, rec, col)
		if err != nil {
			c.logSkip(driveID, 0, err)
			continue
		}
		out = append(out, e)
	}
}

func snapshotEntry(driveID int64, rec []string, col map[string]int) (remote.Entry, error) {
	field := func(name string) string {
		if i := col[name]; i < len(rec) {
			return rec[i]
		}
		return ""
	}
	num := func(name string) *int64 {
		v, err := strconv.ParseInt(field(name), 10, 64)
		if err != nil {
			return nil
		}
		return &v
	}
	f := fileJSON{Name: field("name"), Type: field("type"), Size: num("size"),
		CreatedAt: num("created_at"), LastModifiedAt: num("last_modified_at")}
	id, parent := num("id"), num("parent_id")
	if id == nil || parent == nil {
		return remote.Entry{}, fmt.Errorf("%w: CSV row without id or parent_id", remote.ErrInvalid)
	}
	f.ID, f.ParentID = *id, *parent
	return f.toEntry(driveID)
}

// actionJSON is one action of /2/.../listing/continue (reference §9).
type actionJSON struct {
	Action         string `json:"action"`
	FileID         int64  `json:"file_id"`
	ParentID       int64  `json:"parent_id"`
	Path           string `json:"path"`
	Destination    string `json:"destination"`
	FileType       string `json:"file_type"`
	Size           *int64 `json:"size"`
	CreatedAt      *int64 `json:"created_at"`
	LastModifiedAt *int64 `json:"last_modified_at"`
}

// Changes returns every action since cursor (all pages) and the cursor to
// continue from. Any error (an expired cursor included) means: start over
// with FullListing.
func (c *Client) Changes(ctx context.Context, driveID int64, cursor string) ([]Change, string, error) {
	var out []Change
	seen := map[string]bool{cursor: true}
	for page := 0; ; page++ {
		if page >= maxPages || len(out) > maxEntries {
			return nil, "", fmt.Errorf("changes of drive %d: %w: endless change feed", driveID, remote.ErrInvalid)
		}
		var data struct {
			Cursor  string       `json:"cursor"`
			HasMore bool         `json:"has_more"`
			Actions []actionJSON `json:"actions"`
		}
		req := &remote.Request{Method: "POST", URL: c.listingContinueURL(driveID, cursor)}
		if _, err := c.rc.Call(ctx, req, &data); err != nil {
			return nil, "", fmt.Errorf("changes of drive %d: %w", driveID, err)
		}
		for _, a := range data.Actions {
			ch := Change{Action: a.Action, FileID: a.FileID, ParentID: a.ParentID, Path: a.Path,
				Destination: a.Destination, IsDir: a.FileType == "dir" || a.FileType == "vault", Size: -1,
				CTime: firstTime(a.CreatedAt), MTime: firstTime(a.LastModifiedAt, a.CreatedAt)}
			if a.Size != nil && !ch.IsDir {
				ch.Size = *a.Size
			}
			out = append(out, ch)
		}
		if data.Cursor == "" {
			return nil, "", fmt.Errorf("changes of drive %d: %w: no cursor", driveID, remote.ErrInvalid)
		}
		if !data.HasMore {
			return out, data.Cursor, nil
		}
		if seen[data.Cursor] {
			return nil, "", fmt.Errorf("changes of drive %d: %w: cursor repeats", driveID, remote.ErrInvalid)
		}
		seen[data.Cursor] = true
		cursor = data.Cursor
	}
}

// LongPoll waits (up to about 50 s, less when the client's stall guard is
// shorter) for a change after cursor; false means none came in time.
func (c *Client) LongPoll(ctx context.Context, driveID int64, cursor string) (bool, error) {
	wait := min(50*time.Second, c.rc.Options().Timeout*3/4)
	body, _, err := c.rc.Bytes(ctx, &remote.Request{URL: c.longpollURL(driveID, cursor, max(int(wait/time.Second), 1))}, 1<<16)
	if err != nil {
		return false, fmt.Errorf("long poll of drive %d: %w", driveID, err)
	}
	var res struct {
		Changes *bool `json:"changes"`
	}
	if err := json.Unmarshal(body, &res); err != nil || res.Changes == nil {
		// Some answers may come enveloped; accept data.changes too.
		env, eerr := remote.DecodeEnvelope(200, body)
		if eerr == nil && env.DecodeData(&res) == nil && res.Changes != nil {
			return *res.Changes, nil
		}
		if eerr != nil && !errors.Is(eerr, remote.ErrInvalid) {
			return false, fmt.Errorf("long poll of drive %d: %w", driveID, eerr)
		}
		return false, fmt.Errorf("long poll of drive %d: %w: no changes field", driveID, remote.ErrInvalid)
	}
	return *res.Changes, nil
}
