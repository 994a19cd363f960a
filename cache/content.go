package cache

import (
	"context"
	"errors"
	"sync"
	"time"

	"github.com/dgraph-io/ristretto/v2"
)

// content caches immutable byte chunks (a block of one file version, one
// message) by key. Three places hold a chunk, looked up in this order:
//
//   - ristretto, the budgeted long-term store; it may refuse or delay a Set
//     (TinyLFU admission turns away a streaming reader's fresh blocks once
//     the cache is full of hot ones), so it is never the source of truth;
//   - recent, a small byte-bounded LRU of the chunks fetched last, which is
//     what keeps read-ahead and a reader's current block alive whatever
//     ristretto decided;
//   - flights, the fetches under way, which waiters join (singleflight).
//
// No lock is held during a fetch; ristretto hits take no lock of ours.
type content[K comparable] struct {
	rc      *ristretto.Cache[uint64, *chunk[K]] // nil when the budget is too small
	timeout time.Duration
	closing context.Context // done once close begins: flights stop
	stop    context.CancelFunc
	running sync.WaitGroup // flights, which close waits for before closing rc

	mu      sync.Mutex
	closed  bool
	recent  lru[K]
	flights map[K]*flight
}

var errClosed = errors.New("cache: closed")

// chunk is what ristretto holds: keys are 64-bit hashes, so the full key
// is kept and compared to rule out a collision serving another file's bytes.
type chunk[K comparable] struct {
	key  K
	data []byte
}

// flight is one fetch under way; data and err are set before done closes.
type flight struct {
	done chan struct{}
	data []byte
	err  error
}

// newContent gives recentBytes to the recent LRU and the rest of budget to
// ristretto, which is left out when it could not hold two chunks of
// chunkSize (the largest chunk expected).
func newContent[K comparable](budget, recentBytes, chunkSize int64, timeout time.Duration) (*content[K], error) {
	c := &content[K]{timeout: timeout, flights: make(map[K]*flight)}
	c.closing, c.stop = context.WithCancel(context.Background())
	c.recent.init(recentBytes)
	if long := budget - recentBytes; long >= 2*chunkSize {
		rc, err := ristretto.NewCache(&ristretto.Config[uint64, *chunk[K]]{
			// ~10 counters per item; items are often smaller than
			// chunkSize (small files, short messages), so assume 64 KiB.
			NumCounters:        min(max(1000, 10*long/min(chunkSize, 64<<10)), 1<<20),
			MaxCost:            long,
			BufferItems:        64,
			IgnoreInternalCost: true,
		})
		if err != nil {
			return nil, err
		}
		c.rc = rc
	}
	return c, nil
}

// lookup returns the cached bytes of key (h is its hash), or false.
func (c *content[K]) lookup(key K, h uint64) ([]byte, bool) {
	if c.rc != nil {
		if ch, ok := c.rc.Get(h); ok && ch.key == key {
			return ch.data, true
		}
	}
	c.mu.Lock()
	data, ok := c.recent.get(key)
	c.mu.Unlock()
	return data, ok
}

// obtain returns the cached bytes of key, or else the flight fetching them,
// starting one with fetch if none is under way. fetch runs detached from
// the caller with the content timeout; its result is cached on success
// only, so a failure is retried by the next reader.
func (c *content[K]) obtain(ctx context.Context, key K, h uint64, fetch func(context.Context) ([]byte, error)) ([]byte, *flight) {
	if data, ok := c.lookup(key, h); ok {
		return data, nil
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	// A flight may have landed between lookup and here: it fills recent
	// before leaving flights, under this lock, so one of the two has it.
	if data, ok := c.recent.get(key); ok {
		return data, nil
	}
	if f, ok := c.flights[key]; ok {
		return nil, f
	}
	f := &flight{done: make(chan struct{})}
	if c.closed {
		f.err = errClosed
		close(f.done)
		return nil, f
	}
	c.flights[key] = f
	c.running.Add(1)
	go c.run(ctx, key, h, f, fetch)
	return nil, f
}

func (c *content[K]) run(parent context.Context, key K, h uint64, f *flight, fetch func(context.Context) ([]byte, error)) {
	defer c.running.Done()
	ctx, cancel := context.WithTimeout(context.WithoutCancel(parent), c.timeout)
	unhook := context.AfterFunc(c.closing, cancel)
	data, err := fetch(ctx)
	unhook()
	cancel()
	if err == nil && c.rc != nil {
		c.rc.Set(h, &chunk[K]{key: key, data: data}, int64(len(data)))
	}
	c.mu.Lock()
	if err == nil {
		c.recent.add(key, data)
	}
	delete(c.flights, key)
	c.mu.Unlock()
	f.data, f.err = data, err
	close(f.done)
}

// wait returns the flight's bytes once fetched; ctx only ends this wait.
func (f *flight) wait(ctx context.Context) ([]byte, error) {
	select {
	case <-f.done:
		return f.data, f.err
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// get returns the bytes of key, fetching them once if needed.
func (c *content[K]) get(ctx context.Context, key K, h uint64, fetch func(context.Context) ([]byte, error)) ([]byte, error) {
	data, f := c.obtain(ctx, key, h, fetch)
	if f == nil {
		return data, nil
	}
	return f.wait(ctx)
}

// put stores data as key's bytes (h is its hash), as a fetch would have:
// for bytes that came another way than through obtain (an archive).
func (c *content[K]) put(key K, h uint64, data []byte) {
	if c.rc != nil {
		c.rc.Set(h, &chunk[K]{key: key, data: data}, int64(len(data)))
	}
	c.mu.Lock()
	if !c.closed {
		c.recent.add(key, data)
	}
	c.mu.Unlock()
}

// forget drops key from the cache (not a flight under way).
func (c *content[K]) forget(key K, h uint64) {
	if c.rc != nil {
		if ch, ok := c.rc.Get(h); ok && ch.key == key {
			c.rc.Del(h)
		}
	}
	c.mu.Lock()
	c.recent.remove(key)
	c.mu.Unlock()
}

// bytes reports the bytes held by ristretto and by recent (a chunk held by
// both counts twice, an upper bound of the memory held); for tests after
// wait.
func (c *content[K]) bytes() (long, recent int64) {
	if c.rc != nil {
		c.rc.IterValues(func(ch *chunk[K]) bool {
			long += int64(len(ch.data))
			return false
		})
	}
	c.mu.Lock()
	recent = c.recent.used
	c.mu.Unlock()
	return long, recent
}

// wait applies ristretto's buffered Sets so that they are visible.
func (c *content[K]) wait() {
	if c.rc != nil {
		c.rc.Wait()
	}
}

// close cancels the flights, waits for them, and releases ristretto.
func (c *content[K]) close() {
	c.mu.Lock()
	if c.closed {
		c.mu.Unlock()
		return
	}
	c.closed = true
	c.mu.Unlock()
	c.stop()
	c.running.Wait()
	if c.rc != nil {
		c.rc.Close()
	}
}
