package mail

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/infomaniakfs/infomaniakfs/remote"
)

const (
	batchParallel  = 4     // mobile/messages batches in flight per folder
	maxThreadPages = 10000 // guard on the offset listing fallback
)

// flexUID takes a UID sent as a JSON string or number: the backend has
// sent both, even mixed in one array (mail reference §5.1).
type flexUID string

func (u *flexUID) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	if len(b) > 0 && b[0] == '"' {
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		*u = flexUID(s)
		return nil
	}
	var n json.Number
	if err := json.Unmarshal(b, &n); err != nil {
		return err
	}
	*u = flexUID(n.String())
	return nil
}

// shortUID is the IMAP UID of a short or long ("<short>@<folder>") UID,
// in canonical decimal; ok is false for anything else.
func shortUID(s string) (string, bool) {
	short, _, _ := strings.Cut(strings.TrimSpace(s), "@")
	n, err := strconv.ParseUint(short, 10, 32)
	if err != nil || n == 0 {
		return "", false
	}
	return strconv.FormatUint(n, 10), true
}

type messageJSON struct {
	UID          flexUID `json:"uid"`
	MsgID        *string `json:"msg_id"`
	Subject      *string `json:"subject"`
	InternalDate string  `json:"internal_date"`
	Date         string  `json:"date"`
	Size         *int64  `json:"size"`
	FolderID     string  `json:"folder_id"`
}

var dateLayouts = []string{"2006-01-02T15:04:05Z0700", "2006-01-02T15:04:05Z07:00", "2006-01-02 15:04:05Z0700"}

// parseDate reads the API's dates: ±hhmm (what it sends), ±hh:mm or Z.
func parseDate(s string) (time.Time, bool) {
	for _, l := range dateLayouts {
		if t, err := time.Parse(l, strings.TrimSpace(s)); err == nil {
			return t, true
		}
	}
	return time.Time{}, false
}

func decodeMessage(raw json.RawMessage, folderID string) (remote.Message, error) {
	var m messageJSON
	if err := json.Unmarshal(raw, &m); err != nil {
		return remote.Message{}, fmt.Errorf("%w: message: %v", remote.ErrInvalid, err)
	}
	uid, ok := shortUID(string(m.UID))
	if !ok {
		return remote.Message{}, fmt.Errorf("%w: message uid %q", remote.ErrInvalid, string(m.UID))
	}
	if m.FolderID != "" && m.FolderID != folderID {
		return remote.Message{}, fmt.Errorf("%w: message %s belongs to folder %q", remote.ErrInvalid, uid, m.FolderID)
	}
	msg := remote.Message{UID: uid, FolderID: folderID}
	if m.Subject != nil {
		msg.Subject = *m.Subject
	}
	if m.MsgID != nil {
		msg.MessageID = *m.MsgID
	}
	if m.Size != nil && *m.Size > 0 {
		msg.SizeHint = *m.Size
	}
	if t, ok := parseDate(m.InternalDate); ok {
		msg.Date = t
	} else if t, ok := parseDate(m.Date); ok {
		msg.Date = t
	}
	return msg, nil
}

// Messages lists every message of a folder: the UID list (newest first),
// then their metadata in batches of 200, a few batches at a time. A UID
// list at its 10,000 cap may be truncated: the rest comes from the offset
// listing, merged by UID.
func (c *Client) Messages(ctx context.Context, mailbox, folderID string) ([]remote.Message, error) {
	list, _, err := c.Listing(ctx, mailbox, folderID)
	return list, err
}

// Listing is Messages with the signature of the state the UID list
// describes, from which Activities reports changes ("" if the server sent
// none).
func (c *Client) Listing(ctx context.Context, mailbox, folderID string) ([]remote.Message, string, error) {
	var data struct {
		UIDs      []flexUID `json:"messages_uids"`
		Signature string    `json:"signature"`
	}
	if err := c.rc.GetJSON(ctx, c.uidsURL(mailbox, folderID), &data); err != nil {
		return nil, "", fmt.Errorf("messages of %s: %w", folderID, err)
	}
	list, err := c.listed(ctx, mailbox, folderID, data.UIDs)
	return list, data.Signature, err
}

