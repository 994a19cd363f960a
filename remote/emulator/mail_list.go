package emulator

import (
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/infomaniakfs/infomaniakfs/remote/emulator/dataset"
)

// Mail paging limits (mail reference §2.3, §5).
const (
	maxUIDList      = 10000
	maxUIDsPerCall  = 200
	defaultThreads  = 50
	maxThreadsLimit = 1000
)

// mailUIDs lists a folder's short UIDs, newest first, with the signature
// that activities take.
func (s *Server) mailUIDs(w http.ResponseWriter, r *http.Request) {
	mb, f, ok := s.folder(w, r)
	if !ok {
		return
	}
	q := r.URL.Query()
	n, ok := intParam(w, q, "messages", maxUIDList, 1, maxUIDList, http.StatusBadRequest)
	if !ok {
		return
	}
	seq := s.data.FolderSeq(mb.UUID, f.ID)
	msgs, _ := s.data.Messages(mb.UUID, f.ID)
	if q.Get("direction") == "asc" {
		msgs = slices.Clone(msgs)
		slices.Reverse(msgs)
	}
	uids := make([]string, 0, min(n, len(msgs)))
	for _, m := range msgs[:min(n, len(msgs))] {
		uids = append(uids, strconv.FormatInt(m.UID, 10))
	}
	sig := cursor{Kind: curMail, Mailbox: mb.UUID, Folder: f.ID, Seq: seq, Epoch: s.epoch.Load()}
	success(w, obj{"messages_uids": uids, "signature": sig.String()}, nil)
}

// mailMessages returns the messages of up to 200 UIDs; unknown ones are
// left out.
func (s *Server) mailMessages(w http.ResponseWriter, r *http.Request) {
	mb, f, ok := s.folder(w, r)
	if !ok {
		return
	}
	var uids []int64
	for _, v := range strings.Split(r.URL.Query().Get("uids"), ",") {
		if v = strings.TrimSpace(v); v == "" {
			continue
		}
		short, _, _ := strings.Cut(v, "@") // long UIDs are accepted too
		uid, err := strconv.ParseInt(short, 10, 64)
		if err != nil {
			validationError(w, http.StatusBadRequest, "uids", "The uids must be message UIDs.")
			return
		}
		uids = append(uids, uid)
	}
	if len(uids) > maxUIDsPerCall {
		validationError(w, http.StatusBadRequest, "uids", "The uids may not have more than 200 items.")
		return
	}
	out := make([]obj, 0, len(uids))
	for _, uid := range uids {
		if m, ok := s.data.Message(mb.UUID, f.ID, uid); ok {
			out = append(out, s.messageObject(mb, f, m))
		}
	}
	success(w, obj{"messages": out}, nil)
}

// mailThreads is the webmail-style offset listing; each thread holds one
// message of the folder.
func (s *Server) mailThreads(w http.ResponseWriter, r *http.Request) {
	mb, f, ok := s.folder(w, r)
	if !ok {
		return
	}
	q := r.URL.Query()
	off, ok := intParam(w, q, "offset", 0, 0, 1<<30, http.StatusBadRequest)
	if !ok {
		return
	}
	limit, ok := intParam(w, q, "limit", defaultThreads, 1, maxThreadsLimit, http.StatusBadRequest)
	if !ok {
		return
	}
	mode := q.Get("thread")
	if mode != "off" {
		mode = "on"
	}
	msgs, _ := s.data.Messages(mb.UUID, f.ID)
	off = min(off, len(msgs))
	end := min(off+limit, len(msgs))
	threads := make([]obj, 0, end-off)
	for _, m := range msgs[off:end] {
		threads = append(threads, s.threadObject(mb, f, m))
	}
	page := func(o int) string {
		v := url.Values{"offset": {strconv.Itoa(o)}, "thread": {mode}, "limit": {strconv.Itoa(limit)}}
		return "/api/mail/" + url.PathEscape(mb.UUID) + "/folder/" + url.PathEscape(f.ID) + "/message?" + v.Encode()
	}
	var prev, next any
	if off > 0 {
		prev = page(max(off-limit, 0))
	}
	if end < len(msgs) {
		next = page(end)
	}
	success(w, obj{
		"threads": threads, "total_messages_count": len(msgs), "messages_count": len(threads),
		"current_offset": off, "thread_mode": mode, "folder_unseen_messages": s.unread(mb.UUID, f.ID),
		"resource_previous": prev, "resource_next": next,
	}, nil)
}

func (s *Server) threadObject(mb dataset.Mailbox, f dataset.MailFolder, m dataset.MailMessage) obj {
	msg := s.messageObject(mb, f, m)
	unseen := 0
	if !m.Seen {
		unseen = 1
	}
	return obj{
		"uid": "thread-" + msg["uid"].(string), "messages": []obj{msg}, "messages_count": 1,
		"unique_messages_count": 1, "deleted_messages_count": 0, "unseen_messages": unseen,
		"from": msg["from"], "to": msg["to"], "cc": msg["cc"], "bcc": msg["bcc"],
		"subject": m.Subject, "date": msg["date"], "internal_date": msg["internal_date"],
		"has_attachments": msg["has_attachments"], "has_drafts": f.Role == "DRAFT",
		"flagged": m.Flagged, "answered": false, "forwarded": false, "size": msg["size"],
		"folder_id": f.ID,
	}
}
