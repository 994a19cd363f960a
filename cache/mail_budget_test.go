package cache

import (
	"context"
	"fmt"
	"io"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/infomaniakfs/infomaniakfs/remote"
	"github.com/spf13/pflag"
)

func TestChoosePoll(t *testing.T) {
	t0 := time.Unix(1e9, 0)
	at := func(s int) time.Time { return t0.Add(time.Duration(s) * time.Second) }
	inbox := func(mb string) pollCandidate {
		return pollCandidate{key: folderKey{mb, "inbox"}, inbox: true, used: at(0), polled: at(90)}
	}
	// other is a folder used at used and last polled at polled.
	other := func(name string, used, polled int) pollCandidate {
		return pollCandidate{key: folderKey{"a", name}, used: at(used), polled: at(polled)}
	}
	k := func(names ...string) []folderKey {
		var out []folderKey
		for _, n := range names {
			mb, f, _ := strings.Cut(n, "/")
			out = append(out, folderKey{mb, f})
		}
		return out
	}
	tests := []struct {
		name   string
		cands  []pollCandidate
		others int
		want   []folderKey
	}{
		{"nothing", nil, 1, nil},
		{"every INBOX whatever the budget", []pollCandidate{inbox("b"), inbox("a"), inbox("c")}, 0,
			k("a/inbox", "b/inbox", "c/inbox")},
		{"INBOXes first, then the least recently polled",
			[]pollCandidate{other("sent", 0, 60), other("trash", 0, 30), inbox("a"), other("drafts", 0, 45)}, 1,
			k("a/inbox", "a/trash")},
		{"two others", []pollCandidate{other("sent", 0, 60), other("trash", 0, 30), other("drafts", 0, 45)}, 2,
			k("a/trash", "a/drafts")},
		{"budget above the folders in use", []pollCandidate{other("sent", 0, 60)}, 5, k("a/sent")},
		{"negative budget: INBOXes only", []pollCandidate{inbox("a"), other("sent", 0, 60)}, -1, k("a/inbox")},
		{"looked at since its last poll goes first",
			[]pollCandidate{other("trash", 0, 30), other("sent", 100, 60)}, 1, k("a/sent")},
		{"of two looked at, the least recently polled",
			[]pollCandidate{other("sent", 100, 60), other("trash", 100, 50), other("old", 0, 10)}, 1, k("a/trash")},
		{"polled at once: the most recently used first",
			[]pollCandidate{other("sent", 10, 60), other("trash", 20, 60)}, 1, k("a/trash")},
		{"all equal: by key",
			[]pollCandidate{other("x", 10, 60), other("b", 10, 60), other("m", 10, 60)}, 2, k("a/b", "a/m")},
		{"never polled (zero time) before polled ones",
			[]pollCandidate{other("sent", 0, 60), {key: folderKey{"a", "new"}}}, 1, k("a/new")},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := choosePoll(slices.Clone(tc.cands), tc.others); !slices.Equal(got, tc.want) {
				t.Errorf("choosePoll = %v, want %v", got, tc.want)
			}
		})
	}
}

// manyFeed is an idle account of mailboxes "mb0".."mbN" with folders
// INBOX and "f1".."fK" each, holding one message, counting the requests
// per folder.
type manyFeed struct {
	boxes, folders int
	mu             sync.Mutex
	asked          map[folderKey]int // activities and listings
	total          int
}

func (f *manyFeed) count(mb, folder string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.asked == nil {
		f.asked = map[folderKey]int{}
	}
	f.asked[folderKey{mb, folder}]++
	f.total++
}

func (f *manyFeed) requests() (int, map[folderKey]int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	n, m := f.total, f.asked
	f.total, f.asked = 0, nil
	return n, m
}

func (f *manyFeed) Mailboxes(context.Context) ([]remote.Mailbox, error) {
	var out []remote.Mailbox
	for i := range f.boxes {
		out = append(out, remote.Mailbox{UUID: fmt.Sprint("mb", i)})
	}
	return out, nil
}

func (f *manyFeed) Folders(context.Context, string) ([]remote.Folder, error) {
	out := []remote.Folder{{ID: "inbox", Path: "INBOX", Name: "INBOX", Role: "INBOX"}}
	for i := 1; i <= f.folders; i++ {
		out = append(out, remote.Folder{ID: fmt.Sprint("f", i), Path: fmt.Sprint("F", i), Name: fmt.Sprint("F", i)})
	}
	return out, nil
}

func (f *manyFeed) Messages(ctx context.Context, mb, folder string) ([]remote.Message, error) {
	list, _, err := f.Listing(ctx, mb, folder)
	return list, err
}

func (f *manyFeed) Raw(context.Context, string, string, string) ([]byte, error) {
	return nil, remote.ErrNotFound
}

func (f *manyFeed) Listing(_ context.Context, mb, folder string) ([]remote.Message, string, error) {
	f.count(mb, folder)
	return []remote.Message{{UID: "1", FolderID: folder}}, "s", nil
}

func (f *manyFeed) Activities(_ context.Context, mb, folder, _ string, _ []string) ([]string, []string, string, error) {
	f.count(mb, folder)
	return nil, nil, "s", nil
}

