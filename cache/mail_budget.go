package cache

import (
	"cmp"
	"fmt"
	"slices"
	"strconv"
	"time"
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
