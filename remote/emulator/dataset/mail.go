package dataset

import (
	"bytes"
	"os"
	"sort"
	"strings"
)

// Mailboxes lists the mailboxes in creation order.
func (d *Dataset) Mailboxes() []Mailbox {
	d.mu.RLock()
	defer d.mu.RUnlock()
	out := make([]Mailbox, len(d.mboxes))
	for i, m := range d.mboxes {
		out[i] = m.info
	}
	return out
}

// Folders lists a mailbox's folders flat, parents before children.
func (d *Dataset) Folders(uuid string) ([]MailFolder, bool) {
	d.mu.RLock()
	defer d.mu.RUnlock()
	m := d.mboxByID[uuid]
	if m == nil {
		return nil, false
	}
	out := make([]MailFolder, len(m.folders))
	for i, f := range m.folders {
		out[i] = f.info
	}
	return out, true
}

// Messages lists a folder's messages newest first (InternalDate desc, UID desc).
func (d *Dataset) Messages(uuid, folderID string) ([]MailMessage, bool) {
	d.mu.RLock()
	defer d.mu.RUnlock()
	f := d.folder(uuid, folderID)
	if f == nil {
		return nil, false
	}
	out := make([]MailMessage, len(f.msgs))
	for i, m := range f.msgs {
		out[i] = m.MailMessage
	}
	return out, true
}

// Message returns one message's metadata.
func (d *Dataset) Message(uuid, folderID string, uid int64) (MailMessage, bool) {
	d.mu.RLock()
	defer d.mu.RUnlock()
	f := d.folder(uuid, folderID)
	if f == nil || f.byUID[uid] == nil {
		return MailMessage{}, false
	}
	return f.byUID[uid].MailMessage, true
}

// Raw returns a message's bytes: rebuilt on demand for generated messages, read from disk for
// loaded ones. The caller may keep and modify the slice.
func (d *Dataset) Raw(uuid, folderID string, uid int64) ([]byte, bool) {
	d.mu.RLock()
	f := d.folder(uuid, folderID)
	var m *msgState
	if f != nil {
		m = f.byUID[uid]
	}
	d.mu.RUnlock()
	if m == nil {
		return nil, false
	}
	switch {
	case m.gen != nil:
		var b bytes.Buffer
		b.Grow(int(m.Size))
		m.gen.write(&b)
		return b.Bytes(), true
	case m.src != "":
		raw, err := os.ReadFile(m.src)
		if err != nil {
			return nil, false
		}
		return raw, true
	}
	return bytes.Clone(m.raw), true
}

// folder looks a folder up; the caller holds d.mu.
func (d *Dataset) folder(uuid, folderID string) *folderState {
	m := d.mboxByID[uuid]
	if m == nil {
		return nil
	}
	return m.folderBy[folderID]
}

func (d *Dataset) addMailbox(m *mailboxState) {
	d.mboxes = append(d.mboxes, m)
	d.mboxByID[m.info.UUID] = m
}

// newMailFolder creates an empty folder for an IMAP path with "/" as separator.
func newMailFolder(path string) *folderState {
	name, parent := path, ""
	if i := strings.LastIndex(path, "/"); i >= 0 {
		name, parent = path[i+1:], path[:i]
	}
	return &folderState{
		info: MailFolder{
			ID: FolderID(path), Path: path, Name: name, Separator: "/",
			Role: folderRole(path), ParentPath: parent,
		},
		byUID:   map[int64]*msgState{},
		nextUID: 1,
	}
}

func (m *mailboxState) addFolder(f *folderState) {
	m.folders = append(m.folders, f)
	m.folderBy[f.info.ID] = f
}

// folderRole gives the special-use role of well-known top-level folders.
func folderRole(path string) string {
	switch path {
	case "INBOX":
		return "INBOX"
	case "Sent":
		return "SENT"
	case "Drafts":
		return "DRAFT"
	case "Trash":
		return "TRASH"
	case "Spam":
		return "SPAM"
	}
	return ""
}

// insert adds a message, keeping msgs newest first; the caller holds d.mu for writing.
func (f *folderState) insert(m *msgState) {
	i := sort.Search(len(f.msgs), func(i int) bool { return newer(m, f.msgs[i]) })
	f.msgs = append(f.msgs, nil)
	copy(f.msgs[i+1:], f.msgs[i:])
	f.msgs[i] = m
	f.byUID[m.UID] = m
	if m.UID >= f.nextUID {
		f.nextUID = m.UID + 1
	}
}

// sortMsgs orders a whole folder newest first, for bulk builds.
func (f *folderState) sortMsgs() {
	sort.Slice(f.msgs, func(i, j int) bool { return newer(f.msgs[i], f.msgs[j]) })
}

// newer reports whether a sorts before b: later InternalDate, then higher UID.
func newer(a, b *msgState) bool {
	if !a.InternalDate.Equal(b.InternalDate) {
		return a.InternalDate.After(b.InternalDate)
	}
	return a.UID > b.UID
}
