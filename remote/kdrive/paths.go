package kdrive

import (
	"fmt"
	"net/url"
	"strconv"
	"strings"
)

// Every kDrive route the client uses, in one place (kDrive reference §4-§9):
// the API has moved routes between /2 and /3 before.

const pageLimit = 1000 // entries per listing call, the largest the API takes

func (c *Client) driveInitURL() string { return c.api + "/2/drive/init?with=drives" }

func (c *Client) statURL(drive, id int64) string {
	u := fmt.Sprintf("%s/3/drive/%d/files/%d", c.api, drive, id)
	if c.hash {
		u += "?with=hash"
	}
	return u
}

func (c *Client) listURL(drive, dir int64, cursor string) string {
	q := url.Values{"limit": {strconv.Itoa(pageLimit)}}
	if cursor != "" {
		q.Set("cursor", cursor)
	}
	if c.hash {
		q.Set("with", "hash")
	}
	return fmt.Sprintf("%s/3/drive/%d/files/%d/files?%s", c.api, drive, dir, q.Encode())
}

func (c *Client) downloadURL(drive, id int64) string {
	return fmt.Sprintf("%s/2/drive/%d/files/%d/download", c.api, drive, id)
}

func (c *Client) listingFullURL(drive int64) string {
	return fmt.Sprintf("%s/2/drive/%d/files/listing/full?directory_id=1&recursive=true&format=safe_csv", c.api, drive)
}

func (c *Client) listingContinueURL(drive int64, cursor string) string {
	q := url.Values{"cursor": {cursor}, "limit": {strconv.Itoa(pageLimit)}}
	return fmt.Sprintf("%s/2/drive/%d/files/listing/continue?%s", c.api, drive, q.Encode())
}

// longpollURL lives on the notify host in production (NotifyURL).
func (c *Client) longpollURL(drive int64, cursor string, timeoutSec int) string {
	q := url.Values{"cursor": {cursor}, "timeout": {strconv.Itoa(timeoutSec) + "s"}}
	return fmt.Sprintf("%s/2/drive/%d/files/listing/longpoll?%s", c.notify, drive, q.Encode())
}

func (c *Client) archiveBuildURL(drive int64) string {
	return fmt.Sprintf("%s/2/drive/%d/files/archives", c.api, drive)
}

func (c *Client) archiveURL(drive int64, uuid string) string {
	return fmt.Sprintf("%s/2/drive/%d/files/archives/%s", c.api, drive, url.PathEscape(uuid))
}

// Write routes (kDrive reference §10, additions §5).

func (c *Client) mkdirURL(drive, parent int64) string {
	return fmt.Sprintf("%s/3/drive/%d/files/%d/directory", c.api, drive, parent)
}

// uploadURL: an overwrite by file_id goes to /2 (the desktop client's
// route; file_id on /3 is UNKNOWN, additions §5), a new file to /3.
func (c *Client) uploadURL(drive int64, q url.Values) string {
	v := 3
	if q.Has("file_id") {
		v = 2
	}
	return fmt.Sprintf("%s/%d/drive/%d/upload?%s", c.api, v, drive, q.Encode())
}

func (c *Client) sessionStartURL(drive int64) string {
	return fmt.Sprintf("%s/3/drive/%d/upload/session/start", c.api, drive)
}

// sessionChunkURL goes to the upload host the session start named.
func (c *Client) sessionChunkURL(host string, drive int64, token string, q url.Values) string {
	return fmt.Sprintf("%s/3/drive/%d/upload/session/%s/chunk?%s", strings.TrimRight(host, "/"), drive, url.PathEscape(token), q.Encode())
}

func (c *Client) sessionFinishURL(drive int64, token string) string {
	return fmt.Sprintf("%s/3/drive/%d/upload/session/%s/finish", c.api, drive, url.PathEscape(token))
}

func (c *Client) sessionCancelURL(drive int64, token string) string {
	return fmt.Sprintf("%s/2/drive/%d/upload/session/%s", c.api, drive, url.PathEscape(token))
}

func (c *Client) renameURL(drive, id int64) string {
	return fmt.Sprintf("%s/2/drive/%d/files/%d/rename", c.api, drive, id)
}

func (c *Client) moveURL(drive, id, dest int64) string {
	return fmt.Sprintf("%s/3/drive/%d/files/%d/move/%d", c.api, drive, id, dest)
}

func (c *Client) trashURL(drive, id int64) string {
	return fmt.Sprintf("%s/2/drive/%d/files/%d", c.api, drive, id)
}

func (c *Client) lastModifiedURL(drive, id int64) string {
	return fmt.Sprintf("%s/3/drive/%d/files/%d/last-modified", c.api, drive, id)
}

func (c *Client) hashURL(drive, id int64) string {
	return fmt.Sprintf("%s/2/drive/%d/files/%d/hash", c.api, drive, id)
}
