package kdrive

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/infomaniakfs/infomaniakfs/remote"
	"github.com/infomaniakfs/infomaniakfs/remote/emulator"
	"github.com/infomaniakfs/infomaniakfs/remote/emulator/dataset"
)

// refreshingTokens stands in for auth's source: Invalidate makes the next
// Token fetch a new one (here: a fresh personal token).
type refreshingTokens struct {
	mu          sync.Mutex
	s           *emulator.Server
	tok         string
	refreshes   int
	refreshable bool
}

func (r *refreshingTokens) Token(context.Context) (string, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.tok == "" {
		if !r.refreshable {
			return "", remote.ErrAuth
		}
		r.tok = r.s.IssueToken()
		r.refreshes++
	}
	return r.tok, nil
}

func (r *refreshingTokens) Invalidate(tok string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if tok == r.tok {
		r.tok = ""
	}
}

func TestEmulatorExpiredTokenRefreshedOnce(t *testing.T) {
	s, err := emulator.Start(emulator.Options{Data: dataset.Generate(dataset.Spec{Drives: 1})})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	tokens := &refreshingTokens{s: s, refreshable: true}
	c := New(remote.NewClient(remote.ClientOptions{Tokens: tokens, MinBackoff: time.Millisecond}), s.URL())
	if _, err := c.Drives(t.Context()); err != nil {
		t.Fatal(err)
	}
	s.ExpireAccessTokens()
	s.ResetCounts()
	if _, err := c.Drives(t.Context()); err != nil || tokens.refreshes != 2 || s.Count("drives") != 1 {
		t.Fatalf("after expiry: %v, %d refreshes, %d counted calls", err, tokens.refreshes, s.Count("drives"))
	}
	// No refresh possible: the call fails with ErrAuth, it does not spin.
	s.ExpireAccessTokens()
	tokens.refreshable = false
	if _, err := c.Drives(t.Context()); !errors.Is(err, remote.ErrAuth) {
		t.Fatalf("unrefreshable: %v", err)
	}
}

func TestEmulatorRateLimitHonoured(t *testing.T) {
	s, c := startEmulator(t, dataset.Spec{Drives: 1})
	d := s.Data().Drives()[0].ID
	s.SetRate(20, 2)
	t0 := time.Now()
	for range 8 {
		if e, err := c.Stat(t.Context(), d, 1); err != nil || !e.IsDir {
			t.Fatalf("after %v: %+v %v", time.Since(t0), e, err)
		}
	}
	// Some calls were refused (429) and retried after Retry-After.
	if s.Count("stat") <= 8 || time.Since(t0) < 200*time.Millisecond {
		t.Fatalf("%d stat calls in %v: the rate limit never applied", s.Count("stat"), time.Since(t0))
	}
}
