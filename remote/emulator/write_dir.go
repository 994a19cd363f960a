package emulator

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/infomaniakfs/infomaniakfs/remote/emulator/dataset"
)

// maxNameBytes is the longest name a write route accepts.
const maxNameBytes = 255

// writeParams merges a write route's query parameters with its JSON body
// (clients send either; numbers may come as JSON strings, additions §5.3);
// the body wins. It answers 400 itself for a body that is not JSON.
func writeParams(w http.ResponseWriter, r *http.Request) (map[string]string, bool) {
	p := map[string]string{}
	for k, v := range r.URL.Query() {
		p[k] = v[0]
	}
	if r.Body == nil {
		return p, true
	}
	b, err := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	if err != nil {
		apiError(w, http.StatusBadRequest, "bad_request_error", "the body could not be read")
		return nil, false
	}
	if len(bytes.TrimSpace(b)) == 0 {
		return p, true
	}
	var body map[string]any
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	if err := dec.Decode(&body); err != nil {
		apiError(w, http.StatusBadRequest, "bad_request_error", "the body must be a JSON object")
		return nil, false
	}
	for k, v := range body {
		switch v := v.(type) {
		case string:
			p[k] = v
		case json.Number:
			p[k] = v.String()
		case bool:
			p[k] = strconv.FormatBool(v)
		}
	}
	return p, true
}

// validName answers 422 validation_failed for a name kDrive refuses: empty,
// "." or "..", holding "/" or NUL, or longer than 255 bytes.
func validName(w http.ResponseWriter, name string) bool {
	if name == "" || name == "." || name == ".." || strings.ContainsAny(name, "/\x00") || len(name) > maxNameBytes {
		validationError(w, http.StatusUnprocessableEntity, "name", "The name is invalid.")
		return false
	}
	return true
}

// unixParam reads an optional Unix-seconds parameter; 0 when absent.
func unixParam(w http.ResponseWriter, p map[string]string, name string) (int64, bool) {
	v := p[name]
	if v == "" {
		return 0, true
	}
	t, err := strconv.ParseInt(v, 10, 64)
	if err != nil || t < 0 {
		validationError(w, http.StatusUnprocessableEntity, name, "The "+name+" must be a Unix timestamp.")
		return 0, false
	}
	return t, true
}

// cancelResource is what undoable writes answer (kDrive reference §10).
func cancelResource() obj {
	return obj{"cancel_id": strconv.FormatInt(time.Now().UnixNano(), 36), "valid_until": now() + 30}
}

// writableDir resolves {drive} and {file} as a directory writes may go to.
func (s *Server) writableDir(w http.ResponseWriter, r *http.Request) (dataset.Node, bool) {
	dir, ok := s.node(w, r)
	if !ok {
		return dir, false
	}
	if !dir.IsDir {
		apiError(w, http.StatusBadRequest, "destination_not_a_directory", "the destination is not a directory")
		return dir, false
	}
	if dir.ID == dataset.RootID {
		apiError(w, http.StatusForbidden, "forbidden_error", "the drive root holds only the special folders")
		return dir, false
	}
	return dir, true
}

// createDir serves POST /3/drive/{d}/files/{parent}/directory with the
// name in the JSON body or the query (kDrive reference §10).
func (s *Server) createDir(w http.ResponseWriter, r *http.Request) {
	parent, ok := s.writableDir(w, r)
	if !ok {
		return
	}
	p, ok := writeParams(w, r)
	if !ok || !validName(w, p["name"]) {
		return
	}
	if _, exists := s.data.ChildByName(parent.DriveID, parent.ID, p["name"]); exists {
		apiError(w, http.StatusConflict, "destination_already_exists", "an item of that name already exists")
		return
	}
	s.wmu.Lock() // the mutation and its mirror on disk, seen whole by the watcher
	defer s.wmu.Unlock()
	n, err := s.data.AddDir(parent.DriveID, parent.ID, p["name"])
	if err != nil {
		apiError(w, http.StatusNotFound, "object_not_found", err.Error())
		return
	}
	s.mirrorMkdir(n)
	success(w, s.fileObject(n, parseWith(r.URL.Query())), nil)
}
