package e2e

import (
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/infomaniakfs/infomaniakfs/remote/emulator"
	"github.com/infomaniakfs/infomaniakfs/remote/emulator/dataset"
)

// TestSecurityLogin: `infomaniakfs login` (the real command, the browser
// played by curl) stores the token 0600 in a 0700 directory; its callback
// listener is bound to loopback only and refuses a callback with another
// state; the secret comes from an env file. auth's TestEmulatorEndToEnd,
// TestLoginCallbackRejected and TestListenAddrs test the same in depth.
func TestSecurityLogin(t *testing.T) {
	needTool(t, "curl") // plays the browser
	app := newOAuthApp(t, dataset.Generate(faultSpec(23, 0)))
	cfgDir := filepath.Join(t.TempDir(), "cfg")
	envFile := filepath.Join(t.TempDir(), "infomaniak.env")
	env := fmt.Sprintf("Service_INFOMANIAK_DATA_CLIENT_ID = %s\nService_INFOMANIAK_DATA_CLIENT_SECRET = %s\nService_INFOMANIAK_OAUTH_REDIRECT_URI = %s\n",
		oauthClientID, oauthSecret, app.redirect)
	if err := os.WriteFile(envFile, []byte(env), 0o600); err != nil {
		t.Fatal(err)
	}
	// The browser: check the callback socket, then follow the redirects.
	browser := filepath.Join(t.TempDir(), "browser")
	script := "#!/bin/sh\ncat /proc/net/tcp /proc/net/tcp6 > \"$0.sockets\" 2>/dev/null\nexec curl -sfL -o /dev/null \"$1\"\n"
	if err := os.WriteFile(browser, []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	login := func(browser string) ([]byte, error) {
		cmd := command(binary, "login", "--config-dir", cfgDir, "--env-file", envFile, "--login-url", app.srv.URL(),
			"--api-url", app.srv.URL(), "--mail-url", app.srv.URL(), "--login-timeout", "20s")
		cmd.Env = append(cleanEnv(), "BROWSER="+browser)
		return cmd.CombinedOutput()
	}
	// A forged callback (someone else's code, a stale tab) ends the login
	// before any token request.
	forger := filepath.Join(t.TempDir(), "forger")
	forged := "#!/bin/sh\nexec curl -s -o /dev/null '" + app.redirect + "?code=stolen&state=forged'\n"
	if err := os.WriteFile(forger, []byte(forged), 0o755); err != nil {
		t.Fatal(err)
	}
	if out, err := login(forger); err == nil || !strings.Contains(string(out), "state") {
		t.Errorf("login with a forged callback: %v\n%s", err, out)
	}
	if n := app.srv.Count("token"); n != 0 {
		t.Errorf("%d token requests after a forged callback", n)
	}
	if _, err := os.Stat(filepath.Join(cfgDir, "token.json")); err == nil {
		t.Error("a token was stored after a forged callback")
	}
	if out, err := login(browser); err != nil {
		t.Fatalf("infomaniakfs login: %v\n%s", err, out)
	}
	assertMode(t, cfgDir, 0o700)
	assertMode(t, filepath.Join(cfgDir, "token.json"), 0o600)
	sockets, err := os.ReadFile(browser + ".sockets")
	if err != nil {
		t.Fatal(err)
	}
	_, port, _ := net.SplitHostPort(strings.TrimSuffix(strings.TrimPrefix(app.redirect, "http://"), "/callback"))
	listeners := listenersOn(string(sockets), port)
	t.Logf("listening on port %s: %v", port, listeners)
	if len(listeners) == 0 {
		t.Fatalf("no listener on port %s while the browser ran", port)
	}
	for _, a := range listeners {
		if a != "0100007F" {
			t.Errorf("the callback listens on %s (hex), not 127.0.0.1 only", a)
		}
	}
	// The secret never needs argv: there is no flag to pass it.
	for _, sub := range []string{"login", "mount", "status"} {
		out, err := command(binary, sub, "--client-secret", "x").CombinedOutput()
		if err == nil || !strings.Contains(string(out), "unknown flag") {
			t.Errorf("%s --client-secret: %v\n%s", sub, err, out)
		}
	}
}

// listenersOn returns the local addresses (hex, as /proc/net/tcp writes
// them) of the sockets listening on port.
func listenersOn(procNetTCP, port string) []string {
	var p int
	fmt.Sscan(port, &p)
	want := fmt.Sprintf(":%04X", p)
	var out []string
	for _, l := range strings.Split(procNetTCP, "\n") {
		f := strings.Fields(l)
		if len(f) > 3 && f[3] == "0A" && strings.HasSuffix(f[1], want) { // 0A: LISTEN
			out = append(out, strings.TrimSuffix(f[1], want))
		}
	}
	return out
}

func assertMode(t *testing.T, path string, want os.FileMode) {
	t.Helper()
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if got := fi.Mode().Perm(); got != want {
		t.Errorf("%s: mode %o, want %o", path, got, want)
	}
}

// TestSecurityMountOptions: default_permissions always, allow_other only
// when asked, read-only, nosuid, nodev; and a PAT never reaches the log at
// --debug, even when the API rejects it once.
func TestSecurityMountOptions(t *testing.T) {
	data := dataset.Generate(faultSpec(24, 2))
	srv := serve(t, data)
	cases := []struct {
		args      []string
		wantOther bool
	}{
		{[]string{"--debug"}, false},
		{[]string{"--allow-other"}, true},
	}
	for _, c := range cases {
		t.Run(strings.Join(c.args, " "), func(t *testing.T) {
			pat := srv.IssueToken()
			d := mountWith(t, patServer{srv, pat}, mountSpec{args: c.args})
			opts := mountOptions(t, d.dir)
			for _, o := range []string{"default_permissions", "ro", "nosuid", "nodev"} {
				if !opts[o] {
					t.Errorf("mount option %s missing: %v", o, opts)
				}
			}
			if opts["allow_other"] != c.wantOther {
				t.Errorf("allow_other = %v, want %v", opts["allow_other"], c.wantOther)
			}
			srv.AddFault(emulator.Fault{Endpoint: "download", Kind: emulator.Fault401, Times: 1})
			for _, f := range smallFiles(t, data) {
				checkFile(t, d.dir, f)
			}
			srv.ClearFaults()
			d.stop()
			if strings.Contains(d.log.String(), pat) {
				t.Error("the daemon log holds the personal token")
			}
		})
	}
}

// patServer hands the daemon a token chosen by the test.
type patServer struct {
	*emulator.Server
	pat string
}

func (p patServer) IssueToken(...string) string { return p.pat }

// mountOptions reads the options of the mount at dir from /proc/mounts.
func mountOptions(t *testing.T, dir string) map[string]bool {
	t.Helper()
	b, err := os.ReadFile("/proc/mounts")
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range strings.Split(string(b), "\n") {
		f := strings.Fields(l)
		if len(f) > 3 && unescapeMount(f[1]) == dir {
			opts := map[string]bool{}
			for _, o := range strings.Split(f[3], ",") {
				opts[o] = true
			}
			return opts
		}
	}
	t.Fatalf("%s not in /proc/mounts", dir)
	return nil
}

// unescapeMount undoes the octal escapes of /proc/mounts (\040 for space).
func unescapeMount(s string) string {
	r := strings.NewReplacer(`\040`, " ", `\011`, "\t", `\012`, "\n", `\134`, `\`)
	return r.Replace(s)
}

// command is exec.Command with the test's clean environment.
func command(name string, args ...string) *exec.Cmd {
	c := exec.Command(name, args...)
	c.Env = cleanEnv()
	return c
}
