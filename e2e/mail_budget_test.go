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

// After `ls -lR` of the whole mount (the emulator's default data set: two
// mailboxes of six folders, all of them then in use), an idle mount's mail
// rounds ask each INBOX and one other folder (--mail-poll-folders 1), not
// every folder: the idle cost has a ceiling. A new message still shows in
// an INBOX within --mail-poll + 5 s, and in another folder once its turn
// comes (within one round per other folder in use).
func TestMailIdleBudget(t *testing.T) {
	const poll = time.Second
	data := dataset.Generate(dataset.Spec{})
	srv := serve(t, data)
	d := mount(t, srv, "--mail-poll", poll.String())
	run(t, "ls", "-lR", d.dir)

	boxes := data.Mailboxes()
	inboxes, others := 0, 0
	for _, mb := range boxes {
		folders, _ := data.Folders(mb.UUID)
		for _, f := range folders {
			if f.Path == "INBOX" {
				inboxes++
			} else {
				others++
			}
		}
	}
	if inboxes != 2 || others < 4 {
		t.Fatalf("the default data set has %d INBOXes and %d other folders; the test wants 2 and several", inboxes, others)
	}
	waitFor(t, 5*time.Second, "a poll round", func() bool { return srv.Count(emulator.EpMailActivities) > 0 })
	srv.ResetCounts()
	const window = 10 * poll
	time.Sleep(window)
	counts := srv.Counts()
	mail := mailRequests(srv)
	rounds := float64(window / poll)
	perRound := float64(mail) / rounds
	// At the defaults (30 s rounds): two rounds a minute, each folder tree
	// every 10 min, one ~50 s long poll per drive.
	minute := perRound*2 + float64(len(boxes))*0.1 + float64(len(data.Drives()))*1.2
	t.Logf("idle after ls -lR: %d mail requests in %v (%.1f a round; %v); at the defaults ≈ %.1f requests a minute",
		mail, window, perRound, counts, minute)
	// Each INBOX and one more a round, one round more or less.
	if ceiling := int64(inboxes+1) * int64(rounds+1); mail > ceiling {
		t.Errorf("%d mail requests in %.0f rounds, want ≤ %d (each INBOX and one more folder a round)", mail, rounds, ceiling)
	}
	if floor := int64(inboxes) * int64(rounds-1); mail < floor {
		t.Errorf("%d mail requests in %.0f rounds, want ≥ %d (each INBOX every round)", mail, rounds, floor)
	}
	if minute > 10 {
		t.Errorf("idle cost at the defaults ≈ %.1f requests a minute, want ≤ 10", minute)
	}

	// A new message in the second mailbox's INBOX, and one in a folder
	// that waits for its turn.
	mb := boxes[1]
	folders, _ := data.Folders(mb.UUID)
	var inbox, deep dataset.MailFolder
	for _, f := range folders {
		switch {
		case f.Path == "INBOX":
			inbox = f
		case strings.Contains(f.Path, "/"):
			deep = f
		}
	}
	if deep.ID == "" {
		t.Fatal("no nested folder in the default data set")
	}
	add := func(f dataset.MailFolder, subject string) string {
		msg, err := data.AddMessage(mb.UUID, f.ID, []byte("From: a@b.c\r\nSubject: "+subject+"\r\n\r\nhi\r\n"), time.Now().UTC())
		if err != nil {
			t.Fatal(err)
		}
		return "(" + strconv.FormatInt(msg.UID, 10) + ").eml"
	}
	shows := func(f dataset.MailFolder, suffix string) func() bool {
		dir := filepath.Join(append([]string{d.dir, "Mail", mb.Email}, strings.Split(f.Path, "/")...)...)
		return func() bool {
			for name := range nameSet(t, dir) {
				if strings.HasSuffix(name, suffix) && strings.Contains(name, "budget news") {
					return true
				}
			}
			return false
		}
	}
	srv.ResetCounts()
	inInbox, inDeep := add(inbox, "budget news"), add(deep, "budget news")
	took := waitFor(t, poll+5*time.Second, "the new message in INBOX", shows(inbox, inInbox))
	t.Logf("a new message showed in INBOX in %v", took)
	// Without listing it (a listing would put it first), the nested
	// folder's turn comes within one round per other folder in use.
	perRounds := int64(inboxes + 1)
	took = waitFor(t, time.Duration(others+2)*(poll+time.Second), "as many rounds as folders in use", func() bool {
		return srv.Count(emulator.EpMailActivities) >= perRounds*int64(others+1)
	})
	if !shows(deep, inDeep)() {
		t.Errorf("the new message in %s did not show after %d rounds (%v): %v", deep.Path, others+1, took, srv.Counts())
	}
}
