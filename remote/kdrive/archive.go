package kdrive

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"

	"github.com/infomaniakfs/infomaniakfs/remote"
)

// MaxArchiveFiles is the most files one archive may hold (additions §3.1).
const MaxArchiveFiles = 20_000

// StartArchive asks for a zip of files ids, all children of one directory
// (POST /2/drive/{d}/files/archives with file_ids), and returns its uuid.
// The API refuses ids of several parents and more than MaxArchiveFiles
// files (400: ErrInvalid); unknown ids are ErrNotFound.
func (c *Client) StartArchive(ctx context.Context, driveID int64, ids []int64) (string, error) {
	if len(ids) == 0 || len(ids) > MaxArchiveFiles {
		return "", fmt.Errorf("archive of %d files: %w", len(ids), remote.ErrInvalid)
	}
	body, err := json.Marshal(struct {
		FileIDs []int64 `json:"file_ids"`
	}{ids})
	if err != nil {
		return "", err
	}
	var data struct {
		UUID string `json:"uuid"`
	}
	req := &remote.Request{Method: http.MethodPost, URL: c.archiveBuildURL(driveID), Body: body, ContentType: "application/json"}
	if _, err := c.rc.Call(ctx, req, &data); err != nil {
		var ae *remote.APIError
		if errors.As(err, &ae) && ae.Kind == nil && ae.Status >= 400 && ae.Status < 500 {
			// A request the API refuses (validation_failed, a limit) is
			// ours to stop sending, not a passing failure.
			err = fmt.Errorf("%w: %w", remote.ErrInvalid, err)
		}
		return "", fmt.Errorf("archive of %d files of drive %d: %w", len(ids), driveID, err)
	}
	if data.UUID == "" {
		return "", fmt.Errorf("archive of %d files of drive %d: %w: no uuid", len(ids), driveID, remote.ErrInvalid)
	}
	return data.UUID, nil
}

// OpenArchive streams the zip of archive uuid (GET
// /2/drive/{d}/files/archives/{uuid}), following a redirect to a content
// host as /download does, and resuming a broken transfer by Range (a
// server that cannot resume it fails the read: ErrChanged or
// ErrUnavailable). The zip's layout is the server's (UNKNOWN in the
// reference): callers check every entry against what they listed.
func (c *Client) OpenArchive(ctx context.Context, driveID int64, uuid string) (io.ReadCloser, error) {
	rc, _, err := c.rc.OpenRange(ctx, c.archiveURL(driveID, uuid), 0, -1, nil)
	if err != nil {
		return nil, fmt.Errorf("archive %s of drive %d: %w", uuid, driveID, err)
	}
	return rc, nil
}

// Archive is StartArchive then OpenArchive: the zip of files ids of one
// directory, as one stream (two API requests).
func (c *Client) Archive(ctx context.Context, driveID int64, ids []int64) (io.ReadCloser, error) {
	uuid, err := c.StartArchive(ctx, driveID, ids)
	if err != nil {
		return nil, err
	}
	return c.OpenArchive(ctx, driveID, uuid)
}
