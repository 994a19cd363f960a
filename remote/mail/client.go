// Package mail implements remote.Mail over Infomaniak's Mail API (the
// private app API of mail.infomaniak.com/api, mail reference §3-§7).
package mail

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"strings"

	"github.com/infomaniakfs/infomaniakfs/remote"
)

// maxRawBytes caps one downloaded message: far above what Infomaniak
// accepts, low enough that a body that never ends is an error, not an
// exhausted heap.
const maxRawBytes = 256 << 20

// Client is the Mail client. Safe for concurrent use.
type Client struct {
	rc     *remote.Client
	base   string
	log    *slog.Logger
	maxRaw int64 // a test lowers it to reach the cap quickly
}

var _ remote.Mail = (*Client)(nil)

// New returns a client of the Mail API at mailURL (e.g.
// "https://mail.infomaniak.com"; paths under /api are added).
func New(c *remote.Client, mailURL string) *Client {
	log := c.Options().Logger
	if log == nil {
		log = slog.Default()
	}
	return &Client{rc: c, base: strings.TrimRight(mailURL, "/"), log: log, maxRaw: maxRawBytes}
}

type mailboxJSON struct {
	UUID      string `json:"uuid"`
	Email     string `json:"email"`
	EmailIDN  string `json:"email_idn"`
	MailboxID int64  `json:"mailbox_id"`
	IsLocked  bool   `json:"is_locked"`
}

// Mailboxes lists the mailboxes linked to the account.
func (c *Client) Mailboxes(ctx context.Context) ([]remote.Mailbox, error) {
	var data []mailboxJSON
	if err := c.rc.GetJSON(ctx, c.mailboxesURL(), &data); err != nil {
		return nil, fmt.Errorf("listing mailboxes: %w", err)
	}
	out := make([]remote.Mailbox, 0, len(data))
	for _, m := range data {
		email := m.EmailIDN
		if email == "" {
			email = m.Email
		}
		if m.UUID == "" || email == "" {
			c.log.Warn("mail: skipping a mailbox without uuid or address", "mailbox_id", m.MailboxID)
			continue
		}
		out = append(out, remote.Mailbox{UUID: m.UUID, Email: email, ID: m.MailboxID, IsLocked: m.IsLocked})
	}
	return out, nil
}

type folderJSON struct {
	ID         string       `json:"id"`
	Path       string       `json:"path"`
	Name       string       `json:"name"`
	Role       *string      `json:"role"`
	Separator  string       `json:"separator"`
	TotalCount *int         `json:"total_count"`
	Children   []folderJSON `json:"children"`
}

// hiddenRoles duplicate other folders' content (snoozed mail stays in
// INBOX, scheduled drafts in Drafts): showing them would list it twice.
var hiddenRoles = map[string]bool{"SNOOZED": true, "SCHEDULED_DRAFTS": true}

// Folders lists every folder of a mailbox, flat, parents first, without
// the hidden ".ik" tree and the virtual SNOOZED / SCHEDULED_DRAFTS.
func (c *Client) Folders(ctx context.Context, mailbox string) ([]remote.Folder, error) {
	var roots []folderJSON
	if err := c.rc.GetJSON(ctx, c.foldersURL(mailbox), &roots); err != nil {
		return nil, fmt.Errorf("folders of %s: %w", mailbox, err)
	}
	var out []remote.Folder
	var walk func(fs []folderJSON, parent string, depth int)
	walk = func(fs []folderJSON, parent string, depth int) {
		if depth > 100 {
			return // a tree this deep is garbage, not mail
		}
		for _, f := range fs {
			role := ""
			if f.Role != nil {
				role = *f.Role
			}
			if f.ID == "" || hiddenFolder(f, role) {
				continue // and its children
			}
			rf := remote.Folder{ID: f.ID, Path: f.Path, Name: f.Name, Separator: f.Separator, Role: role,
				ParentID: parent, Total: -1}
			if rf.Name == "" {
				rf.Name = lastComponent(f.Path, f.Separator)
			}
			if f.TotalCount != nil {
				rf.Total = *f.TotalCount
			}
			out = append(out, rf)
			walk(f.Children, f.ID, depth+1)
		}
	}
	walk(roots, "", 0)
	return out, nil
}

func hiddenFolder(f folderJSON, role string) bool {
	if hiddenRoles[role] || f.Name == ".ik" {
		return true
	}
	first := f.Path
	if f.Separator != "" {
		first, _, _ = strings.Cut(f.Path, f.Separator)
	}
	return first == ".ik"
}

func lastComponent(path, sep string) string {
	if sep == "" {
		return path
	}
	return path[strings.LastIndex(path, sep)+len(sep):]
}

// Raw downloads the RFC 5322 bytes of one message, whole; a body cut
// mid-way is fetched again from the start.
func (c *Client) Raw(ctx context.Context, mailbox, folderID, uid string) ([]byte, error) {
	req := &remote.Request{URL: c.rawURL(mailbox, folderID, uid), Header: http.Header{"Accept": {"message/rfc822"}}}
	b, hdr, err := c.rc.Bytes(ctx, req, c.maxRaw)
	if err != nil {
		return nil, fmt.Errorf("message %s in %s: %w", uid, folderID, err)
	}
	if strings.Contains(hdr.Get("Content-Type"), "json") {
		// An envelope where a message should be: an error under HTTP 200.
		var env remote.Envelope
		if json.Unmarshal(b, &env) == nil && env.Result != "" {
			if _, err := remote.DecodeEnvelope(http.StatusOK, b); err != nil {
				return nil, fmt.Errorf("message %s in %s: %w", uid, folderID, err)
			}
			return nil, fmt.Errorf("message %s in %s: %w: JSON instead of a message", uid, folderID, remote.ErrInvalid)
		}
	}
	return b, nil
}
