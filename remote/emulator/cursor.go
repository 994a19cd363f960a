package emulator

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"time"
)

// Cursor kinds: a cursor of one kind is refused by the routes of another.
const (
	curList    = "list"    // /3/.../files/{dir}/files paging
	curListing = "listing" // /3/.../files/{dir}/listing paging, then changes
	curChanges = "changes" // drive-wide v2 change cursor (listing/full, continue, longpoll)
	curMail    = "mail"    // mail activities signature
)

// cursor is what every opaque cursor and signature encodes.
type cursor struct {
	Kind    string `json:"k"`
	Drive   int64  `json:"d,omitempty"`
	Dir     int64  `json:"p,omitempty"`
	Seq     int64  `json:"s"`
	Offset  int    `json:"o,omitempty"`
	Done    bool   `json:"f,omitempty"` // listing: every page served, now tracking changes
	Mailbox string `json:"m,omitempty"`
	Folder  string `json:"fo,omitempty"`
	Epoch   int64  `json:"e,omitempty"` // Server.ExpireCursors refuses older epochs
}

func (c cursor) String() string {
	b, _ := json.Marshal(c)
	return base64.RawURLEncoding.EncodeToString(b)
}

var errCursor = errors.New("malformed cursor")

func parseCursor(s, kind string) (cursor, error) {
	var c cursor
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil || json.Unmarshal(b, &c) != nil || c.Kind != kind || c.Seq < 0 || c.Offset < 0 {
		return cursor{}, errCursor
	}
	return c, nil
}

// intParam parses an optional integer query parameter within [lo, hi];
// on failure it has answered with status and validation_failed.
func intParam(w http.ResponseWriter, q url.Values, name string, def, lo, hi, status int) (int, bool) {
	v := q.Get(name)
	if v == "" {
		return def, true
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < lo || n > hi {
		validationError(w, status, name, "The "+name+" must be an integer between "+strconv.Itoa(lo)+" and "+strconv.Itoa(hi)+".")
		return 0, false
	}
	return n, true
}

func now() int64 { return time.Now().Unix() }

// mint stamps a new cursor with the current epoch and encodes it.
func (s *Server) mint(c cursor) string {
	c.Epoch = s.epoch.Load()
	return c.String()
}

// expired reports whether c was minted before the last ExpireCursors.
func (s *Server) expired(c cursor) bool { return c.Epoch != s.epoch.Load() }

// ExpireCursors makes every change cursor and mail signature handed out
// so far expired, as when the service's change log has moved past them:
// listing/continue (v2, and v3 once its pages are served) and the long
// poll answer 400 invalid_cursor_error, mail activities 400
// validation_failed (mail reference §10.3). Paging cursors stay valid.
func (s *Server) ExpireCursors() { s.epoch.Add(1) }

// invalidCursor is the drive routes' answer to a malformed, foreign or
// expired cursor (additions §4.3).
func invalidCursor(w http.ResponseWriter) {
	apiError(w, http.StatusBadRequest, "invalid_cursor_error", "The cursor is invalid or expired.")
}
