package cache

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
	"time"

	"github.com/infomaniakfs/infomaniakfs/remote"
)

// meta is a TTL cache of one kind of metadata (listings, stats, ...) with
// singleflight per key. Successes live for ttl, remote.ErrNotFound for
// negTTL; other errors are never kept, so a transient failure is retried by
// the next caller.
//
// Stale beats broken: an entry past its TTL is kept, and while the remote
// is unreachable (a load fails with an outage error, see isOutage) it is
// served as it was. When the remote is known to be offline (Options.Online)
// an expired entry is served at once and the load runs behind it, as the
// probe that notices the service is back; the first load that succeeds
// replaces it.
//
// A load runs detached from the caller that started it (with a timeout), so
// one reader giving up does not fail the others waiting on the same key.
// Its goroutine belongs to the decorator's generation, whose close stops
// and waits for it.
type meta[K comparable, V any] struct {
	mu      sync.Mutex
	entries map[K]metaEntry[V]
	flights map[K]*metaFlight[V]
	gen     *generation
	now     func() time.Time
	online  func() bool
	ttl     time.Duration
	negTTL  time.Duration
	max     int
	timeout time.Duration
	// keep, when set, says which keys are fresh whatever their age (a
	// drive a change feed keeps fresh, while it does); errors and entries
	// made stale by expire are not.
	keep func(K) bool
}

type metaEntry[V any] struct {
	val     V
	err     error // nil or wrapping remote.ErrNotFound
	expires time.Time
	tried   time.Time // last load started for it once expired
}

type metaFlight[V any] struct {
	done chan struct{}
	val  V
	err  error
}

// generation is what the meta caches of one decorator share: a count of
// invalidations (a load that overlapped one does not store its possibly
// stale result) and the goroutines of their loads, which close cancels
// and waits for. The zero value is ready to use.
type generation struct {
	n atomic.Uint64

	mu      sync.Mutex // protects the following
	running sync.WaitGroup
	closed  bool
	closing context.Context // made on first use, cancelled by close
	stop    context.CancelFunc
}

func (g *generation) get() uint64 { return g.n.Load() }
func (g *generation) bump()       { g.n.Add(1) }

// goLoad runs fn in a goroutine the generation owns; closing is cancelled
// when the decorator closes. It reports false, running nothing, once
// closed.
func (g *generation) goLoad(fn func(closing context.Context)) bool {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.closed {
		return false
	}
	g.initLocked()
	closing := g.closing
	g.running.Add(1)
	go func() {
		defer g.running.Done()
		fn(closing)
	}()
	return true
}

func (g *generation) initLocked() {
	if g.closing == nil {
		g.closing, g.stop = context.WithCancel(context.Background())
	}
}

// close cancels the loads under way and waits for them to return.
func (g *generation) close() {
	g.mu.Lock()
	g.closed = true
	g.initLocked()
	g.stop()
	g.mu.Unlock()
	g.running.Wait()
}

// isOutage: the error says the remote could not be asked (unreachable,
// 5xx, timed out, rate limited after the retries), not that the answer is
// "no": what was known before is still the best answer.
func isOutage(err error) bool {
	return errors.Is(err, remote.ErrUnavailable) || errors.Is(err, context.DeadlineExceeded) ||
		errors.Is(err, remote.ErrRateLimited)
}

func newMeta[K comparable, V any](o Options, gen *generation) *meta[K, V] {
	online := o.Online
	if online == nil {
		online = func() bool { return true }
	}
	return &meta[K, V]{
		entries: make(map[K]metaEntry[V]),
		flights: make(map[K]*metaFlight[V]),
		gen:     gen,
		now:     o.Now,
		online:  online,
		ttl:     o.DirCacheTime,
		negTTL:  o.NegativeTTL,
		max:     o.MaxEntries,
		timeout: o.FetchTimeout,
	}
}

// offlineRetry is how often, while the remote is offline, one key's
// expired entry is reloaded behind the stale answer: often enough to see
// the service back soon, rarely enough that a `find` over a large cached
// tree does not send one request per directory per access to a dead host.
const offlineRetry = 5 * time.Second

// get returns the fresh cached value of key, or joins the load in flight,
// or starts one. While the remote is offline an expired value is returned
// at once (a load goes on behind it, at most every offlineRetry). The
// caller's ctx only bounds its own wait.
func (m *meta[K, V]) get(ctx context.Context, key K, load func(context.Context) (V, error)) (V, error) {
	m.mu.Lock()
	// An expired entry stays until replaced or swept: peek still shows it
	// to the load that replaces it, and an outage serves it.
	e, had := m.entries[key]
	now := m.now()
	if had && (now.Before(e.expires) || m.kept(key, e)) {
		m.mu.Unlock()
		return e.val, e.err
	}
	stale := had && !m.online()
	f, ok := m.flights[key]
	if !ok && stale && now.Sub(e.tried) < offlineRetry {
		m.mu.Unlock()
		return e.val, e.err
	}
	if !ok {
		f = &metaFlight[V]{done: make(chan struct{})}
		gen := m.gen.get()
		if !m.gen.goLoad(func(closing context.Context) { m.run(ctx, closing, key, f, gen, load) }) {
			m.mu.Unlock()
			var zero V
			return zero, errClosed
		}
		m.flights[key] = f
		if had {
			e.tried = now
			m.entries[key] = e
		}
	}
	m.mu.Unlock()
	if stale {
		return e.val, e.err
	}
	select {
	case <-f.done:
		return f.val, f.err
	case <-ctx.Done():
		var zero V
		return zero, ctx.Err()
	}
}

