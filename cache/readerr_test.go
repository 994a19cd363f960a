package cache

import (
	"bytes"
	"context"
	"errors"
	"sync"
	"testing"

	"github.com/infomaniakfs/infomaniakfs/remote"
)

func TestReadAtChanged(t *testing.T) {
	const bs = 1000
	ctx := context.Background()
	f := newFakeDrives()
	old := f.addFile(1, 10, 3*bs)
	d := newTestDrives(t, f, Options{BlockSize: bs, ReadAhead: -1})
	if _, err := d.List(ctx, 1, 1); err != nil {
		t.Fatal(err)
	}
	checkRead(t, d, old, f.bytesOf(10), 0, 10) // block 0 of v1 cached
	newData := bytes.Repeat([]byte("x"), 3*bs)
	fresh := f.rewrite(10, newData, "v2")

	p := make([]byte, 2*bs)
	n, err := d.ReadAt(ctx, old, p, 500) // block 0 cached, block 1 must be fetched
	if !errors.Is(err, remote.ErrChanged) || n != 0 {
		t.Fatalf("read across a change = %d, %v; want 0, ErrChanged", n, err)
	}
	lists, stats := f.lists(), f.stats()
	if e, err := d.Stat(ctx, 1, 10); err != nil || e.Version != "v2" {
		t.Fatalf("stat after change: %+v, %v", e, err)
	}
	if l, err := d.List(ctx, 1, 1); err != nil || l[0].Version != "v2" {
		t.Fatalf("list after change: %+v, %v", l, err)
	}
	if f.stats() != stats+1 || f.lists() != lists+1 {
		t.Fatal("stat or parent listing not invalidated")
	}
	checkRead(t, d, fresh, newData, 0, 3*bs)
}

// A body shorter than the entry says is a change, not a short file.
func TestReadAtShortBody(t *testing.T) {
	f := newFakeDrives()
	e := f.addFile(1, 10, 100)
	e.Size = 150
	d := newTestDrives(t, f, Options{BlockSize: 1000})
	if n, err := d.ReadAt(context.Background(), e, make([]byte, 150), 0); !errors.Is(err, remote.ErrChanged) || n != 0 {
		t.Fatalf("short body: %d, %v", n, err)
	}
}

func TestReadAtErrorNotCached(t *testing.T) {
	f := newFakeDrives()
	e := f.addFile(1, 10, 100)
	fails := 1
	var mu sync.Mutex
	f.fail = func(op string, id int64) error {
		mu.Lock()
		defer mu.Unlock()
		if op == "open" && fails > 0 {
			fails--
			return remote.ErrUnavailable
		}
		return nil
	}
	d := newTestDrives(t, f, Options{BlockSize: 1000})
	if _, err := d.ReadAt(context.Background(), e, make([]byte, 10), 0); !errors.Is(err, remote.ErrUnavailable) {
		t.Fatalf("first read: %v", err)
	}
	checkRead(t, d, e, f.bytesOf(10), 0, 100)
	if n := f.opens(); n != 2 {
		t.Fatalf("Open calls = %d, want 2", n)
	}
}

// A reader giving up stops its own wait only; the shared fetch goes on for
// the other reader.
func TestReadAtCancelDoesNotPoison(t *testing.T) {
	f := newFakeDrives()
	e := f.addFile(1, 10, 100)
	f.gate = make(chan struct{})
	d := newTestDrives(t, f, Options{BlockSize: 1000})
	ctx, cancel := context.WithCancel(context.Background())
	first := make(chan error, 1)
	go func() { _, err := d.ReadAt(ctx, e, make([]byte, 10), 0); first <- err }()
	eventually(t, "fetch to start", func() bool { return f.opens() == 1 })
	second := make(chan error, 1)
	go func() {
		p := make([]byte, 100)
		_, err := d.ReadAt(context.Background(), e, p, 0)
		if err == nil && !bytes.Equal(p, f.bytesOf(10)) {
			err = errors.New("wrong bytes")
		}
		second <- err
	}()
	cancel()
	if err := <-first; !errors.Is(err, context.Canceled) {
		t.Fatalf("canceled reader: %v", err)
	}
	close(f.gate)
	if err := <-second; err != nil {
		t.Fatalf("other reader: %v", err)
	}
	if n := f.opens(); n != 1 {
		t.Fatalf("Open calls = %d, want 1", n)
	}
}
