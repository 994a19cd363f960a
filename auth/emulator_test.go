package auth

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/infomaniakfs/infomaniakfs/remote"
	"github.com/infomaniakfs/infomaniakfs/remote/emulator"
)

// profileStatus calls GET /2/profile on the emulator with tok.
func profileStatus(t *testing.T, base, tok string) int {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, base+"/2/profile", nil)
	req.Header.Set("Authorization", "Bearer "+tok)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

// TestEmulatorEndToEnd walks the whole token lifecycle against the
// project's emulator: login with PKCE, a forged callback, expiry with 100
// concurrent callers, server-side rejection, rotation, revocation of the
// refresh token, a new login picked up live, and logout.
func TestEmulatorEndToEnd(t *testing.T) {
	registered := freeRedirect(t)
	srv, err := emulator.Start(emulator.Options{
		ClientID: "e2e-client", ClientSecret: "CS-secret-e2e", RedirectURI: registered,
		RotateRefresh: true,
	})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	dir := filepath.Join(t.TempDir(), "infomaniakfs")
	cfg := &Config{
		ClientID: "e2e-client", ClientSecret: "CS-secret-e2e", RedirectURI: freeRedirect(t),
		LoginURL: srv.URL(), APIURL: srv.URL(), MailURL: srv.URL(), ConfigDir: dir,
	}
	st := &Store{Dir: dir}
	ctx := context.Background()

	// A redirect URI other than the registered one: the emulator shows its
	// 400 page and never calls back, so Login times out; no token.
	if _, err := Login(ctx, cfg, st, LoginOptions{OpenURL: browse(t, nil), Timeout: 300 * time.Millisecond}); err == nil {
		t.Fatal("login with an unregistered redirect URI succeeded")
	}
	cfg.RedirectURI = registered

	// A forged state is rejected before any token request.
	forge := func(u *url.URL) {
		q := u.Query()
		q.Set("state", "forged")
		u.RawQuery = q.Encode()
	}
	if _, err := Login(ctx, cfg, st, LoginOptions{OpenURL: browse(t, forge), Timeout: 5 * time.Second}); err == nil || !strings.Contains(err.Error(), "state mismatch") {
		t.Fatalf("forged state: %v", err)
	}
	if n := srv.Count("token"); n != 0 {
		t.Fatalf("%d token requests after a forged callback", n)
	}

	tok0, err := Login(ctx, cfg, st, LoginOptions{OpenURL: browse(t, nil), Timeout: 10 * time.Second})
	if err != nil {
		t.Fatalf("Login: %v (%s)", err, Explain(err))
	}
	assertMode(t, dir, 0o700)
	assertMode(t, st.Path(), 0o600)
	if tok0.RefreshToken == "" || profileStatus(t, srv.URL(), tok0.AccessToken) != http.StatusOK {
		t.Fatalf("login token %v unusable: %d", tok0.RefreshToken != "", profileStatus(t, srv.URL(), tok0.AccessToken))
	}

	sctx, cancel := context.WithCancel(ctx)
	defer cancel()
	ts, err := NewTokenSource(sctx, cfg, st)
	if err != nil {
		t.Fatal(err)
	}

	// Expiry: 100 concurrent callers, one refresh, rotated token saved.
	// The source's clock jumps past the expiry; the emulator's latency
	// keeps the refresh in flight while the callers arrive.
	shift(ts, 3*time.Hour)
	srv.SetLatency(100 * time.Millisecond)
	srv.ResetCounts()
	toks, errs := concurrently(ts, 100)
	srv.SetLatency(0)
	shift(ts, 0)
	for i := range toks {
		if errs[i] != nil || toks[i] != toks[0] || toks[i] == tok0.AccessToken {
			t.Fatalf("caller %d: %v", i, errs[i])
		}
	}
	if n := srv.Count("token"); n != 1 {
		t.Fatalf("%d token requests for 100 callers, want 1", n)
	}
	saved, err := st.Load()
	if err != nil || saved.AccessToken != toks[0] || saved.RefreshToken == tok0.RefreshToken {
		t.Fatalf("rotated token not persisted: %v", err)
	}
	if profileStatus(t, srv.URL(), toks[0]) != http.StatusOK {
		t.Fatal("refreshed token refused")
	}

	// The server rejects the token early: concurrent 401s, one refresh.
	srv.ExpireAccessTokens()
	if profileStatus(t, srv.URL(), toks[0]) != http.StatusUnauthorized {
		t.Fatal("ExpireAccessTokens had no effect")
	}
	srv.ResetCounts()
	var wg sync.WaitGroup
	for range 30 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			ts.Invalidate(toks[0])
			if tok, err := ts.Token(ctx); err != nil || profileStatus(t, srv.URL(), tok) != http.StatusOK {
				t.Errorf("after Invalidate: %v", err)
			}
		}()
	}
	wg.Wait()
	if n := srv.Count("token"); n != 1 {
		t.Fatalf("%d token requests for 30 invalidations, want 1", n)
	}

	// Refresh token revoked: ErrAuth with the re-login message, and no
	// hammering of the token endpoint.
	cur := mustToken(t, ts)
	srv.RevokeRefreshTokens()
	srv.ExpireAccessTokens()
	srv.ResetCounts()
	ts.Invalidate(cur)
	for range 50 {
		_, err := ts.Token(ctx)
		if !errors.Is(err, remote.ErrAuth) || !strings.Contains(err.Error(), "expired or was revoked: run `infomaniakfs login`") {
			t.Fatalf("after revocation: %v", err)
		}
		assertNoSecret(t, err, cfg.ClientSecret, cur)
	}
	if n := srv.Count("token"); n != 1 {
		t.Fatalf("%d token requests after invalid_grant, want 1", n)
	}

	// `infomaniakfs login` in another shell: the running source picks it up.
	relogin, err := Login(ctx, cfg, &Store{Dir: dir}, LoginOptions{OpenURL: browse(t, nil), Timeout: 10 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(3 * time.Second)
	for {
		tok, err := ts.Token(ctx)
		if err == nil {
			if tok != relogin.AccessToken || profileStatus(t, srv.URL(), tok) != http.StatusOK {
				t.Fatal("recovered with the wrong token")
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("source did not pick up the new login: %v", err)
		}
		time.Sleep(50 * time.Millisecond)
	}

	// Logout revokes server-side.
	if err := Revoke(ctx, cfg, relogin.AccessToken); err != nil {
		t.Fatal(err)
	}
	if profileStatus(t, srv.URL(), relogin.AccessToken) != http.StatusUnauthorized {
		t.Fatal("revoked token still accepted")
	}
	if err := Revoke(ctx, cfg, relogin.AccessToken); err != nil {
		t.Fatalf("second revoke: %v", err)
	}
}

func TestEmulatorWrongSecretAndPAT(t *testing.T) {
	redirect := freeRedirect(t)
	srv, err := emulator.Start(emulator.Options{ClientID: "c", ClientSecret: "CS-secret-right", RedirectURI: redirect})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	cfg := &Config{ClientID: "c", ClientSecret: "CS-secret-wrong", RedirectURI: redirect, LoginURL: srv.URL(), ConfigDir: t.TempDir()}
	_, err = Login(context.Background(), cfg, &Store{Dir: cfg.ConfigDir}, LoginOptions{OpenURL: browse(t, nil), Timeout: 10 * time.Second})
	if !errors.Is(err, remote.ErrAuth) || !strings.Contains(Explain(err), "Client ID or secret does not match") {
		t.Fatalf("wrong secret: %v / %q", err, Explain(err))
	}
	assertNoSecret(t, err, "CS-secret-wrong", "CS-secret-right")

	pat := srv.IssueToken()
	ts, err := NewTokenSource(context.Background(), &Config{PersonalToken: pat}, &Store{Dir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	if tok := mustToken(t, ts); profileStatus(t, srv.URL(), tok) != http.StatusOK {
		t.Fatal("personal token refused")
	}
}
