package auth

import (
	"context"
	"testing"
	"time"

	"golang.org/x/oauth2"
)

// TestReloadAdoptsANewLogin: SIGHUP's reload takes the token another
// shell's `login` wrote, at once, and changes nothing otherwise.
func TestReloadAdoptsANewLogin(t *testing.T) {
	f := newFakeOAuth(t, "http://127.0.0.1:1/cb")
	dir := t.TempDir()
	st := &Store{Dir: dir}
	later := time.Now().Add(time.Hour)
	if err := st.Save(&oauth2.Token{AccessToken: "AT-one", RefreshToken: "RT-one", Expiry: later}); err != nil {
		t.Fatal(err)
	}
	ts, err := NewTokenSource(context.Background(), f.config(dir), st)
	if err != nil {
		t.Fatal(err)
	}
	if Reload(ts) {
		t.Fatal("Reload adopted the token it already had")
	}
	if err := st.Save(&oauth2.Token{AccessToken: "AT-two", RefreshToken: "RT-two", Expiry: later}); err != nil {
		t.Fatal(err)
	}
	if !Reload(ts) {
		t.Fatal("Reload did not adopt the new token")
	}
	if tok, err := ts.Token(context.Background()); err != nil || tok != "AT-two" {
		t.Fatalf("after Reload: %q, %v", tok, err)
	}
	pat, err := NewTokenSource(context.Background(), &Config{PersonalToken: "PAT"}, st)
	if err != nil || Reload(pat) {
		t.Fatalf("personal token: %v, or Reload said it changed", err)
	}
}
