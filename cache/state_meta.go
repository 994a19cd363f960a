package cache

// The meta caches as the state file sees them: what they hold, read out
// for SaveState, and restored from it at an offline start.

// each calls fn with every value held (fresh or stale, errors left out),
// under the cache's lock: fn must not call back into m.
func (m *meta[K, V]) each(fn func(K, V)) {
	m.mu.Lock()
	defer m.mu.Unlock()
	for k, e := range m.entries {
		if e.err == nil {
			fn(k, e.val)
		}
	}
}

// restore stores val for key already expired: served at once while the
// remote is offline (and kept fresh by keep, once that holds), loaded
// again by the first get once it answers. What is held already wins.
func (m *meta[K, V]) restore(key K, val V) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if _, ok := m.entries[key]; ok || len(m.entries) >= m.max {
		return
	}
	// A zero expiry would mean "made stale by expire"; keep needs a
	// real one.
	m.entries[key] = metaEntry[V]{val: val, expires: m.now().Add(-1)}
}
