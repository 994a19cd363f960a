package emulator

import (
	"bytes"
	"context"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/infomaniakfs/infomaniakfs/remote/emulator/dataset"
)

// maxLongpoll caps the long poll's wait whatever the client asks.
const maxLongpoll = 60 * time.Second

// listingFull is the desktop client's whole-tree CSV snapshot; its cursor
// (header X-kDrive-Cursor) feeds listing/continue and the long poll.
func (s *Server) listingFull(w http.ResponseWriter, r *http.Request) {
	d, ok := s.drive(w, r)
	if !ok {
		return
	}
	q := r.URL.Query()
	dir := int64(1)
	if v := q.Get("directory_id"); v != "" {
		id, err := strconv.ParseInt(v, 10, 64)
		if n, ok := s.data.Item(d, id); err != nil || !ok || !n.IsDir {
			apiError(w, http.StatusNotFound, "object_not_found", "directory not found")
			return
		}
		dir = id
	}
	recursive := q.Get("recursive") != "false" && q.Get("recursive") != "0"
	seq := s.data.DriveSeq(d) // before the walk: changes during it are reported again, never lost
	var b bytes.Buffer
	b.WriteString("id,parent_id,name,type,size,created_at,last_modified_at,can_write,is_link\n")
	under := map[int64]bool{dir: true}
	s.data.Walk(d, func(n dataset.Node) bool {
		if n.ID == dir || !under[n.ParentID] {
			return true
		}
		if n.IsDir && recursive {
			under[n.ID] = true
		}
		size := int64(0)
		if !n.IsDir {
			size = n.Size
		}
		b.WriteString(strconv.FormatInt(n.ID, 10) + "," + strconv.FormatInt(n.ParentID, 10) + ",")
		b.WriteString(`"` + strings.ReplaceAll(n.Name, `"`, `""`) + `",`)
		b.WriteString(typeName(n) + "," + strconv.FormatInt(size, 10) + ",")
		b.WriteString(strconv.FormatInt(n.CreatedAt, 10) + "," + strconv.FormatInt(n.MTime, 10) + ",1,0\n")
		return true
	})
	b.WriteString("#EOF\n")
	h := w.Header()
	h.Set("X-kDrive-Cursor", s.mint(cursor{Kind: curChanges, Drive: d, Dir: dir, Seq: seq}))
	h.Set("Content-Type", "text/csv; charset=utf-8")
	h.Set("Content-Length", strconv.Itoa(b.Len()))
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(b.Bytes())
}

// changeCursor decodes the cursor query parameter for drive d, answering
// 400 invalid_cursor_error itself when it is malformed, foreign or expired.
func (s *Server) changeCursor(w http.ResponseWriter, r *http.Request, d int64, kinds ...string) (cursor, bool) {
	cs := r.URL.Query().Get("cursor")
	for _, k := range kinds {
		if c, err := parseCursor(cs, k); err == nil && c.Drive == d && !s.expired(c) {
			return c, true
		}
	}
	invalidCursor(w)
	return cursor{}, false
}

// listingContinueV2 reports the drive's changes since the cursor.
func (s *Server) listingContinueV2(w http.ResponseWriter, r *http.Request) {
	d, ok := s.drive(w, r)
	if !ok {
		return
	}
	c, ok := s.changeCursor(w, r, d, curChanges)
	if !ok {
		return
	}
	limit, ok := intParam(w, r.URL.Query(), "limit", maxLimit, 1, maxLimit, http.StatusUnprocessableEntity)
	if !ok {
		return
	}
	next := c
	more := false
	actions := []obj{}
	for _, ch := range s.data.DriveChanges(d, c.Seq) {
		if ch.Action == dataset.ActionMoveOut {
			next.Seq = ch.Seq // drive-wide, the file_move record tells the whole move
			continue
		}
		if len(actions) == limit {
			more = true
			break
		}
		next.Seq = ch.Seq
		n := ch.Node
		a := obj{
			"action": ch.Action, "file_id": n.ID, "parent_id": n.ParentID,
			"path":       ch.Path,
			"created_at": n.CreatedAt, "last_modified_at": n.MTime,
			"file_type": typeName(n), "size": n.Size, "symbolic_link": nil,
			"capabilities": obj{"can_write": true},
		}
		if ch.Action == dataset.ActionMoveIn {
			a["path"], a["destination"] = ch.OldPath, ch.Path
		}
		if n.IsDir {
			a["size"] = nil
		}
		actions = append(actions, a)
	}
	success(w, obj{"cursor": next.String(), "has_more": more, "actions": actions}, obj{"response_at": now()})
}

// longpoll answers {"changes":true} as soon as the drive changed after the
// cursor, or {"changes":false} once the timeout (capped at 60 s) is over.
func (s *Server) longpoll(w http.ResponseWriter, r *http.Request) {
	d, ok := s.drive(w, r)
	if !ok {
		return
	}
	c, ok := s.changeCursor(w, r, d, curChanges, curListing, curList)
	if !ok {
		return
	}
	timeout := 30 * time.Second
	if v := r.URL.Query().Get("timeout"); v != "" {
		t, err := time.ParseDuration(v)
		if err != nil {
			secs, err2 := strconv.Atoi(v)
			if err2 != nil || secs < 0 {
				validationError(w, http.StatusBadRequest, "timeout", "The timeout must be a duration.")
				return
			}
			t = time.Duration(secs) * time.Second
		}
		timeout = max(min(t, maxLongpoll), 0)
	}
	ctx, cancel := context.WithTimeout(r.Context(), timeout)
	defer cancel()
	go func() {
		select {
		case <-s.done:
			cancel()
		case <-ctx.Done():
		}
	}()
	changed := s.data.DriveSeq(d) > c.Seq || s.data.WaitDrive(ctx, d, c.Seq)
	writeJSON(w, http.StatusOK, obj{"changes": changed})
}
