package e2e

import (
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/infomaniakfs/infomaniakfs/remote/emulator"
	"github.com/infomaniakfs/infomaniakfs/remote/emulator/dataset"
)

// TestFreshCursorExpiry: the service forgets every change cursor and mail
// signature handed out (its change log moved past them). A kDrive change
// made after still shows within seconds, at the cost of one new snapshot
// of the drive, and a new message shows within the mail poll, at the cost
// of one fresh listing of its folder; the user sees no error.
func TestFreshCursorExpiry(t *testing.T) {
	const poll = time.Second
	data, srv, d, root := freshMount(t, "--mail-poll", poll.String())
	dr := data.Drives()[0]
	mb := data.Mailboxes()[0]
	var inboxID string
	folders, _ := data.Folders(mb.UUID)
	for _, f := range folders {
		if f.Path == "INBOX" {
			inboxID = f.ID
		}
	}
	inbox := filepath.Join(d.dir, "Mail", mb.Email, "INBOX")
	run(t, "ls", "-l", inbox)
	// The poller holds a signature once it has asked INBOX once.
	waitFor(t, 10*time.Second, "a first activities poll", func() bool {
		return srv.Count(emulator.EpMailActivities) > 0
	})
	snaps, listings := srv.Count(emulator.EpListingFull), srv.Count(emulator.EpMailUIDs)

	srv.ExpireCursors()
	private := childNamed(t, data, dr.ID, dataset.RootID, "Private")
	n, err := data.AddFile(dr.ID, private, "after-expiry.txt", 555)
	if err != nil {
		t.Fatal(err)
	}
	pdir := filepath.Join(root, "Private")
	within(t, "a file created after the cursor expired", shows(pdir, "after-expiry.txt"))
	within(t, "its content", holds(filepath.Join(pdir, "after-expiry.txt"), content(t, data, dr.ID, n.ID)))
	if got := srv.Count(emulator.EpListingFull) - snaps; got != 1 {
		t.Errorf("%d snapshots after the cursor expired, want 1", got)
	}

	msg, err := data.AddMessage(mb.UUID, inboxID, []byte("From: a@b.c\r\nSubject: after expiry\r\n\r\nhello\r\n"), time.Now().UTC())
	if err != nil {
		t.Fatal(err)
	}
	suffix := "(" + strconv.FormatInt(msg.UID, 10) + ").eml"
	waitFor(t, poll+5*time.Second, "a message added after the signature expired", func() bool {
		for name := range nameSet(t, inbox) {
			if strings.HasSuffix(name, suffix) {
				return true
			}
		}
		return false
	})
	if got := srv.Count(emulator.EpMailUIDs) - listings; got < 1 || got > 2 {
		t.Errorf("%d fresh listings of INBOX after the signature expired, want 1", got)
	}
	// Both went through the expiry, not around it.
	for _, want := range []string{"change cursor refused", "mail: listing a folder again"} {
		if !strings.Contains(d.log.String(), want) {
			t.Errorf("the log does not say %q: the expiry was not met", want)
		}
	}
	if strings.Contains(d.log.String(), "ERROR") {
		t.Errorf("daemon logged errors:\n%s", d.log)
	}
}
