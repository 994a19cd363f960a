package auth

import (
	"context"
	"errors"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"
)

func TestLoginRedirectChecks(t *testing.T) {
	tests := []struct{ uri, want string }{
		{"https://example.com:8000/cb", "over plain http"},
		{"http://example.com:8000/cb", "not a loopback address"},
		{"http://192.168.1.2:8000/cb", "not a loopback address"},
		{"http://127.0.0.1/cb", "names no port"},
	}
	for _, tt := range tests {
		t.Run(tt.uri, func(t *testing.T) {
			c := &Config{ClientID: "x", RedirectURI: tt.uri, LoginURL: "http://127.0.0.1:1"}
			_, err := Login(context.Background(), c, &Store{Dir: t.TempDir()}, LoginOptions{
				OpenURL: func(string) error { t.Error("browser opened"); return nil }, Timeout: time.Second,
			})
			if err == nil || !strings.Contains(err.Error(), tt.want) || !strings.Contains(err.Error(), "INFOMANIAK_REDIRECT_URI") {
				t.Fatalf("err = %v, want %q and the fix", err, tt.want)
			}
		})
	}
	t.Run("no client id", func(t *testing.T) {
		_, err := Login(context.Background(), &Config{}, &Store{Dir: t.TempDir()}, LoginOptions{})
		if err == nil || !strings.Contains(err.Error(), "INFOMANIAK_CLIENT_ID") {
			t.Fatalf("err = %v", err)
		}
	})
	t.Run("port in use", func(t *testing.T) {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		defer l.Close()
		c := &Config{ClientID: "x", RedirectURI: "http://" + l.Addr().String() + "/cb"}
		_, err = Login(context.Background(), c, &Store{Dir: t.TempDir()}, LoginOptions{})
		if err == nil || !strings.Contains(err.Error(), "cannot listen") {
			t.Fatalf("err = %v", err)
		}
	})
}

func TestCallbackServesOnlyItsPath(t *testing.T) {
	redirect := freeRedirect(t)
	cb, err := listenCallback(redirect, "s1")
	if err != nil {
		t.Fatal(err)
	}
	defer cb.close()
	base := strings.TrimSuffix(redirect, "/callback")
	resp, err := http.Get(base + "/favicon.ico")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusNotFound {
		t.Errorf("other path: %d", resp.StatusCode)
	}
	for i, want := range []int{http.StatusOK, http.StatusConflict} {
		resp, err := http.Get(redirect + "?code=c1&state=s1")
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != want {
			t.Errorf("callback %d: status %d, want %d", i, resp.StatusCode, want)
		}
	}
	code, err := cb.wait(context.Background())
	if code != "c1" || err != nil {
		t.Fatalf("wait = %q, %v", code, err)
	}
}

func TestBrowserArgs(t *testing.T) {
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"firefox"}, "firefox U"},
		{[]string{"open", "-a", "x"}, "open -a x U"},
		{[]string{"sh", "-c", "echo %s"}, "sh -c echo U"},
	}
	for _, tt := range tests {
		if got := strings.Join(browserArgs(tt.args, "U"), " "); got != tt.want {
			t.Errorf("browserArgs(%v) = %q, want %q", tt.args, got, tt.want)
		}
	}
	noXdg := func(string) (string, error) { return "", errors.New("not found") }
	if err := openWith("", noXdg, "http://x"); err == nil {
		t.Error("openWith without any browser succeeded")
	}
	if err := openWith("/nonexistent-browser-a:true", noXdg, "http://x"); err != nil {
		t.Errorf("second $BROWSER entry not tried: %v", err)
	}
}

func TestListenAddrs(t *testing.T) {
	tests := []struct {
		uri, path string
		addrs     []string
	}{
		{"http://127.0.0.1:53682/callback", "/callback", []string{"127.0.0.1:53682"}},
		{"http://[::1]:8000/a/b", "/a/b", []string{"[::1]:8000"}},
		{"http://localhost:8000/api/infomaniak/auth/connect/callback", "/api/infomaniak/auth/connect/callback", []string{"127.0.0.1:8000", "[::1]:8000"}},
		{"http://127.0.0.1:9", "/", []string{"127.0.0.1:9"}},
	}
	for _, tt := range tests {
		path, addrs, err := listenAddrs(tt.uri)
		if err != nil || path != tt.path || strings.Join(addrs, " ") != strings.Join(tt.addrs, " ") {
			t.Errorf("listenAddrs(%q) = %q, %q, %v", tt.uri, path, addrs, err)
		}
	}
}
