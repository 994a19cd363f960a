package remotetest

import (
	"bytes"
	"context"
	"fmt"
	"slices"
	"strconv"
	"sync"

	"github.com/infomaniakfs/infomaniakfs/remote"
)

// The mail calls the fake counts and hooks.
const (
	OpMailboxes Op = "mailboxes"
	OpFolders   Op = "folders"
	OpMessages  Op = "messages"
	OpRaw       Op = "raw"
)

// MailHook is Hook for Mail: key is the mailbox, folder or message the
// call is about ("" for none; a message is folderID + "/" + uid).
type MailHook func(ctx context.Context, op Op, mailbox, key string) error

type folderKey struct{ mailbox, folder string }

type mailMsg struct {
	m   remote.Message
	raw []byte
}

// MailFake is an in-memory remote.Mail, safe for concurrent use. Messages keep
// their insertion order in listings.
type MailFake struct {
	mu      sync.Mutex
	boxes   []remote.Mailbox
	folders map[string][]remote.Folder
	msgs    map[folderKey][]mailMsg
	nextUID int
	calls   map[Op]int64
	hook    MailHook
	stall   chan struct{} // while set, every call waits for it or its ctx
}

// NewMail returns a fake with no mailbox.
func NewMail() *MailFake {
	return &MailFake{folders: map[string][]remote.Folder{}, msgs: map[folderKey][]mailMsg{}, calls: map[Op]int64{}}
}

// AddMailbox adds a mailbox with these folders (parents first).
func (f *MailFake) AddMailbox(mb remote.Mailbox, folders ...remote.Folder) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.boxes = append(f.boxes, mb)
	f.folders[mb.UUID] = append(f.folders[mb.UUID], folders...)
	for _, fo := range folders {
		f.msgs[folderKey{mb.UUID, fo.ID}] = nil
	}
}

// SetFolders replaces a mailbox's folder tree; the messages of folders
// left out go.
func (f *MailFake) SetFolders(mailbox string, folders []remote.Folder) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.folders[mailbox] = slices.Clone(folders)
	for k := range f.msgs {
		if k.mailbox == mailbox && !slices.ContainsFunc(folders, func(x remote.Folder) bool { return x.ID == k.folder }) {
			delete(f.msgs, k)
		}
	}
	for _, fo := range folders {
		if _, ok := f.msgs[folderKey{mailbox, fo.ID}]; !ok {
			f.msgs[folderKey{mailbox, fo.ID}] = nil
		}
	}
}

// SetHook installs h (nil: none) for the calls from now on.
func (f *MailFake) SetHook(h MailHook) {
	f.mu.Lock()
	f.hook = h
	f.mu.Unlock()
}

// AddMessage adds a message with its raw bytes; m.UID "" picks a fresh
// one, m.FolderID is set. It returns the message as listed.
func (f *MailFake) AddMessage(mailbox, folderID string, m remote.Message, raw []byte) remote.Message {
	f.mu.Lock()
	defer f.mu.Unlock()
	if m.UID == "" {
		f.nextUID++
		m.UID = strconv.Itoa(100000 + f.nextUID)
	}
	m.FolderID = folderID
	k := folderKey{mailbox, folderID}
	f.msgs[k] = append(f.msgs[k], mailMsg{m, raw})
	return m
}

// DeleteMessage removes a message.
func (f *MailFake) DeleteMessage(mailbox, folderID, uid string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	k := folderKey{mailbox, folderID}
	f.msgs[k] = slices.DeleteFunc(f.msgs[k], func(x mailMsg) bool { return x.m.UID == uid })
}

// RawOf returns a message's bytes (shared: do not modify), nil if none.
func (f *MailFake) RawOf(mailbox, folderID, uid string) []byte {
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, x := range f.msgs[folderKey{mailbox, folderID}] {
		if x.m.UID == uid {
			return x.raw
		}
	}
	return nil
}

// Calls counts the calls of op so far.
func (f *MailFake) Calls(op Op) int64 {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.calls[op]
}

// Stall makes every call from now on wait until release is called or
// its context is done.
func (f *MailFake) Stall() (release func()) {
	ch := make(chan struct{})
	f.mu.Lock()
	f.stall = ch
	f.mu.Unlock()
	return sync.OnceFunc(func() {
		f.mu.Lock()
		f.stall = nil
		f.mu.Unlock()
		close(ch)
	})
}

func (f *MailFake) enter(ctx context.Context, op Op, mailbox, key string) error {
	f.mu.Lock()
	f.calls[op]++
	h, stall := f.hook, f.stall
	f.mu.Unlock()
	if err := waitStall(ctx, stall); err != nil {
		return err
	}
	if h != nil {
		if err := h(ctx, op, mailbox, key); err != nil {
			return err
		}
	}
	return ctx.Err()
}

// Mailboxes implements remote.Mail.
func (f *MailFake) Mailboxes(ctx context.Context) ([]remote.Mailbox, error) {
	if err := f.enter(ctx, OpMailboxes, "", ""); err != nil {
		return nil, err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Clone(f.boxes), nil
}

// Folders implements remote.Mail.
func (f *MailFake) Folders(ctx context.Context, mailbox string) ([]remote.Folder, error) {
	if err := f.enter(ctx, OpFolders, mailbox, ""); err != nil {
		return nil, err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	fs, ok := f.folders[mailbox]
	if !ok {
		return nil, fmt.Errorf("fake mailbox %s: %w", mailbox, remote.ErrNotFound)
	}
	return slices.Clone(fs), nil
}

// Messages implements remote.Mail.
func (f *MailFake) Messages(ctx context.Context, mailbox, folderID string) ([]remote.Message, error) {
	if err := f.enter(ctx, OpMessages, mailbox, folderID); err != nil {
		return nil, err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	msgs, ok := f.msgs[folderKey{mailbox, folderID}]
	if !ok {
		return nil, fmt.Errorf("fake folder %s/%s: %w", mailbox, folderID, remote.ErrNotFound)
	}
	out := make([]remote.Message, len(msgs))
	for i, x := range msgs {
		out[i] = x.m
	}
	return out, nil
}

// Raw implements remote.Mail.
func (f *MailFake) Raw(ctx context.Context, mailbox, folderID, uid string) ([]byte, error) {
	if err := f.enter(ctx, OpRaw, mailbox, folderID+"/"+uid); err != nil {
		return nil, err
	}
	raw := f.RawOf(mailbox, folderID, uid)
	if raw == nil {
		return nil, fmt.Errorf("fake message %s/%s/%s: %w", mailbox, folderID, uid, remote.ErrNotFound)
	}
	return bytes.Clone(raw), nil
}
