package cache

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strconv"
	"time"

	"github.com/infomaniakfs/infomaniakfs/remote"
)

// The poll budget: one round asks every INBOX (new mail is what users wait
// for) and at most MailPollFolders of the other folders in use, so an idle
// mount costs (INBOXes + MailPollFolders) requests a MailPoll whatever the
// number of folders a `ls -lR` touched. The others take turns; a folder
// that waits for its turn is still revalidated when a user lists it past
// DirCacheTime, since only a poll or a listing renews its TTL.

// pollCandidate is what the choice of a round knows of one folder in use.
type pollCandidate struct {
	key    folderKey
	inbox  bool      // polled every round
	used   time.Time // last listed or opened by a user
	polled time.Time // last asked for changes, or listed afresh
}

// choosePoll returns the folders one round asks for changes: every INBOX,
// then up to others of the rest, in this order: those a user listed or
// opened since their last poll (someone is looking at them), then the
// least recently polled (taking turns), the most recently used first on a
// tie. Deterministic: equal candidates go by key.
func choosePoll(cands []pollCandidate, others int) []folderKey {
	var out []folderKey
	var rest []pollCandidate
	for _, c := range cands {
		if c.inbox {
			out = append(out, c.key)
		} else {
			rest = append(rest, c)
		}
	}
	slices.SortFunc(out, cmpKey)
	slices.SortFunc(rest, func(a, b pollCandidate) int {
		aLooked, bLooked := a.used.After(a.polled), b.used.After(b.polled)
		switch {
		case aLooked != bLooked:
			if aLooked {
				return -1
			}
			return 1
		case !a.polled.Equal(b.polled):
			return a.polled.Compare(b.polled)
		case !a.used.Equal(b.used):
			return b.used.Compare(a.used)
		}
		return cmpKey(a.key, b.key)
	})
	for _, c := range rest[:min(len(rest), max(others, 0))] {
		out = append(out, c.key)
	}
	return out
}

func cmpKey(a, b folderKey) int {
	return cmp.Or(cmp.Compare(a.mailbox, b.mailbox), cmp.Compare(a.folder, b.folder))
}

// countFlag is a count flag whose 0 means "none", kept as a negative value
// since Options' zero means "default".
type countFlag int

func (c *countFlag) String() string { return strconv.Itoa(max(0, int(*c))) }
func (c *countFlag) Type() string   { return "int" }

func (c *countFlag) Set(s string) error {
	v, err := strconv.Atoi(s)
	if err != nil || v < 0 {
		return fmt.Errorf("invalid count %q (want e.g. 1, 0)", s)
	}
	if v == 0 {
		v = -1
	}
	*c = countFlag(v)
	return nil
}

// revalidate lists f for the listing cache when its entry expired (or was
// never there). A folder whose signature the poller holds costs one
// activities request when unchanged, whatever its size (mail reference
// §8, §9), instead of a full listing: a folder waiting for its poll turn
// is cheap to list again. Any failure of the delta falls back to a full
// listing, which reports the error if it fails too. The change is not
// reported to subscribers: the caller is listing the folder anyway.
func (m *Mail) revalidate(ctx context.Context, f folderKey) ([]remote.Message, error) {
	if list, sig := m.poll.state(f); sig != "" {
		held := make([]string, len(list))
		for i, msg := range list {
			held[i] = msg.UID
		}
		added, deleted, next, err := m.poll.feed.Activities(ctx, f.mailbox, f.folder, sig, held)
		if err == nil && len(added) <= maxDelta && len(deleted) <= maxDelta {
			if _, _, patched, err := m.patch(ctx, f, list, added, deleted); err == nil {
				m.sizes.listed(f, patched)
				m.poll.listed(f, patched, next, m.o.Now())
				return patched, nil
			}
		}
	}
	list, sig, err := m.poll.feed.Listing(ctx, f.mailbox, f.folder)
	if err == nil {
		m.sizes.listed(f, list)
		m.poll.listed(f, list, sig, m.o.Now())
	}
	return list, err
}
