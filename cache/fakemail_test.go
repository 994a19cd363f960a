package cache

import (
	"bytes"
	"context"
	"fmt"
	"sync/atomic"
	"time"

	"github.com/infomaniakfs/infomaniakfs/remote"
	"github.com/infomaniakfs/infomaniakfs/remote/remotetest"
)

// fakeMail is the shared fake (remotetest.MailFake) as the cache's tests
// use it: mailbox "mb", folder "inbox", messages "1".."n" whose listed
// SizeHint is wrong (17 bytes too big), and the knobs the tests turn.
type fakeMail struct {
	*remotetest.MailFake
	active, maxActive atomic.Int64 // Raw calls running now, and at most
	latency           time.Duration
	fail              func(op string) error
}

func newFakeMail(n int) *fakeMail {
	m := &fakeMail{MailFake: remotetest.NewMail()}
	m.AddMailbox(remote.Mailbox{UUID: "mb", Email: "a@b.c"}, remote.Folder{ID: "inbox", Path: "INBOX", Name: "INBOX", Total: -1})
	for i := 1; i <= n; i++ {
		body := bytes.Repeat([]byte(fmt.Sprintf("line %d of message\r\n", i)), 100*i)
		m.add(fmt.Sprint(i), append([]byte("Subject: m\r\n\r\n"), body...))
	}
	m.SetHook(func(ctx context.Context, op remotetest.Op, _, _ string) error { return m.check(ctx, string(op)) })
	return m
}

// add adds message uid to the inbox, listed 17 bytes too big.
func (m *fakeMail) add(uid string, raw []byte) {
	m.AddMessage("mb", "inbox", remote.Message{UID: uid, SizeHint: int64(len(raw)) + 17}, raw)
}

// msg is the content of message uid of the inbox.
func (m *fakeMail) msg(uid string) []byte { return m.RawOf("mb", "inbox", uid) }

// The calls made so far.
func (m *fakeMail) mailboxes() int64 { return m.Calls(remotetest.OpMailboxes) }
func (m *fakeMail) folders() int64   { return m.Calls(remotetest.OpFolders) }
func (m *fakeMail) messages() int64  { return m.Calls(remotetest.OpMessages) }
func (m *fakeMail) raws() int64      { return m.Calls(remotetest.OpRaw) }

// check is the latency and the failure of every call.
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

// Raw counts the calls running at once.
func (m *fakeMail) Raw(ctx context.Context, mailbox, folderID, uid string) ([]byte, error) {
	n := m.active.Add(1)
	defer m.active.Add(-1)
	for mx := m.maxActive.Load(); n > mx && !m.maxActive.CompareAndSwap(mx, n); mx = m.maxActive.Load() {
	}
	return m.MailFake.Raw(ctx, mailbox, folderID, uid)
}
