package auth

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/infomaniakfs/infomaniakfs/remote"
)

func freeRedirect(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return fmt.Sprintf("http://%s/callback", l.Addr())
}

func TestLoginBrowserFlow(t *testing.T) {
	f := newFakeOAuth(t, freeRedirect(t))
	dir := filepath.Join(t.TempDir(), "cfg")
	var out bytes.Buffer
	tok, err := Login(context.Background(), f.config(dir), &Store{Dir: dir}, LoginOptions{
		Out: &out, OpenURL: browse(t, nil), Timeout: 10 * time.Second,
	})
	if err != nil {
		t.Fatalf("Login: %v", err)
	}
	if !strings.HasPrefix(tok.AccessToken, "AT-secret-") || !strings.HasPrefix(tok.RefreshToken, "RT-secret-") {
		t.Fatalf("token = %+v", tok)
	}
	if !strings.Contains(out.String(), "Open this URL to log in: "+f.srv.URL+"/authorize?") {
		t.Errorf("output lacks the URL line: %q", out.String())
	}
	saved, err := (&Store{Dir: dir}).Load()
	if err != nil || saved.AccessToken != tok.AccessToken || saved.RefreshToken != tok.RefreshToken {
		t.Fatalf("stored token %+v, %v", saved, err)
	}
	assertMode(t, dir, 0o700)
	assertMode(t, filepath.Join(dir, "token.json"), 0o600)
}

func TestLoginAuthorizeURL(t *testing.T) {
	f := newFakeOAuth(t, freeRedirect(t))
	dir := t.TempDir()
	var got *url.URL
	_, err := Login(context.Background(), f.config(dir), &Store{Dir: dir}, LoginOptions{
		Timeout: 5 * time.Second,
		OpenURL: func(u string) error {
			got, _ = url.Parse(u)
			return browse(t, nil)(u)
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	q := got.Query()
	want := map[string]string{
		"response_type": "code", "client_id": f.clientID, "redirect_uri": f.redirect,
		"code_challenge_method": "S256", "access_type": "offline", "scope": "user_info kdrive mail",
	}
	for k, v := range want {
		if q.Get(k) != v {
			t.Errorf("%s = %q, want %q", k, q.Get(k), v)
		}
	}
	if len(q.Get("code_challenge")) != 43 || len(q.Get("state")) < 20 {
		t.Errorf("challenge %q / state %q too short", q.Get("code_challenge"), q.Get("state"))
	}
}

func TestLoginCallbackRejected(t *testing.T) {
	tests := []struct {
		name    string
		mutate  func(*url.URL)
		wantErr string
		wantIs  error
	}{
		{"wrong state", func(u *url.URL) {
			q := u.Query()
			q.Set("state", "forged")
			u.RawQuery = q.Encode()
		}, "state mismatch", remote.ErrAuth},
		{"error param", func(u *url.URL) { u.RawQuery = "error=access_denied&state=x" }, "denied", remote.ErrAuth},
		{"no code", func(u *url.URL) {
			q := u.Query()
			q.Del("code")
			u.RawQuery = q.Encode()
		}, "no authorization code", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFakeOAuth(t, freeRedirect(t))
			dir := t.TempDir()
			_, err := Login(context.Background(), f.config(dir), &Store{Dir: dir}, LoginOptions{
				OpenURL: browse(t, tt.mutate), Timeout: 5 * time.Second,
			})
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("err = %v, want %q", err, tt.wantErr)
			}
			if tt.wantIs != nil && !errors.Is(err, tt.wantIs) {
				t.Errorf("errors.Is(%v, %v) = false", err, tt.wantIs)
			}
			if n := f.tokenCalls.Load(); n != 0 {
				t.Errorf("%d token requests after a rejected callback", n)
			}
			if _, err := os.Stat(filepath.Join(dir, "token.json")); err == nil {
				t.Error("a token was stored")
			}
		})
	}
}

func TestLoginExchangeErrors(t *testing.T) {
	tests := []struct {
		name    string
		cfg     func(c *Config)
		fake    func(f *fakeOAuth)
		explain string
	}{
		{"wrong secret", func(c *Config) { c.ClientSecret = "nope" }, nil, "Client ID or secret does not match"},
		{"redirect mismatch at token", nil, func(f *fakeOAuth) {
			// The authorize step saw another URI than the token step.
			f.redirect = f.redirect + "/"
		}, "does not match the one registered"},
		{"server down", nil, func(f *fakeOAuth) { f.status = 503 }, "cannot be reached"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			redirect := freeRedirect(t)
			f := newFakeOAuth(t, redirect)
			c := f.config(t.TempDir())
			if tt.cfg != nil {
				tt.cfg(c)
			}
			open := browse(t, nil)
			if tt.fake != nil {
				// Apply after /authorize has redirected, before /token.
				open = browse(t, func(*url.URL) { f.set(tt.fake) })
			}
			_, err := Login(context.Background(), c, &Store{Dir: c.ConfigDir}, LoginOptions{OpenURL: open, Timeout: 5 * time.Second})
			if err == nil {
				t.Fatal("Login succeeded")
			}
			if got := Explain(err); !strings.Contains(got, tt.explain) {
				t.Errorf("Explain(%v) = %q, want %q", err, got, tt.explain)
			}
			assertNoSecret(t, err, f.secret)
		})
	}
}

