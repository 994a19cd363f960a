package emulator

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/zeebo/xxh3"
)

// Upload session limits (additions §5.3): sessions live 12 h, a chunk is at
// most 1 GB, a file at most 50 GB in at most 10 000 chunks.
const (
	sessionTTL       = 12 * time.Hour
	maxChunk         = 1 << 30
	maxSessionUpload = 50 << 30
	maxChunks        = 10000
)

// uploadSession is one chunked upload under way; chunks are kept in memory.
type uploadSession struct {
	drive   int64
	params  map[string]string // the start's, as a direct upload's
	size    int64
	total   int
	chunks  map[int][]byte
	hashes  map[int]string // lowercase hex XXH3-64 per chunk
	expires time.Time
}

// sessionStore holds the sessions by token.
type sessionStore struct {
	mu sync.Mutex
	m  map[string]*uploadSession
}

// get finds a live session of drive d; expired ones are dropped.
func (st *sessionStore) get(token string, d int64) (*uploadSession, bool) {
	st.mu.Lock()
	defer st.mu.Unlock()
	u := st.m[token]
	if u != nil && time.Now().After(u.expires) {
		delete(st.m, token)
		u = nil
	}
	return u, u != nil && u.drive == d
}

func (st *sessionStore) put(u *uploadSession) string {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	token := hex.EncodeToString(b)
	st.mu.Lock()
	defer st.mu.Unlock()
	if st.m == nil {
		st.m = map[string]*uploadSession{}
	}
	for t, old := range st.m {
		if time.Now().After(old.expires) {
			delete(st.m, t)
		}
	}
	st.m[token] = u
	return token
}

func (st *sessionStore) drop(token string) {
	st.mu.Lock()
	delete(st.m, token)
	st.mu.Unlock()
}

// sessionStart serves POST /3/drive/{d}/upload/session/start: the direct
// upload's parameters (JSON body or query) plus total_chunks. Conflicts and
// quota are checked now, and again at finish.
func (s *Server) sessionStart(w http.ResponseWriter, r *http.Request) {
	d, ok := s.drive(w, r)
	if !ok {
		return
	}
	p, ok := writeParams(w, r)
	if !ok {
		return
	}
	size, err := strconv.ParseInt(p["total_size"], 10, 64)
	if err != nil || size < 0 || size > maxSessionUpload {
		validationError(w, http.StatusUnprocessableEntity, "total_size", "The total size is required, at most 50 GB.")
		return
	}
	total, err := strconv.Atoi(p["total_chunks"])
	if err != nil || total < 1 || total > maxChunks || int64(total)*maxChunk < size {
		validationError(w, http.StatusUnprocessableEntity, "total_chunks", "The total chunks must be 1 to 10000, of at most 1 GB each.")
		return
	}
	plan, ok := s.planUpload(w, d, p, size)
	if !ok {
		return
	}
	u := &uploadSession{drive: d, params: p, size: size, total: total,
		chunks: map[int][]byte{}, hashes: map[int]string{}, expires: time.Now().Add(sessionTTL)}
	data := obj{"token": s.sessions.put(u), "upload_url": baseURL(r), "directory_id": plan.dir,
		"file_name": plan.name, "result": true, "message": ""}
	if plan.id != 0 {
		data["file_id"] = plan.id
	}
	success(w, data, nil)
}

// session resolves {drive} and {token}: 404 object_not_found when unknown
// or expired.
func (s *Server) session(w http.ResponseWriter, r *http.Request) (*uploadSession, bool) {
	d, ok := s.drive(w, r)
	if !ok {
		return nil, false
	}
	u, ok := s.sessions.get(r.PathValue("token"), d)
	if !ok {
		apiError(w, http.StatusNotFound, "object_not_found", "no such upload session (expired or finished)")
	}
	return u, ok
}

