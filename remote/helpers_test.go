package remote

import (
	"context"
	"net/http"
	"sync"
	"sync/atomic"
	"time"
)

// fakeTokens hands out "old" until invalidated, then "fresh".
type fakeTokens struct {
	mu          sync.Mutex
	tok         string
	invalidated []string
}

func newFakeTokens() *fakeTokens { return &fakeTokens{tok: "old"} }

func (f *fakeTokens) Token(context.Context) (string, error) { return f.get(), nil }

func (f *fakeTokens) get() string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.tok
}

func (f *fakeTokens) Invalidate(tok string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.invalidated = append(f.invalidated, tok)
	f.tok = "fresh"
}

func (f *fakeTokens) invalidations() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.invalidated...)
}

// fastOptions keeps retries quick in tests.
func fastOptions() ClientOptions {
	return ClientOptions{MinBackoff: time.Millisecond, MaxBackoff: 5 * time.Millisecond, Timeout: 5 * time.Second}
}

// counter counts requests served by a handler.
type counter struct{ n atomic.Int64 }

func (c *counter) wrap(h http.HandlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) { c.n.Add(1); h(w, r) }
}

func (c *counter) get() int64 { return c.n.Load() }

func writeJSON(w http.ResponseWriter, status int, body string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = w.Write([]byte(body))
}
