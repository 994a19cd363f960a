package auth

import (
	"context"
	"errors"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/oauth2"

	"github.com/infomaniakfs/infomaniakfs/remote"
)

// expiredSource stores an expired token whose refresh token the fake
// knows, and returns a source over it.
func expiredSource(t *testing.T, f *fakeOAuth) (remote.TokenSource, *Store) {
	t.Helper()
	dir := t.TempDir()
	st := &Store{Dir: dir}
	f.addRefresh("RT-secret-initial")
	if err := st.Save(&oauth2.Token{AccessToken: "AT-secret-initial", RefreshToken: "RT-secret-initial", Expiry: time.Now().Add(-time.Hour)}); err != nil {
		t.Fatal(err)
	}
	ts, err := NewTokenSource(context.Background(), f.config(dir), st)
	if err != nil {
		t.Fatal(err)
	}
	return ts, st
}

// concurrently calls Token from n goroutines and returns the results.
func concurrently(ts remote.TokenSource, n int) ([]string, []error) {
	toks, errs := make([]string, n), make([]error, n)
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			toks[i], errs[i] = ts.Token(context.Background())
		}()
	}
	close(start)
	wg.Wait()
	return toks, errs
}

func TestConcurrentExpiredOneRefresh(t *testing.T) {
	f := newFakeOAuth(t, "http://127.0.0.1:1/cb")
	// Keep the refresh in flight while callers pile up.
	f.set(func(f *fakeOAuth) { f.delay = 50 * time.Millisecond })
	ts, st := expiredSource(t, f)
	toks, errs := concurrently(ts, 100)
	for i := range toks {
		if errs[i] != nil || toks[i] != toks[0] || toks[i] == "AT-secret-initial" {
			t.Fatalf("caller %d: %q, %v (first %q)", i, toks[i], errs[i], toks[0])
		}
	}
	if n := f.refreshCalls.Load(); n != 1 {
		t.Fatalf("%d refresh requests, want 1", n)
	}
	saved, err := st.Load()
	if err != nil || saved.AccessToken != toks[0] {
		t.Fatalf("saved %+v, %v", saved, err)
	}
	// Valid now: no further request.
	if _, err := ts.Token(context.Background()); err != nil || f.refreshCalls.Load() != 1 {
		t.Fatalf("second Token: %v, %d refreshes", err, f.refreshCalls.Load())
	}
}

func TestInvalidateForcesOneRefresh(t *testing.T) {
	f := newFakeOAuth(t, "http://127.0.0.1:1/cb")
	ts, _ := expiredSource(t, f)
	tok1, err := ts.Token(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	f.set(func(f *fakeOAuth) { f.delay = 30 * time.Millisecond })
	var wg sync.WaitGroup
	for range 50 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			ts.Invalidate(tok1)
			if tok, err := ts.Token(context.Background()); err != nil || tok == tok1 {
				t.Errorf("after Invalidate: %q, %v", tok, err)
			}
		}()
	}
	wg.Wait()
	if n := f.refreshCalls.Load(); n != 2 {
		t.Fatalf("%d refresh requests, want 2 (initial + one for 50 invalidations)", n)
	}
	ts.Invalidate("some-older-token")
	if _, err := ts.Token(context.Background()); err != nil || f.refreshCalls.Load() != 2 {
		t.Fatalf("Invalidate of a stale token refreshed: %v, %d", err, f.refreshCalls.Load())
	}
}

func TestRotatedRefreshTokenPersisted(t *testing.T) {
	f := newFakeOAuth(t, "http://127.0.0.1:1/cb")
	f.set(func(f *fakeOAuth) { f.rotate = true })
	ts, st := expiredSource(t, f)
	for i := range 3 {
		tok, err := ts.Token(context.Background())
		if err != nil {
			t.Fatalf("round %d: %v", i, err)
		}
		saved, err := st.Load()
		if err != nil {
			t.Fatal(err)
		}
		if saved.AccessToken != tok || saved.RefreshToken == "RT-secret-initial" || !f.knowsRefresh(saved.RefreshToken) {
			t.Fatalf("round %d: saved %+v is not the rotated token", i, saved)
		}
		ts.Invalidate(tok)
	}
	// A fresh source (a restart) works from the file alone.
	ts2, err := NewTokenSource(context.Background(), f.config(st.Dir), st)
	if err != nil {
		t.Fatal(err)
	}
	ts2.Invalidate(mustToken(t, ts2))
	if _, err := ts2.Token(context.Background()); err != nil {
		t.Fatalf("restart: %v", err)
	}
}

// advance moves the source's clock forward by d, to skip its backoffs.
func advance(ts remote.TokenSource, d time.Duration) {
	s := ts.(*oauthSource)
	s.mu.Lock()
	defer s.mu.Unlock()
	prev := s.now
	s.now = func() time.Time { return prev().Add(d) }
}

