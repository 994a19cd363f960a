package cache

import (
	"context"
	"slices"
	"sync"
	"testing"
	"time"
)

// A listing past its TTL of a folder whose signature is held costs one
// activities request (plus one metadata request for what was added), not
// a full listing; an expired signature costs the full listing.
func TestMailRevalidateByDelta(t *testing.T) {
	ctx := context.Background()
	f := &feedMail{fakeMail: newFakeMail(3)}
	now := time.Unix(1e9, 0)
	var mu sync.Mutex
	clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	expire := func() { mu.Lock(); now = now.Add(DefaultDirCacheTime + time.Second); mu.Unlock() }
	m := newFeedMail(t, f, Options{MailPoll: -1, Now: clock})
	if _, err := m.Messages(ctx, "mb", "inbox"); err != nil {
		t.Fatal(err)
	}
	expire()
	if _, err := m.Messages(ctx, "mb", "inbox"); err != nil {
		t.Fatal(err)
	}
	if l, a, b := f.listings.Load(), f.activities.Load(), f.byUID.Load(); l != 1 || a != 1 || b != 0 {
		t.Errorf("unchanged folder past its TTL: %d listings, %d activities, %d metadata; want 1, 1, 0", l, a, b)
	}

	f.add("4", "hello")
	f.remove("1")
	expire()
	list, err := m.Messages(ctx, "mb", "inbox")
	if err != nil {
		t.Fatal(err)
	}
	if got := uidsOf(list); !slices.Equal(got, []string{"2", "3", "4"}) {
		t.Errorf("changed folder past its TTL lists %v, want [2 3 4]", got)
	}
	if l, a, b := f.listings.Load(), f.activities.Load(), f.byUID.Load(); l != 1 || a != 2 || b != 1 {
		t.Errorf("changed folder past its TTL: %d listings, %d activities, %d metadata; want 1, 2, 1", l, a, b)
	}

	f.mu.Lock()
	f.expired = true
	f.mu.Unlock()
	f.remove("2")
	expire()
	if list, err = m.Messages(ctx, "mb", "inbox"); err != nil {
		t.Fatal(err)
	}
	if got := uidsOf(list); !slices.Equal(got, []string{"3", "4"}) || f.listings.Load() != 2 {
		t.Errorf("expired signature: lists %v after %d listings, want [3 4] after 2", got, f.listings.Load())
	}
}