func TestLoginNoBrowser(t *testing.T) {
	tests := []struct {
		name    string
		paste   func(redirected *url.URL) string
		wantErr string
	}{
		{"full URL", func(u *url.URL) string { return u.String() + "\n" }, ""},
		{"bare code", func(u *url.URL) string { return "  " + u.Query().Get("code") + "\n" }, ""},
		{"query only", func(u *url.URL) string { return u.RawQuery }, ""},
		{"wrong state", func(u *url.URL) string {
			return strings.Replace(u.String(), "state=", "state=X", 1) + "\n"
		}, "state mismatch"},
		{"error URL", func(u *url.URL) string { return f0(u) + "?error=access_denied" }, "denied"},
		{"empty", func(*url.URL) string { return "\n" }, "nothing pasted"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			// A non-loopback redirect URI is fine here: nothing listens.
			f := newFakeOAuth(t, "https://gateway.example.com/api/infomaniak/auth/connect/callback")
			dir := t.TempDir()
			pr, pw := io.Pipe()
			var out syncBuffer
			done := make(chan error, 1)
			go func() {
				_, err := Login(context.Background(), f.config(dir), &Store{Dir: dir}, LoginOptions{
					NoBrowser: true, In: pr, Out: &out, Timeout: 5 * time.Second,
				})
				done <- err
			}()
			authURL := waitForURL(t, &out)
			c := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
			resp, err := c.Get(authURL)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			loc, err := url.Parse(resp.Header.Get("Location"))
			if err != nil || loc.Query().Get("code") == "" {
				t.Fatalf("authorize answered %d %q", resp.StatusCode, resp.Header.Get("Location"))
			}
			io.WriteString(pw, tt.paste(loc))
			pw.Close()
			err = <-done
			if tt.wantErr == "" && err != nil {
				t.Fatalf("Login: %v", err)
			}
			if tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)) {
				t.Fatalf("err = %v, want %q", err, tt.wantErr)
			}
		})
	}
}

func f0(u *url.URL) string { return u.Scheme + "://" + u.Host + u.Path }

func TestLoginTimeout(t *testing.T) {
	f := newFakeOAuth(t, freeRedirect(t))
	start := time.Now()
	_, err := Login(context.Background(), f.config(t.TempDir()), &Store{Dir: t.TempDir()}, LoginOptions{
		OpenURL: func(string) error { return errors.New("no browser here") }, Timeout: 200 * time.Millisecond,
	})
	if err == nil || !strings.Contains(err.Error(), "gave up after") {
		t.Fatalf("err = %v", err)
	}
	if time.Since(start) > 5*time.Second {
		t.Errorf("took %v", time.Since(start))
	}
}

func assertMode(t *testing.T, path string, want os.FileMode) {
	t.Helper()
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if got := fi.Mode().Perm(); got != want {
		t.Errorf("%s mode %o, want %o", path, got, want)
	}
}

// assertNoSecret fails if err's text holds a secret or token.
func assertNoSecret(t *testing.T, err error, secrets ...string) {
	t.Helper()
	msg := fmt.Sprintf("%v | %+v | %s", err, err, Explain(err))
	for _, s := range append(secrets, "AT-secret", "RT-secret", "CS-secret") {
		if s != "" && strings.Contains(msg, s) {
			t.Errorf("error text leaks %q: %s", s, msg)
		}
	}
}

// waitForURL waits until Login printed its URL line and returns the URL.
func waitForURL(t *testing.T, out *syncBuffer) string {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for time.Now().Before(deadline) {
		for _, line := range strings.Split(out.String(), "\n") {
			if u, ok := strings.CutPrefix(line, "Open this URL to log in: "); ok {
				return u
			}
		}
		time.Sleep(5 * time.Millisecond)
	}
	t.Fatalf("no URL printed: %q", out.String())
	return ""
}
