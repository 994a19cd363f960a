package kdrive

import (
	"testing"

	"github.com/infomaniakfs/infomaniakfs/remote"
	"github.com/infomaniakfs/infomaniakfs/remote/remotetest"
)

// The client on the emulator keeps the remote.Drives contract (and the
// snapshot and long poll one) the fakes and the cache are held to.
func TestConformance(t *testing.T) {
	remotetest.TestDrives(t, func(t *testing.T) (remote.Drives, remotetest.DriveWorld) {
		s, rc := remotetest.StartEmulator(t)
		return New(rc, s.URL()), remotetest.EmulatorWorld{S: s}
	})
}

// The client on the emulator keeps the remote.DriveWriter contract the
// shared fake (remotetest.WriterFake) is held to.
func TestWriterConformance(t *testing.T) {
	remotetest.TestWriter(t, func(t *testing.T) remotetest.WriteSubject {
		s, rc := remotetest.StartEmulator(t)
		c := New(rc, s.URL())
		return remotetest.WriteSubject{W: c, R: c, World: remotetest.EmulatorWriteWorld{EmulatorWorld: remotetest.EmulatorWorld{S: s}}}
	})
}
