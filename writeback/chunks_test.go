package writeback

import (
	"bytes"
	"context"
	"io"
	"sync"
	"testing"

	"github.com/infomaniakfs/infomaniakfs/remote"
)

func TestChunkSize(t *testing.T) {
	const MiB, GiB = 1 << 20, 1 << 30
	def := Options{}.Defaults()
	tiny := def
	tiny.MinChunkSize, tiny.MaxChunkSize = MiB, MiB
	wide := def
	wide.MinChunkSize, wide.MaxChunkSize, wide.ChunksPerFile = MiB, remote.MaxChunk, 4
	for _, c := range []struct {
		name       string
		o          Options
		size, want int64
	}{
		{"just past the threshold: the floor", def, 16*MiB + 1, 8 * MiB},
		{"16 chunks of the floor", def, 128 * MiB, 8 * MiB},
		{"a whole MiB above size/16", def, 200 * MiB, 13 * MiB},
		{"1 GiB: 16 chunks", def, GiB, 64 * MiB},
		{"4 GiB: the ceiling", def, 4 * GiB, 256 * MiB},
		{"50 GB, kDrive's largest file: 187 chunks", def, 50e9, 256 * MiB},
		{"no more than 10,000 chunks", tiny, 20 * GiB, 3 * MiB},
		{"never above the API's cap", wide, 8 * GiB, remote.MaxChunk},
	} {
		got := c.o.chunkSize(c.size)
		if got != c.want {
			t.Errorf("%s: %d bytes in chunks of %d, want %d", c.name, c.size, got, c.want)
		}
		if n := ceilDiv(c.size, got); n > maxChunks || got > remote.MaxChunk {
			t.Errorf("%s: %d chunks of %d", c.name, n, got)
		}
	}
}

func TestChunkOptionsRejected(t *testing.T) {
	for name, tune := range map[string]func(*Options){
		"min above max":       func(o *Options) { o.MinChunkSize, o.MaxChunkSize = 2<<20, 1<<20 },
		"max above the cap":   func(o *Options) { o.MaxChunkSize = remote.MaxChunk + 1 },
		"too many chunks":     func(o *Options) { o.ChunksPerFile = maxChunks + 1 },
		"negative per file":   func(o *Options) { o.ChunksPerFile = -1 },
		"negative chunk size": func(o *Options) { o.MinChunkSize = -1 },
	} {
		o := Options{Dir: t.TempDir(), Remote: newFakeRemote()}.Defaults()
		tune(&o)
		if _, err := New(o); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
}

// The session and its chunks do not wait for the whole content's hash:
// it is hashed alongside, and only the finish waits for it.
func TestSessionDoesNotWaitForHash(t *testing.T) {
	release := make(chan struct{})
	hashReader = func(ctx context.Context, r io.Reader) (string, int64, error) {
		select {
		case <-release:
		case <-ctx.Done():
		}
		return remote.HashReader(ctx, r)
	}
	t.Cleanup(func() { hashReader = remote.HashReader })
	dir, r := t.TempDir(), newFakeRemote()
	var once sync.Once
	r.fail = func(op string) error {
		if op == "chunk" {
			once.Do(func() { close(release) }) // a chunk went: the hash may end
		}
		return nil
	}
	q := openQueue(t, dir, r, func(o *Options) { o.SessionThreshold, o.MinChunkSize, o.MaxChunkSize, o.Parallel = 100, 64, 64, 2 })
	big := bytes.Repeat([]byte("abcdefghij"), 100)
	_, seq := write(t, q, Job{DriveID: 1, DirID: 5, Name: "big"}, string(big))
	wait(t, q, seq)
	if got := content(t, r, 5, "big"); got != string(big) {
		t.Fatalf("the remote holds %d bytes", len(got))
	}
}
