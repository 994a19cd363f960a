package kdrive

import (
	"bytes"
	"io"
	"sync/atomic"
	"testing"

	"github.com/infomaniakfs/infomaniakfs/remote"
	"github.com/infomaniakfs/infomaniakfs/remote/emulator"
	"github.com/infomaniakfs/infomaniakfs/remote/remotetest"
)

// readsAt is a ReaderAt that records its largest single read and the
// bytes it gave: what a chunk upload holds at once, and how often it reads.
type readsAt struct {
	r          io.ReaderAt
	max, total atomic.Int64
}

func (r *readsAt) ReadAt(p []byte, off int64) (int, error) {
	for {
		m := r.max.Load()
		if int64(len(p)) <= m || r.max.CompareAndSwap(m, int64(len(p))) {
			break
		}
	}
	n, err := r.r.ReadAt(p, off)
	r.total.Add(int64(n))
	return n, err
}

// A chunk is streamed: read a small buffer at a time however large it is
// (hashed, then sent), and from its start again on every attempt (a 500,
// then a connection cut, then the one that lands).
func TestUploadChunkStreamed(t *testing.T) {
	const maxRead = 256 << 10
	for _, size := range []int64{1 << 20, 12 << 20} {
		s, c, d, priv := writeFixture(t)
		s.AddFault(emulator.Fault{Endpoint: emulator.EpSessionChunk, Kind: emulator.Fault500, Times: 1})
		s.AddFault(emulator.Fault{Endpoint: emulator.EpSessionChunk, Kind: emulator.FaultReset, Skip: 1, Times: 1})
		content := remotetest.Bytes(uint64(size), size)
		u := newUpload(d, priv, "streamed.bin", content)
		sess, err := c.StartSession(t.Context(), u, 1)
		if err != nil {
			t.Fatal(err)
		}
		src := &readsAt{r: bytes.NewReader(content)}
		if err := c.UploadChunk(t.Context(), sess, 1, io.NewSectionReader(src, 0, size)); err != nil {
			t.Fatalf("%d bytes: %v", size, err)
		}
		e, err := c.FinishSession(t.Context(), sess, u)
		if err != nil {
			t.Fatalf("%d bytes: finish: %v", size, err)
		}
		if got := serverContent(t, s, d, e.ID); !bytes.Equal(got, content) {
			t.Fatalf("%d bytes: the server holds %d bytes, not the chunk", size, len(got))
		}
		if m := src.max.Load(); m > maxRead {
			t.Errorf("%d bytes: a read of %d bytes at once (at most %d)", size, m, maxRead)
		}
		// The hash pass and the attempts that got to send the body.
		if n := src.total.Load(); n < 2*size || n > 4*size {
			t.Errorf("%d bytes: %d bytes read", size, n)
		}
		if n := s.Counts()[emulator.EpSessionChunk]; n != 3 {
			t.Errorf("%d bytes: %d chunk requests, want 3", size, n)
		}
	}
}

// A chunk over the API's cap is refused before a byte is read or sent.
func TestUploadChunkTooLarge(t *testing.T) {
	s, c, d, priv := writeFixture(t)
	sess, err := c.StartSession(t.Context(), newUpload(d, priv, "huge", []byte("x")), 1)
	if err != nil {
		t.Fatal(err)
	}
	src := &readsAt{r: bytes.NewReader(nil)}
	err = c.UploadChunk(t.Context(), sess, 1, io.NewSectionReader(src, 0, remote.MaxChunk+1))
	if err == nil || src.total.Load() != 0 || s.Counts()[emulator.EpSessionChunk] != 0 {
		t.Fatalf("a chunk of %d bytes: %v, %d bytes read", remote.MaxChunk+1, err, src.total.Load())
	}
}
