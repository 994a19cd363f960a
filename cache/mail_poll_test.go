package cache

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/infomaniakfs/infomaniakfs/remote"
)

// feedMail is fakeMail that follows changes: a signature is "s<seq>" of a
// change log; expired makes every signature expired.
type feedMail struct {
	*fakeMail
	mu                          sync.Mutex
	seq                         int
	log                         []feedChange
	expired                     bool
	tree                        []remote.Folder // nil: fakeMail's
	listings, activities, byUID atomic.Int64
}

func (f *feedMail) Folders(ctx context.Context, mailbox string) ([]remote.Folder, error) {
	f.mu.Lock()
	tree := f.tree
	f.mu.Unlock()
	list, err := f.fakeMail.Folders(ctx, mailbox)
	if tree == nil || err != nil {
		return list, err
	}
	return slices.Clone(tree), nil
}

type feedChange struct {
	seq   int
	added bool
	uid   string
}

func (f *feedMail) add(uid string, body string) {
	f.fakeMail.add(uid, []byte("Subject: new\r\n\r\n"+body))
	f.mu.Lock()
	f.seq++
	f.log = append(f.log, feedChange{f.seq, true, uid})
	f.mu.Unlock()
}

func (f *feedMail) remove(uid string) {
	f.DeleteMessage("mb", "inbox", uid)
	f.mu.Lock()
	f.seq++
	f.log = append(f.log, feedChange{f.seq, false, uid})
	f.mu.Unlock()
}

func (f *feedMail) Listing(ctx context.Context, mailbox, folderID string) ([]remote.Message, string, error) {
	f.listings.Add(1)
	f.mu.Lock()
	sig := fmt.Sprintf("s%d", f.seq)
	f.mu.Unlock()
	list, err := f.fakeMail.Messages(ctx, mailbox, folderID)
	return list, sig, err
}

