package emulator

import (
	"maps"
	"net/http"
	"sync"
)

// counters counts requests per endpoint name, and separately the ones
// answered 429 (rate limit or injected fault), so a test or a benchmark can
// tell what an operation cost and whether it was told to slow down.
type counters struct {
	mu      sync.Mutex
	m       map[string]int64
	limited map[string]int64
}

func (c *counters) inc(name string) { c.add(&c.m, name) }

// inc429 records that a request already counted by inc was answered 429.
func (c *counters) inc429(name string) { c.add(&c.limited, name) }

func (c *counters) add(m *map[string]int64, name string) {
	c.mu.Lock()
	if *m == nil {
		*m = make(map[string]int64)
	}
	(*m)[name]++
	c.mu.Unlock()
}

// CounterSnapshot is every counter at one instant, as GET /_emulator/counters
// serves it. Total counts every request, the 429 answers included.
type CounterSnapshot struct {
	Total       int64            `json:"total"`
	Endpoints   map[string]int64 `json:"endpoints"`
	RateLimited int64            `json:"rate_limited"`
	// RateLimitedEndpoints: the 429 answers per endpoint (a subset of Endpoints).
	RateLimitedEndpoints map[string]int64 `json:"rate_limited_endpoints"`
}

// Count is the number of requests served by endpoint name (see the package
// documentation for the names).
func (s *Server) Count(name string) int64 {
	s.counts.mu.Lock()
	defer s.counts.mu.Unlock()
	return s.counts.m[name]
}

// Counts is a copy of every non-zero counter.
func (s *Server) Counts() map[string]int64 { return s.Counters().Endpoints }

// Counters is a consistent copy of every counter.
func (s *Server) Counters() CounterSnapshot {
	s.counts.mu.Lock()
	defer s.counts.mu.Unlock()
	c := CounterSnapshot{
		Endpoints:            make(map[string]int64, len(s.counts.m)),
		RateLimitedEndpoints: make(map[string]int64, len(s.counts.limited)),
	}
	maps.Copy(c.Endpoints, s.counts.m)
	maps.Copy(c.RateLimitedEndpoints, s.counts.limited)
	for _, n := range c.Endpoints {
		c.Total += n
	}
	for _, n := range c.RateLimitedEndpoints {
		c.RateLimited += n
	}
	return c
}

// ResetCounts zeroes every counter.
func (s *Server) ResetCounts() {
	s.counts.mu.Lock()
	s.counts.m, s.counts.limited = nil, nil
	s.counts.mu.Unlock()
}

// countersHandler serves GET /_emulator/counters: not an API route, so no
// token, no latency, no faults, and not counted itself.
func (s *Server) countersHandler(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Cache-Control", "no-store")
	writeJSON(w, http.StatusOK, s.Counters())
}
