package cache

import (
	"time"

	"github.com/infomaniakfs/infomaniakfs/remote"
)

// What the caches already hold, read without a request: the fixed
// directories of the mount (root, Mail/, a mailbox) are dated from it.

// NewestMessage returns the newest date among the cached listing of a
// mail folder, or with folderID "" among every cached folder of mailbox
// (mailbox "": of every mailbox). ok is false when none is cached. It
// never asks the remote, and an expired listing still counts.
func (m *Mail) NewestMessage(mailbox, folderID string) (newest time.Time, ok bool) {
	mm := m.messages
	mm.mu.Lock()
	defer mm.mu.Unlock()
	for k, e := range mm.entries {
		if e.err != nil || (mailbox != "" && k.mailbox != mailbox) || (folderID != "" && k.folder != folderID) {
			continue
		}
		for i := range e.val {
			if d := e.val[i].Date; d.After(newest) {
				newest, ok = d, true
			}
		}
	}
	return newest, ok
}

// NewestDriveRoot returns the newest mtime among the root folders of the
// drives whose stat is cached; ok is false when none is. No request.
func (d *Drives) NewestDriveRoot(rootID int64) (newest time.Time, ok bool) {
	drives, have := d.drives.peek(struct{}{})
	if !have {
		return newest, false
	}
	for _, di := range drives {
		var e remote.Entry
		if e, have = d.stats.peek(itemKey{di.ID, rootID}); have && e.MTime.After(newest) {
			newest, ok = e.MTime, true
		}
	}
	return newest, ok
}
