package remotetest

import (
	"testing"

	"github.com/infomaniakfs/infomaniakfs/remote"
)

// AnswerLoser is a world that can let the next call of op land and lose
// its answer (the connection breaks after the server acted), so that the
// writer's retry meets what its first attempt did (optional: the subtest
// is skipped).
type AnswerLoser interface {
	LoseAnswer(t *testing.T, op Op)
}

// Every method takes effect at most once: an attempt whose answer was
// lost is recognised, never applied twice under another name, nor
// reported as a failure it was not (the contract's first paragraph).
func testLostAnswers(t *testing.T, s WriteSubject) {
	lose, ok := s.World.(AnswerLoser)
	if !ok {
		t.Skip("the world cannot lose answers")
	}
	drive, dir := writeDir(t, s)
	dest := s.World.AddDir(t, drive, dir, "dest")
	lose.LoseAnswer(t, OpMkdir)
	d, err := s.W.Mkdir(t.Context(), drive, dir, "made once")
	if err != nil || d.Name != "made once" || !d.IsDir {
		t.Errorf("mkdir whose answer was lost: %+v, %v", d, err)
	}
	content := Bytes(40, 3000)
	lose.LoseAnswer(t, OpUpload)
	f, err := s.W.Upload(t.Context(), newFile(drive, dir, "up once", content), content)
	if err != nil || f.Name != "up once" {
		t.Fatalf("upload whose answer was lost: %+v, %v", f, err)
	}
	next := Bytes(41, 100)
	lose.LoseAnswer(t, OpUpload)
	if g, err := s.W.Upload(t.Context(), replace(f, next), next); err != nil || g.ID != f.ID {
		t.Errorf("overwrite whose answer was lost: %+v, %v", g, err)
	}
	big := Bytes(42, chunkSize+1)
	u := newFile(drive, dir, "session once", big)
	sess := start(t, s, u, 2)
	send(t, s, sess, chunks(big), 1, 2)
	lose.LoseAnswer(t, OpFinish)
	if g, err := s.W.FinishSession(t.Context(), sess, u); err != nil || g.Name != "session once" {
		t.Errorf("finish whose answer was lost: %+v, %v", g, err)
	}
	lose.LoseAnswer(t, OpRename)
	if err := s.W.Rename(t.Context(), drive, f.ID, "renamed once"); err != nil {
		t.Errorf("rename whose answer was lost: %v", err)
	}
	lose.LoseAnswer(t, OpMove)
	if err := s.W.Move(t.Context(), drive, d.ID, dest, ""); err != nil {
		t.Errorf("move whose answer was lost: %v", err)
	}
	lose.LoseAnswer(t, OpSetMTime)
	if _, err := s.W.SetMTime(t.Context(), drive, f.ID, suiteTime); err != nil {
		t.Errorf("set mtime whose answer was lost: %v", err)
	}
	touched(s, drive, dir, dest, f.ID, d.ID)
	l := listed(t, s, drive, dir)
	if len(l) != 3 || l["renamed once"].ID != f.ID || l["session once"].Size != int64(len(big)) || l["dest"].ID != dest {
		t.Errorf("after the lost answers %s lists %+v", "the folder", l)
	}
	if l := listed(t, s, drive, dest); len(l) != 1 || l["made once"].ID != d.ID {
		t.Errorf("after the lost answers dest lists %+v", l)
	}
	lose.LoseAnswer(t, OpTrash)
	if err := s.W.Trash(t.Context(), drive, f.ID); err != nil {
		t.Errorf("trash whose answer was lost: %v", err)
	}
	touched(s, drive, dir, f.ID)
	absent(t, s, drive, dir, "renamed once")
	_, err = s.R.Stat(t.Context(), drive, f.ID)
	wantErr(t, "stat after the trash", err, remote.ErrNotFound)
}
