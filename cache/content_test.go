package cache

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"testing"
	"time"
)

func TestLRU(t *testing.T) {
	var l lru[int]
	l.init(10)
	l.add(1, make([]byte, 4))
	l.add(2, make([]byte, 4))
	l.get(1) // 2 is now the oldest
	l.add(3, make([]byte, 4))
	if _, ok := l.get(2); ok {
		t.Fatal("oldest entry kept over the bound")
	}
	for _, k := range []int{1, 3} {
		if _, ok := l.get(k); !ok {
			t.Fatalf("entry %d dropped", k)
		}
	}
	if l.used != 8 {
		t.Fatalf("used = %d, want 8", l.used)
	}
	l.add(4, make([]byte, 50)) // alone over the bound: kept, all else dropped
	if _, ok := l.get(4); !ok || l.used != 50 || len(l.items) != 1 {
		t.Fatalf("newest oversize entry: used %d, %d items", l.used, len(l.items))
	}
	l.add(4, make([]byte, 2)) // replacing accounts the difference
	l.remove(4)
	if l.used != 0 || len(l.items) != 0 {
		t.Fatalf("after remove: used %d, %d items", l.used, len(l.items))
	}
}

// ristretto keys on 64-bit hashes: a chunk under the same hash but another
// key is a miss, never another file's bytes.
func TestContentHashCollision(t *testing.T) {
	c, err := newContent[string](1<<20, 1, 1000, time.Second)
	if err != nil || c.rc == nil {
		t.Fatalf("newContent: %v (ristretto %v)", err, c.rc != nil)
	}
	defer c.close()
	c.rc.Set(42, &chunk[string]{key: "a", data: []byte("A")}, 1)
	c.wait()
	if data, ok := c.lookup("a", 42); !ok || string(data) != "A" {
		t.Fatal("stored chunk not found")
	}
	if _, ok := c.lookup("b", 42); ok {
		t.Fatal("colliding key served another key's bytes")
	}
}

// A fetch slower than FetchTimeout fails its readers and is not cached.
func TestFetchTimeout(t *testing.T) {
	f := newFakeDrives()
	e := f.addFile(1, 10, 100)
	f.gate = make(chan struct{})
	d := newTestDrives(t, f, Options{BlockSize: 1000, FetchTimeout: 50 * time.Millisecond})
	if _, err := d.ReadAt(context.Background(), e, make([]byte, 10), 0); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("stalled fetch: %v", err)
	}
	close(f.gate)
	checkRead(t, d, e, f.bytesOf(10), 0, 100)
}

// Close cancels the fetches under way rather than waiting them out.
func TestCloseCancelsFetches(t *testing.T) {
	f := newFakeDrives()
	e := f.addFile(1, 10, 100)
	f.gate = make(chan struct{})
	defer close(f.gate)
	d := NewDrives(f, Options{BlockSize: 1000})
	read := make(chan error, 1)
	go func() { _, err := d.ReadAt(context.Background(), e, make([]byte, 10), 0); read <- err }()
	eventually(t, "fetch to start", func() bool { return f.opens() == 1 })
	closed := make(chan struct{})
	go func() { d.Close(); close(closed) }()
	select {
	case <-closed:
	case <-time.After(5 * time.Second):
		t.Fatal("Close waited for a stalled fetch")
	}
	if err := <-read; !errors.Is(err, context.Canceled) {
		t.Fatalf("reader after Close: %v", err)
	}
	if _, err := d.ReadAt(context.Background(), e, make([]byte, 10), 0); !errors.Is(err, errClosed) {
		t.Fatalf("read after Close: %v", err)
	}
}

// Raw bytes of messages stay in the budgeted cache: re-reading costs
// nothing even with many messages, and the budget holds.
func TestMailBudget(t *testing.T) {
	f := newFakeMail(40) // message i is about 2 KiB * i
	m := newTestMail(t, f, Options{CacheSize: 256 << 10})
	ctx := context.Background()
	for i := 1; i <= 40; i++ {
		uid := fmt.Sprint(i)
		raw, _ := f.Raw(ctx, "mb", "inbox", uid)
		got, err := m.Raw(ctx, "mb", "inbox", uid)
		if err != nil || !bytes.Equal(got, raw) {
			t.Fatalf("message %s: %v", uid, err)
		}
	}
	m.raw.wait()
	long, recent := m.raw.bytes()
	if long+recent > 256<<10+80<<10 { // the newest message always stays
		t.Fatalf("message cache holds %d+%d bytes over a 256 KiB budget", long, recent)
	}
	before := f.raws()
	m.Raw(ctx, "mb", "inbox", "40") // the newest: kept
	if f.raws() != before {
		t.Fatal("the message just read was downloaded again")
	}
}
