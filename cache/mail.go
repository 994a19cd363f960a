package cache

import (
	"bytes"
	"context"
	"fmt"
	"hash/maphash"
	"io"
	"slices"

	"github.com/infomaniakfs/infomaniakfs/remote"
)

// mailChunkGuess sizes ristretto's counters: a typical message.
const mailChunkGuess = 64 << 10

// Mail is a remote.Mail that caches mailboxes, folders and message
// listings (TTL, singleflight), caches downloaded messages under the byte
// budget, and knows the exact size of every message it has downloaded
// (and counts those whose listed size was wrong). A
// (mailbox, folder, uid) never changes content, so neither its bytes nor
// its size ever go stale. Safe for concurrent use.
type Mail struct {
	inner remote.Mail
	o     Options
	gen   generation

	mailboxes *meta[struct{}, []remote.Mailbox]
	folders   *meta[string, []remote.Folder]
	messages  *meta[folderKey, []remote.Message]

	raw     *content[msgKey]
	seed    maphash.Seed
	sizeSem chan struct{}

	sizes sizeBook
	scans sizeScans
	poll  mailPoller
}

type folderKey struct{ mailbox, folder string }

type msgKey struct{ mailbox, folder, uid string }

var _ remote.Mail = (*Mail)(nil)

// NewMail wraps inner. Call Close when done with it.
func NewMail(inner remote.Mail, o Options) *Mail {
	o = o.withDefaults()
	m := &Mail{
		inner:   inner,
		o:       o,
		seed:    maphash.MakeSeed(),
		sizeSem: make(chan struct{}, o.MailSizeConcurrency),
	}
	if feed, ok := inner.(MailFeed); ok {
		m.poll.feed = feed
	}
	m.mailboxes = newMeta[struct{}, []remote.Mailbox](o, &m.gen)
	m.folders = newMeta[string, []remote.Folder](o, &m.gen)
	m.messages = newMeta[folderKey, []remote.Message](o, &m.gen)
	budget, recent := o.CacheSize, o.CacheSize/4
	if o.CacheSize < 0 {
		budget, recent = 0, 8<<20
	}
	raw, err := newContent[msgKey](budget, recent, mailChunkGuess, o.FetchTimeout)
	if err != nil {
		o.Logger.Warn("message cache disabled", "err", err)
		raw, _ = newContent[msgKey](0, recent, mailChunkGuess, o.FetchTimeout)
	}
	m.raw = raw
	return m
}

// Mailboxes lists the account's mailboxes, cached. It starts the poller
// that follows each one's INBOX.
func (m *Mail) Mailboxes(ctx context.Context) ([]remote.Mailbox, error) {
	m.startPolling()
	v, err := m.mailboxes.get(ctx, struct{}{}, m.inner.Mailboxes)
	return slices.Clone(v), err
}

// Folders lists the folders of mailbox, cached.
func (m *Mail) Folders(ctx context.Context, mailbox string) ([]remote.Folder, error) {
	v, err := m.folders.get(ctx, mailbox, func(ctx context.Context) ([]remote.Folder, error) {
		return m.inner.Folders(ctx, mailbox)
	})
	return slices.Clone(v), err
}

// Messages lists the messages of a folder, cached. SizeHint stays the
// listing's size: KnownSize and Size give the exact one.
func (m *Mail) Messages(ctx context.Context, mailbox, folderID string) ([]remote.Message, error) {
	f := folderKey{mailbox, folderID}
	m.touch(f)
	v, err := m.messages.get(ctx, f, func(ctx context.Context) ([]remote.Message, error) {
		if m.poll.feed == nil {
			list, err := m.inner.Messages(ctx, mailbox, folderID)
			if err == nil {
				m.sizes.listed(f, list)
			}
			return list, err
		}
		return m.revalidate(ctx, f)
	})
	return slices.Clone(v), err
}

// Raw returns the bytes of one message, downloaded once and cached. The
// caller owns the returned slice.
func (m *Mail) Raw(ctx context.Context, mailbox, folderID, uid string) ([]byte, error) {
	data, err := m.message(ctx, msgKey{mailbox, folderID, uid}, false)
	return bytes.Clone(data), err
}

// ReadAt reads the bytes of one message at off into p, with io.ReaderAt
// semantics; the message is downloaded whole once and cached.
func (m *Mail) ReadAt(ctx context.Context, mailbox, folderID, uid string, p []byte, off int64) (int, error) {
	if off < 0 {
		return 0, fmt.Errorf("cache: read at negative offset %d", off)
	}
	if len(p) == 0 {
		return 0, nil
	}
	data, err := m.message(ctx, msgKey{mailbox, folderID, uid}, false)
	if err != nil {
		return 0, err
	}
	if off >= int64(len(data)) {
		return 0, io.EOF
	}
	n := copy(p, data[off:])
	if n < len(p) {
		return n, io.EOF
	}
	return n, nil
}

// message returns the cached bytes of k, downloading them once. sizing
// downloads (to learn a size) share a bound; reads do not wait on it.
func (m *Mail) message(ctx context.Context, k msgKey, sizing bool) ([]byte, error) {
	h := mix64(maphash.String(m.seed, k.mailbox))
	h = mix64(h ^ maphash.String(m.seed, k.folder))
	h = mix64(h ^ maphash.String(m.seed, k.uid))
	return m.raw.get(ctx, k, h, func(ctx context.Context) ([]byte, error) {
		if sizing {
			if err := acquire(ctx, m.sizeSem); err != nil {
				return nil, err
			}
			defer release(m.sizeSem)
		}
		// The disk is used only for a message whose identity the listing
		// gives: its bytes are stored under it, and found only under it.
		ident, known := "", false
		if m.o.Disk != nil {
			ident, known = m.identity(ctx, k)
		}
		data, ok := []byte(nil), false
		if known {
			data, ok = m.o.Disk.loadMessage(k, ident)
		}
		if !ok {
			var err error
			if data, err = m.inner.Raw(ctx, k.mailbox, k.folder, k.uid); err != nil {
				return nil, err
			}
			if known {
				m.o.Disk.storeMessage(k, ident, data)
			}
		}
		m.learned(k, int64(len(data)))
		return data, nil
	})
}

// Invalidate drops the cached message listing of a folder; with folderID
// "", the mailbox's folder list and all its message listings. Message
// bytes and sizes stay: they never change for a given uid.
func (m *Mail) Invalidate(mailbox, folderID string) {
	m.gen.bump()
	if folderID != "" {
		m.messages.del(folderKey{mailbox, folderID})
		return
	}
	m.folders.del(mailbox)
	m.messages.delIf(func(k folderKey) bool { return k.mailbox == mailbox })
}

// InvalidateAll drops every cached listing (mailboxes, folders, messages).
func (m *Mail) InvalidateAll() {
	m.gen.bump()
	m.mailboxes.clear()
	m.folders.clear()
	m.messages.clear()
}

// Close stops the poller and the loads and downloads under way, waits for
// them, and releases the message cache; the Mail must not be used
// afterwards.
func (m *Mail) Close() error {
	m.stopPolling()
	m.gen.close()
	m.raw.close()
	return nil
}
