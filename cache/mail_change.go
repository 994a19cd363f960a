package cache

import (
	"context"
	"sync"
	"time"

	"github.com/infomaniakfs/infomaniakfs/remote"
)

// MailFeed is a mail source that can follow a folder's changes (mail
// reference §5.1, §8); remote/mail.Client implements it. A Mail over a
// source that does not is never polled: its listings live for their TTL.
type MailFeed interface {
	// Listing lists a folder's messages with the signature of that state.
	Listing(ctx context.Context, mailbox, folderID string) ([]remote.Message, string, error)
	// Activities returns the UIDs added and deleted since signature, and
	// the signature of the new state; held are the UIDs the caller holds.
	// An error that is not transient (expired signature) calls for a new
	// Listing; remote.ErrNotFound means the folder is gone.
	Activities(ctx context.Context, mailbox, folderID, signature string, held []string) (added, deleted []string, next string, err error)
	// MessagesByUID fetches the listing view of the given messages.
	MessagesByUID(ctx context.Context, mailbox, folderID string, uids []string) ([]remote.Message, error)
}

// MailChange is a change the mail poller found, reported once the cache
// holds it (a listing asked for after the report shows the change).
type MailChange struct {
	Mailbox string // mailbox uuid
	// FolderID is the folder whose messages changed (Added, Removed).
	FolderID string
	Added    []remote.Message // new in the folder
	Removed  []remote.Message // gone from the folder (deleted or moved away), as last listed
	// Folders is set when the mailbox's folder tree changed; FolderID is
	// then "" and AddedFolders, RemovedFolders say how.
	Folders                      bool
	AddedFolders, RemovedFolders []remote.Folder
}

// folderWatch is what the poller keeps of a folder it follows: the listing
// its signature describes, when a user last listed or opened it, and when
// it was last asked for changes or listed afresh.
type folderWatch struct {
	list   []remote.Message // shared with the listing cache: never modified
	sig    string
	used   time.Time
	polled time.Time
}

// mailPoller is the state of Mail's poller. The loop runs once a folder
// or the mailboxes are listed; Close stops it and waits for it.
type mailPoller struct {
	feed MailFeed // nil: the source cannot be followed

	mu       sync.Mutex
	watches  map[folderKey]*folderWatch
	subs     map[int]func(MailChange)
	nextSub  int
	started  bool
	closed   bool
	cancel   context.CancelFunc
	done     chan struct{}
	lastTree time.Time
}

// SubscribeMailChanges calls fn with every change the poller finds, one at a time, on
// the poller's goroutine, with no lock of the cache held: fn may call the
// cache but must not block for long. The returned func unsubscribes.
func (m *Mail) SubscribeMailChanges(fn func(MailChange)) (cancel func()) {
	p := &m.poll
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.subs == nil {
		p.subs = make(map[int]func(MailChange))
	}
	id := p.nextSub
	p.nextSub++
	p.subs[id] = fn
	return func() {
		p.mu.Lock()
		delete(p.subs, id)
		p.mu.Unlock()
	}
}

func (m *Mail) emit(c MailChange) {
	p := &m.poll
	p.mu.Lock()
	subs := make([]func(MailChange), 0, len(p.subs))
	for _, fn := range p.subs {
		subs = append(subs, fn)
	}
	p.mu.Unlock()
	for _, fn := range subs {
		fn(c)
	}
}

// touch records that a user listed or opened folder f: it is polled for
// the next MailActive. It starts the poller.
func (m *Mail) touch(f folderKey) {
	p := &m.poll
	if p.feed == nil {
		return
	}
	p.mu.Lock()
	w := p.watch(f)
	w.used = m.o.Now()
	p.mu.Unlock()
	m.startPolling()
}

// watch returns f's state, made if needed; p.mu is held.
func (p *mailPoller) watch(f folderKey) *folderWatch {
	if p.watches == nil {
		p.watches = make(map[folderKey]*folderWatch)
	}
	w, ok := p.watches[f]
	if !ok {
		w = &folderWatch{}
		p.watches[f] = w
	}
	return w
}

// state returns the listing and signature the poller holds for f.
func (p *mailPoller) state(f folderKey) ([]remote.Message, string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if w, ok := p.watches[f]; ok {
		return w.list, w.sig
	}
	return nil, ""
}

// listed records a listing of f, fresh at now, and the signature of its
// state.
func (p *mailPoller) listed(f folderKey, list []remote.Message, sig string, now time.Time) {
	p.mu.Lock()
	defer p.mu.Unlock()
	w := p.watch(f)
	w.list, w.sig, w.polled = list, sig, now
}

// asked records that a round asks f for changes at now, whatever the
// answer: a folder that keeps failing takes its turn like the others.
func (p *mailPoller) asked(f folderKey, now time.Time) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if w, ok := p.watches[f]; ok {
		w.polled = now
	}
}

func (p *mailPoller) drop(f folderKey) {
	p.mu.Lock()
	defer p.mu.Unlock()
	delete(p.watches, f)
}

// startPolling starts the poll loop once, unless polling is off or the
// Mail is closed.
func (m *Mail) startPolling() {
	p := &m.poll
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.started || p.closed || p.feed == nil || m.o.MailPoll <= 0 {
		return
	}
	p.started = true
	p.lastTree = m.o.Now()
	ctx, cancel := context.WithCancel(context.Background())
	p.cancel, p.done = cancel, make(chan struct{})
	go m.pollLoop(ctx, p.done)
}

// stopPolling stops the poll loop and waits for it.
func (m *Mail) stopPolling() {
	p := &m.poll
	p.mu.Lock()
	p.closed = true
	cancel, done := p.cancel, p.done
	p.mu.Unlock()
	if cancel != nil {
		cancel()
		<-done
	}
}

func (m *Mail) pollLoop(ctx context.Context, done chan struct{}) {
	defer close(done)
	t := time.NewTicker(m.o.MailPoll)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			m.pollOnce(ctx)
		}
	}
}
