package mail

import (
	"fmt"
	"net/url"
	"strconv"
	"strings"

	"github.com/infomaniakfs/infomaniakfs/remote"
)

// Every Mail API route the client uses, in one place (mail reference §3-§7):
// this private API has renamed routes before.

const (
	uidListCap   = 10000 // the most UIDs date-ordered-messages-uids returns
	uidBatch     = 200   // the most UIDs mobile/messages accepts
	threadsLimit = 200   // page size of the offset listing fallback
)

func (c *Client) mailboxesURL() string { return c.base + "/api/mailbox?with=aliases,unseen" }

func (c *Client) foldersURL(mailbox string) string {
	return c.base + "/api/mail/" + segment(mailbox) + "/folder"
}

func (c *Client) folderURL(mailbox, folderID string) string {
	return c.foldersURL(mailbox) + "/" + segment(folderID)
}

func (c *Client) uidsURL(mailbox, folderID string) string {
	return fmt.Sprintf("%s/mobile/date-ordered-messages-uids?messages=%d&direction=desc", c.folderURL(mailbox, folderID), uidListCap)
}

func (c *Client) messagesURL(mailbox, folderID string, uids []string) string {
	return c.folderURL(mailbox, folderID) + "/mobile/messages?uids=" + strings.Join(uids, ",")
}

func (c *Client) activitiesURL(mailbox, folderID, signature string) string {
	return c.folderURL(mailbox, folderID) + "/mobile/activities?" + url.Values{"signature": {signature}}.Encode()
}

func (c *Client) threadsURL(mailbox, folderID string, offset int) string {
	q := url.Values{"offset": {strconv.Itoa(offset)}, "limit": {strconv.Itoa(threadsLimit)}, "thread": {"off"}}
	return c.folderURL(mailbox, folderID) + "/message?" + q.Encode()
}

func (c *Client) rawURL(mailbox, folderID, uid string) string {
	return c.folderURL(mailbox, folderID) + "/message/" + segment(uid) + "/download"
}

// segment escapes an ID as one path segment. url.PathEscape keeps "." and
// "..", which a server or proxy normalising the path would resolve, moving
// the call to another route.
func segment(id string) string {
	s := url.PathEscape(id)
	if s == "." || s == ".." {
		return strings.ReplaceAll(s, ".", "%2E")
	}
	return s
}

// resolve joins a host-relative resource ("/api/mail/…") to the mail base
// URL. Absolute URLs are accepted only on that same origin: the token must
// never go elsewhere.
func (c *Client) resolve(resource string) (string, error) {
	base, err := url.Parse(c.base)
	if err != nil {
		return "", err
	}
	u, err := base.Parse(resource)
	if err != nil || u.Scheme != base.Scheme || u.Host != base.Host {
		return "", fmt.Errorf("%w: resource %q is not on the mail host", remote.ErrInvalid, resource)
	}
	return u.String(), nil
}
