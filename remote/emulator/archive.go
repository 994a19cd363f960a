package emulator

import (
	"bytes"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/infomaniakfs/infomaniakfs/remote/emulator/dataset"
)

// Archive limits (additions §3.1): 1 to 20,000 files of one parent. How
// long a uuid stays downloadable is UNKNOWN; an hour here, and it may be
// downloaded any number of times (a client resumes a broken one by Range).
const (
	archiveMaxFiles = 20_000
	archiveTTL      = time.Hour
)

// archiveJob is one archive built by POST …/files/archives. Its zip is
// laid out then, over the files' versions of that moment, so that every
// download (and resumption) of one uuid sees the same bytes.
type archiveJob struct {
	drive   int64
	items   []dataset.Node // top-level items, in the order asked
	expires time.Time

	plan *zipPlan

	once sync.Once
	zip  []byte // the whole zip, made for the first ranged download
}

// archiveStore holds the archives by uuid.
type archiveStore struct {
	mu sync.Mutex
	m  map[string]*archiveJob
}

func (st *archiveStore) put(j *archiveJob) string {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	uuid := fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:])
	st.mu.Lock()
	defer st.mu.Unlock()
	if st.m == nil {
		st.m = map[string]*archiveJob{}
	}
	for k, old := range st.m {
		if time.Now().After(old.expires) {
			delete(st.m, k)
		}
	}
	st.m[uuid] = j
	return uuid
}

func (st *archiveStore) get(uuid string, drive int64) (*archiveJob, bool) {
	st.mu.Lock()
	defer st.mu.Unlock()
	j := st.m[uuid]
	if j != nil && time.Now().After(j.expires) {
		delete(st.m, uuid)
		j = nil
	}
	return j, j != nil && j.drive == drive
}

// flexID is a file id sent as a JSON number or a JSON string (the apps'
// encoders differ; additions §5.3 on lenient numbers).
type flexID int64

func (f *flexID) UnmarshalJSON(b []byte) error {
	s := strings.Trim(string(b), `"`)
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		return fmt.Errorf("not an id: %s", b)
	}
	*f = flexID(n)
	return nil
}

type archiveBody struct {
	FileIDs       []flexID `json:"file_ids"`
	ParentID      *flexID  `json:"parent_id"`
	ExceptFileIDs []flexID `json:"except_file_ids"`
}

// buildArchive serves POST /{2,3}/drive/{d}/files/archives: exactly one of
// file_ids (items of one parent) or parent_id (its children but
// except_file_ids); 1 to 20,000 files once directories are recursed.
// Answers 201 with the spec's ArchiveResource.
func (s *Server) buildArchive(w http.ResponseWriter, r *http.Request) {
	d, ok := s.drive(w, r)
	if !ok {
		return
	}
	var body archiveBody
	b, err := io.ReadAll(io.LimitReader(r.Body, 4<<20))
	if err != nil || json.Unmarshal(b, &body) != nil {
		apiError(w, http.StatusBadRequest, "bad_request_error", "the body must be a JSON object with file_ids or parent_id")
		return
	}
	var items []dataset.Node
	switch {
	case len(body.FileIDs) > 0 && body.ParentID != nil:
		validationError(w, http.StatusBadRequest, "parent_id", "file_ids and parent_id exclude each other")
		return
	case len(body.FileIDs) > 0:
		if items, ok = s.archiveItems(w, d, body.FileIDs); !ok {
			return
		}
	case body.ParentID != nil:
		if items, ok = s.archiveChildren(w, d, int64(*body.ParentID), body.ExceptFileIDs); !ok {
			return
		}
	default:
		validationError(w, http.StatusBadRequest, "file_ids", "file_ids is required without parent_id")
		return
	}
	n := s.countFiles(d, items, archiveMaxFiles+1)
	if n < 1 || n > archiveMaxFiles {
		validationError(w, http.StatusBadRequest, "file_ids",
			"The archive should contain at least one file and may not contain more than 20,000 files.")
		return
	}
	j := &archiveJob{drive: d, items: items, expires: time.Now().Add(archiveTTL)}
	if j.plan = s.planZip(j); !j.plan.fits() {
		apiError(w, http.StatusBadRequest, "results_set_too_large_error", "the archive would reach 4 GiB")
		return
	}
	uuid := s.archives.put(j)
	writeJSON(w, http.StatusCreated, obj{"result": "success", "data": obj{
		"uuid": uuid, "number_of_files": n, "infected_files": []obj{}, "pua_files": []obj{},
	}})
}

