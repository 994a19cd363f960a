package remotetest

import (
	"bytes"
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/infomaniakfs/infomaniakfs/remote"
)

// MailWorld is the far side of a remote.Mail under test. Its methods fail
// t on error.
type MailWorld interface {
	// Folder returns a mailbox and a folder of it the suite may add to.
	Folder(t *testing.T) (mailbox, folderID string)
	// AddMessage adds a message of these bytes and returns its UID.
	AddMessage(t *testing.T, mailbox, folderID string, raw []byte) string
	DeleteMessage(t *testing.T, mailbox, folderID, uid string)
}

// MailSetup makes a fresh implementation and its world for one subtest.
type MailSetup func(t *testing.T) (remote.Mail, MailWorld)

// TestMail runs the remote.Mail contract against what setup makes.
func TestMail(t *testing.T, setup MailSetup) {
	tests := []struct {
		name string
		run  func(*testing.T, remote.Mail, MailWorld)
	}{
		{"Mailboxes", testMailboxes},
		{"FoldersParentsFirst", testFolders},
		{"MessagesAll", testMessagesAll},
		{"RawExact", testRawExact},
		{"GoneIsNotFound", testMailGone},
		{"Concurrent", testMailConcurrent},
		{"Cancelled", testMailCancelled},
		{"GivesUpWhileHanging", testMailHanging},
		{"Feed", testMailFeed},
		{"ReadAt", testMailReadAt},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			m, w := setup(t)
			tc.run(t, m, w)
		})
	}
}

// BigFolder is how many messages the listing test adds to a folder: more
// than two batches of the mail client (200).
const BigFolder = 450

var msgSeq atomic.Int64

// message returns new RFC 5322 bytes, each message different.
func message() []byte {
	n := msgSeq.Add(1)
	return []byte(fmt.Sprintf("From: a@example.com\r\nTo: b@example.com\r\nSubject: suite %d\r\n"+
		"Date: Mon, 02 Jan 2026 03:04:05 +0000\r\nMessage-ID: <suite-%d@example.com>\r\n\r\n%s\r\n",
		n, n, strings.Repeat(fmt.Sprintf("line %d\r\n", n), int(n%50))))
}

func testMailboxes(t *testing.T, m remote.Mail, w MailWorld) {
	mb, _ := w.Folder(t)
	list, err := m.Mailboxes(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if !slices.ContainsFunc(list, func(x remote.Mailbox) bool { return x.UUID == mb }) {
		t.Fatalf("mailbox %s not in %+v", mb, list)
	}
}

func testFolders(t *testing.T, m remote.Mail, w MailWorld) {
	mb, folder := w.Folder(t)
	folders, err := m.Folders(t.Context(), mb)
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for _, f := range folders {
		if seen[f.ID] {
			t.Errorf("folder %s listed twice", f.ID)
		}
		if f.ParentID != "" && !seen[f.ParentID] && slices.ContainsFunc(folders, func(x remote.Folder) bool { return x.ID == f.ParentID }) {
			t.Errorf("folder %s listed before its parent %s", f.Path, f.ParentID)
		}
		if strings.HasPrefix(f.Path, ".ik") {
			t.Errorf("hidden folder %s listed", f.Path)
		}
		seen[f.ID] = true
	}
	if !seen[folder] {
		t.Errorf("folder %s not listed", folder)
	}
}

func testMessagesAll(t *testing.T, m remote.Mail, w MailWorld) {
	mb, folder := w.Folder(t)
	want := map[string]bool{}
	for range BigFolder {
		want[w.AddMessage(t, mb, folder, message())] = true
	}
	eventually(t, "every message listed", func() error {
		list, err := m.Messages(t.Context(), mb, folder)
		if err != nil {
			return err
		}
		seen := map[string]bool{}
		for _, msg := range list {
			if seen[msg.UID] {
				return fmt.Errorf("UID %s listed twice", msg.UID)
			}
			seen[msg.UID] = true
			if msg.FolderID != folder {
				return fmt.Errorf("message %s of folder %q", msg.UID, msg.FolderID)
			}
		}
		for uid := range want {
			if !seen[uid] {
				return fmt.Errorf("message %s not listed (%d listed)", uid, len(list))
			}
		}
		return nil
	})
}

func testRawExact(t *testing.T, m remote.Mail, w MailWorld) {
	mb, folder := w.Folder(t)
	for range 3 {
		raw := message()
		uid := w.AddMessage(t, mb, folder, raw)
		got, err := m.Raw(t.Context(), mb, folder, uid)
		if err != nil || !bytes.Equal(got, raw) {
			t.Errorf("raw of %s: %d bytes (%v), want exactly the %d added", uid, len(got), err, len(raw))
		}
	}
}

func testMailGone(t *testing.T, m remote.Mail, w MailWorld) {
	mb, folder := w.Folder(t)
	if _, err := m.Messages(t.Context(), mb, "no-such-folder"); !errorsIs(err, remote.ErrNotFound) {
		t.Errorf("messages of a folder that is not: %v", err)
	}
	uid := w.AddMessage(t, mb, folder, message())
	w.DeleteMessage(t, mb, folder, uid)
	eventually(t, "raw of a deleted message", func() error {
		_, err := m.Raw(t.Context(), mb, folder, uid)
		return errIs(err, remote.ErrNotFound, "raw")
	})
	eventually(t, "listing without the deleted message", func() error {
		list, err := m.Messages(t.Context(), mb, folder)
		if err != nil || slices.ContainsFunc(list, func(x remote.Message) bool { return x.UID == uid }) {
			return fmt.Errorf("still listed (%v)", err)
		}
		return nil
	})
}

func testMailConcurrent(t *testing.T, m remote.Mail, w MailWorld) {
	mb, folder := w.Folder(t)
	raws := map[string][]byte{}
	for range 6 {
		raw := message()
		raws[w.AddMessage(t, mb, folder, raw)] = raw
	}
	var wg sync.WaitGroup
	for uid, raw := range raws {
		for range 3 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				if _, err := m.Messages(t.Context(), mb, folder); err != nil {
					t.Error(err)
				}
				if got, err := m.Raw(t.Context(), mb, folder, uid); err != nil || !bytes.Equal(got, raw) {
					t.Errorf("raw of %s: %d bytes, %v", uid, len(got), err)
				}
			}()
		}
	}
	wg.Wait()
}

