package cache

import (
	"bytes"
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/infomaniakfs/infomaniakfs/remote"
)

// fakeMail is an in-memory remote.Mail counting every call: mailbox "mb",
// folder "inbox", messages "1".."n" whose listed SizeHint is wrong.
type fakeMail struct {
	mu   sync.Mutex
	msgs map[string][]byte

	mailboxes, folders, messages, raws atomic.Int64
	active, maxActive                  atomic.Int64 // Raw calls running now, and at most
	latency                            time.Duration
	fail                               func(op string) error
}

func newFakeMail(n int) *fakeMail {
	m := &fakeMail{msgs: map[string][]byte{}}
	for i := 1; i <= n; i++ {
		body := bytes.Repeat([]byte(fmt.Sprintf("line %d of message\r\n", i)), 100*i)
		m.msgs[fmt.Sprint(i)] = append([]byte("Subject: m\r\n\r\n"), body...)
	}
	return m
}

func (m *fakeMail) check(ctx context.Context, op string) error {
	if m.latency > 0 {
		select {
		case <-time.After(m.latency):
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	if m.fail != nil {
		return m.fail(op)
	}
	return nil
}

func (m *fakeMail) Mailboxes(ctx context.Context) ([]remote.Mailbox, error) {
	m.mailboxes.Add(1)
	if err := m.check(ctx, "mailboxes"); err != nil {
		return nil, err
	}
	return []remote.Mailbox{{UUID: "mb", Email: "a@b.c"}}, nil
}

func (m *fakeMail) Folders(ctx context.Context, mailbox string) ([]remote.Folder, error) {
	m.folders.Add(1)
	if err := m.check(ctx, "folders"); err != nil {
		return nil, err
	}
	if mailbox != "mb" {
		return nil, fmt.Errorf("mailbox %s: %w", mailbox, remote.ErrNotFound)
	}
	return []remote.Folder{{ID: "inbox", Path: "INBOX", Name: "INBOX", Total: -1}}, nil
}

func (m *fakeMail) Messages(ctx context.Context, mailbox, folderID string) ([]remote.Message, error) {
	m.messages.Add(1)
	if err := m.check(ctx, "messages"); err != nil {
		return nil, err
	}
	if mailbox != "mb" || folderID != "inbox" {
		return nil, fmt.Errorf("folder %s: %w", folderID, remote.ErrNotFound)
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	var out []remote.Message
	for uid, b := range m.msgs {
		out = append(out, remote.Message{UID: uid, FolderID: folderID, SizeHint: int64(len(b)) + 17})
	}
	return out, nil
}

func (m *fakeMail) Raw(ctx context.Context, mailbox, folderID, uid string) ([]byte, error) {
	m.raws.Add(1)
	n := m.active.Add(1)
	defer m.active.Add(-1)
	for mx := m.maxActive.Load(); n > mx && !m.maxActive.CompareAndSwap(mx, n); mx = m.maxActive.Load() {
	}
	if err := m.check(ctx, "raw"); err != nil {
		return nil, err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	b, ok := m.msgs[uid]
	if mailbox != "mb" || folderID != "inbox" || !ok {
		return nil, fmt.Errorf("message %s: %w", uid, remote.ErrNotFound)
	}
	return bytes.Clone(b), nil
}
