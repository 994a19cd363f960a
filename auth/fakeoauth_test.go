package auth

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// fakeOAuth is a minimal RFC 6749 + PKCE server: /authorize auto-approves,
// /token issues and refreshes tokens, DELETE /token revokes. Tokens carry
// "secret" in their text so leak checks can look for them.
type fakeOAuth struct {
	t        *testing.T
	srv      *httptest.Server
	clientID string
	secret   string
	redirect string

	mu          sync.Mutex
	codes       map[string]fakeCode
	refresh     map[string]bool
	access      map[string]bool
	seq         int
	rotate      bool
	ttl         int // expires_in, seconds
	status      int // when set, /token answers this status with an empty JSON body
	delay       time.Duration
	revokedBody string // when set, refresh answers invalid_grant with this extra JSON field

	tokenCalls   atomic.Int64
	refreshCalls atomic.Int64
	revokeCalls  atomic.Int64
}

type fakeCode struct {
	challenge, redirect string
}

func newFakeOAuth(t *testing.T, redirect string) *fakeOAuth {
	f := &fakeOAuth{
		t: t, clientID: "client-123", secret: "CS-secret-xyz", redirect: redirect,
		codes: map[string]fakeCode{}, refresh: map[string]bool{}, access: map[string]bool{}, ttl: 3600,
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /authorize", f.authorize)
	mux.HandleFunc("POST /token", f.token)
	mux.HandleFunc("DELETE /token", f.revoke)
	f.srv = httptest.NewServer(mux)
	t.Cleanup(f.srv.Close)
	return f
}

func (f *fakeOAuth) config(dir string) *Config {
	return &Config{
		ClientID: f.clientID, ClientSecret: f.secret, RedirectURI: f.redirect,
		LoginURL: f.srv.URL, APIURL: f.srv.URL, MailURL: f.srv.URL, ConfigDir: dir,
	}
}

func (f *fakeOAuth) authorize(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	switch {
	case q.Get("client_id") != f.clientID:
		http.Error(w, `{"error":"invalid_client"}`, http.StatusBadRequest)
		return
	case q.Get("redirect_uri") != f.redirect:
		http.Error(w, `{"error":"invalid_redirect_uri"}`, http.StatusBadRequest)
		return
	case q.Get("response_type") != "code", q.Get("code_challenge_method") != "S256",
		q.Get("code_challenge") == "", q.Get("state") == "", q.Get("access_type") != "offline",
		q.Get("scope") != "user_info kdrive mail":
		http.Error(w, `{"error":"invalid_request"}`, http.StatusBadRequest)
		return
	}
	f.mu.Lock()
	f.seq++
	code := fmt.Sprintf("code-%d", f.seq)
	f.codes[code] = fakeCode{challenge: q.Get("code_challenge"), redirect: q.Get("redirect_uri")}
	f.mu.Unlock()
	http.Redirect(w, r, f.redirect+"?code="+code+"&state="+url.QueryEscape(q.Get("state")), http.StatusFound)
}

func oauthFail(w http.ResponseWriter, status int, code string, extra string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	fmt.Fprintf(w, `{"error":%q,"error_description":"refused"%s}`, code, extra)
}

func (f *fakeOAuth) token(w http.ResponseWriter, r *http.Request) {
	f.tokenCalls.Add(1)
	if err := r.ParseForm(); err != nil {
		oauthFail(w, 400, "invalid_request", "")
		return
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	time.Sleep(f.delay)
	if f.status != 0 {
		w.WriteHeader(f.status)
		io.WriteString(w, "{}")
		return
	}
	if r.PostForm.Get("client_id") != f.clientID || r.PostForm.Get("client_secret") != f.secret {
		oauthFail(w, 401, "invalid_client", "")
		return
	}
	switch r.PostForm.Get("grant_type") {
	case "authorization_code":
		c, ok := f.codes[r.PostForm.Get("code")]
		delete(f.codes, r.PostForm.Get("code"))
		sum := sha256.Sum256([]byte(r.PostForm.Get("code_verifier")))
		switch {
		case !ok:
			oauthFail(w, 400, "invalid_grant", "")
			return
		case r.PostForm.Get("redirect_uri") != c.redirect, r.PostForm.Get("redirect_uri") != f.redirect:
			oauthFail(w, 400, "invalid_redirect_uri", "")
			return
		case base64.RawURLEncoding.EncodeToString(sum[:]) != c.challenge:
			oauthFail(w, 400, "invalid_grant", "")
			return
		}
	case "refresh_token":
		f.refreshCalls.Add(1)
		rt := r.PostForm.Get("refresh_token")
		if !f.refresh[rt] {
			oauthFail(w, 400, "invalid_grant", f.revokedBody)
			return
		}
		if f.rotate {
			delete(f.refresh, rt)
		}
	default:
		oauthFail(w, 400, "unsupported_grant_type", "")
		return
	}
	f.issueLocked(w, r.PostForm.Get("grant_type") == "authorization_code" || f.rotate, r.PostForm.Get("refresh_token"))
}

func (f *fakeOAuth) issueLocked(w http.ResponseWriter, newRefresh bool, oldRefresh string) {
	f.seq++
	body := map[string]any{
		"access_token": fmt.Sprintf("AT-secret-%d", f.seq), "token_type": "Bearer",
		"expires_in": f.ttl, "user_id": 42, "scope": "user_info kdrive mail",
	}
	f.access[body["access_token"].(string)] = true
	if newRefresh {
		rt := fmt.Sprintf("RT-secret-%d", f.seq)
		f.refresh[rt] = true
		body["refresh_token"] = rt
	}
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(body)
}

func (f *fakeOAuth) revoke(w http.ResponseWriter, r *http.Request) {
	f.revokeCalls.Add(1)
	tok, _ := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	f.mu.Lock()
	defer f.mu.Unlock()
	w.Header().Set("Content-Type", "application/json")
	if !f.access[tok] {
		w.WriteHeader(http.StatusUnauthorized)
		io.WriteString(w, `{"result":"error","error":"invalid_token"}`)
		return
	}
	delete(f.access, tok)
	io.WriteString(w, `{"result":"success","data":true}`)
}

// revokeAllRefresh makes every refresh token answer invalid_grant.
func (f *fakeOAuth) revokeAllRefresh() {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.refresh = map[string]bool{}
}

// addRefresh registers a refresh token, as if issued earlier.
func (f *fakeOAuth) addRefresh(rt string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.refresh[rt] = true
}

func (f *fakeOAuth) knowsRefresh(rt string) bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.refresh[rt]
}

func (f *fakeOAuth) set(fn func(f *fakeOAuth)) {
	f.mu.Lock()
	defer f.mu.Unlock()
	fn(f)
}

// browse plays the browser: GET the authorize URL and follow the redirect
// to the callback (or use mutate to alter the callback URL first).
func browse(t *testing.T, mutate func(*url.URL)) func(string) error {
	return func(authURL string) error {
		go func() {
			c := &http.Client{CheckRedirect: func(req *http.Request, via []*http.Request) error {
				if mutate != nil {
					mutate(req.URL)
				}
				return nil
			}}
			resp, err := c.Get(authURL)
			if err != nil {
				t.Logf("browser: %v", err)
				return
			}
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
		}()
		return nil
	}
}

// syncBuffer is a bytes.Buffer safe for a writer and a reader goroutine.
type syncBuffer struct {
	mu  sync.Mutex
	buf strings.Builder
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}
