package emulator

import (
	"crypto/rand"
	"encoding/hex"
	"net/http"
	"strconv"
	"sync"

	"github.com/infomaniakfs/infomaniakfs/remote/emulator/dataset"
)

// shareLink is a file's public link; linkJSON renders the fields rclone's
// PubLinkResult reads.
type shareLink struct {
	URL                  string
	FileID               int64
	Right                string
	ValidUntil           *int64
	CreatedBy            int64
	CreatedAt, UpdatedAt int64
	Capabilities         map[string]bool
	AccessBlocked        bool
}

// linkStore holds public links by drive and file. A link is only reached
// through its file, so a file trashed or deleted takes its link out of
// reach with it.
type linkStore struct {
	mu sync.Mutex
	m  map[[2]int64]*shareLink
}

func (s *Server) linkOf(n dataset.Node) (*shareLink, bool) {
	s.links.mu.Lock()
	defer s.links.mu.Unlock()
	l, ok := s.links.m[[2]int64{n.DriveID, n.ID}]
	return l, ok
}

// linkJSON renders a link with the API's snake_case times.
func linkJSON(l *shareLink) obj {
	return obj{
		"url": l.URL, "file_id": l.FileID, "right": l.Right, "valid_until": l.ValidUntil,
		"created_by": l.CreatedBy, "created_at": l.CreatedAt, "updated_at": l.UpdatedAt,
		"capabilities": l.Capabilities, "access_blocked": l.AccessBlocked,
	}
}

// validUntil reads an optional valid_until (Unix seconds, 0/absent: none).
func validUntil(w http.ResponseWriter, p map[string]string) (*int64, bool) {
	v, ok := unixParam(w, p, "valid_until")
	if !ok || v == 0 {
		return nil, ok
	}
	return &v, true
}

// linkGet serves GET /2/drive/{d}/files/{f}/link: 404 object_not_found
// when the file has none.
func (s *Server) linkGet(w http.ResponseWriter, r *http.Request) {
	n, ok := s.node(w, r)
	if !ok {
		return
	}
	l, ok := s.linkOf(n)
	if !ok {
		apiErrorCtx(w, http.StatusNotFound, "object_not_found", "the file has no public link", obj{"model": "ShareLink"})
		return
	}
	success(w, linkJSON(l), nil)
}

// linkCreate serves POST /2/drive/{d}/files/{f}/link with {"right":
// "public", "valid_until"?}; 409 file_share_link_already_exists when one
// exists.
func (s *Server) linkCreate(w http.ResponseWriter, r *http.Request) {
	n, ok := s.node(w, r)
	if !ok {
		return
	}
	p, ok := writeParams(w, r)
	if !ok {
		return
	}
	until, ok := validUntil(w, p)
	if !ok {
		return
	}
	right := p["right"]
	if right == "" {
		right = "public"
	}
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	t := now()
	l := &shareLink{
		URL:    baseURL(r) + "/app/share/" + strconv.FormatInt(n.DriveID, 10) + "/" + hex.EncodeToString(b),
		FileID: n.ID, Right: right, ValidUntil: until, CreatedBy: UserID, CreatedAt: t, UpdatedAt: t,
		Capabilities: map[string]bool{"can_edit": false, "can_see_stats": true, "can_see_info": true,
			"can_download": true, "can_comment": false, "can_request_access": false},
	}
	s.links.mu.Lock()
	key := [2]int64{n.DriveID, n.ID}
	_, exists := s.links.m[key]
	if !exists {
		if s.links.m == nil {
			s.links.m = map[[2]int64]*shareLink{}
		}
		s.links.m[key] = l
	}
	s.links.mu.Unlock()
	if exists {
		apiError(w, http.StatusConflict, "file_share_link_already_exists", "the file already has a public link")
		return
	}
	success(w, linkJSON(l), nil)
}

// linkUpdate serves PUT /2/drive/{d}/files/{f}/link with {"valid_until"}:
// true.
func (s *Server) linkUpdate(w http.ResponseWriter, r *http.Request) {
	n, ok := s.node(w, r)
	if !ok {
		return
	}
	p, ok := writeParams(w, r)
	if !ok {
		return
	}
	until, ok := validUntil(w, p)
	if !ok {
		return
	}
	s.links.mu.Lock()
	l, exists := s.links.m[[2]int64{n.DriveID, n.ID}]
	if exists {
		l.ValidUntil, l.UpdatedAt = until, now()
	}
	s.links.mu.Unlock()
	if !exists {
		apiErrorCtx(w, http.StatusNotFound, "object_not_found", "the file has no public link", obj{"model": "ShareLink"})
		return
	}
	success(w, true, nil)
}

// linkDelete serves DELETE /2/drive/{d}/files/{f}/link: true.
func (s *Server) linkDelete(w http.ResponseWriter, r *http.Request) {
	n, ok := s.node(w, r)
	if !ok {
		return
	}
	s.links.mu.Lock()
	key := [2]int64{n.DriveID, n.ID}
	_, exists := s.links.m[key]
	delete(s.links.m, key)
	s.links.mu.Unlock()
	if !exists {
		apiErrorCtx(w, http.StatusNotFound, "object_not_found", "the file has no public link", obj{"model": "ShareLink"})
		return
	}
	success(w, true, nil)
}