func (f *feedMail) Activities(ctx context.Context, mailbox, folderID, sig string, held []string) ([]string, []string, string, error) {
	f.activities.Add(1)
	if err := f.check(ctx, "activities"); err != nil {
		return nil, nil, "", err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	since, err := strconv.Atoi(sig[1:])
	if f.expired || err != nil {
		return nil, nil, "", errors.New("validation_failed: the signature is invalid")
	}
	var added, deleted []string
	for _, c := range f.log {
		if c.seq <= since {
			continue
		}
		if c.added {
			added = append(added, c.uid)
		} else if i := slices.Index(added, c.uid); i >= 0 {
			added = slices.Delete(added, i, i+1)
		} else {
			deleted = append(deleted, c.uid)
		}
	}
	return added, deleted, fmt.Sprintf("s%d", f.seq), nil
}

func (f *feedMail) MessagesByUID(ctx context.Context, mailbox, folderID string, uids []string) ([]remote.Message, error) {
	f.byUID.Add(1)
	list, err := f.fakeMail.Messages(ctx, mailbox, folderID)
	return slices.DeleteFunc(list, func(m remote.Message) bool { return !slices.Contains(uids, m.UID) }), err
}

func newFeedMail(t *testing.T, f *feedMail, o Options) *Mail {
	t.Helper()
	m := NewMail(f, o)
	t.Cleanup(func() { m.Close() })
	return m
}

func uidsOf(list []remote.Message) []string {
	var out []string
	for _, m := range list {
		out = append(out, m.UID)
	}
	slices.Sort(out)
	return out
}

// A poll round patches the cached listing from the delta (one activities
// request, one metadata request for what was added), reports the change,
// and an expired signature costs one fresh listing.
func TestMailPollAppliesChanges(t *testing.T) {
	ctx := context.Background()
	f := &feedMail{fakeMail: newFakeMail(3)}
	m := newFeedMail(t, f, Options{MailPoll: -1}) // rounds run by hand
	var changes []MailChange
	m.Subscribe(func(c MailChange) { changes = append(changes, c) })
	if _, err := m.Mailboxes(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := m.Messages(ctx, "mb", "inbox"); err != nil {
		t.Fatal(err)
	}
	m.pollOnce(ctx)
	if len(changes) != 0 || f.activities.Load() != 1 || f.listings.Load() != 1 {
		t.Fatalf("idle round: %d changes, %d activities, %d listings; want 0, 1, 1", len(changes), f.activities.Load(), f.listings.Load())
	}

	f.add("4", "hello")
	f.remove("2")
	m.pollOnce(ctx)
	if len(changes) != 1 || len(changes[0].Added) != 1 || changes[0].Added[0].UID != "4" ||
		!slices.Equal(uidsOf(changes[0].Removed), []string{"2"}) || changes[0].FolderID != "inbox" {
		t.Fatalf("changes %+v, want 4 added and 2 removed in inbox", changes)
	}
	list, _ := m.Messages(ctx, "mb", "inbox")
	if got := uidsOf(list); !slices.Equal(got, []string{"1", "3", "4"}) {
		t.Errorf("listing after the round: %v, want [1 3 4]", got)
	}
	if n := f.listings.Load(); n != 1 {
		t.Errorf("%d listings, want 1: a delta patches the cached one", n)
	}
	if n := f.byUID.Load(); n != 1 {
		t.Errorf("%d metadata requests for one added message, want 1", n)
	}

	f.mu.Lock()
	f.expired = true
	f.mu.Unlock()
	f.remove("1")
	m.pollOnce(ctx)
	if n := f.listings.Load(); n != 2 {
		t.Errorf("expired signature: %d listings in all, want 2 (one fresh listing)", n)
	}
	if len(changes) != 2 || !slices.Equal(uidsOf(changes[1].Removed), []string{"1"}) {
		t.Errorf("after the fresh listing: changes %+v, want 1 removed", changes[1:])
	}
	f.mu.Lock()
	f.expired = false
	f.mu.Unlock()
	m.pollOnce(ctx)
	if n := f.listings.Load(); n != 2 || len(changes) != 2 {
		t.Errorf("after recovery: %d listings, %d changes; want 2, 2", n, len(changes))
	}
}

// Only folders used in the last MailActive are polled, with each INBOX
// once listed; a transient error skips a round without a relisting.
func TestMailPollTargets(t *testing.T) {
	ctx := context.Background()
	f := &feedMail{fakeMail: newFakeMail(2)}
	now := time.Unix(1e9, 0)
	var mu sync.Mutex
	clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	later := func() {
		mu.Lock()
		now = now.Add(2 * time.Minute)
		mu.Unlock()
	}
	m := newFeedMail(t, f, Options{MailPoll: -1, MailActive: time.Minute, Now: clock})
	if _, err := m.Mailboxes(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := m.Folders(ctx, "mb"); err != nil {
		t.Fatal(err)
	}
	m.touch(folderKey{"mb", "other"})
	if got := m.pollTargets(); len(got) != 1 || got[0] != (folderKey{"mb", "other"}) {
		t.Fatalf("targets %v, want the used folder only (INBOX never listed)", got)
	}
	if _, err := m.Messages(ctx, "mb", "inbox"); err != nil {
		t.Fatal(err)
	}
	later()
	if got := m.pollTargets(); len(got) != 1 || got[0] != (folderKey{"mb", "inbox"}) {
		t.Fatalf("targets %v, want INBOX only once the other is idle", got)
	}
	later()
	if got := m.pollTargets(); len(got) != 1 {
		t.Fatalf("targets %v, want INBOX polled however idle", got)
	}
	f.fail = func(op string) error { return remote.ErrUnavailable }
	acts := f.activities.Load()
	m.pollOnce(ctx)
	f.fail = nil
	if f.activities.Load() == acts {
		t.Error("no activities asked")
	}
	if n := f.listings.Load(); n != 1 {
		t.Errorf("%d listings, want 1: a failed round does not list again", n)
	}
}

// Close stops a running poller and waits for it.
func TestMailPollerStops(t *testing.T) {
	f := &feedMail{fakeMail: newFakeMail(1)}
	m := NewMail(f, Options{MailPoll: time.Millisecond})
	if _, err := m.Messages(context.Background(), "mb", "inbox"); err != nil {
		t.Fatal(err)
	}
	eventually(t, "a poll round", func() bool { return f.activities.Load() > 0 })
	m.Close()
	n := f.activities.Load()
	time.Sleep(20 * time.Millisecond)
	if f.activities.Load() != n {
		t.Error("the poller still runs after Close")
	}
}

// The folder tree is read again every MailFolderPoll; folders that came
// and went are reported, and a gone folder is no longer polled.
func TestMailPollFolderTree(t *testing.T) {
	ctx := context.Background()
	f := &feedMail{fakeMail: newFakeMail(1)}
	inbox := remote.Folder{ID: "inbox", Path: "INBOX", Name: "INBOX", Role: "INBOX"}
	old := remote.Folder{ID: "old", Path: "Old", Name: "Old"}
	f.tree = []remote.Folder{inbox, old}
	m := newFeedMail(t, f, Options{MailPoll: -1, MailFolderPoll: time.Nanosecond})
	var changes []MailChange
	m.Subscribe(func(c MailChange) { changes = append(changes, c) })
	if _, err := m.Mailboxes(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := m.Folders(ctx, "mb"); err != nil {
		t.Fatal(err)
	}
	m.touch(folderKey{"mb", "old"})
	m.pollOnce(ctx)
	if len(changes) != 0 {
		t.Fatalf("unchanged tree reported %+v", changes)
	}
	added := remote.Folder{ID: "new", Path: "New", Name: "New"}
	f.mu.Lock()
	f.tree = []remote.Folder{inbox, added}
	f.mu.Unlock()
	m.pollOnce(ctx)
	if len(changes) != 1 || !changes[0].Folders || len(changes[0].AddedFolders) != 1 || changes[0].AddedFolders[0].ID != "new" ||
		len(changes[0].RemovedFolders) != 1 || changes[0].RemovedFolders[0].ID != "old" {
		t.Fatalf("changes %+v, want New added and Old removed", changes)
	}
	if got, _ := m.Folders(ctx, "mb"); len(got) != 2 || got[1].ID != "new" {
		t.Errorf("cached tree %+v, want the new one", got)
	}
	for _, k := range m.pollTargets() {
		if k.folder == "old" {
			t.Error("a removed folder is still polled")
		}
	}
}
