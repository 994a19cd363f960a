package main

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/infomaniakfs/infomaniakfs/remote/emulator"
)

// A mount whose token Infomaniak refuses exits 3, which the systemd unit
// does not restart; an unreachable API exits 1, which it does.
func TestMountExitCodes(t *testing.T) {
	a := newAccount(t, emulator.Options{})
	if err := a.login(t, "test-client", "test-secret", a.redirect); err != nil {
		t.Fatal(err)
	}
	a.srv.RevokeRefreshTokens()
	a.srv.ExpireAccessTokens()
	dir := filepath.Join(t.TempDir(), "mnt")
	os.Mkdir(dir, 0o755)
	args := []string{"mount", dir, "--config-dir", a.cfgDir, "--mail-url", a.srv.URL(), "--login-url", a.srv.URL()}
	env := map[string]string{"INFOMANIAK_CLIENT_SECRET": "test-secret"}
	if _, errOut, code := cli(t, env, append(args, "--api-url", a.srv.URL())...); code != exitLoggedOut {
		t.Errorf("revoked token: exit %d, want %d: %s", code, exitLoggedOut, errOut)
	}
	if _, errOut, code := cli(t, env, append(args, "--api-url", "http://127.0.0.1:1", "--timeout", "1s")...); code != exitFail {
		t.Errorf("unreachable: exit %d, want %d: %s", code, exitFail, errOut)
	}
}