func testMailCancelled(t *testing.T, m remote.Mail, w MailWorld) {
	mb, folder := w.Folder(t)
	uid := w.AddMessage(t, mb, folder, message())
	// Never asked before: no cache can answer, so the calls fail (or
	// the load they started wins the race with the cancellation).
	wantCanceled(t, "messages", promptly(t, "messages", func(ctx context.Context) error {
		_, err := m.Messages(ctx, mb, folder)
		return err
	}))
	wantCanceled(t, "raw", promptly(t, "raw", func(ctx context.Context) error {
		_, err := m.Raw(ctx, mb, folder, uid)
		return err
	}))
}

// MailFeed is the change following some mail sources offer (the cache's
// MailFeed, mail.Client).
type MailFeed interface {
	Listing(ctx context.Context, mailbox, folderID string) ([]remote.Message, string, error)
	Activities(ctx context.Context, mailbox, folderID, signature string, held []string) (added, deleted []string, next string, err error)
	MessagesByUID(ctx context.Context, mailbox, folderID string, uids []string) ([]remote.Message, error)
}

func testMailFeed(t *testing.T, m remote.Mail, w MailWorld) {
	f, ok := m.(MailFeed)
	if !ok {
		t.Skip("no Listing/Activities")
	}
	mb, folder := w.Folder(t)
	gone := w.AddMessage(t, mb, folder, message())
	list, sig, err := f.Listing(t.Context(), mb, folder)
	if err != nil || sig == "" {
		t.Fatalf("listing: %d, %q, %v", len(list), sig, err)
	}
	var held []string
	for _, msg := range list {
		held = append(held, msg.UID)
	}
	added := w.AddMessage(t, mb, folder, message())
	w.DeleteMessage(t, mb, folder, gone)
	time.Sleep(time.Millisecond)
	add, del, next, err := f.Activities(t.Context(), mb, folder, sig, held)
	if err != nil || next == "" || !slices.Contains(add, added) || !slices.Contains(del, gone) {
		t.Fatalf("activities: added %v (want %s), deleted %v (want %s), next %q, %v", add, added, del, gone, next, err)
	}
	msgs, err := f.MessagesByUID(t.Context(), mb, folder, []string{added})
	if err != nil || len(msgs) != 1 || msgs[0].UID != added {
		t.Fatalf("messages by UID: %+v, %v", msgs, err)
	}
}

func testMailHanging(t *testing.T, m remote.Mail, w MailWorld) {
	s, ok := w.(Staller)
	if !ok {
		t.Skip("the world cannot hang")
	}
	mb, folder := w.Folder(t)
	uid := w.AddMessage(t, mb, folder, message())
	release := s.Stall(t)
	defer release()
	giveUp(t, "messages", func(ctx context.Context) error {
		_, err := m.Messages(ctx, mb, folder)
		return err
	})
	giveUp(t, "raw", func(ctx context.Context) error {
		_, err := m.Raw(ctx, mb, folder, uid)
		return err
	})
}
