package emulator

import (
	"fmt"
	"io"
	"net/http"
	"path"
	"strconv"
	"strings"

	"github.com/zeebo/xxh3"

	"github.com/infomaniakfs/infomaniakfs/remote/emulator/dataset"
)

// maxDirectUpload is the largest body a direct upload takes (kDrive
// reference §10: 1 GB; larger files go through upload sessions).
const maxDirectUpload = 1 << 30

// upload serves the direct upload, POST /3/drive/{d}/upload (and /2/):
// total_size, file_name + directory_id or file_id, conflict
// (error|rename|version), created_at, last_modified_at, total_chunk_hash,
// with=hash; the body is the content with an explicit Content-Length
// (reference §10, additions §5.2-5.3).
func (s *Server) upload(w http.ResponseWriter, r *http.Request) {
	d, ok := s.drive(w, r)
	if !ok {
		return
	}
	q := r.URL.Query()
	p := map[string]string{}
	for k, v := range q {
		p[k] = v[0]
	}
	size, err := strconv.ParseInt(p["total_size"], 10, 64)
	if err != nil || size < 0 {
		validationError(w, http.StatusUnprocessableEntity, "total_size", "The total size is required.")
		return
	}
	if r.ContentLength < 0 {
		apiError(w, http.StatusLengthRequired, "bad_request_error", "an upload needs a Content-Length (no chunked encoding)")
		return
	}
	if r.ContentLength != size || size > maxDirectUpload {
		apiError(w, http.StatusBadRequest, "upload_error", "the body length differs from total_size or exceeds 1 GB")
		return
	}
	plan, ok := s.planUpload(w, d, p, size)
	if !ok {
		return
	}
	body := make([]byte, size)
	if _, err := io.ReadFull(r.Body, body); err != nil {
		apiError(w, http.StatusBadRequest, "upload_error", "the body ended early")
		return
	}
	if want := p["total_chunk_hash"]; want != "" && !hashMatches(want, body) {
		apiError(w, http.StatusBadRequest, "upload_error", "total_chunk_hash does not match the content")
		return
	}
	if n, ok := s.commitUpload(w, d, plan, body); ok {
		success(w, s.fileObject(n, parseWith(q)), nil)
	}
}

// uploadPlan is an upload checked and ready to be stored.
type uploadPlan struct {
	uploadTarget
	created, mtime int64
}

// planUpload checks an upload's parameters, destination, conflict rule and
// quota for size bytes; it answers the error itself.
func (s *Server) planUpload(w http.ResponseWriter, d int64, p map[string]string, size int64) (uploadPlan, bool) {
	var plan uploadPlan
	var ok bool
	if plan.created, ok = unixParam(w, p, "created_at"); !ok {
		return plan, false
	}
	if plan.mtime, ok = unixParam(w, p, "last_modified_at"); !ok {
		return plan, false
	}
	if plan.uploadTarget, ok = s.uploadTarget(w, d, p); !ok {
		return plan, false
	}
	if dr := s.driveInfo(d); dr.UsedSize-plan.old+size > dr.Size {
		apiError(w, http.StatusForbidden, "quota_exceeded_error", "the drive is full")
		return plan, false
	}
	return plan, true
}

// commitUpload stores body as planned.
func (s *Server) commitUpload(w http.ResponseWriter, d int64, plan uploadPlan, body []byte) (dataset.Node, bool) {
	s.wmu.Lock() // the mutation and its mirror on disk, seen whole by the watcher
	defer s.wmu.Unlock()
	var n dataset.Node
	var err error
	if plan.id != 0 {
		n, err = s.data.SetContent(d, plan.id, body, plan.mtime)
	} else {
		n, err = s.data.PutFile(d, plan.dir, plan.name, body, plan.created, plan.mtime)
	}
	if err != nil {
		apiError(w, http.StatusNotFound, "object_not_found", err.Error())
		return n, false
	}
	s.mirrorFile(n)
	return n, true
}

