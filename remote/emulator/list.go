package emulator

import (
	"cmp"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/infomaniakfs/infomaniakfs/remote/emulator/dataset"
)

// Paging limits of kDrive reference §3.4.
const (
	minLimit     = 5
	maxLimit     = 1000
	defaultLimit = 10
	pageCap      = 10000 // v2 page-based results stop here (observed)
)

var orderFields = map[string]func(a, b dataset.Node) int{
	"id":               func(a, b dataset.Node) int { return cmp.Compare(a.ID, b.ID) },
	"name":             func(a, b dataset.Node) int { return cmp.Compare(strings.ToLower(a.Name), strings.ToLower(b.Name)) },
	"type":             func(a, b dataset.Node) int { return cmp.Compare(typeName(a), typeName(b)) },
	"size":             func(a, b dataset.Node) int { return cmp.Compare(a.Size, b.Size) },
	"mime_type":        func(a, b dataset.Node) int { return cmp.Compare(a.MimeType, b.MimeType) },
	"added_at":         func(a, b dataset.Node) int { return cmp.Compare(a.AddedAt, b.AddedAt) },
	"last_modified_at": func(a, b dataset.Node) int { return cmp.Compare(a.MTime, b.MTime) },
	"revised_at":       func(a, b dataset.Node) int { return cmp.Compare(a.MTime, b.MTime) },
	"updated_at":       func(a, b dataset.Node) int { return cmp.Compare(a.MTime, b.MTime) },
}

func typeName(n dataset.Node) string {
	if n.IsDir {
		return "dir"
	}
	return "file"
}

// parseOrder builds the comparator of order_by, order and order_for[f];
// nil ordering keeps the id order. It answers 422 on a bad value.
func parseOrder(w http.ResponseWriter, q url.Values) (func(a, b dataset.Node) int, bool) {
	by := q.Get("order_by")
	if by == "" {
		return nil, true
	}
	def := q.Get("order")
	var keys []func(a, b dataset.Node) int
	for _, f := range strings.Split(by, ",") {
		f = strings.TrimSpace(f)
		c, ok := orderFields[f]
		dir := q.Get("order_for[" + f + "]")
		if dir == "" {
			dir = def
		}
		if !ok || (dir != "" && dir != "asc" && dir != "desc") {
			validationError(w, http.StatusUnprocessableEntity, "order_by", "The selected order by is invalid.")
			return nil, false
		}
		if dir == "desc" {
			c = func(a, b dataset.Node) int { return orderFields[f](b, a) }
		}
		keys = append(keys, c)
	}
	return func(a, b dataset.Node) int {
		for _, k := range keys {
			if c := k(a, b); c != 0 {
				return c
			}
		}
		return cmp.Compare(a.ID, b.ID)
	}, true
}

// entries is the filtered, ordered content of directory n: its children,
// or with depth=unlimited every descendant.
func (s *Server) entries(w http.ResponseWriter, r *http.Request, n dataset.Node) ([]dataset.Node, bool) {
	if !n.IsDir {
		apiError(w, http.StatusBadRequest, "not_a_directory_error", "the item is not a directory")
		return nil, false
	}
	q := r.URL.Query()
	order, ok := parseOrder(w, q)
	if !ok {
		return nil, false
	}
	var list []dataset.Node
	if q.Get("depth") == "unlimited" {
		under := map[int64]bool{n.ID: true}
		s.data.Walk(n.DriveID, func(c dataset.Node) bool {
			if c.ID != n.ID && under[c.ParentID] {
				list = append(list, c)
				if c.IsDir {
					under[c.ID] = true
				}
			}
			return true
		})
		slices.SortFunc(list, func(a, b dataset.Node) int { return cmp.Compare(a.ID, b.ID) })
	} else {
		list, _ = s.data.Children(n.DriveID, n.ID)
	}
	if types := q["type[]"]; len(types) > 0 {
		list = slices.DeleteFunc(slices.Clone(list), func(c dataset.Node) bool { return !slices.Contains(types, typeName(c)) })
	}
	if order != nil {
		list = slices.Clone(list)
		slices.SortStableFunc(list, order)
	}
	return list, true
}

// listCursor is the v3 children listing with cursor paging.
func (s *Server) listCursor(w http.ResponseWriter, r *http.Request) {
	n, ok := s.node(w, r)
	if !ok {
		return
	}
	q := r.URL.Query()
	limit, ok := intParam(w, q, "limit", defaultLimit, minLimit, maxLimit, http.StatusUnprocessableEntity)
	if !ok {
		return
	}
	off := 0
	if cs := q.Get("cursor"); cs != "" {
		c, err := parseCursor(cs, curList)
		if err != nil || c.Drive != n.DriveID || c.Dir != n.ID {
			validationError(w, http.StatusUnprocessableEntity, "cursor", "The cursor is invalid.")
			return
		}
		off = c.Offset
	}
	list, ok := s.entries(w, r, n)
	if !ok {
		return
	}
	off = min(off, len(list))
	end := min(off+limit, len(list))
	with := parseWith(q)
	data := make([]fileJSON, 0, end-off)
	for _, c := range list[off:end] {
		data = append(data, s.fileObject(c, with))
	}
	next := cursor{Kind: curList, Drive: n.DriveID, Dir: n.ID, Seq: s.data.DriveSeq(n.DriveID), Offset: end, Epoch: s.epoch.Load()}
	success(w, data, obj{"cursor": next.String(), "has_more": end < len(list), "response_at": now()})
}

// listPages is the v2 children listing with page/per_page paging.
func (s *Server) listPages(w http.ResponseWriter, r *http.Request) {
	n, ok := s.node(w, r)
	if !ok {
		return
	}
	q := r.URL.Query()
	per, ok := intParam(w, q, "per_page", defaultLimit, 1, maxLimit, http.StatusUnprocessableEntity)
	if !ok {
		return
	}
	page, ok := intParam(w, q, "page", 1, 1, 1<<30, http.StatusUnprocessableEntity)
	if !ok {
		return
	}
	list, ok := s.entries(w, r, n)
	if !ok {
		return
	}
	reach := min(len(list), pageCap)
	off := min((page-1)*per, reach)
	end := min(off+per, reach)
	with := parseWith(q)
	data := make([]fileJSON, 0, end-off)
	for _, c := range list[off:end] {
		data = append(data, s.fileObject(c, with))
	}
	pages := max((reach+per-1)/per, 1)
	success(w, data, obj{"total": len(list), "page": page, "pages": pages, "items_per_page": per, "response_at": now()})
}