func (f *manyFeed) MessagesByUID(context.Context, string, string, []string) ([]remote.Message, error) {
	return nil, nil
}

// After every folder of two mailboxes was listed (ls -lR), an idle round
// costs one request per INBOX plus MailPollFolders, however many folders
// there are; the others take turns, so each is asked within
// ⌈others/MailPollFolders⌉ rounds; a folder listed again is asked the
// next round; one that waits past DirCacheTime is listed afresh when a
// user lists it.
func TestMailPollBudgetRounds(t *testing.T) {
	ctx := context.Background()
	const boxes, folders, round = 2, 5, 30 * time.Second
	for _, per := range []int{1, 3} {
		t.Run(fmt.Sprint(per, " a round"), func(t *testing.T) {
			f := &manyFeed{boxes: boxes, folders: folders}
			now := time.Unix(1e9, 0)
			var mu sync.Mutex
			clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
			tick := func() { mu.Lock(); now = now.Add(round); mu.Unlock() }
			m := NewMail(f, Options{MailPoll: -1, MailPollFolders: per, Now: clock})
			t.Cleanup(func() { m.Close() })
			listAll(t, m)
			f.requests()

			others := boxes * folders
			rounds := (others + per - 1) / per
			most := (rounds*per + others - 1) / others
			seen := map[folderKey]int{}
			for range rounds {
				tick()
				m.pollOnce(ctx)
				n, asked := f.requests()
				if want := boxes + min(per, others); n != want {
					t.Fatalf("an idle round cost %d requests, want %d (each INBOX and %d more): %v", n, want, per, asked)
				}
				for k, c := range asked {
					seen[k] += c
				}
			}
			for b := range boxes {
				mb := fmt.Sprint("mb", b)
				if seen[folderKey{mb, "inbox"}] != rounds {
					t.Errorf("%s INBOX asked %d times in %d rounds, want every round", mb, seen[folderKey{mb, "inbox"}], rounds)
				}
				for i := 1; i <= folders; i++ {
					if k := (folderKey{mb, fmt.Sprint("f", i)}); seen[k] < 1 || seen[k] > most {
						t.Errorf("%v asked %d times in %d rounds, want 1 to %d (taking turns)", k, seen[k], rounds, most)
					}
				}
			}

			// A folder a user lists again (inside its TTL) goes first.
			tick()
			if _, err := m.Messages(ctx, "mb1", "f3"); err != nil {
				t.Fatal(err)
			}
			if n, _ := f.requests(); n != 0 {
				t.Fatalf("a listing inside the TTL cost %d requests", n)
			}
			tick()
			m.pollOnce(ctx)
			if _, asked := f.requests(); asked[folderKey{"mb1", "f3"}] != 1 {
				t.Errorf("a folder listed again was not asked the next round: %v", asked)
			}

			// No round for longer than DirCacheTime: a listing asks again.
			for range DefaultDirCacheTime/round + 1 {
				tick()
			}
			if _, err := m.Messages(ctx, "mb0", "f2"); err != nil {
				t.Fatal(err)
			}
			if n, asked := f.requests(); n != 1 || asked[folderKey{"mb0", "f2"}] != 1 {
				t.Errorf("listing a folder unpolled past its TTL cost %v, want one listing of it", asked)
			}
		})
	}
}

// listAll lists every folder of every mailbox, as ls -lR does.
func listAll(t *testing.T, m *Mail) {
	t.Helper()
	ctx := context.Background()
	boxes, err := m.Mailboxes(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, mb := range boxes {
		folders, err := m.Folders(ctx, mb.UUID)
		if err != nil {
			t.Fatal(err)
		}
		for _, fo := range folders {
			if _, err := m.Messages(ctx, mb.UUID, fo.ID); err != nil {
				t.Fatal(err)
			}
		}
	}
}

// --mail-poll-folders: 0 is a real value (INBOXes only), a negative count
// is rejected, and the default is DefaultMailPollFolders.
func TestMailPollFoldersFlag(t *testing.T) {
	tests := []struct {
		args []string
		want int
		ok   bool
	}{
		{nil, DefaultMailPollFolders, true},
		{[]string{"--mail-poll-folders", "3"}, 3, true},
		{[]string{"--mail-poll-folders=0"}, -1, true},
		{[]string{"--mail-poll-folders", "-1"}, 0, false},
		{[]string{"--mail-poll-folders", "some"}, 0, false},
	}
	for _, tc := range tests {
		var o Options
		fs := pflag.NewFlagSet("t", pflag.ContinueOnError)
		fs.SetOutput(io.Discard)
		o.AddFlags(fs)
		err := fs.Parse(tc.args)
		if (err == nil) != tc.ok || err == nil && o.MailPollFolders != tc.want {
			t.Errorf("%v: %d, %v; want %d, ok=%v", tc.args, o.MailPollFolders, err, tc.want, tc.ok)
		}
		if err == nil && tc.want < 0 && o.withDefaults().MailPollFolders != tc.want {
			t.Errorf("%v: withDefaults turned 0 into %d", tc.args, o.withDefaults().MailPollFolders)
		}
	}
}
