package mail

import (
	"testing"

	"github.com/infomaniakfs/infomaniakfs/remote"
	"github.com/infomaniakfs/infomaniakfs/remote/remotetest"
)

// The client on the emulator keeps the remote.Mail contract (and the
// change-following one) the fakes and the cache are held to.
func TestConformance(t *testing.T) {
	remotetest.TestMail(t, func(t *testing.T) (remote.Mail, remotetest.MailWorld) {
		s, rc := remotetest.StartEmulator(t)
		return New(rc, s.URL()), remotetest.EmulatorMail{S: s}
	})
}