// sessionChunk serves POST {upload_url}/3/drive/{d}/upload/session/{token}/chunk
// ?chunk_number=N&chunk_size=n[&chunk_hash=xxh3:…][&with=hash].
func (s *Server) sessionChunk(w http.ResponseWriter, r *http.Request) {
	u, ok := s.session(w, r)
	if !ok {
		return
	}
	q := r.URL.Query()
	num, err := strconv.Atoi(q.Get("chunk_number"))
	if err != nil || num < 1 || num > u.total {
		validationError(w, http.StatusUnprocessableEntity, "chunk_number", fmt.Sprintf("The chunk number must be 1 to %d.", u.total))
		return
	}
	size, err := strconv.ParseInt(q.Get("chunk_size"), 10, 64)
	if err != nil || size < 0 || size > maxChunk || r.ContentLength != size {
		apiError(w, http.StatusBadRequest, "upload_error", "chunk_size must be the body's Content-Length, at most 1 GB")
		return
	}
	body := make([]byte, size)
	if _, err := io.ReadFull(r.Body, body); err != nil {
		apiError(w, http.StatusBadRequest, "upload_error", "the chunk ended early")
		return
	}
	if want := q.Get("chunk_hash"); want != "" && !hashMatches(want, body) {
		apiError(w, http.StatusBadRequest, "upload_error", "chunk_hash does not match the chunk")
		return
	}
	sum := fmt.Sprintf("%016x", xxh3.Hash(body))
	s.sessions.mu.Lock()
	var held int64
	for n, c := range u.chunks {
		if n != num {
			held += int64(len(c))
		}
	}
	fits := held+size <= u.size
	if fits {
		u.chunks[num], u.hashes[num] = body, sum
	}
	s.sessions.mu.Unlock()
	if !fits {
		apiError(w, http.StatusBadRequest, "upload_error", "the chunks exceed total_size")
		return
	}
	data := obj{"received_bytes": size}
	if parseWith(q)["hash"] {
		data["hash"] = "xxh3:" + sum
	}
	success(w, data, nil)
}

// sessionFinish serves POST /3/drive/{d}/upload/session/{token}/finish with
// an optional JSON body {total_chunk_hash, total_chunks, created_at,
// last_modified_at}. total_chunk_hash may be the nested form (XXH3 of the
// chunks' hex hashes, as the desktop client sends) or the whole content's.
func (s *Server) sessionFinish(w http.ResponseWriter, r *http.Request) {
	u, ok := s.session(w, r)
	if !ok {
		return
	}
	p, ok := writeParams(w, r)
	if !ok {
		return
	}
	var content, hexes bytes.Buffer
	s.sessions.mu.Lock()
	complete := true
	for i := 1; i <= u.total; i++ {
		c, ok := u.chunks[i]
		complete = complete && ok
		content.Write(c)
		hexes.WriteString(u.hashes[i])
	}
	s.sessions.mu.Unlock()
	if n, err := strconv.Atoi(p["total_chunks"]); (p["total_chunks"] != "" && (err != nil || n != u.total)) ||
		!complete || int64(content.Len()) != u.size {
		apiError(w, http.StatusBadRequest, "upload_not_terminated_error", "chunks are missing or their sizes do not add up")
		return
	}
	if want := p["total_chunk_hash"]; want != "" && !hashMatches(want, hexes.Bytes()) && !hashMatches(want, content.Bytes()) {
		apiError(w, http.StatusBadRequest, "upload_error", "total_chunk_hash does not match")
		return
	}
	params := map[string]string{}
	for k, v := range u.params {
		params[k] = v
	}
	for _, k := range []string{"created_at", "last_modified_at"} {
		if p[k] != "" {
			params[k] = p[k]
		}
	}
	plan, ok := s.planUpload(w, u.drive, params, u.size)
	if !ok {
		return
	}
	n, ok := s.commitUpload(w, u.drive, plan, content.Bytes())
	if !ok {
		return
	}
	s.sessions.drop(r.PathValue("token"))
	success(w, obj{"token": r.PathValue("token"), "file": s.fileObject(n, parseWith(r.URL.Query())),
		"result": true, "message": ""}, nil)
}

// sessionCancel serves DELETE /2/drive/{d}/upload/session/{token}: true, or
// 400 for a session already finished, cancelled or expired (the desktop
// client reads 400 so).
func (s *Server) sessionCancel(w http.ResponseWriter, r *http.Request) {
	d, ok := s.drive(w, r)
	if !ok {
		return
	}
	if _, ok := s.sessions.get(r.PathValue("token"), d); !ok {
		apiError(w, http.StatusBadRequest, "bad_request_error", "the upload session has already been cancelled or has expired")
		return
	}
	s.sessions.drop(r.PathValue("token"))
	success(w, true, nil)
}
