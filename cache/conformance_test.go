package cache

import (
	"archive/zip"
	"context"
	"io"
	"testing"
	"time"

	"github.com/infomaniakfs/infomaniakfs/remote"
	"github.com/infomaniakfs/infomaniakfs/remote/kdrive"
	"github.com/infomaniakfs/infomaniakfs/remote/mail"
	"github.com/infomaniakfs/infomaniakfs/remote/remotetest"
)

// suiteOptions keep what the decorators cache briefly, so that a change
// made behind them shows within the suite's patience (remotetest.Eventual),
// and blocks small, so that the suite's reads span several.
var suiteOptions = Options{DirCacheTime: 100 * time.Millisecond, NegativeTTL: 100 * time.Millisecond, BlockSize: 64 << 10,
	PollInterval: 50 * time.Millisecond, MailPoll: 50 * time.Millisecond}

func decorated(t *testing.T, inner remote.Drives) *Drives {
	d := NewDrives(inner, suiteOptions)
	t.Cleanup(func() { d.Close() })
	return d
}

// The decorators keep the contract of what they decorate: over the fake,
// over the fake with a snapshot, over the fake followed through its change
// feed, and over the kDrive client on the emulator. The archive fake of
// archive_test.go, a source of its own, is held to the contract too.
func TestConformanceDrives(t *testing.T) {
	setups := map[string]remotetest.DriveSetup{
		"fake": func(t *testing.T) (remote.Drives, remotetest.DriveWorld) {
			w := remotetest.NewFakeWorld()
			return decorated(t, w.F), w
		},
		"snapshot": func(t *testing.T) (remote.Drives, remotetest.DriveWorld) {
			w := remotetest.NewFakeWorld()
			return decorated(t, snapshotOnly{remotetest.Feed{DriveFake: w.F}}), w
		},
		"followed": func(t *testing.T) (remote.Drives, remotetest.DriveWorld) {
			w := remotetest.NewFakeWorld()
			return decorated(t, feedSource{remotetest.Feed{DriveFake: w.F}}), w
		},
		"archiver": func(t *testing.T) (remote.Drives, remotetest.DriveWorld) {
			f := &fakeArchiver{fakeDrives: newFakeDrives(), method: zip.Deflate}
			return f, &remotetest.FakeWorld{F: f.DriveFake, DriveID: 1}
		},
		"archiver stored": func(t *testing.T) (remote.Drives, remotetest.DriveWorld) {
			f := &fakeArchiver{fakeDrives: newFakeDrives(), method: zip.Store, raw: true}
			return f, &remotetest.FakeWorld{F: f.DriveFake, DriveID: 1}
		},
		"archives": func(t *testing.T) (remote.Drives, remotetest.DriveWorld) {
			f := &fakeArchiver{fakeDrives: newFakeDrives(), method: zip.Deflate}
			return decorated(t, f), &remotetest.FakeWorld{F: f.DriveFake, DriveID: 1}
		},
		"kdrive": func(t *testing.T) (remote.Drives, remotetest.DriveWorld) {
			s, rc := remotetest.StartEmulator(t)
			return decorated(t, kdrive.New(rc, s.URL())), remotetest.EmulatorWorld{S: s}
		},
		"kdrive followed": func(t *testing.T) (remote.Drives, remotetest.DriveWorld) {
			s, rc := remotetest.StartEmulator(t)
			return decorated(t, kdriveFeed{kdrive.New(rc, s.URL())}), remotetest.EmulatorWorld{S: s}
		},
	}
	for name, setup := range setups {
		t.Run(name, func(t *testing.T) { remotetest.TestDrives(t, setup) })
	}
}

func TestConformanceMail(t *testing.T) {
	setups := map[string]remotetest.MailSetup{
		"fake": func(t *testing.T) (remote.Mail, remotetest.MailWorld) {
			w := remotetest.NewFakeMailWorld()
			m := NewMail(w.F, suiteOptions)
			t.Cleanup(func() { m.Close() })
			return m, w
		},
		"mail": func(t *testing.T) (remote.Mail, remotetest.MailWorld) {
			s, rc := remotetest.StartEmulator(t)
			m := NewMail(mail.New(rc, s.URL()), suiteOptions)
			t.Cleanup(func() { m.Close() })
			return m, remotetest.EmulatorMail{S: s}
		},
	}
	for name, setup := range setups {
		t.Run(name, func(t *testing.T) { remotetest.TestMail(t, setup) })
	}
}

// snapshotOnly is a fake with a whole-drive listing and no change feed.
type snapshotOnly struct{ f remotetest.Feed }

func (s snapshotOnly) Drives(ctx context.Context) ([]remote.DriveInfo, error) { return s.f.Drives(ctx) }
func (s snapshotOnly) List(ctx context.Context, d, dir int64) ([]remote.Entry, error) {
	return s.f.List(ctx, d, dir)
}
func (s snapshotOnly) Stat(ctx context.Context, d, id int64) (remote.Entry, error) {
	return s.f.Stat(ctx, d, id)
}
func (s snapshotOnly) Open(ctx context.Context, e remote.Entry, off, n int64) (io.ReadCloser, error) {
	return s.f.Open(ctx, e, off, n)
}
func (s snapshotOnly) FullListing(ctx context.Context, d int64) ([]remote.Entry, string, error) {
	return s.f.FullListing(ctx, d)
}

var (
	_ DriveFeed = feedSource{}
	_ DriveFeed = kdriveFeed{}
	_ MailFeed  = (*mail.Client)(nil)
)

// feedSource is the fake's change feed in the cache's terms, as
// cmd/infomaniakfs's driveSource is kdrive.Client's.
type feedSource struct{ remotetest.Feed }

func (f feedSource) DriveChanges(ctx context.Context, driveID int64, cursor string) ([]DriveAction, string, error) {
	changes, next, err := f.Changes(ctx, driveID, cursor)
	if err != nil {
		return nil, "", err
	}
	out := make([]DriveAction, len(changes))
	for i, c := range changes {
		out[i] = DriveAction{Action: c.Action, Entry: c.Entry}
	}
	return out, next, nil
}

// kdriveFeed is the kDrive client as the daemon gives it to the cache
// (cmd/infomaniakfs's driveSource, which tests cannot import).
type kdriveFeed struct{ *kdrive.Client }

func (s kdriveFeed) DriveChanges(ctx context.Context, driveID int64, cursor string) ([]DriveAction, string, error) {
	changes, next, err := s.Changes(ctx, driveID, cursor)
	if err != nil {
		return nil, "", err
	}
	out := make([]DriveAction, len(changes))
	for i, ch := range changes {
		out[i] = DriveAction{Action: ch.Action, Entry: ch.Entry(driveID)}
	}
	return out, next, nil
}
