package kdrive

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/infomaniakfs/infomaniakfs/remote"
)

var _ remote.DriveWriter = (*Client)(nil)

// Retried writes: remote.Client retries a POST after a 5xx or a broken
// connection, so an attempt may have landed before the one that answers.
// Rename, move and last-modified are idempotent on the server (same name,
// same folder: success); a trash whose item is gone, or an upload whose
// name is taken or whose session is over, is checked below for what an
// earlier attempt of the same call did.

// postJSON sends body as JSON with method and decodes the answer's data
// into out (nil: ignored).
func (c *Client) postJSON(ctx context.Context, method, u string, body any, out any) error {
	var b []byte
	if body != nil {
		var err error
		if b, err = json.Marshal(body); err != nil {
			return err
		}
	}
	_, err := c.rc.Call(ctx, &remote.Request{Method: method, URL: u, Body: b, ContentType: "application/json"}, out)
	return err
}

// entryOf decodes a File object a write answered (asked with=hash), with
// the Version Stat would give it: an upload based on it must match.
func (c *Client) entryOf(raw json.RawMessage, drive int64) (remote.Entry, error) {
	e, err := decodeEntry(raw, drive, c.hash)
	if errors.Is(err, errSkip) {
		err = fmt.Errorf("%w: %w", remote.ErrInvalid, err)
	}
	return e, err
}

// Mkdir creates folder name in parentID (POST …/files/{parent}/directory).
func (c *Client) Mkdir(ctx context.Context, driveID, parentID int64, name string) (remote.Entry, error) {
	what := fmt.Sprintf("mkdir %q in drive %d folder %d", name, driveID, parentID)
	var raw json.RawMessage
	b, _ := json.Marshal(map[string]string{"name": name})
	req := &remote.Request{Method: http.MethodPost, URL: c.mkdirURL(driveID, parentID) + "?with=hash", Body: b, ContentType: "application/json"}
	if _, err := c.rc.Call(ctx, req, &raw); err != nil {
		err = writeError(err, what, true)
		if errors.Is(err, remote.ErrExists) && req.Attempts > 1 {
			return c.madeDir(ctx, driveID, parentID, name, err)
		}
		return remote.Entry{}, err
	}
	e, err := c.entryOf(raw, driveID)
	return e, writeError(err, what, false)
}

// madeDir recognises the folder an earlier attempt of a Mkdir made (its
// answer lost, the retry refused as a name taken): the folder of that
// name, empty. Otherwise err stands.
func (c *Client) madeDir(ctx context.Context, driveID, parentID int64, name string, err error) (remote.Entry, error) {
	e, serr := c.childNamed(ctx, driveID, parentID, name)
	if serr != nil || !e.IsDir {
		return remote.Entry{}, err
	}
	if kids, lerr := c.List(ctx, driveID, e.ID); lerr != nil || len(kids) > 0 {
		return remote.Entry{}, err
	}
	c.log.Debug("kdrive: an earlier attempt of this mkdir landed", "drive", driveID, "id", e.ID)
	return e, nil
}

// Rename gives item id a new name in its folder.
func (c *Client) Rename(ctx context.Context, driveID, id int64, name string) error {
	err := c.postJSON(ctx, http.MethodPost, c.renameURL(driveID, id), map[string]string{"name": name}, nil)
	return writeError(err, fmt.Sprintf("rename drive %d item %d to %q", driveID, id, name), true)
}

// Move puts item id into destID, under name when not "".
func (c *Client) Move(ctx context.Context, driveID, id, destID int64, name string) error {
	var body any
	if name != "" {
		body = map[string]string{"name": name}
	}
	err := c.postJSON(ctx, http.MethodPost, c.moveURL(driveID, id, destID), body, nil)
	return writeError(err, fmt.Sprintf("move drive %d item %d to folder %d", driveID, id, destID), name != "")
}

// Trash sends item id to the trash. An item already gone is not an error:
// it is what a retried attempt finds after the first one landed, and the
// caller wanted it gone.
func (c *Client) Trash(ctx context.Context, driveID, id int64) error {
	err := c.postJSON(ctx, http.MethodDelete, c.trashURL(driveID, id), nil, nil)
	if errors.Is(err, remote.ErrNotFound) {
		c.log.Debug("kdrive: trashing an item already gone", "drive", driveID, "id", id)
		return nil
	}
	return writeError(err, fmt.Sprintf("trash drive %d item %d", driveID, id), false)
}

// SetMTime sets last_modified_at (Unix seconds: the API's resolution).
func (c *Client) SetMTime(ctx context.Context, driveID, id int64, t time.Time) (remote.Entry, error) {
	what := fmt.Sprintf("set mtime of drive %d item %d", driveID, id)
	var raw json.RawMessage
	body := map[string]string{"last_modified_at": strconv.FormatInt(t.Unix(), 10)}
	if err := c.postJSON(ctx, http.MethodPost, c.lastModifiedURL(driveID, id)+"?with=hash", body, &raw); err != nil {
		return remote.Entry{}, writeError(err, what, false)
	}
	e, err := c.entryOf(raw, driveID)
	return e, writeError(err, what, false)
}

// Hash returns the server's hash of file id (GET …/files/{f}/hash).
func (c *Client) Hash(ctx context.Context, driveID, id int64) (string, error) {
	var data struct {
		Hash string `json:"hash"`
	}
	if err := c.rc.GetJSON(ctx, c.hashURL(driveID, id), &data); err != nil {
		return "", fmt.Errorf("hash of drive %d item %d: %w", driveID, id, err)
	}
	return data.Hash, nil
}
