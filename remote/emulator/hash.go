package emulator

import (
	"fmt"
	"io"
	"net/http"
	"sync"

	"github.com/zeebo/xxh3"

	"github.com/infomaniakfs/infomaniakfs/remote/emulator/dataset"
)

// derivedCache keeps values computed from immutable content versions.
type derivedCache struct {
	mu     sync.Mutex
	hashes map[[3]int64]*hashEntry // by drive, file, version
	mail   map[string]msgInfo      // by mailbox/folder/uid: messages never change
}

// hashEntry is one version's hash; its lock makes concurrent askers of a
// multi-GiB file wait for one computation instead of each reading it all.
type hashEntry struct {
	mu sync.Mutex
	h  string
}

// contentHash is the file's hash as kDrive gives it (additions §1.2):
// "xxh3:" and the 16 lowercase hex digits of XXH3-64 (seed 0) of the whole
// content. Computed on first demand, once per version; "" if the file is
// gone or its bytes cannot be read (then the next call tries again).
func (s *Server) contentHash(n dataset.Node) string {
	key := [3]int64{n.DriveID, n.ID, n.Version}
	c := &s.derived
	c.mu.Lock()
	e := c.hashes[key]
	if e == nil {
		if c.hashes == nil {
			c.hashes = make(map[[3]int64]*hashEntry)
		}
		e = &hashEntry{}
		c.hashes[key] = e
	}
	c.mu.Unlock()
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.h != "" {
		return e.h
	}
	ra, size, version, ok := s.data.Content(n.DriveID, n.ID)
	if !ok || version != n.Version {
		return "" // gone or changed since n was read: n's bytes are no more
	}
	h := xxh3.New()
	if _, err := io.Copy(h, io.NewSectionReader(ra, 0, size)); err != nil {
		return ""
	}
	e.h = fmt.Sprintf("xxh3:%016x", h.Sum64())
	return e.h
}

// fileHash serves GET /2/drive/{d}/files/{f}/hash (additions §1.1).
func (s *Server) fileHash(w http.ResponseWriter, r *http.Request) {
	n, ok := s.node(w, r)
	if !ok {
		return
	}
	if n.IsDir {
		apiError(w, http.StatusBadRequest, "bad_request_error", "a directory has no hash")
		return
	}
	h := s.contentHash(n)
	if h == "" {
		apiError(w, http.StatusInternalServerError, "unexpected_error", "the content could not be read")
		return
	}
	success(w, obj{"hash": h}, nil)
}
