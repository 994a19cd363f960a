package cache

import (
	"os"
	"strings"
	"testing"
	"time"

	"github.com/infomaniakfs/infomaniakfs/remote"
	"github.com/infomaniakfs/infomaniakfs/remote/emulator"
	"github.com/infomaniakfs/infomaniakfs/remote/kdrive"
	"github.com/infomaniakfs/infomaniakfs/remote/remotetest"
)

// writeOptions trust what the cache holds for an hour: a write shows
// through it only because it was told (Invalidate, as writeback does) or
// followed the change feed, never because a TTL ran out.
var writeOptions = func() Options {
	o := suiteOptions
	o.DirCacheTime, o.NegativeTTL = time.Hour, time.Hour
	return o
}()

func decoratedForWrites(t *testing.T, inner remote.Drives) *Drives {
	d := NewDrives(inner, writeOptions)
	t.Cleanup(func() { d.Close() })
	return d
}

// The cache does not wrap the write contract: writeback writes through
// the client and tells the cache what changed. Reads through the cache
// after a write, so told, see it: the DriveWriter suite with the cache as
// its reader, over the fakes and over the client on the emulator.
func TestConformanceWriter(t *testing.T) {
	setups := map[string]remotetest.WriteSetup{
		"fake": func(t *testing.T) remotetest.WriteSubject {
			w := remotetest.NewFakeWriteWorld()
			return remotetest.WriteSubject{W: w.W, R: decoratedForWrites(t, w.F), World: w}
		},
		"snapshot": func(t *testing.T) remotetest.WriteSubject {
			w := remotetest.NewFakeWriteWorld()
			r := decoratedForWrites(t, snapshotOnly{remotetest.Feed{DriveFake: w.F}})
			return remotetest.WriteSubject{W: w.W, R: r, World: w}
		},
		"followed": func(t *testing.T) remotetest.WriteSubject {
			w := remotetest.NewFakeWriteWorld()
			r := decoratedForWrites(t, feedSource{remotetest.Feed{DriveFake: w.F}})
			return remotetest.WriteSubject{W: w.W, R: r, World: w}
		},
		"kdrive": func(t *testing.T) remotetest.WriteSubject {
			s, rc := remotetest.StartEmulator(t)
			c := kdrive.New(rc, s.URL())
			return remotetest.WriteSubject{W: c, R: decoratedForWrites(t, c), World: emulatorWrites(s)}
		},
		"kdrive followed": func(t *testing.T) remotetest.WriteSubject {
			s, rc := remotetest.StartEmulator(t)
			c := kdrive.New(rc, s.URL())
			return remotetest.WriteSubject{W: c, R: decoratedForWrites(t, kdriveFeed{c}), World: emulatorWrites(s)}
		},
	}
	for name, setup := range setups {
		t.Run(name, func(t *testing.T) {
			if strings.Contains(name, "followed") && os.Getenv("INFOMANIAKFS_KNOWN_BUGS") == "" {
				// A write can be undone for a moment by a feed batch
				// fetched before it (TestStaleFeedBatchAfterWrite): the
				// suite then fails now and then.
				t.Skip("known bug: a feed batch fetched before a write is applied over it (set INFOMANIAKFS_KNOWN_BUGS=1)")
			}
			remotetest.TestWriter(t, setup)
		})
	}
}

func emulatorWrites(s *emulator.Server) remotetest.EmulatorWriteWorld {
	return remotetest.EmulatorWriteWorld{EmulatorWorld: remotetest.EmulatorWorld{S: s}}
}