// kept reports an entry that keep holds fresh past its TTL.
func (m *meta[K, V]) kept(key K, e metaEntry[V]) bool {
	return m.keep != nil && e.err == nil && !e.expires.IsZero() && m.keep(key)
}

func (m *meta[K, V]) run(parent, closing context.Context, key K, f *metaFlight[V], gen uint64, load func(context.Context) (V, error)) {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(parent), m.timeout)
	defer cancel()
	defer context.AfterFunc(closing, cancel)()
	f.val, f.err = load(ctx)
	m.mu.Lock()
	if m.gen.get() == gen {
		switch {
		case f.err == nil:
			m.putLocked(key, metaEntry[V]{val: f.val}, m.ttl)
		case errors.Is(f.err, remote.ErrNotFound):
			m.putLocked(key, metaEntry[V]{err: f.err}, m.negTTL)
		}
	}
	if old, ok := m.entries[key]; ok && isOutage(f.err) {
		// Kept expired: the next get tries again, or, offline, serves it
		// at once while it tries.
		f.val, f.err = old.val, old.err
	}
	if m.flights[key] == f {
		delete(m.flights, key)
	}
	m.mu.Unlock()
	close(f.done)
}

// edit replaces the value of key with fn of it, unless an invalidation
// happened since gen, and returns whether key was held. An expired value
// stays expired, edited: the change feed must not make a listing that was
// invalidated (a write here changed it) fresh again with what it held.
func (m *meta[K, V]) edit(key K, gen uint64, fn func(V) V) bool {
	m.mu.Lock()
	defer m.mu.Unlock()
	e, ok := m.entries[key]
	if !ok || e.err != nil {
		return false
	}
	val := fn(e.val)
	if m.gen.get() != gen {
		return true
	}
	if m.now().Before(e.expires) || m.kept(key, e) {
		m.putLocked(key, metaEntry[V]{val: val}, m.ttl)
		return true
	}
	e.val = val
	m.entries[key] = e
	return true
}

// put stores val for key unless an invalidation happened since gen.
func (m *meta[K, V]) put(key K, val V, gen uint64) {
	m.mu.Lock()
	if m.gen.get() == gen {
		m.putLocked(key, metaEntry[V]{val: val}, m.ttl)
	}
	m.mu.Unlock()
}

func (m *meta[K, V]) putLocked(key K, e metaEntry[V], ttl time.Duration) {
	if ttl <= 0 {
		return
	}
	now := m.now()
	e.expires = now.Add(ttl)
	m.entries[key] = e
	if len(m.entries) > m.max {
		m.shrinkLocked(now)
	}
}

// shrinkLocked drops expired entries, then arbitrary ones, down to 90% of
// the bound, so the sweep runs at most once per max/10 insertions.
func (m *meta[K, V]) shrinkLocked(now time.Time) {
	target := m.max - m.max/10
	for k, e := range m.entries {
		if !now.Before(e.expires) {
			delete(m.entries, k)
		}
	}
	for k := range m.entries {
		if len(m.entries) <= target {
			break
		}
		delete(m.entries, k)
	}
}

// peek returns the cached value of key without loading, fresh or not.
func (m *meta[K, V]) peek(key K) (V, bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	e, ok := m.entries[key]
	if !ok || e.err != nil {
		var zero V
		return zero, false
	}
	return e.val, true
}

// del drops key, and forgets a load of it in flight so that the next caller
// asks again instead of joining a load that began before the change. The
// caller bumps the generation first.
func (m *meta[K, V]) del(key K) {
	m.mu.Lock()
	delete(m.entries, key)
	delete(m.flights, key)
	m.mu.Unlock()
}

// expire makes key stale (the next get loads it) but keeps its value for
// peek, and forgets a load of it in flight, as del does.
func (m *meta[K, V]) expire(key K) {
	m.mu.Lock()
	if e, ok := m.entries[key]; ok {
		e.expires = time.Time{}
		m.entries[key] = e
	}
	delete(m.flights, key)
	m.mu.Unlock()
}

// delIf drops every entry and flight whose key matches.
func (m *meta[K, V]) delIf(match func(K) bool) {
	m.mu.Lock()
	for k := range m.entries {
		if match(k) {
			delete(m.entries, k)
		}
	}
	for k := range m.flights {
		if match(k) {
			delete(m.flights, k)
		}
	}
	m.mu.Unlock()
}

// delWhere drops every entry for which match, given its key and value,
// holds, until none does (a match may depend on what an earlier one
// dropped), and the loads in flight of those keys.
func (m *meta[K, V]) delWhere(match func(K, V) bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	for more := true; more; {
		more = false
		for k, e := range m.entries {
			if e.err == nil && match(k, e.val) {
				delete(m.entries, k)
				delete(m.flights, k)
				more = true
			}
		}
	}
}

func (m *meta[K, V]) clear() {
	m.mu.Lock()
	clear(m.entries)
	clear(m.flights)
	m.mu.Unlock()
}

func (m *meta[K, V]) len() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return len(m.entries)
}
