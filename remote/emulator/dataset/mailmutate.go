package dataset

import (
	"bytes"
	"fmt"
	"io"
	"mime"
	"net/mail"
	"sort"
	"strings"
	"time"
)

// header is what the data set reads from a message's header.
type header struct {
	subject, from, to, messageID string
	date                         time.Time // zero if absent or unparsable
}

var wordDecoder = mime.WordDecoder{CharsetReader: func(charset string, input io.Reader) (io.Reader, error) {
	// Unknown charsets pass through undecoded rather than losing the subject.
	return input, nil
}}

// parseHeader reads a message header leniently: a message net/mail cannot parse still gets
// served, just with empty metadata.
func parseHeader(r io.Reader) header {
	m, err := mail.ReadMessage(r)
	if err != nil {
		return header{}
	}
	h := header{messageID: strings.TrimSpace(m.Header.Get("Message-Id"))}
	raw := m.Header.Get("Subject")
	if s, err := wordDecoder.DecodeHeader(raw); err == nil {
		h.subject = s
	} else {
		h.subject = raw
	}
	h.from = addresses(m.Header.Get("From"))
	h.to = addresses(m.Header.Get("To"))
	if t, err := m.Header.Date(); err == nil {
		h.date = t
	}
	return h
}

// addresses reduces an address-list header to its bare addresses, comma-separated.
func addresses(v string) string {
	list, err := mail.ParseAddressList(v)
	if err != nil {
		return strings.TrimSpace(v)
	}
	out := make([]string, len(list))
	for i, a := range list {
		out[i] = a.Address
	}
	return strings.Join(out, ", ")
}

// logMail records a folder change; the caller holds d.mu for writing.
func (f *folderState) log(kind string, uid int64) {
	f.seq++
	f.changes = append(f.changes, MailChange{Seq: f.seq, Kind: kind, UID: uid})
}

func (d *Dataset) folderErr(uuid, folderID string) (*folderState, error) {
	m := d.mboxByID[uuid]
	if m == nil {
		return nil, fmt.Errorf("mailbox %s: %w", uuid, ErrNotFound)
	}
	f := m.folderBy[folderID]
	if f == nil {
		return nil, fmt.Errorf("mailbox %s folder %s: %w", uuid, folderID, ErrNotFound)
	}
	return f, nil
}

// AddMessage stores raw as a new message with the next UID. A zero date takes the Date
// header, or the current time if that is missing too. Unparsable bytes are still stored.
func (d *Dataset) AddMessage(uuid, folderID string, raw []byte, date time.Time) (MailMessage, error) {
	h := parseHeader(bytes.NewReader(raw))
	if date.IsZero() {
		date = h.date
	}
	if date.IsZero() {
		date = time.Now()
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	f, err := d.folderErr(uuid, folderID)
	if err != nil {
		return MailMessage{}, err
	}
	m := &msgState{raw: bytes.Clone(raw), MailMessage: MailMessage{
		UID: f.nextUID, FolderID: folderID, InternalDate: date, Subject: h.subject,
		From: h.from, To: h.to, MessageID: h.messageID, Size: int64(len(raw)),
	}}
	f.insert(m)
	f.log(MailAdded, m.UID)
	return m.MailMessage, nil
}

// DeleteMessage removes a message; its UID is never reused.
func (d *Dataset) DeleteMessage(uuid, folderID string, uid int64) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	f, err := d.folderErr(uuid, folderID)
	if err != nil {
		return err
	}
	if f.byUID[uid] == nil {
		return fmt.Errorf("message %d: %w", uid, ErrNotFound)
	}
	f.remove(uid)
	return nil
}

// remove deletes a message that exists and logs it; the caller holds d.mu for writing.
func (f *folderState) remove(uid int64) {
	delete(f.byUID, uid)
	for i, m := range f.msgs {
		if m.UID == uid {
			f.msgs = append(f.msgs[:i], f.msgs[i+1:]...)
			break
		}
	}
	f.log(MailDeleted, uid)
}

// SetFlags changes a message's seen and flagged flags, logging a "flags" change.
func (d *Dataset) SetFlags(uuid, folderID string, uid int64, seen, flagged bool) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	f, err := d.folderErr(uuid, folderID)
	if err != nil {
		return err
	}
	m := f.byUID[uid]
	if m == nil {
		return fmt.Errorf("message %d: %w", uid, ErrNotFound)
	}
	m.Seen, m.Flagged = seen, flagged
	f.log(MailFlags, uid)
	return nil
}

// FolderSeq is the folder's current change sequence number (0 before any change).
func (d *Dataset) FolderSeq(uuid, folderID string) int64 {
	d.mu.RLock()
	defer d.mu.RUnlock()
	if f := d.folder(uuid, folderID); f != nil {
		return f.seq
	}
	return 0
}

// FolderChanges returns the folder's changes with Seq > sinceSeq, oldest first.
func (d *Dataset) FolderChanges(uuid, folderID string, sinceSeq int64) []MailChange {
	d.mu.RLock()
	defer d.mu.RUnlock()
	f := d.folder(uuid, folderID)
	if f == nil {
		return nil
	}
	i := sort.Search(len(f.changes), func(i int) bool { return f.changes[i].Seq > sinceSeq })
	return append([]MailChange(nil), f.changes[i:]...)
}
