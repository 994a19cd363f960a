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
