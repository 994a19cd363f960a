// Package kdrive implements remote.Drives over Infomaniak's kDrive API,
// plus the drive-wide snapshot and change feed used to keep caches fresh.
package kdrive

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/infomaniakfs/infomaniakfs/remote"
)

// Guards against a server whose cursor never ends (variables for tests).
var (
	maxPages   = 10_000
	maxEntries = 10_000_000
)

// Client is the kDrive client. Safe for concurrent use.
type Client struct {
	rc     *remote.Client
	api    string
	notify string
	log    *slog.Logger
	hash   bool // SetContentHash
}

var _ remote.Drives = (*Client)(nil)

// New returns a client of the API at apiURL (e.g. "https://api.infomaniak.com").
func New(c *remote.Client, apiURL string) *Client {
	api := strings.TrimRight(apiURL, "/")
	log := c.Options().Logger
	if log == nil {
		log = slog.Default()
	}
	return &Client{rc: c, api: api, notify: api, log: log}
}

// SetNotifyURL sets the long-poll host (production:
// "https://notify.kdrive.infomaniak.com"; default: the API URL).
func (c *Client) SetNotifyURL(u string) { c.notify = strings.TrimRight(u, "/") }

// Drives lists every drive of the account (/2/drive/init?with=drives).
// A malformed drive object is skipped with a log line.
func (c *Client) Drives(ctx context.Context) ([]remote.DriveInfo, error) {
	var data struct {
		Drives []json.RawMessage `json:"drives"`
	}
	if err := c.rc.GetJSON(ctx, c.driveInitURL(), &data); err != nil {
		return nil, fmt.Errorf("listing drives: %w", err)
	}
	out := make([]remote.DriveInfo, 0, len(data.Drives))
	for _, raw := range data.Drives {
		var d driveJSON
		err := json.Unmarshal(raw, &d)
		var di remote.DriveInfo
		if err == nil {
			di, err = d.info()
		}
		if err != nil {
			c.log.Warn("kdrive: skipping a drive the API describes badly", "err", err)
			continue
		}
		out = append(out, di)
	}
	return out, nil
}

// Stat returns one item. ErrNotFound if it is gone.
func (c *Client) Stat(ctx context.Context, driveID, id int64) (remote.Entry, error) {
	var raw json.RawMessage
	if err := c.rc.GetJSON(ctx, c.statURL(driveID, id), &raw); err != nil {
		return remote.Entry{}, fmt.Errorf("stat drive %d item %d: %w", driveID, id, err)
	}
	e, err := decodeEntry(raw, driveID, c.hash)
	if errors.Is(err, errSkip) {
		err = fmt.Errorf("%w: %w", remote.ErrInvalid, err)
	}
	if err != nil {
		return remote.Entry{}, fmt.Errorf("stat drive %d item %d: %w", driveID, id, err)
	}
	return e, nil
}

// List returns all children of dirID, following the cursor 1,000 entries
// at a time. Items that cannot be shown truthfully are skipped and logged.
func (c *Client) List(ctx context.Context, driveID, dirID int64) ([]remote.Entry, error) {
	var out []remote.Entry
	seen := map[string]bool{}
	cursor, total := "", 0
	for page := 0; ; page++ {
		if page >= maxPages || total > maxEntries {
			return nil, fmt.Errorf("list drive %d dir %d: %w: over %d pages or %d entries", driveID, dirID, remote.ErrInvalid, maxPages, maxEntries)
		}
		var items []json.RawMessage
		env, err := c.rc.Call(ctx, &remote.Request{URL: c.listURL(driveID, dirID, cursor)}, &items)
		if err != nil {
			return nil, fmt.Errorf("list drive %d dir %d: %w", driveID, dirID, err)
		}
		total += len(items)
		for _, raw := range items {
			e, err := decodeEntry(raw, driveID, c.hash)
			if err != nil {
				c.logSkip(driveID, dirID, err)
				continue
			}
			out = append(out, e)
		}
		if !env.HasMore {
			return out, nil
		}
		if env.Cursor == "" || seen[env.Cursor] {
			return nil, fmt.Errorf("list drive %d dir %d: %w: cursor repeats or is missing", driveID, dirID, remote.ErrInvalid)
		}
		seen[env.Cursor] = true
		cursor = env.Cursor
	}
}

func (c *Client) logSkip(driveID, dirID int64, err error) {
	if errors.Is(err, errSkip) {
		c.log.Debug("kdrive: skipping item", "drive", driveID, "dir", dirID, "err", err)
		return
	}
	c.log.Warn("kdrive: skipping item", "drive", driveID, "dir", dirID, "err", err)
}

// Open streams bytes [off, off+length) of file e (length < 0: to EOF),
// resuming broken transfers. Content whose size or Last-Modified no longer
// matches e fails with ErrChanged.
func (c *Client) Open(ctx context.Context, e remote.Entry, off, length int64) (io.ReadCloser, error) {
	if e.IsDir {
		return nil, fmt.Errorf("open drive %d item %d: %w: is a directory", e.DriveID, e.ID, remote.ErrInvalid)
	}
	if off < 0 {
		return nil, fmt.Errorf("open drive %d item %d: %w: negative offset", e.DriveID, e.ID, remote.ErrInvalid)
	}
	if off >= e.Size || length == 0 {
		return io.NopCloser(strings.NewReader("")), nil
	}
	if length < 0 || length > e.Size-off {
		length = e.Size - off
	}
	check := func(ri *remote.RangeInfo) error {
		if ri.Total >= 0 && ri.Total != e.Size {
			return fmt.Errorf("%w: item %d is now %d bytes, listed %d", remote.ErrChanged, e.ID, ri.Total, e.Size)
		}
		if ri.LastModified != "" && !e.MTime.IsZero() {
			if t, err := http.ParseTime(ri.LastModified); err == nil && !t.Equal(e.MTime.Truncate(time.Second)) {
				return fmt.Errorf("%w: item %d modified at %s, listed %s", remote.ErrChanged, e.ID, t.UTC(), e.MTime.UTC())
			}
		}
		return nil
	}
	rc, _, err := c.rc.OpenRange(ctx, c.downloadURL(e.DriveID, e.ID), off, length, check)
	if err != nil {
		return nil, fmt.Errorf("open drive %d item %d: %w", e.DriveID, e.ID, err)
	}
	return rc, nil
}
