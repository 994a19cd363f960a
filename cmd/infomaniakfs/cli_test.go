package main

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/infomaniakfs/infomaniakfs/auth"
	"github.com/infomaniakfs/infomaniakfs/cache"
	"github.com/infomaniakfs/infomaniakfs/remote/emulator"
	"github.com/infomaniakfs/infomaniakfs/remote/emulator/dataset"
)

// cli runs the command in-process with a hermetic environment.
func cli(t *testing.T, env map[string]string, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	for _, k := range []string{"INFOMANIAK_CLIENT_ID", "INFOMANIAK_CLIENT_SECRET", "INFOMANIAK_REDIRECT_URI",
		"INFOMANIAK_API_URL", "INFOMANIAK_MAIL_URL", "INFOMANIAK_LOGIN_URL", "INFOMANIAK_TOKEN"} {
		t.Setenv(k, env[k])
	}
	t.Setenv("XDG_CONFIG_HOME", t.TempDir())
	t.Setenv("XDG_CACHE_HOME", t.TempDir())
	t.Setenv("XDG_RUNTIME_DIR", t.TempDir()) // no real mount in `status`
	var o, e bytes.Buffer
	code = run(args, &o, &e)
	return o.String(), e.String(), code
}

func freePortURL(t *testing.T) string {
	t.Helper()
	u, err := freeLoopbackURL()
	if err != nil {
		t.Fatal(err)
	}
	return u
}

type account struct {
	srv      *emulator.Server
	cfgDir   string
	redirect string
}

func newAccount(t *testing.T, o emulator.Options) *account {
	t.Helper()
	if o.RedirectURI == "" {
		o.RedirectURI = freePortURL(t)
	}
	if o.ClientID == "" {
		o.ClientID, o.ClientSecret = "test-client", "test-secret"
	}
	srv, err := emulator.Start(o)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(srv.Close)
	return &account{srv: srv, cfgDir: t.TempDir(), redirect: o.RedirectURI}
}

// login performs the OAuth flow through auth.Login with a scripted browser.
func (a *account) login(t *testing.T, clientID, secret, redirect string, scopes ...string) error {
	t.Helper()
	cfg := auth.Config{ClientID: clientID, ClientSecret: secret, RedirectURI: redirect,
		LoginURL: a.srv.URL(), APIURL: a.srv.URL(), MailURL: a.srv.URL(), ConfigDir: a.cfgDir, Scopes: scopes}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	_, err := auth.Login(ctx, &cfg, &auth.Store{Dir: a.cfgDir}, auth.LoginOptions{
		Out: io.Discard, OpenURL: browser, Timeout: 10 * time.Second,
	})
	return err
}

// browser follows the authorize redirect like a browser whose user approves.
func browser(u string) error {
	go func() {
		if resp, err := http.Get(u); err == nil {
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
		}
	}()
	return nil
}

func (a *account) status(t *testing.T) (string, string, int) {
	// As a user would: the secret stays in the environment, the rest was
	// remembered by login.
	return cli(t, map[string]string{"INFOMANIAK_CLIENT_SECRET": "test-secret"}, "status", "--config-dir", a.cfgDir, "--api-url", a.srv.URL(), "--mail-url", a.srv.URL(), "--login-url", a.srv.URL())
}

func TestStatusAfterLogin(t *testing.T) {
	a := newAccount(t, emulator.Options{UserEmail: "ada@example.ch"})
	if err := a.login(t, "test-client", "test-secret", a.redirect); err != nil {
		t.Fatal(err)
	}
	info, err := os.Stat(filepath.Join(a.cfgDir, "token.json"))
	if err != nil || info.Mode().Perm() != 0o600 {
		t.Fatalf("token file: %v, mode %v; want 0600", err, info.Mode().Perm())
	}
	out, errOut, code := a.status(t)
	if code != 0 {
		t.Fatalf("status exit %d\n%s%s", code, out, errOut)
	}
	for _, want := range []string{"ada@example.ch", "Drive 1", "drive(s)", "mailbox(es)", "valid until"} {
		if !strings.Contains(out, want) {
			t.Errorf("status output lacks %q:\n%s", want, out)
		}
	}
}

