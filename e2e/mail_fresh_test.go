package e2e

import (
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/infomaniakfs/infomaniakfs/remote/emulator"
	"github.com/infomaniakfs/infomaniakfs/remote/emulator/dataset"
)

// waitFor polls cond until it holds or timeout passes.
func waitFor(t *testing.T, timeout time.Duration, what string, cond func() bool) time.Duration {
	t.Helper()
	start := time.Now()
	for !cond() {
		if time.Since(start) > timeout {
			t.Fatalf("%s: not within %v", what, timeout)
		}
		time.Sleep(100 * time.Millisecond)
	}
	return time.Since(start)
}

func nameSet(t *testing.T, dir string) map[string]bool {
	t.Helper()
	ents, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]bool{}
	for _, e := range ents {
		out[e.Name()] = true
	}
	return out
}

// A message that arrives in a mounted INBOX shows in ls within --mail-poll
// + 5 s, and one deleted on the server disappears, from ls and from stat
// of a name the kernel had cached.
func TestMailFreshness(t *testing.T) {
	const poll = time.Second
	data := dataset.Generate(dataset.Spec{Seed: 14, Drives: 1, Depth: 1, DirsPerDir: 1, FilesPerDir: 1,
		Mailboxes: 1, MessagesPerFolder: 3})
	srv := serve(t, data)
	d := mount(t, srv, "--mail-poll", poll.String())
	mb := data.Mailboxes()[0]
	var inboxID string
	folders, _ := data.Folders(mb.UUID)
	for _, f := range folders {
		if f.Path == "INBOX" {
			inboxID = f.ID
		}
	}
	dir := filepath.Join(d.dir, "Mail", mb.Email, "INBOX")
	before := nameSet(t, dir)
	if len(before) != 3 {
		t.Fatalf("INBOX shows %d messages, want 3", len(before))
	}
	for name := range before {
		if _, err := os.Stat(filepath.Join(dir, name)); err != nil { // the kernel caches these
			t.Fatal(err)
		}
	}

	// The name the next message will have, looked up before it exists:
	// the kernel keeps that "no such file" for a minute unless told.
	var next int64
	msgs, _ := data.Messages(mb.UUID, inboxID)
	for _, m := range msgs {
		next = max(next, m.UID+1)
	}
	date := time.Now().UTC()
	predicted := filepath.Join(dir, date.Format("2006-01-02 1504")+" fresh news ("+strconv.FormatInt(next, 10)+").eml")
	if _, err := os.Stat(predicted); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("stat of a message yet to come: %v", err)
	}
	msg, err := data.AddMessage(mb.UUID, inboxID, []byte("From: a@b.c\r\nSubject: fresh news\r\n\r\nhello\r\n"), date)
	if err != nil {
		t.Fatal(err)
	}
	if msg.UID != next {
		t.Fatalf("the new message has UID %d, the test predicted %d", msg.UID, next)
	}
	took := waitFor(t, poll+5*time.Second, "stat of the new message", func() bool {
		_, err := os.Stat(predicted)
		return err == nil
	})
	t.Logf("a new message answered stat in %v", took)
	suffix := "(" + strconv.FormatInt(msg.UID, 10) + ").eml"
	var added string
	took = waitFor(t, poll+5*time.Second, "the new message in ls", func() bool {
		for name := range nameSet(t, dir) {
			if strings.HasSuffix(name, suffix) {
				added = name
				return true
			}
		}
		return false
	})
	t.Logf("a new message showed in %v", took)
	if b, err := os.ReadFile(filepath.Join(dir, added)); err != nil || !strings.Contains(string(b), "fresh news") {
		t.Errorf("the new message reads %q, %v", b, err)
	}

	var gone string
	for name := range before {
		gone = name
		break
	}
	uid, _ := strconv.ParseInt(uidInName.FindStringSubmatch(gone)[1], 10, 64)
	if err := data.DeleteMessage(mb.UUID, inboxID, uid); err != nil {
		t.Fatal(err)
	}
	took = waitFor(t, poll+5*time.Second, "the deleted message gone from ls", func() bool { return !nameSet(t, dir)[gone] })
	t.Logf("a deleted message left ls in %v", took)
	if _, err := os.Stat(filepath.Join(dir, gone)); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("stat of the deleted message: %v, want ENOENT", err)
	}
}

// An idle mount polls each INBOX and the folders in use (here one, within
// --mail-poll-folders), one activities request per folder per --mail-poll,
// and nothing else.
func TestMailPollBudget(t *testing.T) {
	const poll = 500 * time.Millisecond
	data := dataset.Generate(dataset.Spec{Seed: 15, Drives: 1, Depth: 1, DirsPerDir: 1, FilesPerDir: 1,
		Mailboxes: 1, MessagesPerFolder: 3})
	srv := serve(t, data)
	d := mount(t, srv, "--mail-poll", poll.String())
	mb := data.Mailboxes()[0]
	run(t, "ls", "-l", filepath.Join(d.dir, "Mail", mb.Email, "INBOX"))
	run(t, "ls", "-l", filepath.Join(d.dir, "Mail", mb.Email, "Sent"))
	waitFor(t, 5*time.Second, "a poll round", func() bool { return srv.Count(emulator.EpMailActivities) > 0 })
	srv.ResetCounts()
	const rounds = 6
	time.Sleep(rounds * poll)
	acts := srv.Count(emulator.EpMailActivities)
	others := mailRequests(srv) - acts
	t.Logf("idle for %d rounds: %d activities, %d other mail requests (at the default 30 s: %.0f requests a minute)",
		rounds, acts, others, float64(acts)/rounds*2)
	// Two folders in use (INBOX and Sent), one round more or less.
	if acts < 2*(rounds-1) || acts > 2*(rounds+1) {
		t.Errorf("%d activities requests in %d rounds, want 2 a round", acts, rounds)
	}
	if others != 0 {
		t.Errorf("idle polling cost %d other mail requests %v, want 0", others, srv.Counts())
	}
}
