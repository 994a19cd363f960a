package emulator

import (
	"net/http"
	"os"
	"path/filepath"
	"strconv"

	"github.com/infomaniakfs/infomaniakfs/remote/emulator/dataset"
)

// curTrash pages a trash listing.
const curTrash = "trash"

// trashObject renders a trashed item: a File with status "trashed" (or
// "trash_inherited" for what went with a folder), deleted_at and deleted_by.
func (s *Server) trashObject(t dataset.Trashed, with withSet) fileJSON {
	o := s.fileObject(t.Node, with)
	status := "trashed"
	if t.Inherited {
		status = "trash_inherited"
	}
	by := int64(UserID)
	o.Status, o.DeletedAt, o.DeletedBy = &status, &t.DeletedAt, &by
	return o
}

// trashPage answers one page of items: v2 style (page, per_page) when asked
// so, else v3 (limit, cursor; dir names the listing in the cursor).
func (s *Server) trashPage(w http.ResponseWriter, r *http.Request, d, dir int64, items []dataset.Trashed) {
	q := r.URL.Query()
	off, limit, page, ok := 0, 0, 1, false
	v2 := q.Has("page") || q.Has("per_page")
	if v2 {
		if limit, ok = intParam(w, q, "per_page", defaultLimit, 1, maxLimit, http.StatusUnprocessableEntity); !ok {
			return
		}
		if page, ok = intParam(w, q, "page", 1, 1, 1<<30, http.StatusUnprocessableEntity); !ok {
			return
		}
		off = (page - 1) * limit
	} else {
		if limit, ok = intParam(w, q, "limit", defaultLimit, minLimit, maxLimit, http.StatusUnprocessableEntity); !ok {
			return
		}
		if cs := q.Get("cursor"); cs != "" {
			c, err := parseCursor(cs, curTrash)
			if err != nil || c.Drive != d || c.Dir != dir {
				invalidCursor(w)
				return
			}
			off = c.Offset
		}
	}
	off = min(off, len(items))
	end := min(off+limit, len(items))
	with := parseWith(q)
	data := make([]fileJSON, 0, end-off)
	for _, t := range items[off:end] {
		data = append(data, s.trashObject(t, with))
	}
	if v2 {
		success(w, data, obj{"total": len(items), "page": page, "pages": max((len(items)+limit-1)/limit, 1),
			"items_per_page": limit, "response_at": now()})
		return
	}
	next := cursor{Kind: curTrash, Drive: d, Dir: dir, Offset: end}
	success(w, data, obj{"cursor": next.String(), "has_more": end < len(items), "response_at": now()})
}

// trashList serves GET /3/drive/{d}/trash (and /2/ with pages).
func (s *Server) trashList(w http.ResponseWriter, r *http.Request) {
	d, ok := s.drive(w, r)
	if ok {
		s.trashPage(w, r, d, 0, s.data.TrashList(d))
	}
}

// trashed resolves {drive} and a trashed {file}.
func (s *Server) trashed(w http.ResponseWriter, r *http.Request) (dataset.Trashed, []dataset.Trashed, bool) {
	d, ok := s.drive(w, r)
	if !ok {
		return dataset.Trashed{}, nil, false
	}
	id, err := strconv.ParseInt(r.PathValue("file"), 10, 64)
	t, kids, found := s.data.TrashItem(d, id)
	if err != nil || !found {
		apiErrorCtx(w, http.StatusNotFound, "object_not_found", "not in the trash", obj{"model": "File", "id": r.PathValue("file")})
		return t, nil, false
	}
	return t, kids, true
}

// trashItem serves GET /3/drive/{d}/trash/{f}.
func (s *Server) trashItem(w http.ResponseWriter, r *http.Request) {
	if t, _, ok := s.trashed(w, r); ok {
		success(w, s.trashObject(t, parseWith(r.URL.Query())), nil)
	}
}

// trashChildren serves GET /3/drive/{d}/trash/{f}/files.
func (s *Server) trashChildren(w http.ResponseWriter, r *http.Request) {
	if t, kids, ok := s.trashed(w, r); ok {
		s.trashPage(w, r, t.DriveID, t.ID, kids)
	}
}

// trashRestore serves POST /2/drive/{d}/trash/{f}/restore with an optional
// {"destination_directory_id": N}; without it the item goes back where it
// was. A name taken there gets "(n)" added (the service's behaviour is
// unknown; renaming loses nothing).
func (s *Server) trashRestore(w http.ResponseWriter, r *http.Request) {
	t, _, ok := s.trashed(w, r)
	if !ok {
		return
	}
	p, ok := writeParams(w, r)
	if !ok {
		return
	}
	dest := t.ParentID
	if v := p["destination_directory_id"]; v != "" {
		dest, _ = strconv.ParseInt(v, 10, 64)
	}
	dir, found := s.data.Item(t.DriveID, dest)
	if !found || !dir.IsDir || dest == dataset.RootID {
		apiError(w, http.StatusNotFound, "object_not_found", "the restore destination does not exist")
		return
	}
	name := t.Name
	if _, taken := s.data.ChildByName(t.DriveID, dest, name); taken {
		name = s.freeName(t.DriveID, dest, name)
	}
	s.wmu.Lock() // the mutation and its mirror on disk, seen whole by the watcher
	defer s.wmu.Unlock()
	old := s.trashPath(t.DriveID, t.ID)
	if _, err := s.data.Restore(t.DriveID, t.ID, dest, name); err != nil {
		apiError(w, http.StatusNotFound, "object_not_found", err.Error())
		return
	}
	s.mirrorMove(t.DriveID, t.ID, old)
	if !t.Inherited && old != "" {
		_ = os.Remove(filepath.Dir(old)) // DIR/.trash/<drive>/<id>, empty once restored
	}
	success(w, cancelResource(), nil)
}

// trashDelete serves DELETE /2/drive/{d}/trash/{f}: gone for ever.
func (s *Server) trashDelete(w http.ResponseWriter, r *http.Request) {
	t, _, ok := s.trashed(w, r)
	if !ok {
		return
	}
	s.wmu.Lock() // the mutation and its mirror on disk, seen whole by the watcher
	defer s.wmu.Unlock()
	old := s.trashPath(t.DriveID, t.ID)
	if err := s.data.Purge(t.DriveID, t.ID); err != nil {
		apiError(w, http.StatusNotFound, "object_not_found", err.Error())
		return
	}
	if !t.Inherited && old != "" {
		old = filepath.Dir(old) // DIR/.trash/<drive>/<id>
	}
	s.mirrorRemove(old)
	success(w, true, nil)
}

// trashEmpty serves DELETE /2/drive/{d}/trash.
func (s *Server) trashEmpty(w http.ResponseWriter, r *http.Request) {
	d, ok := s.drive(w, r)
	if !ok {
		return
	}
	s.wmu.Lock() // the mutation and its mirror on disk, seen whole by the watcher
	defer s.wmu.Unlock()
	var olds []string
	for _, t := range s.data.TrashList(d) {
		if p := s.trashPath(d, t.ID); p != "" {
			olds = append(olds, filepath.Dir(p)) // DIR/.trash/<drive>/<id>
		}
	}
	if err := s.data.EmptyTrash(d); err != nil {
		apiError(w, http.StatusNotFound, "object_not_found", err.Error())
		return
	}
	for _, p := range olds {
		s.mirrorRemove(p)
	}
	success(w, true, nil)
}