// archiveItems resolves file_ids: each must exist, once, all in one parent.
func (s *Server) archiveItems(w http.ResponseWriter, d int64, ids []flexID) ([]dataset.Node, bool) {
	seen := map[int64]bool{}
	var items []dataset.Node
	for _, id := range ids {
		if seen[int64(id)] {
			continue
		}
		seen[int64(id)] = true
		n, ok := s.data.Item(d, int64(id))
		if !ok || n.ID == dataset.RootID {
			apiErrorCtx(w, http.StatusNotFound, "object_not_found", "file not found", obj{"model": "File", "id": int64(id)})
			return nil, false
		}
		if len(items) > 0 && n.ParentID != items[0].ParentID {
			validationError(w, http.StatusBadRequest, "file_ids", "The file identifiers should be in the same parent directory.")
			return nil, false
		}
		items = append(items, n)
	}
	return items, true
}

// archiveChildren resolves parent_id and except_file_ids.
func (s *Server) archiveChildren(w http.ResponseWriter, d, parent int64, except []flexID) ([]dataset.Node, bool) {
	kids, ok := s.data.Children(d, parent)
	if !ok {
		apiErrorCtx(w, http.StatusNotFound, "object_not_found", "directory not found", obj{"model": "File", "id": parent})
		return nil, false
	}
	skip := map[int64]bool{}
	for _, id := range except {
		skip[int64(id)] = true
	}
	var items []dataset.Node
	for _, k := range kids {
		if !skip[k.ID] {
			items = append(items, k)
		}
	}
	return items, true
}

// countFiles counts the files under items, directories recursed, stopping
// at limit.
func (s *Server) countFiles(d int64, items []dataset.Node, limit int) int {
	n := 0
	for _, it := range items {
		if n >= limit {
			break
		}
		if !it.IsDir {
			n++
			continue
		}
		kids, _ := s.data.Children(d, it.ID)
		n += s.countFiles(d, kids, limit-n)
	}
	return n
}

// downloadArchive serves GET /2/drive/{d}/files/archives/{uuid}: the zip,
// straight (no redirect to the content host), with Range support.
func (s *Server) downloadArchive(w http.ResponseWriter, r *http.Request) {
	d, ok := s.drive(w, r)
	if !ok {
		return
	}
	uuid := r.PathValue("uuid")
	j, ok := s.archives.get(uuid, d)
	if !ok {
		apiErrorCtx(w, http.StatusNotFound, "object_not_found", "archive not found", obj{"model": "Archive", "id": uuid})
		return
	}
	h := w.Header()
	h.Set("Content-Type", "application/zip")
	h.Set("Content-Disposition", `attachment; filename="Archive.zip"`)
	h.Set("ETag", `"`+j.plan.etag+`"`)
	h.Set("Accept-Ranges", "bytes")
	if r.Header.Get("Range") == "" {
		// Streamed as the files are read, as a server zipping on the fly.
		h.Set("Content-Length", strconv.FormatInt(j.plan.size, 10))
		w.WriteHeader(http.StatusOK)
		if r.Method != http.MethodHead {
			_ = j.plan.write(w) // an error is the client gone
		}
		return
	}
	j.once.Do(func() { j.zip = j.plan.bytes() })
	http.ServeContent(w, r, "", time.Time{}, bytes.NewReader(j.zip))
}

// archiveRoute serves GET /2/drive/{d}/files/{file}/{rest}: only
// archives/{uuid} lives there. Go's mux cannot take the pattern
// files/archives/{uuid} beside files/{file}/hash (a path could match
// both), so the archive download hangs under this catch-all, which the
// more specific {file}/files, /hash and /download patterns win over.
func (s *Server) archiveRoute(w http.ResponseWriter, r *http.Request) {
	if r.PathValue("file") != "archives" {
		noRoute(w, r)
		return
	}
	r.SetPathValue("uuid", r.PathValue("rest"))
	s.downloadArchive(w, r)
}
