package cache

import (
	"cmp"
	"slices"
	"time"

	"github.com/infomaniakfs/infomaniakfs/remote"
)

// saveState adds the mailboxes, folder trees and message listings held to
// st, each listing with the signature the poller holds for it. The
// signature is read before the listing, for the reason Drives.saveState
// reads the cursor first.
func (m *Mail) saveState(st *State) {
	st.Mailboxes, _ = m.mailboxes.peek(struct{}{})
	st.Folders = map[string][]remote.Folder{}
	m.folders.each(func(mb string, fs []remote.Folder) { st.Folders[mb] = fs })
	sigs := map[folderKey]string{}
	m.poll.mu.Lock()
	for f, w := range m.poll.watches {
		sigs[f] = w.sig
	}
	m.poll.mu.Unlock()
	m.messages.each(func(f folderKey, list []remote.Message) {
		st.Listings = append(st.Listings, FolderListing{
			Mailbox: f.mailbox, Folder: f.folder, Signature: sigs[f], Messages: list,
		})
	})
	slices.SortFunc(st.Listings, func(a, b FolderListing) int {
		return cmp.Or(cmp.Compare(a.Mailbox, b.Mailbox), cmp.Compare(a.Folder, b.Folder))
	})
}

// restoreState fills the caches from st, every entry expired (served while
// offline, asked again once the remote answers); a listing's signature
// lets that first revalidation, and the poller, ask for the changes since
// instead of the whole listing.
func (m *Mail) restoreState(st *State) {
	if st.Mailboxes != nil {
		m.mailboxes.restore(struct{}{}, st.Mailboxes)
	}
	for mb, fs := range st.Folders {
		m.folders.restore(mb, fs)
	}
	for _, l := range st.Listings {
		f := folderKey{l.Mailbox, l.Folder}
		m.messages.restore(f, l.Messages)
		m.sizes.listed(f, l.Messages)
		// Never polled: the first round after the outage asks it.
		m.poll.listed(f, l.Messages, l.Signature, time.Time{})
	}
	if len(st.Listings) > 0 {
		m.startPolling()
	}
}
