package emulator

import (
	"bytes"
	"context"
	"encoding/json"
	"mime/multipart"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"golang.org/x/oauth2"
)

const testRedirect = "http://127.0.0.1:53999/callback"

func oauthConfig(s *Server, secret string) *oauth2.Config {
	return &oauth2.Config{
		ClientID: "cid", ClientSecret: secret, RedirectURL: testRedirect,
		Endpoint: oauth2.Endpoint{AuthURL: s.URL() + "/authorize", TokenURL: s.URL() + "/token"},
	}
}

// authorizeCode runs /authorize and returns the code from the redirect.
func authorizeCode(t *testing.T, s *Server, conf *oauth2.Config, verifier string, opts ...oauth2.AuthCodeOption) string {
	t.Helper()
	opts = append(opts, oauth2.AccessTypeOffline, oauth2.S256ChallengeOption(verifier))
	resp, body := call(t, http.MethodGet, conf.AuthCodeURL("st-42", opts...), "", nil)
	if resp.StatusCode != http.StatusFound {
		t.Fatalf("authorize: %d %s", resp.StatusCode, body)
	}
	loc, err := url.Parse(resp.Header.Get("Location"))
	if err != nil || !strings.HasPrefix(loc.String(), testRedirect+"?") {
		t.Fatalf("authorize redirected to %q", resp.Header.Get("Location"))
	}
	if loc.Query().Get("state") != "st-42" || loc.Query().Get("code") == "" {
		t.Fatalf("authorize redirect lacks state or code: %s", loc)
	}
	return loc.Query().Get("code")
}

func TestOAuthPKCEWithXOAuth2(t *testing.T) {
	for _, secret := range []string{"", "s3cret"} {
		t.Run("secret="+secret, func(t *testing.T) {
			s := start(t, Options{ClientID: "cid", ClientSecret: secret, RedirectURI: testRedirect, AccessTokenTTL: 90 * time.Second})
			conf := oauthConfig(s, secret)
			v := oauth2.GenerateVerifier()
			tok, err := conf.Exchange(context.Background(), authorizeCode(t, s, conf, v), oauth2.VerifierOption(v))
			if err != nil {
				t.Fatal(err)
			}
			if tok.RefreshToken == "" || tok.TokenType != "Bearer" || tok.Extra("scope") != "user_info kdrive mail" {
				t.Fatalf("token %+v scope %v", tok, tok.Extra("scope"))
			}
			if exp, _ := tok.Extra("expires_in").(float64); exp != 90 {
				t.Fatalf("expires_in %v, want 90", tok.Extra("expires_in"))
			}
			if uid, _ := tok.Extra("user_id").(float64); uid != UserID {
				t.Fatalf("user_id %v", tok.Extra("user_id"))
			}
			e := api(t, s, tok.AccessToken, "/2/profile", 200)
			if p := decode[map[string]any](t, e.Data); p["email"] != DefaultUserEmail || p["id"] != float64(UserID) {
				t.Fatalf("profile %v", p)
			}
			// An expired token refreshes through x/oauth2 into a working one.
			s.ExpireAccessTokens()
			api(t, s, tok.AccessToken, "/2/profile", 401)
			tok.Expiry = time.Now().Add(-time.Hour)
			fresh, err := conf.TokenSource(context.Background(), tok).Token()
			if err != nil {
				t.Fatal(err)
			}
			api(t, s, fresh.AccessToken, "/2/profile", 200)
		})
	}
}

