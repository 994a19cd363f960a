package cache

import "time"

// What the mail cache already holds, read without a request: the mail
// directories of the mount (Mail/, a mailbox, a folder) are dated from it.

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
