package remotetest

import (
	"context"
	"io"
	"strconv"
	"testing"
	"time"

	"github.com/infomaniakfs/infomaniakfs/remote"
	"github.com/infomaniakfs/infomaniakfs/remote/emulator"
	"github.com/infomaniakfs/infomaniakfs/remote/emulator/dataset"
)

// StaticTokens is a fixed bearer token, a remote.TokenSource.
type StaticTokens string

func (s StaticTokens) Token(context.Context) (string, error) { return string(s), nil }
func (StaticTokens) Invalidate(string)                       {}

// StartEmulator starts an in-process emulator with a small dataset (one
// drive, one mailbox) for t, and returns it with a remote.Client that
// talks to it, retrying quickly.
func StartEmulator(t *testing.T) (*emulator.Server, *remote.Client) {
	t.Helper()
	s, err := emulator.Start(emulator.Options{Data: dataset.Generate(dataset.Spec{
		Drives: 1, Depth: 1, DirsPerDir: 1, FilesPerDir: 1, Mailboxes: 1, MessagesPerFolder: 2})})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Close)
	return s, remote.NewClient(remote.ClientOptions{Tokens: StaticTokens(s.IssueToken()),
		MinBackoff: time.Millisecond, MaxBackoff: 5 * time.Millisecond, Timeout: 20 * time.Second})
}

// EmulatorWorld is the DriveWorld of an emulator: its first drive, the
// suite's directory its root.
type EmulatorWorld struct{ S *emulator.Server }

func (w EmulatorWorld) Dir(*testing.T) (int64, int64) { return w.S.Data().Drives()[0].ID, 1 }

func (w EmulatorWorld) AddDir(t *testing.T, drive, parent int64, name string) int64 {
	n, err := w.S.Data().AddDir(drive, parent, name)
	if err != nil {
		t.Fatal(err)
	}
	return n.ID
}

func (w EmulatorWorld) AddFile(t *testing.T, drive, parent int64, name string, size int64) int64 {
	n, err := w.S.Data().AddFile(drive, parent, name, size)
	if err != nil {
		t.Fatal(err)
	}
	return n.ID
}

func (w EmulatorWorld) Content(t *testing.T, drive, id int64) []byte {
	ra, size, _, ok := w.S.Data().Content(drive, id)
	if !ok {
		t.Fatalf("no content for %d/%d", drive, id)
	}
	b := make([]byte, size)
	if _, err := ra.ReadAt(b, 0); err != nil && err != io.EOF {
		t.Fatal(err)
	}
	return b
}

func (w EmulatorWorld) Modify(t *testing.T, drive, id int64) {
	n, ok := w.S.Data().Item(drive, id)
	if !ok {
		t.Fatalf("no item %d/%d", drive, id)
	}
	if _, err := w.S.Data().ModifyFile(drive, id, n.Size); err != nil {
		t.Fatal(err)
	}
}

func (w EmulatorWorld) Rename(t *testing.T, drive, id int64, name string) {
	if err := w.S.Data().Rename(drive, id, name); err != nil {
		t.Fatal(err)
	}
}

func (w EmulatorWorld) Delete(t *testing.T, drive, id int64) {
	if err := w.S.Data().Delete(drive, id); err != nil {
		t.Fatal(err)
	}
}

// EmulatorMail is the MailWorld of an emulator: its first mailbox and
// that mailbox's first folder.
type EmulatorMail struct{ S *emulator.Server }

func (w EmulatorMail) Folder(t *testing.T) (string, string) {
	mb := w.S.Data().Mailboxes()[0].UUID
	folders, _ := w.S.Data().Folders(mb)
	for _, f := range folders {
		if f.Path == "INBOX" {
			return mb, f.ID
		}
	}
	t.Fatalf("no INBOX in %+v", folders)
	return "", ""
}

func (w EmulatorMail) AddMessage(t *testing.T, mailbox, folder string, raw []byte) string {
	m, err := w.S.Data().AddMessage(mailbox, folder, raw, time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	return strconv.FormatInt(m.UID, 10)
}

func (w EmulatorMail) DeleteMessage(t *testing.T, mailbox, folder, uid string) {
	n, _ := strconv.ParseInt(uid, 10, 64)
	if err := w.S.Data().DeleteMessage(mailbox, folder, n); err != nil {
		t.Fatal(err)
	}
}

// Stall makes every request wait an hour (or until the client gives up)
// until release.
func (w EmulatorWorld) Stall(t *testing.T) (release func()) { return stall(t, w.S) }

// Stall makes every request wait an hour (or until the client gives up)
// until release.
func (w EmulatorMail) Stall(t *testing.T) (release func()) { return stall(t, w.S) }

func stall(t *testing.T, s *emulator.Server) func() {
	s.SetLatency(time.Hour)
	release := func() { s.SetLatency(0) }
	t.Cleanup(release)
	return release
}
