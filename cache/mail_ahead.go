package cache

import (
	"context"
	"sync"
	"time"
)

// Learning an exact size costs a download, and `ls -l` asks for the sizes
// of a folder one lstat at a time: serially, a 1,000-message folder would
// take 1,000 round trips. Once a folder shows a scan (a second unknown size
// asked within scanWindow), the sizes of its neighbours in the listing are
// learned ahead, in parallel under the same bound, so the scan finds them
// ready. A single stat never triggers this: requests are scarce.
const (
	scanWindow = 5 * time.Second
	sizeAhead  = 32 // messages learned ahead on each side of a miss
)

type sizeScans struct {
	mu   sync.Mutex
	last map[folderKey]time.Time // last unknown-size request per folder
}

// scanning records a miss in folder f and reports whether it continues a
// scan of that folder.
func (s *sizeScans) scanning(f folderKey, now time.Time) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.last == nil {
		s.last = make(map[folderKey]time.Time)
	}
	prev, ok := s.last[f]
	s.last[f] = now
	if len(s.last) > 1024 { // forget old folders; a scan is recent by nature
		for k, t := range s.last {
			if now.Sub(t) > scanWindow {
				delete(s.last, k)
			}
		}
	}
	return ok && now.Sub(prev) <= scanWindow
}

// learnAhead starts learning the sizes of the messages around k in the
// folder's cached listing (none if the listing is not cached).
func (m *Mail) learnAhead(k msgKey) {
	f := folderKey{k.mailbox, k.folder}
	if !m.scans.scanning(f, m.o.Now()) {
		return
	}
	list, ok := m.messages.peek(f)
	if !ok {
		return
	}
	at := -1
	for i := range list {
		if list[i].UID == k.uid {
			at = i
			break
		}
	}
	if at < 0 {
		return
	}
	for i := max(0, at-sizeAhead); i < min(len(list), at+sizeAhead+1); i++ {
		n := msgKey{k.mailbox, k.folder, list[i].UID}
		if _, known := m.knownSize(n); known || i == at {
			continue
		}
		m.gen.goLoad(func(closing context.Context) {
			// Detached: the scan that asked goes on without waiting, and one
			// caller giving up must not stop what the next stat will need.
			// Close stops it.
			ctx, cancel := context.WithTimeout(closing, m.o.FetchTimeout)
			defer cancel()
			_, _ = m.message(ctx, n, true)
		})
	}
}
