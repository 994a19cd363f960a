package emulator

import (
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"slices"
	"strconv"
	"strings"
)

// maxUIDSet bounds how many UIDs a client's sequence set may expand to.
const maxUIDSet = 1 << 20

// mailActivities reports a folder's net changes since a signature. When
// the client sends the UIDs it holds (as {"uids":"1:5,7"} or the bare JSON
// string), deleted is computed from them rather than from the log.
func (s *Server) mailActivities(w http.ResponseWriter, r *http.Request) {
	mb, f, ok := s.folder(w, r)
	if !ok {
		return
	}
	c, err := parseCursor(r.URL.Query().Get("signature"), curMail)
	if err != nil || c.Mailbox != mb.UUID || c.Folder != f.ID || s.expired(c) {
		validationError(w, http.StatusBadRequest, "signature", "The signature is invalid.")
		return
	}
	held, err := clientUIDs(r)
	if err != nil {
		validationError(w, http.StatusBadRequest, "uids", err.Error())
		return
	}
	seq := s.data.FolderSeq(mb.UUID, f.ID)
	if c.Seq > seq {
		validationError(w, http.StatusBadRequest, "signature", "The signature is invalid.")
		return
	}
	added, deleted, flagged := map[int64]bool{}, map[int64]bool{}, map[int64]bool{}
	for _, ch := range s.data.FolderChanges(mb.UUID, f.ID, c.Seq) {
		if ch.Seq > seq {
			break
		}
		switch ch.Kind {
		case "added":
			added[ch.UID] = true
		case "deleted":
			if added[ch.UID] {
				delete(added, ch.UID) // came and went: nothing to tell
			} else {
				deleted[ch.UID] = true
			}
			delete(flagged, ch.UID)
		default:
			if !added[ch.UID] {
				flagged[ch.UID] = true
			}
		}
	}
	if held != nil {
		deleted = map[int64]bool{}
		for _, uid := range held {
			if _, ok := s.data.Message(mb.UUID, f.ID, uid); !ok {
				deleted[uid] = true
			}
		}
	}
	updated := []obj{}
	for _, uid := range sortedUIDs(flagged) {
		m, ok := s.data.Message(mb.UUID, f.ID, uid)
		if !ok {
			continue
		}
		updated = append(updated, obj{
			"uid": strconv.FormatInt(uid, 10), "seen": m.Seen, "flagged": m.Flagged,
			"answered": false, "forwarded": false, "scheduled": false, "acknowledged": false,
		})
	}
	c.Seq = seq
	success(w, obj{
		"deleted": uidStrings(sortedUIDs(deleted)), "added": uidStrings(sortedUIDs(added)),
		"updated": updated, "unread_count": s.unread(mb.UUID, f.ID), "signature": c.String(),
	}, nil)
}

func sortedUIDs(set map[int64]bool) []int64 {
	out := make([]int64, 0, len(set))
	for uid := range set {
		out = append(out, uid)
	}
	slices.Sort(out)
	return out
}

func uidStrings(uids []int64) []string {
	out := make([]string, len(uids))
	for i, u := range uids {
		out[i] = strconv.FormatInt(u, 10)
	}
	return out
}

// clientUIDs reads the optional POST body; nil means none was sent.
func clientUIDs(r *http.Request) ([]int64, error) {
	if r.Body == nil {
		return nil, nil
	}
	b, err := io.ReadAll(io.LimitReader(r.Body, 4<<20))
	if err != nil {
		return nil, err
	}
	b = []byte(strings.TrimSpace(string(b)))
	var set string
	switch {
	case len(b) == 0:
		return nil, nil
	case b[0] == '{':
		var body struct {
			UIDs string `json:"uids"`
		}
		if json.Unmarshal(b, &body) != nil {
			return nil, errors.New("The body must be {\"uids\":\"1:5,7\"}.")
		}
		set = body.UIDs
	case b[0] == '"':
		if json.Unmarshal(b, &set) != nil {
			return nil, errors.New("The body must be a JSON string.")
		}
	default:
		return nil, errors.New("The body must be JSON.")
	}
	return parseUIDSet(set)
}

// parseUIDSet expands an IMAP sequence set such as "1:5,7,9:12".
func parseUIDSet(set string) ([]int64, error) {
	out := []int64{}
	for _, part := range strings.Split(set, ",") {
		if part = strings.TrimSpace(part); part == "" {
			continue
		}
		lo, hi, isRange := strings.Cut(part, ":")
		a, err1 := strconv.ParseInt(lo, 10, 64)
		b := a
		var err2 error
		if isRange {
			b, err2 = strconv.ParseInt(hi, 10, 64)
		}
		if err1 != nil || err2 != nil || a < 1 || b < 1 {
			return nil, errors.New("The uids must be an IMAP sequence set.")
		}
		if a > b {
			a, b = b, a
		}
		if int64(len(out))+b-a+1 > maxUIDSet {
			return nil, errors.New("The uids set is too large.")
		}
		for u := a; u <= b; u++ {
			out = append(out, u)
		}
	}
	return out, nil
}
