package mail

import (
	"bytes"
	"context"
	"errors"
	"net/mail"
	"strconv"
	"testing"
	"time"

	"github.com/infomaniakfs/infomaniakfs/remote"
	"github.com/infomaniakfs/infomaniakfs/remote/emulator"
	"github.com/infomaniakfs/infomaniakfs/remote/emulator/dataset"
)

type staticToken string

func (s staticToken) Token(context.Context) (string, error) { return string(s), nil }
func (staticToken) Invalidate(string)                       {}

func startEmulator(t *testing.T, spec dataset.Spec) (*emulator.Server, *Client) {
	t.Helper()
	s, err := emulator.Start(emulator.Options{Data: dataset.Generate(spec)})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Close)
	rc := remote.NewClient(remote.ClientOptions{Tokens: staticToken(s.IssueToken()),
		MinBackoff: time.Millisecond, MaxBackoff: 5 * time.Millisecond, Timeout: 20 * time.Second})
	return s, New(rc, s.URL())
}

func TestEmulatorEveryMessageParses(t *testing.T) {
	s, c := startEmulator(t, dataset.Spec{})
	mbs, err := c.Mailboxes(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	want := s.Data().Mailboxes()
	if len(mbs) != len(want) || mbs[0].UUID != want[0].UUID || mbs[0].Email != want[0].Email {
		t.Fatalf("mailboxes %+v, want %+v", mbs, want)
	}
	total := 0
	for _, mb := range mbs {
		folders, err := c.Folders(t.Context(), mb.UUID)
		if err != nil {
			t.Fatal(err)
		}
		wantF, _ := s.Data().Folders(mb.UUID)
		if len(folders) != len(wantF) {
			t.Fatalf("%s: %d folders, want %d", mb.Email, len(folders), len(wantF))
		}
		byID := map[string]remote.Folder{}
		for _, f := range folders {
			byID[f.ID] = f
			if f.ParentID != "" && byID[f.ParentID].ID == "" {
				t.Fatalf("folder %s listed before its parent", f.Path)
			}
		}
		for _, f := range folders {
			msgs, err := c.Messages(t.Context(), mb.UUID, f.ID)
			if err != nil {
				t.Fatal(err)
			}
			wantM, _ := s.Data().Messages(mb.UUID, f.ID)
			if len(msgs) != len(wantM) || f.Total != len(wantM) {
				t.Fatalf("%s: %d messages (total %d), want %d", f.Path, len(msgs), f.Total, len(wantM))
			}
			for i, m := range msgs {
				raw, err := c.Raw(t.Context(), mb.UUID, f.ID, m.UID)
				if err != nil {
					t.Fatal(err)
				}
				if _, err := mail.ReadMessage(bytes.NewReader(raw)); err != nil {
					t.Fatalf("%s/%s does not parse: %v", f.Path, m.UID, err)
				}
				if int64(len(raw)) != m.SizeHint || !m.Date.Equal(wantM[i].InternalDate) || m.UID != itoa(wantM[i].UID) {
					t.Fatalf("%s/%s: %d bytes (hint %d), date %v want %v", f.Path, m.UID, len(raw), m.SizeHint, m.Date, wantM[i].InternalDate)
				}
				total++
			}
		}
	}
	if total == 0 {
		t.Fatal("no messages at all")
	}
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

func TestEmulatorFaults(t *testing.T) {
	s, c := startEmulator(t, dataset.Spec{Mailboxes: 1, MessagesPerFolder: 3})
	mb := s.Data().Mailboxes()[0]
	folders, _ := s.Data().Folders(mb.UUID)
	inbox := folders[0]
	msgs, _ := s.Data().Messages(mb.UUID, inbox.ID)
	want, _ := s.Data().Raw(mb.UUID, inbox.ID, msgs[0].UID)
	uid := itoa(msgs[0].UID)

	s.AddFault(emulator.Fault{Endpoint: "mail.raw", Kind: emulator.FaultReset, Times: 1})
	s.ResetCounts()
	got, err := c.Raw(t.Context(), mb.UUID, inbox.ID, uid)
	if err != nil || !bytes.Equal(got, want) || s.Count("mail.raw") != 2 {
		t.Fatalf("raw after reset: %d bytes, %v, %d calls", len(got), err, s.Count("mail.raw"))
	}
	s.ClearFaults()
	s.AddFault(emulator.Fault{Endpoint: "mail.mailboxes", Kind: emulator.FaultLoginRedirect})
	if _, err := c.Mailboxes(t.Context()); !errors.Is(err, remote.ErrAuth) {
		t.Fatalf("login redirect: %v", err)
	}
	s.ClearFaults()
	if _, err := c.Raw(t.Context(), mb.UUID, inbox.ID, "999999"); !errors.Is(err, remote.ErrNotFound) {
		t.Fatalf("missing message: %v", err)
	}
	if _, err := c.Messages(t.Context(), mb.UUID, "no-such-folder"); !errors.Is(err, remote.ErrNotFound) {
		t.Fatalf("missing folder: %v", err)
	}
}

func TestEmulatorBigFolder(t *testing.T) {
	const n = uidListCap + 120
	s, c := startEmulator(t, dataset.Spec{Mailboxes: 1, MessagesPerFolder: 1, BigFolderMessages: n})
	mb := s.Data().Mailboxes()[0]
	folders, err := c.Folders(t.Context(), mb.UUID)
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range folders {
		if f.Path != "Archives/Big" {
			continue
		}
		msgs, err := c.Messages(t.Context(), mb.UUID, f.ID)
		if err != nil {
			t.Fatal(err)
		}
		seen := map[string]bool{}
		for _, m := range msgs {
			seen[m.UID] = true
		}
		if len(msgs) != n || len(seen) != n || s.Count("mail.messages") != (uidListCap+uidBatch-1)/uidBatch {
			t.Fatalf("%d messages (%d distinct), want %d; %d batch calls", len(msgs), len(seen), n, s.Count("mail.messages"))
		}
		return
	}
	t.Fatal("no Archives/Big folder")
}
