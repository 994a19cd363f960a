package cache

import (
	"context"
	"errors"
	"slices"

	"github.com/infomaniakfs/infomaniakfs/remote"
)

// The poller follows the folders a user looks at (listed or opened in the
// last MailActive) and each mailbox's INBOX once listed: every MailPoll one
// activities request for each INBOX and for MailPollFolders of the others,
// taking turns (mail_budget.go; mail reference §8), which patches the cached listing
// (UIDs never change content, so added and deleted UIDs are the whole
// story) and keeps it fresh past its TTL. An expired signature, or more
// changes than the apps accept in one delta, costs one fresh listing. The
// folder trees of polled mailboxes are read again every MailFolderPoll.

// maxDelta is the most changes applied from one activities answer; the
// Android app resets a folder above it (mail reference §5.1(c)).
const maxDelta = 1500

// pollOnce runs one round: the folder trees if due, then every target.
func (m *Mail) pollOnce(ctx context.Context) {
	now := m.o.Now()
	m.poll.mu.Lock()
	treeDue := now.Sub(m.poll.lastTree) >= m.o.MailFolderPoll
	if treeDue {
		m.poll.lastTree = now
	}
	m.poll.mu.Unlock()
	if treeDue {
		m.pollTrees(ctx)
	}
	for _, f := range m.pollTargets() {
		if ctx.Err() != nil {
			return
		}
		m.poll.asked(f, m.o.Now())
		m.pollFolder(ctx, f)
	}
}

// pollTargets returns the folders to poll this round (choosePoll), and
// forgets those no longer in use. In use are the folders listed or opened
// in the last MailActive, and each mailbox's INBOX once listed (an INBOX
// never listed has nothing to keep fresh: its first listing is fresh).
func (m *Mail) pollTargets() []folderKey {
	inboxes := map[folderKey]bool{}
	boxes, _ := m.mailboxes.peek(struct{}{})
	for _, mb := range boxes {
		folders, _ := m.folders.peek(mb.UUID)
		for _, f := range folders {
			if f.Role == "INBOX" || f.Path == "INBOX" {
				inboxes[folderKey{mb.UUID, f.ID}] = true
			}
		}
	}
	now := m.o.Now()
	p := &m.poll
	p.mu.Lock()
	defer p.mu.Unlock()
	var cands []pollCandidate
	for f, w := range p.watches {
		if inboxes[f] && w.sig != "" || now.Sub(w.used) < m.o.MailActive {
			cands = append(cands, pollCandidate{key: f, inbox: inboxes[f], used: w.used, polled: w.polled})
		} else {
			delete(p.watches, f)
		}
	}
	return choosePoll(cands, m.o.MailPollFolders)
}

// transient errors skip a round: the next one asks again, as it would.
func transient(err error) bool {
	return errors.Is(err, remote.ErrUnavailable) || errors.Is(err, remote.ErrRateLimited) ||
		errors.Is(err, remote.ErrAuth) || errors.Is(err, remote.ErrPermission) ||
		errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded)
}

// pollFolder asks for f's changes since its signature and applies them.
func (m *Mail) pollFolder(ctx context.Context, f folderKey) {
	gen := m.gen.get()
	list, sig := m.poll.state(f)
	if sig == "" {
		m.relist(ctx, f, list, gen)
		return
	}
	held := make([]string, len(list))
	for i, msg := range list {
		held[i] = msg.UID
	}
	added, deleted, next, err := m.poll.feed.Activities(ctx, f.mailbox, f.folder, sig, held)
	switch {
	case err == nil && len(added) <= maxDelta && len(deleted) <= maxDelta:
		m.applyDelta(ctx, f, list, added, deleted, next, gen)
	case errors.Is(err, remote.ErrNotFound):
		m.folderGone(ctx, f)
	case err != nil && transient(err):
		m.o.Logger.Debug("mail: poll skipped", "folder", f.folder, "err", err)
	default: // an expired signature, or too much to patch
		m.o.Logger.Debug("mail: listing a folder again", "folder", f.folder, "err", err)
		m.relist(ctx, f, list, gen)
	}
}

// applyDelta patches list (of signature's state) into the state of next.
func (m *Mail) applyDelta(ctx context.Context, f folderKey, list []remote.Message, added, deleted []string, next string, gen uint64) {
	fresh, removed, patched, err := m.patch(ctx, f, list, added, deleted)
	if err != nil {
		// The signature stays: the next round asks for the same delta.
		m.o.Logger.Debug("mail: poll skipped", "folder", f.folder, "err", err)
		return
	}
	m.store(f, patched, next, gen)
	if len(fresh) > 0 || len(removed) > 0 {
		m.emit(MailChange{Mailbox: f.mailbox, FolderID: f.folder, Added: fresh, Removed: removed})
	}
}