// Each troubleshooting case of the seed guide ends in one sentence naming
// the fix and a non-zero exit code.
func TestTroubleshootingSentences(t *testing.T) {
	t.Run("invalid_client", func(t *testing.T) {
		a := newAccount(t, emulator.Options{})
		err := a.login(t, "test-client", "wrong-secret", a.redirect)
		if msg := explain(err, "login failed"); !strings.Contains(msg, "Client ID or secret") {
			t.Errorf("wrong secret: %q", msg)
		}
	})
	t.Run("invalid_redirect_uri", func(t *testing.T) {
		a := newAccount(t, emulator.Options{})
		err := a.login(t, "test-client", "test-secret", freePortURL(t))
		if msg := explain(err, "login failed"); !strings.Contains(msg, "redirect URI") || !strings.Contains(msg, "byte") {
			t.Errorf("redirect mismatch: %q", msg)
		}
	})
	t.Run("profile 401", func(t *testing.T) {
		a := newAccount(t, emulator.Options{})
		if err := a.login(t, "test-client", "test-secret", a.redirect, "kdrive", "mail"); err != nil {
			t.Fatal(err)
		}
		_, errOut, code := a.status(t)
		if code == 0 || !strings.Contains(errOut, "user_info") {
			t.Errorf("status without user_info: exit %d, %q", code, errOut)
		}
	})
	t.Run("empty kDrive", func(t *testing.T) {
		dir := t.TempDir()
		if err := os.Mkdir(filepath.Join(dir, "kdrive"), 0o755); err != nil {
			t.Fatal(err)
		}
		empty, err := dataset.Load(dir)
		if err != nil {
			t.Fatal(err)
		}
		a := newAccount(t, emulator.Options{Data: empty})
		if err := a.login(t, "test-client", "test-secret", a.redirect); err != nil {
			t.Fatal(err)
		}
		out, _, code := a.status(t)
		if code == 0 || !strings.Contains(out, "no kDrive found for this account") {
			t.Errorf("no drives: exit %d, %q", code, out)
		}
	})
	t.Run("invalid_grant", func(t *testing.T) {
		a := newAccount(t, emulator.Options{})
		if err := a.login(t, "test-client", "test-secret", a.redirect); err != nil {
			t.Fatal(err)
		}
		a.srv.RevokeRefreshTokens()
		a.srv.ExpireAccessTokens()
		_, errOut, code := a.status(t)
		if code == 0 || !strings.Contains(errOut, "infomaniakfs login") {
			t.Errorf("revoked: exit %d, %q", code, errOut)
		}
	})
}

func TestUsageErrors(t *testing.T) {
	for _, args := range [][]string{{}, {"bogus"}, {"mount"}, {"mount", "--no-such-flag", "x"}} {
		_, _, code := cli(t, nil, args...)
		if code != exitUsage {
			t.Errorf("%q: exit %d, want %d", args, code, exitUsage)
		}
	}
}

func TestLogoutRevokes(t *testing.T) {
	a := newAccount(t, emulator.Options{})
	if err := a.login(t, "test-client", "test-secret", a.redirect); err != nil {
		t.Fatal(err)
	}
	out, errOut, code := cli(t, nil, "logout", "--config-dir", a.cfgDir, "--login-url", a.srv.URL())
	if code != 0 || !strings.Contains(out, "Logged out") {
		t.Fatalf("logout: %d %q %q", code, out, errOut)
	}
	if _, err := os.Stat(filepath.Join(a.cfgDir, "token.json")); !os.IsNotExist(err) {
		t.Errorf("token file still there: %v", err)
	}
	if a.srv.Count("revoke") != 1 {
		t.Errorf("revoke calls: %d", a.srv.Count("revoke"))
	}
}

// logout empties the disk cache, unless asked not to or a mount uses it.
func TestLogoutEmptiesDiskCache(t *testing.T) {
	tests := []struct {
		name       string
		busy       bool
		extra      []string
		wantKept   bool
		wantNotice string
	}{
		{"emptied", false, nil, false, ""},
		{"--keep-cache", false, []string{"--keep-cache"}, true, ""},
		{"mount running", true, nil, true, "a mount is using the disk cache"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			a := newAccount(t, emulator.Options{})
			if err := a.login(t, "test-client", "test-secret", a.redirect); err != nil {
				t.Fatal(err)
			}
			cacheDir := t.TempDir()
			disk, err := cache.OpenDisk(cacheDir, 1<<30, slog.New(slog.DiscardHandler))
			if err != nil {
				t.Fatal(err)
			}
			cached := filepath.Join(cacheDir, "blocks", "ab", strings.Repeat("ab", 32))
			os.MkdirAll(filepath.Dir(cached), 0o700)
			if err := os.WriteFile(cached, []byte("someone's file"), 0o600); err != nil {
				t.Fatal(err)
			}
			if !tc.busy {
				disk.Close()
			}
			args := append([]string{"logout", "--config-dir", a.cfgDir, "--login-url", a.srv.URL(), "--cache-dir", cacheDir}, tc.extra...)
			out, errOut, code := cli(t, nil, args...)
			disk.Close()
			if code != 0 || !strings.Contains(out, "Logged out") || !strings.Contains(errOut, tc.wantNotice) {
				t.Fatalf("logout: %d %q %q", code, out, errOut)
			}
			// It says "emptied" only when it did.
			if strings.Contains(out, "emptied") == tc.wantKept {
				t.Errorf("logout says %q, cache kept: %v", out, tc.wantKept)
			}
			if _, err := os.Stat(cached); (err == nil) != tc.wantKept {
				t.Errorf("cached file kept: %v, want %v", err == nil, tc.wantKept)
			}
		})
	}
}
