package emulator

import (
	"net/http"
	"net/mail"
	"net/url"
	"strconv"
	"strings"

	"github.com/infomaniakfs/infomaniakfs/remote/emulator/dataset"
)

// mailDate is the mail API's date form (mail reference §6): no colon in
// the zone offset.
const mailDate = "2006-01-02T15:04:05-0700"

func (s *Server) mailboxes(w http.ResponseWriter, r *http.Request) {
	out := []obj{}
	for i, mb := range s.data.Mailboxes() {
		unseen := 0
		if folders, ok := s.data.Folders(mb.UUID); ok {
			for _, f := range folders {
				if f.Role == "INBOX" {
					unseen = s.unread(mb.UUID, f.ID)
				}
			}
		}
		out = append(out, obj{
			"uuid": mb.UUID, "email": mb.Email, "email_idn": mb.Email, "mailbox": mb.Local,
			"mailbox_id": mb.ID, "hosting_id": mb.HostingID, "access_id": strconv.FormatInt(mb.ID, 10),
			"is_primary": i == 0, "is_locked": false, "is_spam_filter": true, "daily_limit": 1000,
			"unseen_messages": unseen, "aliases": []string{}, "is_limited": false, "is_free": false,
			"is_part_of_ksuite": true, "is_ksuite_essential": false, "owner_or_admin": true, "max_storage": 0,
		})
	}
	success(w, out, nil)
}

func (s *Server) unread(uuid, folderID string) int {
	msgs, _ := s.data.Messages(uuid, folderID)
	n := 0
	for _, m := range msgs {
		if !m.Seen {
			n++
		}
	}
	return n
}

// mailbox resolves {mailbox}: 404 object_not_found when unknown.
func (s *Server) mailbox(w http.ResponseWriter, r *http.Request) (dataset.Mailbox, []dataset.MailFolder, bool) {
	uuid := r.PathValue("mailbox")
	for _, mb := range s.data.Mailboxes() {
		if mb.UUID == uuid {
			folders, _ := s.data.Folders(uuid)
			return mb, folders, true
		}
	}
	apiError(w, http.StatusNotFound, "object_not_found", "mailbox not found")
	return dataset.Mailbox{}, nil, false
}

// folder resolves {mailbox} and {folder}: 404 folder__not_exists when the
// folder is unknown.
func (s *Server) folder(w http.ResponseWriter, r *http.Request) (dataset.Mailbox, dataset.MailFolder, bool) {
	mb, folders, ok := s.mailbox(w, r)
	if !ok {
		return mb, dataset.MailFolder{}, false
	}
	id := r.PathValue("folder")
	for _, f := range folders {
		if f.ID == id {
			return mb, f, true
		}
	}
	apiError(w, http.StatusNotFound, "folder__not_exists", "folder does not exist")
	return mb, dataset.MailFolder{}, false
}

func (s *Server) mailFolders(w http.ResponseWriter, r *http.Request) {
	mb, folders, ok := s.mailbox(w, r)
	if !ok {
		return
	}
	byPath := map[string]obj{}
	roots := []obj{}
	for _, f := range folders { // parents come first
		msgs, _ := s.data.Messages(mb.UUID, f.ID)
		var role any
		if f.Role != "" {
			role = f.Role
		}
		o := obj{
			"id": f.ID, "path": f.Path, "name": f.Name, "separator": f.Separator, "role": role,
			"is_favorite": f.Role == "INBOX", "unread_count": s.unread(mb.UUID, f.ID),
			"total_count": len(msgs), "children": []obj{},
		}
		byPath[f.Path] = o
		if p, ok := byPath[f.ParentPath]; ok && f.ParentPath != "" {
			p["children"] = append(p["children"].([]obj), o)
		} else {
			roots = append(roots, o)
		}
	}
	success(w, roots, nil)
}

// recipients renders an address list as [{email, name}].
func recipients(list string) []obj {
	out := []obj{}
	if strings.TrimSpace(list) == "" {
		return out
	}
	addrs, err := mail.ParseAddressList(list)
	if err != nil {
		return append(out, obj{"email": strings.TrimSpace(list), "name": ""})
	}
	for _, a := range addrs {
		out = append(out, obj{"email": a.Address, "name": a.Name})
	}
	return out
}

func messageResource(uuid, folderID string, uid int64) string {
	return "/api/mail/" + url.PathEscape(uuid) + "/folder/" + url.PathEscape(folderID) + "/message/" + strconv.FormatInt(uid, 10)
}

// messageObject renders a message with the fields of mail reference §6;
// size is the real size plus the skew knob.
func (s *Server) messageObject(mb dataset.Mailbox, f dataset.MailFolder, m dataset.MailMessage) obj {
	info := s.messageInfo(mb.UUID, f.ID, m.UID)
	res := messageResource(mb.UUID, f.ID, m.UID)
	date := m.InternalDate.Format(mailDate)
	var msgID, inReplyTo, refs any
	if m.MessageID != "" {
		msgID = m.MessageID
	}
	if info.inReplyTo != "" {
		inReplyTo = info.inReplyTo
	}
	if info.references != "" {
		refs = info.references
	}
	return obj{
		"uid": strconv.FormatInt(m.UID, 10) + "@" + f.ID, "msg_id": msgID, "subject": m.Subject,
		"priority": "normal", "internal_date": date, "date": date, "size": m.Size + s.skew.Load(),
		"from": recipients(m.From), "to": recipients(m.To), "cc": []obj{}, "bcc": []obj{}, "reply_to": []obj{},
		"in_reply_to": inReplyTo, "references": refs, "dkim_status": "not_signed",
		"folder_id": f.ID, "folder": f.Name, "resource": res, "download_resource": res + "/download",
		"draft_resource": nil, "attachments_resources": nil, "preview": info.preview,
		"has_attachments": info.attachments, "attachments": []obj{},
		"seen": m.Seen, "answered": false, "forwarded": false, "flagged": m.Flagged, "scheduled": false,
		"is_draft": f.Role == "DRAFT", "is_scheduled_draft": false, "st_uuid": nil, "headers": obj{},
	}
}
