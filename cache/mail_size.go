package cache

import (
	"context"
	"sync"

	"github.com/infomaniakfs/infomaniakfs/remote"
)

// A message's size comes from its folder's listing (IMAP RFC822.SIZE,
// exact on the real service as far as the sources say) until a download
// tells the truth. By default stat reports the listed size, so listing a
// folder of N messages costs 1 + ⌈N/200⌉ requests and no download; a read
// is exact whatever the listing said (fs learns the exact size when a
// message is opened and tells the kernel). With Options.ExactMailSizes,
// stat waits for the exact size (a download per message, learned ahead
// for a folder scan: see mail_ahead.go).

// sizeBook holds what is known of message sizes: the exact ones learned
// from downloads (a uid's bytes never change, so they never go stale), the
// listed ones of each folder's last listing, and how many listings were
// wrong. Safe for concurrent use.
type sizeBook struct {
	mu         sync.RWMutex
	exact      map[msgKey]int64
	hints      map[folderKey]map[string]int64 // of the folder's last listing
	mismatches int64
}

// listed records the listed sizes of a folder's fresh listing.
func (b *sizeBook) listed(f folderKey, list []remote.Message) {
	h := make(map[string]int64, len(list))
	for _, m := range list {
		h[m.UID] = m.SizeHint
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.hints == nil {
		b.hints = make(map[folderKey]map[string]int64)
	}
	b.hints[f] = h
}

func (b *sizeBook) known(k msgKey) (int64, bool) {
	b.mu.RLock()
	defer b.mu.RUnlock()
	n, ok := b.exact[k]
	return n, ok
}

// learn records k's exact size n. It returns the listed size it
// contradicts, if this is the first time k's size is learned and the
// listing said otherwise.
func (b *sizeBook) learn(k msgKey, n int64) (listed int64, wrong bool) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.exact == nil {
		b.exact = make(map[msgKey]int64)
	}
	if _, seen := b.exact[k]; seen {
		return 0, false
	}
	b.exact[k] = n
	hint, ok := b.hints[folderKey{k.mailbox, k.folder}][k.uid]
	if !ok || hint == n {
		return 0, false
	}
	b.mismatches++
	return hint, true
}

// learned records the exact size of k, found by a download or on disk,
// and logs the first time a listed size turns out wrong.
func (m *Mail) learned(k msgKey, n int64) {
	if listed, wrong := m.sizes.learn(k, n); wrong {
		m.o.Logger.Info("mail: a message's listed size was wrong; corrected from its download",
			"mailbox", k.mailbox, "folder", k.folder, "uid", k.uid, "listed", listed, "exact", n)
	}
}

// SizeMismatches counts the messages whose download found a length other
// than their listed size (for status and metrics).
func (m *Mail) SizeMismatches() int64 {
	m.sizes.mu.RLock()
	defer m.sizes.mu.RUnlock()
	return m.sizes.mismatches
}

// ExactSizes reports whether stat must wait for a message's exact size
// (Options.ExactMailSizes) rather than report its listed one.
func (m *Mail) ExactSizes() bool { return m.o.ExactMailSizes }

// Size returns the exact byte length of a message, downloading it once if
// it is not known yet (the bytes stay in the cache for the read that
// usually follows). With ExactMailSizes, at most MailSizeConcurrency such
// downloads run at once.
func (m *Mail) Size(ctx context.Context, mailbox, folderID, uid string) (int64, error) {
	k := msgKey{mailbox, folderID, uid}
	m.touch(folderKey{mailbox, folderID}) // an open: the folder is in use
	if n, ok := m.knownSize(k); ok {
		return n, nil
	}
	if m.o.ExactMailSizes {
		m.learnAhead(k)
	}
	// Only stat storms share the bound; an open (the default mode's only
	// caller) is a read, which never waits on it.
	data, err := m.message(ctx, k, m.o.ExactMailSizes)
	if err != nil {
		return 0, err
	}
	return int64(len(data)), nil
}

// KnownSize returns the exact size of a message if it is known without a
// request: downloaded before, or in the disk cache (its header only is
// read).
func (m *Mail) KnownSize(mailbox, folderID, uid string) (int64, bool) {
	return m.knownSize(msgKey{mailbox, folderID, uid})
}

func (m *Mail) knownSize(k msgKey) (int64, bool) {
	if n, ok := m.sizes.known(k); ok {
		return n, true
	}
	ident, ok := m.knownIdentity(k)
	if !ok {
		return 0, false
	}
	n, ok := m.o.Disk.messageLen(k, ident)
	if ok {
		m.learned(k, n)
	}
	return n, ok
}
