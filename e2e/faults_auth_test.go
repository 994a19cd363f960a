package e2e

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/infomaniakfs/infomaniakfs/auth"
	"github.com/infomaniakfs/infomaniakfs/remote/emulator"
	"github.com/infomaniakfs/infomaniakfs/remote/emulator/dataset"
)

// The OAuth app the auth fault tests register with the emulator.
const (
	oauthClientID = "faults-client"
	oauthSecret   = "CS-faults-secret-4d1f"
)

// oauthApp is an emulator requiring a client secret, and the daemon
// environment that names the app (the secret from the environment, never
// argv).
type oauthApp struct {
	srv      *emulator.Server
	redirect string
}

func newOAuthApp(t *testing.T, data *dataset.Dataset) *oauthApp {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	redirect := fmt.Sprintf("http://%s/callback", l.Addr())
	l.Close()
	srv, err := emulator.Start(emulator.Options{Data: data, ClientID: oauthClientID, ClientSecret: oauthSecret,
		RedirectURI: redirect, RotateRefresh: true})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(srv.Close)
	return &oauthApp{srv: srv, redirect: redirect}
}

func (a *oauthApp) env() []string {
	return []string{"INFOMANIAK_CLIENT_ID=" + oauthClientID, "INFOMANIAK_CLIENT_SECRET=" + oauthSecret,
		"INFOMANIAK_REDIRECT_URI=" + a.redirect}
}

// login runs the OAuth flow into dir, as `infomaniakfs login` in another
// shell would, with a scripted browser; onListen runs while the callback
// listener waits.
func (a *oauthApp) login(t *testing.T, dir string, onListen func()) (access, refresh string) {
	t.Helper()
	cfg := &auth.Config{ClientID: oauthClientID, ClientSecret: oauthSecret, RedirectURI: a.redirect,
		LoginURL: a.srv.URL(), APIURL: a.srv.URL(), MailURL: a.srv.URL(), ConfigDir: dir}
	browser := func(u string) error {
		if onListen != nil {
			onListen()
		}
		resp, err := http.Get(u) // the emulator approves and redirects to the callback
		if err != nil {
			return err
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			return fmt.Errorf("callback answered %s", resp.Status)
		}
		return nil
	}
	tok, err := auth.Login(context.Background(), cfg, &auth.Store{Dir: dir}, auth.LoginOptions{OpenURL: browser, Timeout: 20 * time.Second})
	if err != nil {
		t.Fatalf("login: %v", err)
	}
	if tok.RefreshToken == "" {
		t.Fatal("login gave no refresh token")
	}
	return tok.AccessToken, tok.RefreshToken
}

// storedToken reads the token file the daemon keeps current.
func storedToken(t *testing.T, dir string) (access, refresh string) {
	t.Helper()
	tok, err := (&auth.Store{Dir: dir}).Load()
	if err != nil {
		t.Fatal(err)
	}
	return tok.AccessToken, tok.RefreshToken
}

