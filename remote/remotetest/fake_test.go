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

// LoseAnswer does lose an answer: the call reaches the fake twice (else
// the LostAnswers case would pass on a fake that never retries).
func TestFakeLoseAnswer(t *testing.T) {
	w := NewFakeWriteWorld()
	w.W.LoseAnswer(OpMkdir)
	if _, err := w.W.Mkdir(t.Context(), 1, 1, "x"); err == nil {
		t.Errorf("mkdir in the protected root: no error")
	}
	sub := w.AddDir(t, 1, 1, "sub")
	if _, err := w.W.Mkdir(t.Context(), 1, sub, "x"); err != nil {
		t.Fatal(err)
	}
	if n := w.F.Calls(OpMkdir); n != 3 {
		t.Errorf("%d mkdir attempts, want 3 (a failed call loses no answer; the next one is sent twice)", n)
	}
}
