package remotetest

import (
	"sync/atomic"
	"testing"
	"time"

	"github.com/infomaniakfs/infomaniakfs/remote"
)

// FakeWorld is the DriveWorld of a fake Drives: drive DriveID, the suite's
// directory its root.
type FakeWorld struct {
	F       *DriveFake
	DriveID int64
	seq     atomic.Int64
}

// NewFakeWorld returns a fake with one drive (DriveID 1) and its world.
func NewFakeWorld() *FakeWorld {
	f := NewDrives()
	f.AddDrive(remote.DriveInfo{ID: 1, Name: "Drive", Size: 1 << 40}, remote.Entry{})
	return &FakeWorld{F: f, DriveID: 1}
}

var worldTime = time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)

func (w *FakeWorld) Dir(*testing.T) (int64, int64) { return w.DriveID, 1 }

func (w *FakeWorld) AddDir(_ *testing.T, drive, parent int64, name string) int64 {
	return w.F.Add(remote.Entry{DriveID: drive, ParentID: parent, Name: name, IsDir: true, MTime: worldTime, CTime: worldTime}, nil).ID
}

func (w *FakeWorld) AddFile(_ *testing.T, drive, parent int64, name string, size int64) int64 {
	return w.F.Add(remote.Entry{DriveID: drive, ParentID: parent, Name: name, MTime: worldTime, CTime: worldTime},
		Bytes(uint64(w.seq.Add(1)), size)).ID
}

func (w *FakeWorld) Content(_ *testing.T, drive, id int64) []byte { return w.F.Content(drive, id) }

func (w *FakeWorld) Modify(t *testing.T, drive, id int64) {
	w.F.Modify(drive, id, Bytes(uint64(w.seq.Add(1))<<32, int64(len(w.F.Content(drive, id)))), "")
}

func (w *FakeWorld) Rename(_ *testing.T, drive, id int64, name string) { w.F.Rename(drive, id, name) }

func (w *FakeWorld) Delete(_ *testing.T, drive, id int64) { w.F.Delete(drive, id) }

// FakeMailWorld is the MailWorld of a fake Mail: mailbox "mb", folder "inbox"
// (with a child folder "sub").
type FakeMailWorld struct{ F *MailFake }

// NewFakeMailWorld returns a fake with that one mailbox and its world.
func NewFakeMailWorld() FakeMailWorld {
	f := NewMail()
	f.AddMailbox(remote.Mailbox{UUID: "mb", Email: "a@b.c", ID: 1},
		remote.Folder{ID: "inbox", Path: "INBOX", Name: "INBOX", Separator: "/", Role: "INBOX", Total: -1},
		remote.Folder{ID: "sub", Path: "INBOX/sub", Name: "sub", Separator: "/", ParentID: "inbox", Total: -1})
	return FakeMailWorld{F: f}
}

func (w FakeMailWorld) Folder(*testing.T) (string, string) { return "mb", "inbox" }

func (w FakeMailWorld) AddMessage(_ *testing.T, mailbox, folder string, raw []byte) string {
	return w.F.AddMessage(mailbox, folder, remote.Message{Subject: "m", Date: worldTime, SizeHint: int64(len(raw))}, raw).UID
}

func (w FakeMailWorld) DeleteMessage(_ *testing.T, mailbox, folder, uid string) {
	w.F.DeleteMessage(mailbox, folder, uid)
}

// Stall makes the fake hang until release.
func (w *FakeWorld) Stall(*testing.T) (release func()) { return w.F.Stall() }

// Stall makes the fake hang until release.
func (w FakeMailWorld) Stall(*testing.T) (release func()) { return w.F.Stall() }