// TestFaultTokenExpiresMidRead: the server drops every access token while
// a big file streams. The daemon refreshes exactly once for all its
// concurrent block fetches, the read completes with the right bytes, and
// at --debug nothing secret reaches the log.
func TestFaultTokenExpiresMidRead(t *testing.T) {
	data := dataset.Generate(faultSpec(21, 4, 48<<20))
	app := newOAuthApp(t, data)
	cfgDir := filepath.Join(t.TempDir(), "cfg")
	at0, rt0 := app.login(t, cfgDir, nil)
	d := mountWith(t, app.srv, mountSpec{binary: raceBinary(t), configDir: cfgDir, noToken: true, env: app.env(),
		args: []string{"--debug"}})
	big := bigFiles(t, data)[0]
	if _, err := os.Stat(filepath.Join(d.dir, big.rel)); err != nil {
		t.Fatal(err)
	}
	// Four seconds for the file; content URLs live 1 to 2 s, so the read
	// must go back to the API (with the dead token) to finish.
	app.srv.SetBandwidth(12 << 20)
	app.srv.SetContentURLTTL(time.Second)
	// One failed call, so that the debug log holds a retry line too.
	app.srv.AddFault(emulator.Fault{Endpoint: "download", Kind: emulator.Fault500, Times: 1})
	// Skip 2: the fault hits a request made straight to the reused content URL.
	app.srv.AddFault(emulator.Fault{Endpoint: "content", Kind: emulator.Fault500, Skip: 2, Times: 1})
	tokens := app.srv.Count("token")
	done := make(chan struct{})
	go func() { defer close(done); checkFile(t, d.dir, big) }()
	time.Sleep(400 * time.Millisecond)
	downloads := app.srv.Count("download")
	app.srv.ExpireAccessTokens()
	<-done
	app.srv.SetBandwidth(0)
	if n := app.srv.Count("download") - downloads; n == 0 {
		t.Fatal("no API call after the expiry: the read finished too early to test anything")
	}
	if n := app.srv.Count("token") - tokens; n != 1 {
		t.Errorf("%d token requests for one expiry, want 1", n)
	}
	at1, rt1 := storedToken(t, cfgDir)
	if at1 == at0 || rt1 == rt0 {
		t.Error("the refreshed (rotated) token was not saved")
	}
	// Later operations use the new token without another refresh.
	checkFile(t, d.dir, smallFiles(t, data)[0])
	if n := app.srv.Count("token") - tokens; n != 1 {
		t.Errorf("%d token requests after more reads, want 1", n)
	}
	cmdline, _ := os.ReadFile(fmt.Sprintf("/proc/%d/cmdline", d.cmd.Process.Pid))
	d.stop()
	secrets := map[string]string{"first access token": at0, "first refresh token": rt0,
		"refreshed access token": at1, "rotated refresh token": rt1, "client secret": oauthSecret}
	log := d.log.String()
	if !strings.Contains(log, "access token refreshed") || !strings.Contains(log, "retrying API call") ||
		!strings.Contains(log, "(signed content URL)") {
		t.Log(log)
		t.Fatal("no debug lines: the secrecy check below would prove nothing")
	}
	// Pre-signed content URLs are credentials too (/content/<signature>).
	if strings.Contains(log, "/content/") {
		t.Error("the daemon log at --debug holds a signed content URL")
	}
	for what, s := range secrets {
		if strings.Contains(log, s) {
			t.Errorf("the daemon log at --debug holds the %s", what)
		}
		if bytes.Contains(cmdline, []byte(s)) {
			t.Errorf("the daemon's argv holds the %s", what)
		}
	}
}

// TestFaultRefreshRevoked: the refresh token is revoked and the access
// token expired. Operations fail with EACCES, the log says once to run
// `infomaniakfs login`, the daemon does not hammer the token endpoint;
// a login in another shell brings the same mount back.
func TestFaultRefreshRevoked(t *testing.T) {
	data := dataset.Generate(faultSpec(22, 30))
	app := newOAuthApp(t, data)
	cfgDir := filepath.Join(t.TempDir(), "cfg")
	app.login(t, cfgDir, nil)
	d := mountWith(t, app.srv, mountSpec{binary: raceBinary(t), configDir: cfgDir, noToken: true, env: app.env()})
	files := smallFiles(t, data)
	checkFile(t, d.dir, files[0])
	if _, err := os.ReadDir(filepath.Join(d.dir, filepath.Dir(files[0].rel))); err != nil {
		t.Fatal(err)
	}

	app.srv.RevokeRefreshTokens()
	app.srv.ExpireAccessTokens()
	tokens := app.srv.Count("token")
	start := time.Now()
	for i, f := range files[1:21] { // 20 reads, each needing the API
		_, err := os.ReadFile(filepath.Join(d.dir, f.rel))
		if !isErrno(err, syscall.EACCES) {
			t.Errorf("read %d after revocation: %v, want EACCES", i, err)
		}
	}
	took := time.Since(start)
	if n := app.srv.Count("token") - tokens; n < 1 || n > 3 {
		t.Errorf("%d token requests over 20 operations, want 1 to 3", n)
	}
	if took > 10*time.Second {
		t.Errorf("20 failing operations took %s: the daemon should fail fast", took)
	}
	log := d.log.String()
	if n := strings.Count(log, "infomaniakfs login"); n == 0 {
		t.Errorf("the log never says to run `infomaniakfs login`:\n%s", log)
	} else if lines := linesWith(log, "infomaniakfs login"); len(lines) > 1 {
		t.Errorf("the log says to log in %d times, want once:\n%s", len(lines), strings.Join(lines, "\n"))
	}

	// "Another shell": a new login into the same directory.
	app.login(t, cfgDir, nil)
	deadline := time.Now().Add(5 * time.Second)
	for {
		_, err := os.ReadFile(filepath.Join(d.dir, files[21].rel))
		if err == nil {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the mount did not recover 5 s after a new login: %v", err)
		}
		time.Sleep(200 * time.Millisecond)
	}
	for _, f := range files[1:] {
		checkFile(t, d.dir, f)
	}
}

func linesWith(log, s string) []string {
	var out []string
	for _, l := range strings.Split(log, "\n") {
		if strings.Contains(l, s) {
			out = append(out, l)
		}
	}
	return out
}
