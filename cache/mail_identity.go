package cache

import (
	"context"
	"strconv"

	"github.com/infomaniakfs/infomaniakfs/remote"
)

// identity is what the folder's listing says message k is (Message-ID,
// date, listed size): a UID alone names a message only until its folder
// is deleted and recreated, or renamed and replaced, and the disk cache
// outlives both. The listing is nearly always cached already (a message is
// named from it); if not, it is loaded. ok is false when the listing
// cannot be had or does not hold k.
func (m *Mail) identity(ctx context.Context, k msgKey) (string, bool) {
	list, ok := m.messages.peek(folderKey{k.mailbox, k.folder})
	if !ok {
		var err error
		if list, err = m.Messages(ctx, k.mailbox, k.folder); err != nil {
			return "", false
		}
	}
	return identityIn(list, k.uid)
}

// knownIdentity is identity from the listing held, without a request.
func (m *Mail) knownIdentity(k msgKey) (string, bool) {
	list, ok := m.messages.peek(folderKey{k.mailbox, k.folder})
	if !ok {
		return "", false
	}
	return identityIn(list, k.uid)
}

func identityIn(list []remote.Message, uid string) (string, bool) {
	for i := range list {
		if list[i].UID == uid {
			msg := &list[i]
			return msg.MessageID + "\x00" + strconv.FormatInt(msg.Date.UnixNano(), 10) + "\x00" +
				strconv.FormatInt(msg.SizeHint, 10), true
		}
	}
	return "", false
}
