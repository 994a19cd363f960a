package emulator

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"io"
	"mime"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// contentURLTTL is how long a signed content URL stays valid.
const contentURLTTL = time.Hour

// contentClaim is what a content URL carries, signed.
type contentClaim struct {
	Drive   int64 `json:"d"`
	ID      int64 `json:"i"`
	Version int64 `json:"v"`
	Expires int64 `json:"e"`
}

func (s *Server) sign(c contentClaim) string {
	b, _ := json.Marshal(c)
	p := base64.RawURLEncoding.EncodeToString(b)
	return p + "." + s.mac(p)
}

func (s *Server) mac(payload string) string {
	m := hmac.New(sha256.New, s.key)
	m.Write([]byte(payload))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

// verify returns the claim of a well-signed, unexpired token.
func (s *Server) verify(tok string) (contentClaim, bool) {
	p, sig, ok := strings.Cut(tok, ".")
	if !ok || !hmac.Equal([]byte(sig), []byte(s.mac(p))) {
		return contentClaim{}, false
	}
	var c contentClaim
	b, err := base64.RawURLEncoding.DecodeString(p)
	if err != nil || json.Unmarshal(b, &c) != nil || time.Now().Unix() > c.Expires {
		return contentClaim{}, false
	}
	return c, true
}

// download answers like kDrive's API host: 302 to a pre-signed URL on the
// "content host" (here the same server), which needs no Authorization.
func (s *Server) download(w http.ResponseWriter, r *http.Request) {
	n, ok := s.node(w, r)
	if !ok {
		return
	}
	if n.IsDir {
		apiError(w, http.StatusBadRequest, "bad_request_error", "downloading a directory as zip is not supported")
		return
	}
	ttl := time.Duration(s.urlTTL.Load())
	if ttl == 0 {
		ttl = contentURLTTL
	}
	// Valid through the second Expires: a URL lives ttl to ttl+1 s.
	tok := s.sign(contentClaim{Drive: n.DriveID, ID: n.ID, Version: n.Version, Expires: time.Now().Add(ttl).Unix()})
	w.Header().Set("Location", baseURL(r)+"/content/"+tok)
	w.Header().Set("Content-Length", "0")
	w.WriteHeader(http.StatusFound)
}

// content serves the current bytes of the signed file with Range support.
// A file changed since the URL was signed is served at its current
// version, under its new ETag, so clients can notice the switch.
func (s *Server) content(w http.ResponseWriter, r *http.Request) {
	c, ok := s.verify(r.PathValue("token"))
	if !ok {
		apiError(w, http.StatusForbidden, "access_denied", "invalid or expired download signature")
		return
	}
	n, ok := s.data.Item(c.Drive, c.ID)
	if !ok || n.IsDir {
		apiError(w, http.StatusNotFound, "object_not_found", "file not found")
		return
	}
	ra, size, version, ok := s.data.Content(c.Drive, c.ID)
	if !ok {
		apiError(w, http.StatusNotFound, "object_not_found", "file not found")
		return
	}
	n.Version = version
	h := w.Header()
	h.Set("Content-Type", mimeOf(n))
	h.Set("ETag", `"`+etag(n)+`"`)
	h.Set("Accept-Ranges", "bytes")
	h.Set("Cache-Control", "private, max-age=0")
	if cd := mime.FormatMediaType("attachment", map[string]string{"filename": n.Name}); cd != "" {
		h.Set("Content-Disposition", cd)
	}
	h.Set("X-Content-Version", strconv.FormatInt(version, 10))
	// ServeContent does Range (206, multi-range, 416), Content-Length,
	// Last-Modified and the conditional headers.
	http.ServeContent(w, r, "", time.Unix(n.MTime, 0), io.NewSectionReader(ra, 0, size))
}
