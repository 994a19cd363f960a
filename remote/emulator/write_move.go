package emulator

import (
	"net/http"
	"strconv"

	"github.com/infomaniakfs/infomaniakfs/remote/emulator/dataset"
)

// special reports the folders nobody may rename, move or trash: the root
// and the spaces under it (Private, Common documents, Shared).
func special(n dataset.Node) bool {
	switch n.Visibility {
	case dataset.VisRoot, dataset.VisPrivate, dataset.VisTeam, dataset.VisShared:
		return true
	}
	return false
}

// movable resolves {drive} and {file} as an item writes may rename, move or
// trash; 403 forbidden_error for the special folders.
func (s *Server) movable(w http.ResponseWriter, r *http.Request) (dataset.Node, bool) {
	n, ok := s.node(w, r)
	if ok && special(n) {
		apiError(w, http.StatusForbidden, "forbidden_error", "this folder cannot be renamed, moved or deleted")
		return n, false
	}
	return n, ok
}

// rename serves POST /2/drive/{d}/files/{f}/rename with {"name":...}.
func (s *Server) rename(w http.ResponseWriter, r *http.Request) {
	n, ok := s.movable(w, r)
	if !ok {
		return
	}
	p, ok := writeParams(w, r)
	if !ok || !validName(w, p["name"]) {
		return
	}
	name := p["name"]
	if name == n.Name {
		success(w, cancelResource(), nil)
		return
	}
	if _, clash := s.data.ChildByName(n.DriveID, n.ParentID, name); clash {
		apiError(w, http.StatusConflict, "conflict_error", "an item of that name already exists")
		return
	}
	s.wmu.Lock() // the mutation and its mirror on disk, seen whole by the watcher
	defer s.wmu.Unlock()
	old := s.diskPath(n.DriveID, n.ID)
	if err := s.data.Rename(n.DriveID, n.ID, name); err != nil {
		apiError(w, http.StatusNotFound, "object_not_found", err.Error())
		return
	}
	s.mirrorMove(n.DriveID, n.ID, old)
	success(w, cancelResource(), nil)
}

// move serves POST /3/drive/{d}/files/{f}/move/{dest}, with an optional new
// name and conflict (error|rename) in the query or the JSON body.
func (s *Server) move(w http.ResponseWriter, r *http.Request) {
	n, ok := s.movable(w, r)
	if !ok {
		return
	}
	destID, err := strconv.ParseInt(r.PathValue("dest"), 10, 64)
	dest, found := s.data.Item(n.DriveID, destID)
	if err != nil || !found {
		apiErrorCtx(w, http.StatusNotFound, "object_not_found", "destination not found", obj{"model": "File", "id": r.PathValue("dest")})
		return
	}
	if !dest.IsDir {
		apiError(w, http.StatusBadRequest, "destination_not_a_directory", "the destination is not a directory")
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
	if dest.ID == dataset.RootID || s.inside(dest, n) {
		apiError(w, http.StatusBadRequest, "bad_request_error", "cannot move there")
		return
	}
	if clash, exists := s.data.ChildByName(n.DriveID, dest.ID, name); exists && clash.ID != n.ID {
		if p["conflict"] != "rename" {
			apiError(w, http.StatusConflict, "conflict_error", "an item of that name already exists in the destination")
			return
		}
		name = s.freeName(n.DriveID, dest.ID, name)
	}
	s.wmu.Lock() // the mutation and its mirror on disk, seen whole by the watcher
	defer s.wmu.Unlock()
	old := s.diskPath(n.DriveID, n.ID)
	if name != n.Name {
		if err := s.data.Rename(n.DriveID, n.ID, name); err != nil {
			apiError(w, http.StatusNotFound, "object_not_found", err.Error())
			return
		}
	}
	if dest.ID != n.ParentID {
		if err := s.data.Move(n.DriveID, n.ID, dest.ID); err != nil {
			s.mirrorMove(n.DriveID, n.ID, old) // the rename went through
			apiError(w, http.StatusBadRequest, "bad_request_error", err.Error())
			return
		}
	}
	s.mirrorMove(n.DriveID, n.ID, old)
	success(w, cancelResource(), nil)
}

// inside reports whether dir is n or lies under it.
func (s *Server) inside(dir, n dataset.Node) bool {
	for x := dir; ; {
		if x.ID == n.ID {
			return true
		}
		if x.ID == dataset.RootID {
			return false
		}
		var ok bool
		if x, ok = s.data.Item(x.DriveID, x.ParentID); !ok {
			return false
		}
	}
}

// trash serves DELETE /2/drive/{d}/files/{f}: the item and what it holds
// go to the trash (the feeds say file_trash).
func (s *Server) trash(w http.ResponseWriter, r *http.Request) {
	n, ok := s.movable(w, r)
	if !ok {
		return
	}
	s.wmu.Lock() // the mutation and its mirror on disk, seen whole by the watcher
	defer s.wmu.Unlock()
	old := s.diskPath(n.DriveID, n.ID)
	if err := s.data.Trash(n.DriveID, n.ID); err != nil {
		apiError(w, http.StatusNotFound, "object_not_found", err.Error())
		return
	}
	s.mirrorTrash(n.DriveID, n.ID, old)
	success(w, cancelResource(), nil)
}
