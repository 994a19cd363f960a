package dataset

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"
)

func TestMailMutations(t *testing.T) {
	d := Generate(small)
	mb := d.Mailboxes()[0]
	inbox := FolderID("INBOX")
	raw := []byte("From: \"Zoë\" <zoe@example.com>\r\nTo: alice@example.ch, bob@example.ch\r\nSubject: =?ISO-8859-1?Q?caf=E9?=\r\nMessage-ID: <m1@x>\r\n\r\nhello\r\n")
	date := time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)
	m, err := d.AddMessage(mb.UUID, inbox, raw, date)
	if err != nil {
		t.Fatal(err)
	}
	if m.UID != 13 || m.Size != int64(len(raw)) || m.Subject != "café" || m.From != "zoe@example.com" || m.To != "alice@example.ch, bob@example.ch" || m.MessageID != "<m1@x>" || !m.InternalDate.Equal(date) {
		t.Fatalf("AddMessage: %+v", m)
	}
	msgs, _ := d.Messages(mb.UUID, inbox)
	if msgs[0].UID != 13 || len(msgs) != 13 {
		t.Fatalf("newest message not first: %+v", msgs[0])
	}
	raw[0] = 'X' // the data set keeps its own copy
	if got, _ := d.Raw(mb.UUID, inbox, 13); got[0] != 'F' {
		t.Fatal("Raw aliases the caller's slice")
	}
	if err := d.SetFlags(mb.UUID, inbox, 13, true, true); err != nil {
		t.Fatal(err)
	}
	if got, _ := d.Message(mb.UUID, inbox, 13); !got.Seen || !got.Flagged {
		t.Fatalf("flags %+v", got)
	}
	if err := d.DeleteMessage(mb.UUID, inbox, 13); err != nil {
		t.Fatal(err)
	}
	if err := d.DeleteMessage(mb.UUID, inbox, 13); !errors.Is(err, ErrNotFound) {
		t.Fatalf("second delete: %v", err)
	}
	m2, _ := d.AddMessage(mb.UUID, inbox, []byte("Subject: again\r\n\r\n"), time.Time{})
	if m2.UID != 14 {
		t.Fatalf("UID reused: %d", m2.UID)
	}
	if m2.InternalDate.IsZero() || time.Since(m2.InternalDate) > time.Minute {
		t.Fatalf("no Date header and zero date: %v", m2.InternalDate)
	}
	want := []MailChange{{1, MailAdded, 13}, {2, MailFlags, 13}, {3, MailDeleted, 13}, {4, MailAdded, 14}}
	got := d.FolderChanges(mb.UUID, inbox, 0)
	if len(got) != len(want) || d.FolderSeq(mb.UUID, inbox) != 4 {
		t.Fatalf("changes %+v", got)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("change %d: %+v, want %+v", i, got[i], want[i])
		}
	}
	if c := d.FolderChanges(mb.UUID, inbox, 3); len(c) != 1 || c[0].UID != 14 {
		t.Errorf("since 3: %+v", c)
	}
	if d.FolderSeq(mb.UUID, FolderID("Sent")) != 0 || d.FolderSeq("nope", inbox) != 0 || d.FolderChanges("nope", inbox, 0) != nil {
		t.Error("changes leaked to other folders")
	}
	if _, err := d.AddMessage("nope", inbox, raw, date); !errors.Is(err, ErrNotFound) {
		t.Errorf("unknown mailbox: %v", err)
	}
	if _, err := d.AddMessage(mb.UUID, "nope", raw, date); !errors.Is(err, ErrNotFound) {
		t.Errorf("unknown folder: %v", err)
	}
}

// TestConcurrentUse runs readers against writers; -race proves the locking.
func TestConcurrentUse(t *testing.T) {
	d := Generate(small)
	mb := d.Mailboxes()[0]
	var wg sync.WaitGroup
	ctx, cancel := context.WithCancel(context.Background())
	for w := 0; w < 2; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 200; i++ {
				n, err := d.AddFile(100001, RootID, "f", 100)
				if err != nil {
					t.Error(err)
					return
				}
				d.ModifyFile(100001, n.ID, 200)
				d.Delete(100001, n.ID)
				d.AddMessage(mb.UUID, FolderID("INBOX"), []byte("Subject: x\r\n\r\n"), time.Time{})
			}
		}()
	}
	for r := 0; r < 3; r++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var seq int64
			for ctx.Err() == nil {
				d.Walk(100001, func(n Node) bool {
					if rd, size, _, ok := d.Content(100001, n.ID); ok && size > 0 {
						rd.ReadAt(make([]byte, 10), 0)
					}
					return true
				})
				d.Messages(mb.UUID, FolderID("INBOX"))
				seq = max(seq, d.DriveSeq(100001))
				d.DriveChanges(100001, seq-5)
				wctx, c := context.WithTimeout(ctx, time.Millisecond)
				d.WaitDrive(wctx, 100001, seq)
				c()
			}
		}()
	}
	time.Sleep(10 * time.Millisecond)
	for d.DriveSeq(100001) < 1200 && !t.Failed() {
		time.Sleep(5 * time.Millisecond)
	}
	cancel()
	wg.Wait()
	if got := len(d.DriveChanges(100001, 0)); got != 1200 {
		t.Fatalf("%d changes, want 1200", got)
	}
}