// listed fetches the metadata of a UID list and, when the list is at its
// cap, the rest from the offset listing.
func (c *Client) listed(ctx context.Context, mailbox, folderID string, all []flexUID) ([]remote.Message, error) {
	uids := make([]string, 0, len(all))
	seen := make(map[string]bool, len(all))
	for _, u := range all {
		if s, ok := shortUID(string(u)); ok && !seen[s] {
			seen[s] = true
			uids = append(uids, s)
		} else if !ok {
			c.log.Warn("mail: skipping a malformed uid", "folder", folderID, "uid", string(u))
		}
	}
	out, err := c.MessagesByUID(ctx, mailbox, folderID, uids)
	if err != nil {
		return nil, err
	}
	have := make(map[string]bool, len(out))
	for _, m := range out {
		have[m.UID] = true
	}
	if len(all) >= uidListCap {
		// Start a page early: mail that arrived meanwhile shifts offsets.
		rest, err := c.pageFrom(ctx, mailbox, folderID, max(len(all)-threadsLimit, 0))
		if err != nil {
			return nil, fmt.Errorf("messages of %s beyond %d: %w", folderID, uidListCap, err)
		}
		for _, m := range rest {
			if !have[m.UID] {
				have[m.UID] = true
				out = append(out, m)
			}
		}
	}
	return out, nil
}

// MessagesByUID fetches the metadata of the given messages of a folder
// (short UIDs) in batches of 200, a few at a time. UIDs the server leaves
// out (expunged meanwhile) are absent from the result.
func (c *Client) MessagesByUID(ctx context.Context, mailbox, folderID string, uids []string) ([]remote.Message, error) {
	batches := make([][]remote.Message, (len(uids)+uidBatch-1)/uidBatch)
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(batchParallel)
	for i := range batches {
		part := uids[i*uidBatch : min((i+1)*uidBatch, len(uids))]
		g.Go(func() error {
			var err error
			batches[i], err = c.batch(gctx, mailbox, folderID, part)
			return err
		})
	}
	if err := g.Wait(); err != nil {
		return nil, fmt.Errorf("messages of %s: %w", folderID, err)
	}
	// A server may repeat a message across or within batches: one UID, one entry.
	var out []remote.Message
	have := make(map[string]bool, len(uids))
	for _, b := range batches {
		for _, m := range b {
			if !have[m.UID] {
				have[m.UID] = true
				out = append(out, m)
			}
		}
	}
	return out, nil
}

// batch fetches the metadata of up to 200 UIDs; UIDs the server leaves out
// (expunged meanwhile) are simply absent.
func (c *Client) batch(ctx context.Context, mailbox, folderID string, uids []string) ([]remote.Message, error) {
	var data struct {
		Messages []json.RawMessage `json:"messages"`
	}
	if err := c.rc.GetJSON(ctx, c.messagesURL(mailbox, folderID, uids), &data); err != nil {
		return nil, err
	}
	out := make([]remote.Message, 0, len(data.Messages))
	for _, raw := range data.Messages {
		m, err := decodeMessage(raw, folderID)
		if err != nil {
			c.log.Warn("mail: skipping a message", "folder", folderID, "err", err)
			continue
		}
		out = append(out, m)
	}
	return out, nil
}

// pageFrom walks the offset listing (thread=off) from offset, following
// resource_next.
func (c *Client) pageFrom(ctx context.Context, mailbox, folderID string, offset int) ([]remote.Message, error) {
	var out []remote.Message
	next := c.threadsURL(mailbox, folderID, offset)
	seen := map[string]bool{}
	for page := 0; next != ""; page++ {
		if page >= maxThreadPages || seen[next] {
			return nil, fmt.Errorf("%w: the message listing does not end", remote.ErrInvalid)
		}
		seen[next] = true
		var data struct {
			Threads []struct {
				Messages []json.RawMessage `json:"messages"`
			} `json:"threads"`
			ResourceNext *string `json:"resource_next"`
		}
		if err := c.rc.GetJSON(ctx, next, &data); err != nil {
			return nil, err
		}
		for _, th := range data.Threads {
			for _, raw := range th.Messages {
				m, err := decodeMessage(raw, folderID)
				if err != nil {
					c.log.Warn("mail: skipping a message", "folder", folderID, "err", err)
					continue
				}
				out = append(out, m)
			}
		}
		next = ""
		if data.ResourceNext != nil && *data.ResourceNext != "" && len(data.Threads) > 0 {
			u, err := c.resolve(*data.ResourceNext)
			if err != nil {
				return nil, err
			}
			next = u
		}
	}
	return out, nil
}
