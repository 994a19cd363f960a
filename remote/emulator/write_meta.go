package emulator

import (
	"net/http"
	"strconv"
	"time"
)

// maxMTimeAhead is how far in the future last-modified may be set (the
// desktop client's test: +1 h is accepted, +25 h refused).
const maxMTimeAhead = 24 * time.Hour

// lastModified serves POST /3/drive/{d}/files/{f}/last-modified with
// {"last_modified_at": <unix s>}; it answers the File.
func (s *Server) lastModified(w http.ResponseWriter, r *http.Request) {
	n, ok := s.node(w, r)
	if !ok {
		return
	}
	p, ok := writeParams(w, r)
	if !ok {
		return
	}
	mt, ok := unixParam(w, p, "last_modified_at")
	if !ok {
		return
	}
	if p["last_modified_at"] == "" || mt > time.Now().Add(maxMTimeAhead).Unix() {
		validationError(w, http.StatusUnprocessableEntity, "last_modified_at", "The last modified at must be a Unix time at most 24 h ahead.")
		return
	}
	s.wmu.Lock() // the mutation and its mirror on disk, seen whole by the watcher
	defer s.wmu.Unlock()
	n, err := s.data.SetMTime(n.DriveID, n.ID, mt)
	if err != nil {
		apiError(w, http.StatusNotFound, "object_not_found", err.Error())
		return
	}
	s.mirrorMTime(n)
	success(w, s.fileObject(n, parseWith(r.URL.Query())), nil)
}

// copyFile serves POST /3/drive/{d}/files/{f}/copy/{dest}, with name and
// conflict (error|rename|version) in the query or the JSON body; it
// answers the new File. Files only: a folder answers 400.
func (s *Server) copyFile(w http.ResponseWriter, r *http.Request) {
	n, ok := s.node(w, r)
	if !ok {
		return
	}
	if n.IsDir {
		apiError(w, http.StatusBadRequest, "bad_request_error", "the emulator copies files only")
		return
	}
	destID, err := strconv.ParseInt(r.PathValue("dest"), 10, 64)
	dest, found := s.data.Item(n.DriveID, destID)
	if err != nil || !found {
		apiErrorCtx(w, http.StatusNotFound, "object_not_found", "destination not found", obj{"model": "File", "id": r.PathValue("dest")})
		return
	}
	if !dest.IsDir || dest.ID == 1 {
		apiError(w, http.StatusBadRequest, "destination_not_a_directory", "the destination is not a writable directory")
		return
	}
	p, ok := writeParams(w, r)
	if !ok {
		return
	}
	name := n.Name
	if p["name"] != "" {
		name = p["name"]
	}
	if !validName(w, name) {
		return
	}
	var over int64
	grow := n.Size
	if clash, exists := s.data.ChildByName(n.DriveID, dest.ID, name); exists {
		switch {
		case p["conflict"] == "version" && !clash.IsDir:
			over, grow = clash.ID, n.Size-clash.Size
		case p["conflict"] == "rename" || (p["conflict"] == "version" && clash.IsDir):
			name = s.freeName(n.DriveID, dest.ID, name)
		default:
			apiError(w, http.StatusConflict, "conflict_error", "an item of that name already exists in the destination")
			return
		}
	}
	if dr := s.driveInfo(n.DriveID); grow > 0 && dr.UsedSize+grow > dr.Size {
		apiError(w, http.StatusForbidden, "quota_exceeded_error", "the drive is full")
		return
	}
	s.wmu.Lock() // the mutation and its mirror on disk, seen whole by the watcher
	defer s.wmu.Unlock()
	c, err := s.data.CopyFile(n.DriveID, n.ID, dest.ID, name, over)
	if err != nil {
		apiError(w, http.StatusNotFound, "object_not_found", err.Error())
		return
	}
	s.mirrorFile(c)
	success(w, s.fileObject(c, parseWith(r.URL.Query())), nil)
}