// shift sets the source's clock to the real time plus d.
func shift(ts remote.TokenSource, d time.Duration) {
	s := ts.(*oauthSource)
	s.mu.Lock()
	defer s.mu.Unlock()
	s.now = func() time.Time { return time.Now().Add(d) }
}

// freeze stops the source's clock, so only advance moves it.
func freeze(ts remote.TokenSource) {
	s := ts.(*oauthSource)
	s.mu.Lock()
	defer s.mu.Unlock()
	at := s.now()
	s.now = func() time.Time { return at }
}

func mustToken(t *testing.T, ts remote.TokenSource) string {
	t.Helper()
	tok, err := ts.Token(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

func TestInvalidGrantIsStickyThenRecovers(t *testing.T) {
	for _, extra := range []string{"", `,"reason":"refresh_token_revoked"`} {
		t.Run("extra="+extra, func(t *testing.T) {
			f := newFakeOAuth(t, "http://127.0.0.1:1/cb")
			f.set(func(f *fakeOAuth) { f.revokedBody = extra })
			ts, st := expiredSource(t, f)
			freeze(ts)
			f.revokeAllRefresh()
			_, errs := concurrently(ts, 20)
			for i := 0; i < 50; i++ {
				_, err := ts.Token(context.Background())
				errs = append(errs, err)
			}
			for _, err := range errs {
				if !errors.Is(err, remote.ErrAuth) || !strings.Contains(err.Error(), "run `infomaniakfs login`") {
					t.Fatalf("err = %v, want ErrAuth with the re-login message", err)
				}
				assertNoSecret(t, err, f.secret)
			}
			if got := Explain(errs[0]); !strings.Contains(got, "run `infomaniakfs login` again") {
				t.Errorf("Explain = %q", got)
			}
			if n := f.tokenCalls.Load(); n != 1 {
				t.Fatalf("%d token requests after invalid_grant, want 1", n)
			}
			// A login in another shell writes a new token: the source
			// picks it up without a restart, within about a second.
			f.addRefresh("RT-secret-relogin")
			if err := st.Save(&oauth2.Token{AccessToken: "AT-secret-relogin", RefreshToken: "RT-secret-relogin", Expiry: time.Now().Add(time.Hour)}); err != nil {
				t.Fatal(err)
			}
			if _, err := ts.Token(context.Background()); err == nil {
				t.Fatal("the file was re-read before its recheck interval")
			}
			advance(ts, recheckEvery)
			for deadline := time.Now().Add(3 * time.Second); ; {
				tok, err := ts.Token(context.Background())
				if err == nil {
					if tok != "AT-secret-relogin" {
						t.Fatalf("recovered with %q", tok)
					}
					break
				}
				if time.Now().After(deadline) {
					t.Fatalf("not recovered: %v", err)
				}
				time.Sleep(20 * time.Millisecond)
			}
			if n := f.tokenCalls.Load(); n != 1 {
				t.Errorf("%d token requests, want 1: the new token was valid", n)
			}
		})
	}
}

func TestTransientRefreshFailure(t *testing.T) {
	for _, status := range []int{500, 503, 429} {
		f := newFakeOAuth(t, "http://127.0.0.1:1/cb")
		f.set(func(f *fakeOAuth) { f.status = status })
		ts, _ := expiredSource(t, f)
		_, err := ts.Token(context.Background())
		want := remote.ErrUnavailable
		if status == 429 {
			want = remote.ErrRateLimited
		}
		if !errors.Is(err, want) || errors.Is(err, remote.ErrAuth) {
			t.Fatalf("%d: err = %v, want %v", status, err, want)
		}
		// Within the backoff: the same error, no new request.
		if _, err := ts.Token(context.Background()); err == nil || f.tokenCalls.Load() != 1 {
			t.Fatalf("%d: second call %v after %d requests", status, err, f.tokenCalls.Load())
		}
		// The server recovers: so does the source, after the backoff.
		f.set(func(f *fakeOAuth) { f.status = 0 })
		advance(ts, failBackoff)
		if _, err := ts.Token(context.Background()); err != nil {
			t.Fatalf("%d: after recovery: %v", status, err)
		}
	}
	t.Run("unreachable", func(t *testing.T) {
		f := newFakeOAuth(t, "http://127.0.0.1:1/cb")
		ts, _ := expiredSource(t, f)
		f.srv.Close()
		_, err := ts.Token(context.Background())
		if !errors.Is(err, remote.ErrUnavailable) {
			t.Fatalf("err = %v", err)
		}
	})
}

func TestTokenHonoursCallerContext(t *testing.T) {
	f := newFakeOAuth(t, "http://127.0.0.1:1/cb")
	f.set(func(f *fakeOAuth) { f.delay = 2 * time.Second })
	ts, _ := expiredSource(t, f)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	start := time.Now()
	if _, err := ts.Token(ctx); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("err = %v", err)
	}
	if time.Since(start) > time.Second {
		t.Errorf("waited %v for a cancelled caller", time.Since(start))
	}
	// The refresh went on under the source's context and serves the next caller.
	if _, err := ts.Token(context.Background()); err != nil || f.refreshCalls.Load() != 1 {
		t.Fatalf("%v, %d refreshes", err, f.refreshCalls.Load())
	}
}

func TestNoRefreshToken(t *testing.T) {
	dir := t.TempDir()
	st := &Store{Dir: dir}
	st.Save(&oauth2.Token{AccessToken: "AT-secret-x", Expiry: time.Now().Add(-time.Minute)})
	ts, err := NewTokenSource(context.Background(), &Config{ClientID: "c", ConfigDir: dir}, st)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ts.Token(context.Background()); !errors.Is(err, remote.ErrAuth) || Explain(err) == "" {
		t.Fatalf("err = %v", err)
	}
}

func TestNewTokenSourceErrors(t *testing.T) {
	dir := t.TempDir()
	_, err := NewTokenSource(context.Background(), &Config{ClientID: "c"}, &Store{Dir: dir})
	if !errors.Is(err, remote.ErrAuth) || !strings.Contains(err.Error(), "not logged in: run `infomaniakfs login`") {
		t.Fatalf("not logged in: %v", err)
	}
	st := &Store{Dir: dir}
	st.Save(&oauth2.Token{AccessToken: "a", RefreshToken: "r", Expiry: time.Now().Add(time.Hour)})
	if _, err := NewTokenSource(context.Background(), &Config{}, st); err == nil || !strings.Contains(err.Error(), "INFOMANIAK_CLIENT_ID") {
		t.Fatalf("no client id: %v", err)
	}
}

func TestPersonalToken(t *testing.T) {
	ts, err := NewTokenSource(context.Background(), &Config{PersonalToken: "PAT-secret"}, &Store{Dir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	if tok, err := ts.Token(context.Background()); tok != "PAT-secret" || err != nil {
		t.Fatalf("Token = %q, %v", tok, err)
	}
	ts.Invalidate("something-else")
	if _, err := ts.Token(context.Background()); err != nil {
		t.Fatalf("Invalidate of another token: %v", err)
	}
	// A 401 may mean a missing scope on one route: the token stays in use,
	// and the HTTP client reports a repeated 401 as remote.ErrAuth itself.
	ts.Invalidate("PAT-secret")
	if tok, err := ts.Token(context.Background()); tok != "PAT-secret" || err != nil {
		t.Fatalf("after Invalidate: Token = %q, %v", tok, err)
	}
}

// TestLogsHoldNoSecrets runs refresh, rejection and failure paths with
// debug logging on and checks that no token or secret reaches the log.
func TestLogsHoldNoSecrets(t *testing.T) {
	var buf syncBuffer
	prev := slog.Default()
	slog.SetDefault(slog.New(slog.NewTextHandler(&buf, &slog.HandlerOptions{Level: slog.LevelDebug})))
	defer slog.SetDefault(prev)

	f := newFakeOAuth(t, "http://127.0.0.1:1/cb")
	ts, st := expiredSource(t, f)
	tok := mustToken(t, ts)
	os.Chmod(st.Path(), 0o644)
	st.Load()
	dir := st.Dir
	st.Dir = filepath.Join(st.Path(), "not-a-dir") // the next save fails, even as root
	ts.Invalidate(tok)
	mustToken(t, ts)
	st.Dir = dir
	f.set(func(f *fakeOAuth) { f.status = 500 })
	ts.Invalidate(mustToken(t, ts))
	ts.Token(context.Background())
	f.set(func(f *fakeOAuth) { f.status = 0 })
	f.revokeAllRefresh()
	advance(ts, failBackoff)
	ts.Token(context.Background())
	pat, _ := NewTokenSource(context.Background(), &Config{PersonalToken: "PAT-secret"}, st)
	pat.Invalidate("PAT-secret")

	log := buf.String()
	for _, want := range []string{"refreshed", "could not save", "will retry", "log in again", "rejected"} {
		if !strings.Contains(log, want) {
			t.Errorf("log lacks %q:\n%s", want, log)
		}
	}
	for _, secret := range []string{"AT-secret", "RT-secret", "CS-secret", "PAT-secret"} {
		if strings.Contains(log, secret) {
			t.Errorf("log leaks %q:\n%s", secret, log)
		}
	}
}