// uploadTarget is where an upload goes: a new file (dir, name) or a new
// version of file id (old: its current size).
type uploadTarget struct {
	dir, id, old int64
	name         string
}

// uploadTarget resolves file_id, or directory_id + file_name under the
// conflict rule; it answers the error itself.
func (s *Server) uploadTarget(w http.ResponseWriter, d int64, p map[string]string) (uploadTarget, bool) {
	if v := p["file_id"]; v != "" {
		if p["file_name"] != "" || p["directory_id"] != "" || p["conflict"] != "" {
			validationError(w, http.StatusBadRequest, "file_id", "file_id excludes file_name, directory_id and conflict.")
			return uploadTarget{}, false
		}
		id, _ := strconv.ParseInt(v, 10, 64)
		n, ok := s.data.Item(d, id)
		if !ok || n.IsDir {
			apiErrorCtx(w, http.StatusNotFound, "object_not_found", "file not found", obj{"model": "File", "id": v})
			return uploadTarget{}, false
		}
		return uploadTarget{id: id, old: n.Size}, true
	}
	dirID, err := strconv.ParseInt(p["directory_id"], 10, 64)
	dir, ok := s.data.Item(d, dirID)
	if err != nil || !ok || !dir.IsDir {
		apiError(w, http.StatusNotFound, "upload_destination_not_found_error", "the destination directory does not exist")
		return uploadTarget{}, false
	}
	if dirID == dataset.RootID {
		// A folder that exists but takes no upload: the code of the
		// official spec's ErrorCode enum and the Android app's upload
		// errors (additions §5.3); 403 as for every other refused write.
		apiError(w, http.StatusForbidden, "upload_destination_not_writable_error", "the drive root holds only the special folders")
		return uploadTarget{}, false
	}
	name := p["file_name"]
	if !validName(w, name) {
		return uploadTarget{}, false
	}
	conflict := p["conflict"]
	if conflict == "" {
		conflict = "error"
	}
	if conflict != "error" && conflict != "rename" && conflict != "version" {
		validationError(w, http.StatusUnprocessableEntity, "conflict", "The conflict must be error, rename or version.")
		return uploadTarget{}, false
	}
	t := uploadTarget{dir: dirID, name: name}
	clash, exists := s.data.ChildByName(d, dirID, name)
	switch {
	case !exists:
	case clash.IsDir || conflict == "rename": // a clash with a folder is always renamed (additions §5.2)
		t.name = s.freeName(d, dirID, name)
	case conflict == "version":
		t.id, t.old = clash.ID, clash.Size
	default:
		apiError(w, http.StatusConflict, "file_already_exists_error", "a file of that name already exists")
		return uploadTarget{}, false
	}
	return t, true
}

// freeName is name with the first free "(n)" before its extension, as
// kDrive renames ("file.txt" → "file(1).txt").
func (s *Server) freeName(d, dir int64, name string) string {
	ext := path.Ext(name)
	if ext == name {
		ext = ""
	}
	base := strings.TrimSuffix(name, ext)
	for i := 1; ; i++ {
		c := fmt.Sprintf("%s(%d)%s", base, i, ext)
		if _, taken := s.data.ChildByName(d, dir, c); !taken {
			return c
		}
	}
}

// hashMatches checks a client's "xxh3:<hex>" against the content; other
// algorithms are accepted unchecked (additions §5.3).
func hashMatches(want string, content []byte) bool {
	algo, hex, ok := strings.Cut(strings.ToLower(want), ":")
	if !ok {
		algo, hex = "xxh3", algo
	}
	if algo != "xxh3" {
		return true
	}
	return hex == fmt.Sprintf("%016x", xxh3.Hash(content))
}

// driveInfo is drive d's quota and use.
func (s *Server) driveInfo(d int64) dataset.Drive {
	for _, dr := range s.data.Drives() {
		if dr.ID == d {
			return dr
		}
	}
	return dataset.Drive{}
}
