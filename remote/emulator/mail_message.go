package emulator

import (
	"bytes"
	"encoding/base64"
	"io"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net/http"
	"net/mail"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/infomaniakfs/infomaniakfs/remote/emulator/dataset"
)

// msgInfo is what the listing needs from a message's bytes.
type msgInfo struct {
	attachments           bool
	inReplyTo, references string
	preview               string
	body, bodyType        string
}

// messageInfo parses a message once; a (folder, UID) pair never changes
// content, so the result is cached for ever.
func (s *Server) messageInfo(uuid, folderID string, uid int64) msgInfo {
	key := uuid + "\x00" + folderID + "\x00" + strconv.FormatInt(uid, 10)
	c := &s.derived
	c.mu.Lock()
	info, ok := c.mail[key]
	c.mu.Unlock()
	if ok {
		return info
	}
	raw, ok := s.data.Raw(uuid, folderID, uid)
	if !ok {
		return msgInfo{}
	}
	info = parseInfo(raw)
	c.mu.Lock()
	if c.mail == nil {
		c.mail = make(map[string]msgInfo)
	}
	c.mail[key] = info
	c.mu.Unlock()
	return info
}

func parseInfo(raw []byte) msgInfo {
	m, err := mail.ReadMessage(bytes.NewReader(raw))
	if err != nil {
		return msgInfo{}
	}
	info := msgInfo{inReplyTo: m.Header.Get("In-Reply-To"), references: m.Header.Get("References")}
	info.body, info.bodyType, info.attachments = textPart(m.Header.Get("Content-Type"), m.Header.Get("Content-Transfer-Encoding"), m.Body, 0)
	p := strings.Join(strings.Fields(info.body), " ")
	if len(p) > 120 {
		cut := 120
		for cut > 0 && !utf8.RuneStart(p[cut]) {
			cut--
		}
		p = p[:cut]
	}
	info.preview = p
	return info
}

// textPart finds the first text part of a (possibly multipart) body and
// whether any part is an attachment.
func textPart(ctype, encoding string, body io.Reader, depth int) (text, textType string, attach bool) {
	mt, params, err := mime.ParseMediaType(ctype)
	if err != nil || ctype == "" {
		mt = "text/plain"
	}
	if strings.HasPrefix(mt, "multipart/") && depth < 5 {
		mr := multipart.NewReader(body, params["boundary"])
		for {
			part, err := mr.NextPart()
			if err != nil {
				return text, textType, attach
			}
			disp, _, _ := mime.ParseMediaType(part.Header.Get("Content-Disposition"))
			if disp == "attachment" {
				attach = true
				continue
			}
			t, tt, a := textPart(part.Header.Get("Content-Type"), part.Header.Get("Content-Transfer-Encoding"), part, depth+1)
			attach = attach || a
			if textType == "" && tt != "" {
				text, textType = t, tt
			}
		}
	}
	if !strings.HasPrefix(mt, "text/") {
		return "", "", true
	}
	switch strings.ToLower(encoding) {
	case "base64":
		body = base64.NewDecoder(base64.StdEncoding, body)
	case "quoted-printable":
		body = quotedprintable.NewReader(body)
	}
	b, _ := io.ReadAll(io.LimitReader(body, 1<<20))
	return string(b), mt, false
}

// message resolves {uid} in the folder: 404 mail__message_not_found.
func (s *Server) message(w http.ResponseWriter, r *http.Request) (dataset.Mailbox, dataset.MailFolder, dataset.MailMessage, bool) {
	mb, f, ok := s.folder(w, r)
	if !ok {
		return mb, f, dataset.MailMessage{}, false
	}
	uid, err := strconv.ParseInt(r.PathValue("uid"), 10, 64)
	if err == nil {
		if m, ok := s.data.Message(mb.UUID, f.ID, uid); ok {
			return mb, f, m, true
		}
	}
	apiError(w, http.StatusNotFound, "mail__message_not_found", "message not found")
	return mb, f, dataset.MailMessage{}, false
}

func (s *Server) mailMessage(w http.ResponseWriter, r *http.Request) {
	mb, f, m, ok := s.message(w, r)
	if !ok {
		return
	}
	o := s.messageObject(mb, f, m)
	info := s.messageInfo(mb.UUID, f.ID, m.UID)
	o["body"] = obj{"value": info.body, "type": info.bodyType, "subBody": nil}
	success(w, o, nil)
}

// mailRaw serves the message's RFC 5322 bytes, not enveloped; its length
// is the real one whatever the size skew.
func (s *Server) mailRaw(w http.ResponseWriter, r *http.Request) {
	mb, f, m, ok := s.message(w, r)
	if !ok {
		return
	}
	raw, ok := s.data.Raw(mb.UUID, f.ID, m.UID)
	if !ok {
		apiError(w, http.StatusNotFound, "mail__message_not_found", "message not found")
		return
	}
	name := strings.Map(func(r rune) rune {
		if r < 0x20 || r == '/' || r == '\\' || r == '"' {
			return '_'
		}
		return r
	}, m.Subject)
	if name == "" {
		name = "message"
	}
	h := w.Header()
	h.Set("Content-Type", "message/rfc822")
	if cd := mime.FormatMediaType("attachment", map[string]string{"filename": name + ".eml"}); cd != "" {
		h.Set("Content-Disposition", cd)
	}
	h.Set("Content-Length", strconv.Itoa(len(raw)))
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(raw)
}