// patch applies a delta to list: it fetches the listing view of the added
// UIDs not held, and returns them, the messages removed, and the patched
// listing, newest first as listed.
func (m *Mail) patch(ctx context.Context, f folderKey, list []remote.Message, added, deleted []string) (fresh, removed, patched []remote.Message, err error) {
	gone := make(map[string]bool, len(deleted))
	for _, uid := range deleted {
		gone[uid] = true
	}
	have := make(map[string]bool, len(list))
	kept := make([]remote.Message, 0, len(list))
	for _, msg := range list {
		if gone[msg.UID] {
			removed = append(removed, msg)
			continue
		}
		have[msg.UID] = true
		kept = append(kept, msg)
	}
	var want []string
	for _, uid := range added {
		if !have[uid] && !gone[uid] {
			want = append(want, uid)
		}
	}
	if len(want) > 0 {
		if fresh, err = m.poll.feed.MessagesByUID(ctx, f.mailbox, f.folder, want); err != nil {
			return nil, nil, nil, err
		}
	}
	return fresh, removed, append(slices.Clip(fresh), kept...), nil
}

// relist lists f afresh and reports how it differs from old.
func (m *Mail) relist(ctx context.Context, f folderKey, old []remote.Message, gen uint64) {
	list, sig, err := m.poll.feed.Listing(ctx, f.mailbox, f.folder)
	if errors.Is(err, remote.ErrNotFound) {
		m.folderGone(ctx, f)
		return
	}
	if err != nil {
		m.o.Logger.Debug("mail: poll skipped", "folder", f.folder, "err", err)
		return
	}
	m.store(f, list, sig, gen)
	if old == nil {
		return // nothing was shown from an older state
	}
	c := MailChange{Mailbox: f.mailbox, FolderID: f.folder}
	was := make(map[string]bool, len(old))
	for _, msg := range old {
		was[msg.UID] = true
	}
	for _, msg := range list {
		if !was[msg.UID] {
			c.Added = append(c.Added, msg)
		}
		delete(was, msg.UID)
	}
	for _, msg := range old {
		if was[msg.UID] {
			c.Removed = append(c.Removed, msg)
		}
	}
	if len(c.Added) > 0 || len(c.Removed) > 0 {
		m.emit(c)
	}
}

// store makes list (of signature sig) f's cached listing, fresh for
// another DirCacheTime.
func (m *Mail) store(f folderKey, list []remote.Message, sig string, gen uint64) {
	m.sizes.listed(f, list)
	m.poll.listed(f, list, sig, m.o.Now())
	m.messages.put(f, list, gen)
}

// folderGone forgets a folder the server no longer has and reads its
// mailbox's tree again, which reports it gone.
func (m *Mail) folderGone(ctx context.Context, f folderKey) {
	m.poll.drop(f)
	m.messages.del(f)
	m.pollTree(ctx, f.mailbox)
}

// pollTrees reads again the folder tree of every mailbox whose tree is
// cached.
func (m *Mail) pollTrees(ctx context.Context) {
	boxes, _ := m.mailboxes.peek(struct{}{})
	for _, mb := range boxes {
		if _, ok := m.folders.peek(mb.UUID); ok {
			m.pollTree(ctx, mb.UUID)
		}
	}
}

// pollTree reads mailbox's folder tree and reports how it changed.
func (m *Mail) pollTree(ctx context.Context, mailbox string) {
	gen := m.gen.get()
	old, _ := m.folders.peek(mailbox)
	fresh, err := m.inner.Folders(ctx, mailbox)
	if err != nil {
		m.o.Logger.Debug("mail: folder poll skipped", "mailbox", mailbox, "err", err)
		return
	}
	m.folders.put(mailbox, fresh, gen)
	type shape struct{ path, name, parent string }
	was := make(map[string]shape, len(old))
	for _, f := range old {
		was[f.ID] = shape{f.Path, f.Name, f.ParentID}
	}
	c := MailChange{Mailbox: mailbox, Folders: true}
	for _, f := range fresh {
		if s, ok := was[f.ID]; !ok || s != (shape{f.Path, f.Name, f.ParentID}) {
			c.AddedFolders = append(c.AddedFolders, f)
		}
	}
	now := make(map[string]shape, len(fresh))
	for _, f := range fresh {
		now[f.ID] = shape{f.Path, f.Name, f.ParentID}
	}
	for _, f := range old {
		if s, ok := now[f.ID]; !ok || s != (shape{f.Path, f.Name, f.ParentID}) {
			c.RemovedFolders = append(c.RemovedFolders, f)
			if !ok {
				m.poll.drop(folderKey{mailbox, f.ID})
				m.messages.del(folderKey{mailbox, f.ID})
			}
		}
	}
	if len(c.AddedFolders) > 0 || len(c.RemovedFolders) > 0 {
		m.emit(c)
	}
}
