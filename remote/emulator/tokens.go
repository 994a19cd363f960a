package emulator

import (
	"crypto/rand"
	"encoding/hex"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"
)

type accessToken struct {
	scopes  []string // empty: a personal token allowed everything
	expires time.Time
	refresh string // "" for personal and non-offline tokens
	dead    bool   // revoked or expired by a knob
}

type refreshToken struct {
	scopes   []string
	clientID string
	revoked  bool // RevokeRefreshTokens or DELETE /token
	replaced bool // rotated away: answers invalid_grant without the revoked reason
}

type authCode struct {
	clientID, redirectURI, challenge string
	scopes                           []string
	offline                          bool
	expires                          time.Time
	used                             bool
	issued                           string // access token it bought, revoked if the code is replayed
}

// tokenStore holds every credential the emulator issued.
type tokenStore struct {
	mu      sync.Mutex
	access  map[string]*accessToken
	refresh map[string]*refreshToken
	codes   map[string]*authCode
}

func newTokenStore() *tokenStore {
	return &tokenStore{
		access:  make(map[string]*accessToken),
		refresh: make(map[string]*refreshToken),
		codes:   make(map[string]*authCode),
	}
}

func randomToken(prefix string) string {
	b := make([]byte, 24)
	_, _ = rand.Read(b)
	return prefix + hex.EncodeToString(b)
}

// issue creates an access token (and a refresh token when offline); the
// caller holds ts.mu.
func (ts *tokenStore) issueLocked(scopes []string, ttl time.Duration, clientID string, offline bool) (string, string) {
	at := randomToken("at_")
	tok := &accessToken{scopes: scopes, expires: time.Now().Add(ttl)}
	if offline {
		tok.refresh = randomToken("rt_")
		ts.refresh[tok.refresh] = &refreshToken{scopes: scopes, clientID: clientID}
	}
	ts.access[at] = tok
	return at, tok.refresh
}

// valid returns the live access token tok.
func (ts *tokenStore) valid(tok string) (*accessToken, bool) {
	ts.mu.Lock()
	defer ts.mu.Unlock()
	a, ok := ts.access[tok]
	if !ok || a.dead || (!a.expires.IsZero() && time.Now().After(a.expires)) {
		return nil, false
	}
	return a, true
}

// allows reports whether the token carries one of the scopes.
func (a *accessToken) allows(any ...string) bool {
	if len(a.scopes) == 0 {
		return true
	}
	for _, s := range any {
		if slices.Contains(a.scopes, s) {
			return true
		}
	}
	return false
}

// splitScopes accepts space- or comma-separated scope lists.
func splitScopes(s string) []string {
	return strings.FieldsFunc(s, func(r rune) bool { return r == ' ' || r == ',' || r == '+' })
}

// bearer extracts the token of an "Authorization: Bearer" header.
func bearer(r *http.Request) string {
	h := r.Header.Get("Authorization")
	if len(h) > 7 && strings.EqualFold(h[:7], "bearer ") {
		return strings.TrimSpace(h[7:])
	}
	return ""
}

// ExpireAccessTokens makes every access token issued so far, personal ones
// included, answer 401; refresh tokens stay valid.
func (s *Server) ExpireAccessTokens() {
	ts := s.tokens
	ts.mu.Lock()
	defer ts.mu.Unlock()
	for _, a := range ts.access {
		a.dead = true
	}
}

// RevokeRefreshTokens makes every refresh token issued so far answer
// invalid_grant (reason refresh_token_revoked).
func (s *Server) RevokeRefreshTokens() {
	ts := s.tokens
	ts.mu.Lock()
	defer ts.mu.Unlock()
	for _, rt := range ts.refresh {
		rt.revoked = true
	}
}

// IssueToken returns a personal API token that never expires, carrying
// scopes (none: every route allowed).
func (s *Server) IssueToken(scopes ...string) string {
	ts := s.tokens
	ts.mu.Lock()
	defer ts.mu.Unlock()
	tok := randomToken("pat_")
	ts.access[tok] = &accessToken{scopes: slices.Clone(scopes)}
	return tok
}
