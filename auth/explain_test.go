package auth

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/infomaniakfs/infomaniakfs/remote"
)

func TestExplain(t *testing.T) {
	tests := []struct {
		name string
		err  error
		want string // "" = no sentence
	}{
		{"nil", nil, ""},
		{"plain", errors.New("boom"), ""},
		{"redirect with URI", &authError{msg: "x", sentinel: remote.ErrAuth, redirectURI: "http://127.0.0.1:1/cb",
			cause: &remote.APIError{Status: 400, Code: "invalid_redirect_uri"}},
			"The redirect URI (http://127.0.0.1:1/cb) does not match the one registered in Infomaniak Manager > API byte for byte (protocol, host, port, path): set INFOMANIAK_REDIRECT_URI or Service_INFOMANIAK_OAUTH_REDIRECT_URI to the registered value."},
		{"redirect as RFC invalid_grant", &remote.APIError{Status: 400, Code: "invalid_grant", Description: "redirect_uri does not match"}, "does not match the one registered"},
		{"invalid_client", fmt.Errorf("login: %w", &remote.APIError{Status: 401, Code: "invalid_client"}), "Client ID or secret does not match what Infomaniak issued: re-copy them from Manager > API"},
		{"invalid_grant", &remote.APIError{Status: 400, Code: "invalid_grant"}, "run `infomaniakfs login` again."},
		{"session dead", &authError{msg: msgSessionDead, sentinel: remote.ErrAuth}, "run `infomaniakfs login` again."},
		{"not logged in", &authError{msg: msgNotLoggedIn, sentinel: remote.ErrAuth}, "Not logged in"},
		{"pat", &authError{msg: msgPATRejected, sentinel: remote.ErrAuth}, "personal API token was rejected"},
		{"state", &authError{msg: msgStateMismatch, sentinel: remote.ErrAuth}, "state mismatch"},
		{"denied", callbackError("access_denied", ""), "Access was denied"},
		{"profile 401", fmt.Errorf("GET https://api.infomaniak.com/2/profile: %w", &remote.APIError{Status: 401, Code: "not_authorized", Kind: remote.ErrAuth}),
			"The token lacks the user_info scope"},
		{"bare 401", &remote.APIError{Status: 401, Code: "not_authorized", Kind: remote.ErrAuth}, "The token lacks the user_info scope: "},
		{"404", &remote.APIError{Status: 404, Code: "object_not_found", Kind: remote.ErrNotFound}, ""},
		{"login server down", &authError{msg: "m", sentinel: remote.ErrUnavailable}, "cannot be reached"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Explain(tt.err)
			if (tt.want == "") != (got == "") || !strings.Contains(got, tt.want) {
				t.Fatalf("Explain = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestRevoke(t *testing.T) {
	f := newFakeOAuth(t, "http://127.0.0.1:1/cb")
	f.set(func(f *fakeOAuth) { f.access["AT-secret-live"] = true })
	c := f.config(t.TempDir())
	if err := Revoke(context.Background(), c, "AT-secret-live"); err != nil {
		t.Fatal(err)
	}
	// Revoking it again (now unknown) is tolerated.
	if err := Revoke(context.Background(), c, "AT-secret-live"); err != nil {
		t.Fatal(err)
	}
	if n := f.revokeCalls.Load(); n != 2 {
		t.Fatalf("%d revoke calls", n)
	}
	if err := Revoke(context.Background(), c, ""); err != nil || f.revokeCalls.Load() != 2 {
		t.Fatalf("empty token: %v", err)
	}
	down := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusBadGateway)
	}))
	defer down.Close()
	err := Revoke(context.Background(), &Config{LoginURL: down.URL}, "AT-secret-live")
	if !errors.Is(err, remote.ErrUnavailable) {
		t.Fatalf("502: %v", err)
	}
	assertNoSecret(t, err)
	down.Close()
	err = Revoke(context.Background(), &Config{LoginURL: down.URL}, "AT-secret-live")
	if !errors.Is(err, remote.ErrUnavailable) {
		t.Fatalf("closed: %v", err)
	}
	assertNoSecret(t, err)
}