func TestTokenErrors(t *testing.T) {
	s := start(t, Options{ClientID: "cid", ClientSecret: "s3cret", RedirectURI: testRedirect})
	conf := oauthConfig(s, "s3cret")
	type tc struct {
		name   string
		form   func(code string) url.Values
		basic  [2]string
		status int
		code   string
	}
	base := func(code string) url.Values {
		return url.Values{"grant_type": {"authorization_code"}, "code": {code}, "client_id": {"cid"},
			"client_secret": {"s3cret"}, "redirect_uri": {testRedirect}, "code_verifier": {"v-" + strings.Repeat("x", 50)}}
	}
	with := func(k, v string) func(string) url.Values {
		return func(code string) url.Values { f := base(code); f.Set(k, v); return f }
	}
	cases := []tc{
		{"ok", base, [2]string{}, 200, ""},
		{"wrong verifier", with("code_verifier", "nope-"+strings.Repeat("y", 50)), [2]string{}, 400, "invalid_grant"},
		{"redirect mismatch", with("redirect_uri", testRedirect+"/"), [2]string{}, 400, "invalid_redirect_uri"},
		{"wrong secret", with("client_secret", "guess"), [2]string{}, 401, "invalid_client"},
		{"unknown client", with("client_id", "other"), [2]string{}, 401, "invalid_client"},
		{"unknown code", func(string) url.Values { return base("forged") }, [2]string{}, 400, "invalid_grant"},
		{"bad grant", with("grant_type", "password"), [2]string{}, 400, "unsupported_grant_type"},
		{"no grant", with("grant_type", ""), [2]string{}, 400, "invalid_request"},
		{"basic auth", func(code string) url.Values { f := base(code); f.Del("client_id"); f.Del("client_secret"); return f },
			[2]string{"cid", "s3cret"}, 200, ""},
		{"basic wrong secret", base, [2]string{"cid", "bad"}, 401, "invalid_client"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			code := authorizeCode(t, s, conf, "v-"+strings.Repeat("x", 50))
			req, _ := http.NewRequest(http.MethodPost, s.URL()+"/token", strings.NewReader(c.form(code).Encode()))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			if c.basic[0] != "" {
				req.SetBasicAuth(c.basic[0], c.basic[1])
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			var body map[string]any
			_ = json.NewDecoder(resp.Body).Decode(&body)
			if resp.StatusCode != c.status || (c.code != "" && body["error"] != c.code) {
				t.Fatalf("status %d body %v, want %d %q", resp.StatusCode, body, c.status, c.code)
			}
			if c.status == 200 && (body["access_token"] == nil || body["refresh_token"] == nil) {
				t.Fatalf("no tokens: %v", body)
			}
		})
	}
	t.Run("code single use", func(t *testing.T) {
		code := authorizeCode(t, s, conf, "v-"+strings.Repeat("x", 50))
		r1, b1 := call(t, http.MethodPost, s.URL()+"/token", "", strings.NewReader(base(code).Encode()), "Content-Type", "application/x-www-form-urlencoded")
		r2, b2 := call(t, http.MethodPost, s.URL()+"/token", "", strings.NewReader(base(code).Encode()), "Content-Type", "application/x-www-form-urlencoded")
		if r1.StatusCode != 200 || r2.StatusCode != 400 || !strings.Contains(string(b2), "invalid_grant") {
			t.Fatalf("first %d, second %d %s", r1.StatusCode, r2.StatusCode, b2)
		}
		// The replay also kills what the code bought.
		var tok map[string]any
		_ = json.Unmarshal(b1, &tok)
		api(t, s, tok["access_token"].(string), "/2/profile", 401)
	})
}

func TestAuthorizeRejects(t *testing.T) {
	s := start(t, Options{ClientID: "cid", RedirectURI: testRedirect})
	cases := []struct {
		name, query string
		status      int
		want        string
	}{
		{"unknown client", "client_id=x&redirect_uri=" + url.QueryEscape(testRedirect), 400, "invalid_client"},
		{"redirect mismatch", "client_id=cid&redirect_uri=" + url.QueryEscape("http://localhost:53999/callback"), 400, "invalid_redirect_uri"},
		{"plain pkce", "client_id=cid&response_type=code&code_challenge=abc&code_challenge_method=plain&redirect_uri=" + url.QueryEscape(testRedirect), 302, "error=invalid_request"},
		{"bad response type", "client_id=cid&response_type=token&redirect_uri=" + url.QueryEscape(testRedirect), 302, "error=unsupported_response_type"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			resp, body := get(t, s, "", "/authorize?"+c.query)
			got := string(body) + resp.Header.Get("Location")
			if resp.StatusCode != c.status || !strings.Contains(got, c.want) {
				t.Fatalf("%d %s, want %d %s", resp.StatusCode, got, c.status, c.want)
			}
		})
	}
}

// tokenPost posts a refresh grant as multipart (the Android apps' encoding).
func refreshMultipart(t *testing.T, s *Server, rt string) (int, map[string]any) {
	t.Helper()
	var b bytes.Buffer
	mw := multipart.NewWriter(&b)
	_ = mw.WriteField("grant_type", "refresh_token")
	_ = mw.WriteField("refresh_token", rt)
	_ = mw.WriteField("client_id", "cid")
	_ = mw.Close()
	resp, body := call(t, http.MethodPost, s.URL()+"/token", "", &b, "Content-Type", mw.FormDataContentType())
	var m map[string]any
	_ = json.Unmarshal(body, &m)
	return resp.StatusCode, m
}

