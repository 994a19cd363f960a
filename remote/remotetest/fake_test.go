package remotetest

import (
	"testing"

	"github.com/infomaniakfs/infomaniakfs/remote"
)

// The fakes pass the suites they stand in for the real clients in.
func TestFakeDrives(t *testing.T) {
	TestDrives(t, func(t *testing.T) (remote.Drives, DriveWorld) {
		w := NewFakeWorld()
		return w.F, w
	})
}

func TestFakeFeed(t *testing.T) {
	TestDrives(t, func(t *testing.T) (remote.Drives, DriveWorld) {
		w := NewFakeWorld()
		return Feed{DriveFake: w.F}, w
	})
}

func TestFakeMail(t *testing.T) {
	TestMail(t, func(t *testing.T) (remote.Mail, MailWorld) {
		w := NewFakeMailWorld()
		return w.F, w
	})
}

func TestFakeWriter(t *testing.T) {
	TestWriter(t, func(t *testing.T) WriteSubject {
		w := NewFakeWriteWorld()
		return WriteSubject{W: w.W, R: w.F, World: w}
	})
}
