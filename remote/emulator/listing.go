package emulator

import (
	"net/http"

	"github.com/infomaniakfs/infomaniakfs/remote/emulator/dataset"
)

// listing is the mobile apps' "advanced listing" of one directory: pages of
// files, then (through listing/continue with the final cursor) the
// directory's actions since the first page.
func (s *Server) listing(w http.ResponseWriter, r *http.Request) {
	n, ok := s.node(w, r)
	if !ok {
		return
	}
	c := cursor{Kind: curListing, Drive: n.DriveID, Dir: n.ID, Seq: s.data.DriveSeq(n.DriveID), Epoch: s.epoch.Load()}
	s.listingPage(w, r, n, c)
}

func (s *Server) listingContinue(w http.ResponseWriter, r *http.Request) {
	n, ok := s.node(w, r)
	if !ok {
		return
	}
	c, err := parseCursor(r.URL.Query().Get("cursor"), curListing)
	if err != nil || c.Drive != n.DriveID || c.Dir != n.ID || (c.Done && s.expired(c)) {
		invalidCursor(w)
		return
	}
	if !c.Done {
		s.listingPage(w, r, n, c)
		return
	}
	s.listingActions(w, r, n, c)
}

func (s *Server) listingPage(w http.ResponseWriter, r *http.Request, n dataset.Node, c cursor) {
	q := r.URL.Query()
	limit, ok := intParam(w, q, "limit", defaultLimit, minLimit, maxLimit, http.StatusUnprocessableEntity)
	if !ok {
		return
	}
	list, ok := s.entries(w, r, n)
	if !ok {
		return
	}
	off := min(c.Offset, len(list))
	end := min(off+limit, len(list))
	with := parseWith(q)
	files := make([]fileJSON, 0, end-off)
	for _, e := range list[off:end] {
		files = append(files, s.fileObject(e, with))
	}
	c.Offset, c.Done = end, end >= len(list)
	if c.Done {
		c.Offset = 0
	}
	success(w, obj{"files": files, "actions": []obj{}, "actions_files": []obj{}},
		obj{"cursor": c.String(), "has_more": !c.Done, "response_at": now()})
}

// dirAction is the action a change means for the listing of dir, or "".
// A move is logged twice (moved out of the old parent, into the new one);
// each record concerns one side.
func dirAction(ch dataset.Change, dir int64) string {
	switch ch.Action {
	case dataset.ActionMoveOut:
		if ch.OldParentID == dir {
			return ch.Action
		}
	case dataset.ActionMoveIn:
		if ch.Node.ParentID == dir {
			return ch.Action
		}
	default:
		if ch.Node.ParentID == dir {
			return ch.Action
		}
	}
	return ""
}

func (s *Server) listingActions(w http.ResponseWriter, r *http.Request, n dataset.Node, c cursor) {
	q := r.URL.Query()
	limit, ok := intParam(w, q, "limit", defaultLimit, minLimit, maxLimit, http.StatusUnprocessableEntity)
	if !ok {
		return
	}
	with := parseWith(q)
	changes := s.data.DriveChanges(n.DriveID, c.Seq)
	actions, files := []obj{}, []fileJSON{}
	seen := map[int64]bool{}
	more := false
	for _, ch := range changes {
		a := dirAction(ch, n.ID)
		if a == "" {
			c.Seq = ch.Seq
			continue
		}
		if len(actions) == limit {
			more = true
			break
		}
		c.Seq = ch.Seq
		actions = append(actions, obj{"action": a, "file_id": ch.Node.ID, "parent_id": ch.Node.ParentID})
		if cur, ok := s.data.Item(n.DriveID, ch.Node.ID); ok && cur.ParentID == n.ID && !seen[cur.ID] {
			seen[cur.ID] = true
			files = append(files, s.fileObject(cur, with))
		}
	}
	success(w, obj{"files": []obj{}, "actions": actions, "actions_files": files},
		obj{"cursor": c.String(), "has_more": more, "response_at": now()})
}
