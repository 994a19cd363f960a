package remotetest

import (
	"bytes"
	"io"
	"testing"

	"github.com/infomaniakfs/infomaniakfs/remote"
)

// chunkSize is the suite's session chunk: small, the contract sets none.
const chunkSize = 64 << 10

// chunks cuts content in chunkSize pieces (at least one).
func chunks(content []byte) [][]byte {
	var out [][]byte
	for len(content) > chunkSize {
		out = append(out, content[:chunkSize])
		content = content[chunkSize:]
	}
	return append(out, content)
}

// Section is b as UploadChunk takes a chunk.
func Section(b []byte) *io.SectionReader {
	return io.NewSectionReader(bytes.NewReader(b), 0, int64(len(b)))
}

// start opens a session for u (fatal on error).
func start(t *testing.T, s WriteSubject, u remote.Upload, n int) remote.Session {
	t.Helper()
	sess, err := s.W.StartSession(t.Context(), u, n)
	if err != nil {
		t.Fatalf("start a session of %d chunks: %v", n, err)
	}
	return sess
}

// send sends chunks (1-based numbers) of parts (fatal on error).
func send(t *testing.T, s WriteSubject, sess remote.Session, parts [][]byte, numbers ...int) {
	t.Helper()
	for _, n := range numbers {
		if err := s.W.UploadChunk(t.Context(), sess, n, Section(parts[n-1])); err != nil {
			t.Fatalf("chunk %d: %v", n, err)
		}
	}
}

// A session's chunks may come in any order and again (the last copy
// counts); the file appears only at FinishSession, with u's hash and mtime.
func testSession(t *testing.T, s WriteSubject) {
	drive, dir := writeDir(t, s)
	content := Bytes(10, 3*chunkSize+123)
	parts := chunks(content)
	u := newFile(drive, dir, "big.bin", content)
	sess := start(t, s, u, len(parts))
	wrong := bytes.Repeat([]byte{'x'}, len(parts[1]))
	if err := s.W.UploadChunk(t.Context(), sess, 2, Section(wrong)); err != nil {
		t.Fatalf("chunk 2, first copy: %v", err)
	}
	send(t, s, sess, parts, 4, 2, 1)
	touched(s, drive, dir)
	absent(t, s, drive, dir, "big.bin") // not before the finish
	send(t, s, sess, parts, 3)
	e, err := s.W.FinishSession(t.Context(), sess, u)
	if err != nil {
		t.Fatalf("finish: %v", err)
	}
	touched(s, drive, dir, e.ID)
	if e.Name != "big.bin" || !e.MTime.Equal(u.MTime) {
		t.Errorf("finish answered %+v", e)
	}
	holds(t, s, e, dir, content)
	// A session that replaces a file, based on its version.
	next := Bytes(11, 2*chunkSize)
	r := replace(e, next)
	parts = chunks(next)
	sess = start(t, s, r, len(parts))
	send(t, s, sess, parts, 1, 2)
	n, err := s.W.FinishSession(t.Context(), sess, r)
	if err != nil || n.ID != e.ID || n.Version == e.Version {
		t.Fatalf("finish of an overwrite: %+v, %v (was %+v)", n, err, e)
	}
	touched(s, drive, dir, e.ID)
	holds(t, s, n, dir, next)
}

// A finish with a chunk missing fails and shows nothing; the session
// stays open: the missing chunk sent, the same finish succeeds (resume).
func testSessionResume(t *testing.T, s WriteSubject) {
	drive, dir := writeDir(t, s)
	content := Bytes(12, 3*chunkSize)
	parts := chunks(content)
	u := newFile(drive, dir, "resumed", content)
	sess := start(t, s, u, len(parts))
	send(t, s, sess, parts, 1, 3)
	_, err := s.W.FinishSession(t.Context(), sess, u)
	failed(t, "finish with chunk 2 missing", err)
	touched(s, drive, dir)
	absent(t, s, drive, dir, "resumed")
	send(t, s, sess, parts, 2)
	e, err := s.W.FinishSession(t.Context(), sess, u)
	if err != nil {
		t.Fatalf("finish after the missing chunk came: %v", err)
	}
	touched(s, drive, dir, e.ID)
	holds(t, s, e, dir, content)
}

// FinishSession is checked against u.Hash (the whole content's): a
// mismatch fails and shows nothing.
func testSessionHash(t *testing.T, s WriteSubject) {
	drive, dir := writeDir(t, s)
	content := Bytes(13, 2*chunkSize)
	parts := chunks(content)
	u := newFile(drive, dir, "hashed", content)
	sess := start(t, s, u, len(parts))
	send(t, s, sess, parts, 1, 2)
	bad := u
	bad.Hash = remote.Hash(parts[0])
	_, err := s.W.FinishSession(t.Context(), sess, bad)
	failed(t, "finish with the wrong hash", err)
	touched(s, drive, dir)
	absent(t, s, drive, dir, "hashed")
}

// A session replacing a file that changed since BaseVersion is refused
// with ErrConflict by the finish at the latest; the newer content stays.
func testSessionStale(t *testing.T, s WriteSubject) {
	drive, dir := writeDir(t, s)
	e := upload(t, s, drive, dir, "doc", Bytes(14, 1000))
	mine := Bytes(15, chunkSize+1)
	r := replace(e, mine)
	parts := chunks(mine)
	sess := start(t, s, r, len(parts))
	send(t, s, sess, parts, 1, 2)
	s.World.Modify(t, drive, e.ID)
	theirs := s.World.Content(t, drive, e.ID)
	_, err := s.W.FinishSession(t.Context(), sess, r)
	wantErr(t, "finish over a changed file", err, remote.ErrConflict)
	if !bytes.Equal(s.World.Content(t, drive, e.ID), theirs) {
		t.Errorf("the refused finish changed the server's content")
	}
	// Refused at the start when it is already stale.
	_, err = s.W.StartSession(t.Context(), r, len(parts))
	wantErr(t, "start over a changed file", err, remote.ErrConflict)
}

// CancelSession drops the session and its chunks: a finish fails and
// shows nothing. Cancelling again is not an error (a retried cancel whose
// first answer was lost: the contract's "at most once").
func testSessionCancel(t *testing.T, s WriteSubject) {
	drive, dir := writeDir(t, s)
	content := Bytes(16, chunkSize)
	u := newFile(drive, dir, "cancelled", content)
	sess := start(t, s, u, 1)
	send(t, s, sess, [][]byte{content}, 1)
	if err := s.W.CancelSession(t.Context(), sess); err != nil {
		t.Fatalf("cancel: %v", err)
	}
	if err := s.W.CancelSession(t.Context(), sess); err != nil {
		t.Errorf("cancel again: %v", err)
	}
	_, err := s.W.FinishSession(t.Context(), sess, u)
	failed(t, "finish of a cancelled session", err)
	touched(s, drive, dir)
	absent(t, s, drive, dir, "cancelled")
	if err := s.W.UploadChunk(t.Context(), sess, 1, Section(content)); err == nil {
		t.Errorf("a chunk into a cancelled session: no error")
	}
}
