package cache

// lru is a byte-bounded least-recently-used map of chunks; the caller locks.
// The newest chunk always stays, even when it alone exceeds the bound, so
// the reader that fetched it can still be served.
type lru[K comparable] struct {
	max   int64
	used  int64
	items map[K]*lruNode[K]
	head  lruNode[K] // sentinel: head.next is the newest, head.prev the oldest
}

type lruNode[K comparable] struct {
	key        K
	data       []byte
	prev, next *lruNode[K]
}

func (l *lru[K]) init(max int64) {
	l.max = max
	l.items = make(map[K]*lruNode[K])
	l.head.next, l.head.prev = &l.head, &l.head
}

func (l *lru[K]) get(key K) ([]byte, bool) {
	n, ok := l.items[key]
	if !ok {
		return nil, false
	}
	l.unlink(n)
	l.pushFront(n)
	return n.data, true
}

func (l *lru[K]) add(key K, data []byte) {
	if n, ok := l.items[key]; ok {
		l.used += int64(len(data)) - int64(len(n.data))
		n.data = data
		l.unlink(n)
		l.pushFront(n)
	} else {
		n := &lruNode[K]{key: key, data: data}
		l.items[key] = n
		l.used += int64(len(data))
		l.pushFront(n)
	}
	for l.used > l.max && l.head.prev != l.head.next {
		l.remove(l.head.prev.key)
	}
}

func (l *lru[K]) remove(key K) {
	n, ok := l.items[key]
	if !ok {
		return
	}
	l.unlink(n)
	delete(l.items, key)
	l.used -= int64(len(n.data))
}

func (l *lru[K]) unlink(n *lruNode[K]) {
	n.prev.next = n.next
	n.next.prev = n.prev
	n.prev, n.next = nil, nil
}

func (l *lru[K]) pushFront(n *lruNode[K]) {
	n.prev = &l.head
	n.next = l.head.next
	l.head.next.prev = n
	l.head.next = n
}
