package mail

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/infomaniakfs/infomaniakfs/remote"
)

// Activities returns a folder's changes since signature (from Listing or
// an earlier Activities): the short UIDs added and deleted (flag changes
// are not reported), and the signature of the new state. held are the
// UIDs the caller holds: the server then computes deleted from them, as
// the apps do (mail reference §5.1(c)). An expired or invalid signature is
// an error (its code is unknown: any error that is not transient means
// "list the folder again"); a folder that is gone is remote.ErrNotFound.
func (c *Client) Activities(ctx context.Context, mailbox, folderID, signature string, held []string) (added, deleted []string, next string, err error) {
	req := &remote.Request{URL: c.activitiesURL(mailbox, folderID, signature)}
	if len(held) > 0 {
		req.Method = "POST"
		req.Body, _ = json.Marshal(map[string]string{"uids": uidSet(held)})
		req.ContentType = "application/json"
	}
	var data struct {
		Added     []flexUID `json:"added"`
		Deleted   []flexUID `json:"deleted"`
		Signature string    `json:"signature"`
	}
	if _, err := c.rc.Call(ctx, req, &data); err != nil {
		return nil, nil, "", fmt.Errorf("activities of %s: %w", folderID, err)
	}
	if data.Signature == "" {
		return nil, nil, "", fmt.Errorf("%w: activities of %s: no signature", remote.ErrInvalid, folderID)
	}
	return shortUIDs(data.Added), shortUIDs(data.Deleted), data.Signature, nil
}

// shortUIDs keeps the well-formed UIDs, canonical and once each.
func shortUIDs(in []flexUID) []string {
	out := make([]string, 0, len(in))
	seen := make(map[string]bool, len(in))
	for _, u := range in {
		if s, ok := shortUID(string(u)); ok && !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	return out
}

// uidSet writes UIDs as an IMAP sequence set, ascending, runs as a:b
// ("1:5,7,9:12"), as the Android app sends them.
func uidSet(uids []string) string {
	var ns []uint64
	for _, u := range uids {
		if n, err := strconv.ParseUint(u, 10, 32); err == nil {
			ns = append(ns, n)
		}
	}
	slices.Sort(ns)
	ns = slices.Compact(ns)
	var b strings.Builder
	for i := 0; i < len(ns); {
		j := i
		for j+1 < len(ns) && ns[j+1] == ns[j]+1 {
			j++
		}
		if b.Len() > 0 {
			b.WriteByte(',')
		}
		b.WriteString(strconv.FormatUint(ns[i], 10))
		if j > i {
			b.WriteByte(':')
			b.WriteString(strconv.FormatUint(ns[j], 10))
		}
		i = j + 1
	}
	return b.String()
}