func TestRefreshRotationAndRevocation(t *testing.T) {
	for _, rotate := range []bool{false, true} {
		s := start(t, Options{ClientID: "cid", RedirectURI: testRedirect, RotateRefresh: rotate})
		conf := oauthConfig(s, "")
		v := oauth2.GenerateVerifier()
		tok, err := conf.Exchange(context.Background(), authorizeCode(t, s, conf, v), oauth2.VerifierOption(v))
		if err != nil {
			t.Fatal(err)
		}
		st, m := refreshMultipart(t, s, tok.RefreshToken)
		if st != 200 {
			t.Fatalf("rotate=%v refresh: %d %v", rotate, st, m)
		}
		next := m["refresh_token"].(string)
		if rotate == (next == tok.RefreshToken) {
			t.Fatalf("rotate=%v: new refresh token %q, old %q", rotate, next, tok.RefreshToken)
		}
		st, m = refreshMultipart(t, s, tok.RefreshToken)
		if wantOld := map[bool]int{false: 200, true: 400}[rotate]; st != wantOld {
			t.Fatalf("rotate=%v: reusing the old refresh token: %d %v", rotate, st, m)
		}
		s.RevokeRefreshTokens()
		st, m = refreshMultipart(t, s, next)
		if st != 400 || m["error"] != "invalid_grant" || m["reason"] != "refresh_token_revoked" {
			t.Fatalf("revoked refresh: %d %v", st, m)
		}
	}
}

func TestRevokeEndpoint(t *testing.T) {
	s := start(t, Options{ClientID: "cid", RedirectURI: testRedirect})
	conf := oauthConfig(s, "")
	v := oauth2.GenerateVerifier()
	tok, err := conf.Exchange(context.Background(), authorizeCode(t, s, conf, v), oauth2.VerifierOption(v))
	if err != nil {
		t.Fatal(err)
	}
	resp, body := call(t, http.MethodDelete, s.URL()+"/token", tok.AccessToken, nil)
	if resp.StatusCode != 200 || string(bytes.TrimSpace(body)) != `{"data":true,"result":"success"}` {
		t.Fatalf("revoke: %d %s", resp.StatusCode, body)
	}
	api(t, s, tok.AccessToken, "/2/profile", 401)
	if st, m := refreshMultipart(t, s, tok.RefreshToken); st != 400 || m["error"] != "invalid_grant" {
		t.Fatalf("refresh after revoke: %d %v", st, m)
	}
	if resp, _ := call(t, http.MethodDelete, s.URL()+"/token", tok.AccessToken, nil); resp.StatusCode != 401 {
		t.Fatalf("second revoke: %d", resp.StatusCode)
	}
}

func TestScopes(t *testing.T) {
	s := start(t, Options{ClientID: "cid", RedirectURI: testRedirect})
	conf := oauthConfig(s, "")
	v := oauth2.GenerateVerifier()
	// Scopes asked at /authorize (comma-separated here) are what the token carries.
	code := authorizeCode(t, s, conf, v, oauth2.SetAuthURLParam("scope", "kdrive,mail"))
	tok, err := conf.Exchange(context.Background(), code, oauth2.VerifierOption(v))
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name, token, path string
		status            int
		code              string
	}{
		{"oauth no user_info", tok.AccessToken, "/2/profile", 401, "not_authorized"},
		{"oauth v1 no user_info", tok.AccessToken, "/1/profile", 401, "not_authorized"},
		{"oauth drive", tok.AccessToken, "/2/drive/init?with=drives", 200, ""},
		{"pat all", s.IssueToken(), "/1/profile", 200, ""},
		{"pat profile only: drive", s.IssueToken("user_info"), "/2/drive/init", 403, "access_denied"},
		{"pat profile only: mail", s.IssueToken("user_info"), "/api/mailbox", 403, "access_denied"},
		{"pat drive scope", s.IssueToken("drive"), "/2/drive/users/current/drives", 200, ""},
		{"pat workspace:mail", s.IssueToken("workspace:mail"), "/api/mailbox", 200, ""},
		{"no token", "", "/api/mailbox", 401, "not_authorized"},
		{"bad token", "forged", "/2/drive/init", 401, "not_authorized"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			e := api(t, s, c.token, c.path, c.status)
			if c.code != "" {
				wantCode(t, e, c.code)
			}
		})
	}
	e := api(t, s, s.IssueToken(), "/1/profile", 200)
	if p := decode[map[string]any](t, e.Data); p["firstname"] != "Demo" || p["lastname"] == nil {
		t.Fatalf("v1 profile %v", p)
	}
}
