package writeback

import (
	"context"
	"fmt"
	"io"
	"os"

	"github.com/infomaniakfs/infomaniakfs/remote"
)

// maxChunks is the most chunks a session is cut into: rclone's bound
// (additions §5.3), far above what the defaults give a 50 GB file (187).
const maxChunks = 10_000

const mib = 1 << 20

// chunkSize is the chunk size of an upload session of size bytes:
// ChunksPerFile chunks of whole MiB, within [MinChunkSize, MaxChunkSize],
// but never more than maxChunks of them nor one above the API's cap. The
// chunks are streamed from the staging file, so their size costs no
// memory; what it sets is the API requests a file costs.
func (o Options) chunkSize(size int64) int64 {
	c := roundUp(ceilDiv(size, int64(o.ChunksPerFile)), mib)
	c = min(max(c, o.MinChunkSize), o.MaxChunkSize)
	if ceilDiv(size, c) > maxChunks {
		c = roundUp(ceilDiv(size, maxChunks), mib)
	}
	return min(c, remote.MaxChunk)
}

func ceilDiv(a, b int64) int64 { return (a + b - 1) / b }

func roundUp(a, unit int64) int64 { return ceilDiv(a, unit) * unit }

// contentSum is the xxh3 of a staging file, computed by one goroutine
// reading the file in order while the upload goes: the whole content's
// hash is needed only by the finish (and by a resumption's check), so it
// delays no chunk. Its owner calls stop.
type contentSum struct {
	done   chan struct{}
	cancel context.CancelFunc
	sum    string
	err    error
}

// hashReader is remote.HashReader; a test holds it back.
var hashReader = remote.HashReader

// startSum starts hashing the first size bytes of f.
func startSum(ctx context.Context, f *os.File, size int64) *contentSum {
	ctx, cancel := context.WithCancel(ctx)
	s := &contentSum{done: make(chan struct{}), cancel: cancel}
	go func() {
		defer close(s.done)
		sum, n, err := hashReader(ctx, io.NewSectionReader(f, 0, size))
		if err == nil && n != size {
			err = fmt.Errorf("%d bytes of %d", n, size)
		}
		if err != nil {
			err = fmt.Errorf("hashing the staging file: %w", err)
		}
		s.sum, s.err = sum, err
	}()
	return s
}

// wait returns the hash once computed, or ctx's error.
func (s *contentSum) wait(ctx context.Context) (string, error) {
	select {
	case <-s.done:
		return s.sum, s.err
	case <-ctx.Done():
		return "", ctx.Err()
	}
}

// ready returns the hash if it is already computed.
func (s *contentSum) ready() (string, bool) {
	select {
	case <-s.done:
		return s.sum, s.err == nil
	default:
		return "", false
	}
}

// stop ends the hashing and waits for its goroutine.
func (s *contentSum) stop() {
	s.cancel()
	<-s.done
}
