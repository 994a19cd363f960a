package remotetest

import (
	"testing"

	"github.com/infomaniakfs/infomaniakfs/remote/emulator"
	"github.com/infomaniakfs/infomaniakfs/remote/emulator/dataset"
)

// FakeWriteWorld is the WriteWorld of a WriterFake: a FakeWorld whose
// root is protected, as kDrive's is.
type FakeWriteWorld struct {
	*FakeWorld
	W *WriterFake
}

// NewFakeWriteWorld returns a fake with one drive, a writer into it and
// their world.
func NewFakeWriteWorld() FakeWriteWorld {
	w := NewFakeWorld()
	wr := NewWriter(w.F)
	wr.Protect(w.DriveID, 1)
	return FakeWriteWorld{FakeWorld: w, W: wr}
}

func (w FakeWriteWorld) Protected(*testing.T) (int64, int64) { return w.DriveID, 1 }

func (w FakeWriteWorld) SetFree(_ *testing.T, drive, free int64) { w.W.SetFree(drive, free) }

// EmulatorWriteWorld is the WriteWorld of an emulator: the suite writes
// under its first drive's Private folder; the root is protected (the
// emulator refuses writes there, as kDrive does).
type EmulatorWriteWorld struct{ EmulatorWorld }

func (w EmulatorWriteWorld) Dir(t *testing.T) (int64, int64) {
	drive, root := w.EmulatorWorld.Dir(t)
	n, ok := w.S.Data().ChildByName(drive, root, dataset.NamePrivate)
	if !ok {
		t.Fatalf("no %s folder in drive %d", dataset.NamePrivate, drive)
	}
	return drive, n.ID
}

func (w EmulatorWriteWorld) Protected(t *testing.T) (int64, int64) { return w.EmulatorWorld.Dir(t) }

func (w EmulatorWriteWorld) SetFree(t *testing.T, drive, free int64) {
	for _, d := range w.S.Data().Drives() {
		if d.ID == drive {
			w.S.Data().SetQuota(d.UsedSize + free)
			return
		}
	}
	t.Fatalf("no drive %d", drive)
}

// lostEndpoints are the emulator's endpoints of the calls that may lose
// their answer.
var lostEndpoints = map[Op]string{
	OpMkdir: emulator.EpMkdir, OpUpload: emulator.EpUpload, OpFinish: emulator.EpSessionFinish,
	OpRename: emulator.EpRename, OpMove: emulator.EpMove, OpTrash: emulator.EpTrash,
	OpSetMTime: emulator.EpLastModified, OpStart: emulator.EpSessionStart, OpChunk: emulator.EpSessionChunk,
}

// LoseAnswer breaks the connection of the next call of op after the
// emulator acted (its reset fault: half the answer, then EOF).
func (w EmulatorWriteWorld) LoseAnswer(t *testing.T, op Op) {
	ep, ok := lostEndpoints[op]
	if !ok {
		t.Fatalf("no endpoint for %s", op)
	}
	w.S.AddFault(emulator.Fault{Endpoint: ep, Kind: emulator.FaultReset, Times: 1})
}

// LoseAnswer makes the fake apply the next call of op twice (see
// WriterFake.LoseAnswer).
func (w FakeWriteWorld) LoseAnswer(_ *testing.T, op Op) { w.W.LoseAnswer(op) }
