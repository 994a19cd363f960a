package emulator

import (
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// codeTTL is how long an authorization code can be exchanged.
const codeTTL = 2 * time.Minute

// authorizeHandler auto-approves a valid request. An unknown client or an
// unregistered redirect URI gets a 400 page, never a redirect: the URI is
// exactly what must not be trusted then.
func (s *Server) authorizeHandler(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	if q.Get("client_id") != s.o.ClientID {
		oauthError(w, http.StatusBadRequest, "invalid_client", "unknown client_id", nil)
		return
	}
	redirect := q.Get("redirect_uri")
	if redirect != s.o.RedirectURI {
		oauthError(w, http.StatusBadRequest, "invalid_redirect_uri", "redirect_uri does not match the one registered for this client", nil)
		return
	}
	back, err := url.Parse(redirect)
	if err != nil {
		oauthError(w, http.StatusBadRequest, "invalid_redirect_uri", "redirect_uri is not a URL", nil)
		return
	}
	params := back.Query()
	if st := q.Get("state"); st != "" {
		params.Set("state", st)
	}
	method := q.Get("code_challenge_method")
	switch {
	case q.Get("response_type") != "code":
		params.Set("error", "unsupported_response_type")
	case q.Get("code_challenge") != "" && method != "S256":
		params.Set("error", "invalid_request")
		params.Set("error_description", "code_challenge_method must be S256")
	default:
		scopes := splitScopes(q.Get("scope"))
		if len(scopes) == 0 {
			scopes = s.o.Scopes
		}
		code := randomToken("code_")
		s.tokens.mu.Lock()
		s.tokens.codes[code] = &authCode{
			clientID:    s.o.ClientID,
			redirectURI: redirect,
			challenge:   q.Get("code_challenge"),
			scopes:      scopes,
			offline:     q.Get("access_type") == "offline",
			expires:     time.Now().Add(codeTTL),
		}
		s.tokens.mu.Unlock()
		params.Set("code", code)
	}
	back.RawQuery = params.Encode()
	http.Redirect(w, r, back.String(), http.StatusFound)
}

// tokenHandler serves the authorization_code and refresh_token grants.
func (s *Server) tokenHandler(w http.ResponseWriter, r *http.Request) {
	var err error
	if strings.HasPrefix(r.Header.Get("Content-Type"), "multipart/") {
		err = r.ParseMultipartForm(1 << 20)
	} else {
		err = r.ParseForm()
	}
	if err != nil {
		oauthError(w, http.StatusBadRequest, "invalid_request", "unreadable form body", nil)
		return
	}
	f := r.PostForm
	id, secret, basic := r.BasicAuth()
	if basic {
		// RFC 6749 §2.3.1: both are form-encoded inside Basic auth.
		id, _ = url.QueryUnescape(id)
		secret, _ = url.QueryUnescape(secret)
	} else {
		id, secret = f.Get("client_id"), f.Get("client_secret")
	}
	if id != s.o.ClientID || (s.o.ClientSecret != "" &&
		subtle.ConstantTimeCompare([]byte(secret), []byte(s.o.ClientSecret)) != 1) {
		oauthError(w, http.StatusUnauthorized, "invalid_client", "client authentication failed", nil)
		return
	}
	switch f.Get("grant_type") {
	case "authorization_code":
		s.exchangeCode(w, f)
	case "refresh_token":
		s.refreshGrant(w, f)
	case "":
		oauthError(w, http.StatusBadRequest, "invalid_request", "grant_type is missing", nil)
	default:
		oauthError(w, http.StatusBadRequest, "unsupported_grant_type", "grant_type not supported", nil)
	}
}

func (s *Server) exchangeCode(w http.ResponseWriter, f url.Values) {
	ts := s.tokens
	ts.mu.Lock()
	defer ts.mu.Unlock()
	c, ok := ts.codes[f.Get("code")]
	switch {
	case !ok || c.clientID != s.o.ClientID:
		oauthError(w, http.StatusBadRequest, "invalid_grant", "unknown authorization code", nil)
		return
	case c.used:
		// RFC 6749 §4.1.2: a replayed code revokes what it bought.
		if a := ts.access[c.issued]; a != nil {
			a.dead = true
			if rt := ts.refresh[a.refresh]; rt != nil {
				rt.revoked = true
			}
		}
		oauthError(w, http.StatusBadRequest, "invalid_grant", "authorization code already used", nil)
		return
	case time.Now().After(c.expires):
		oauthError(w, http.StatusBadRequest, "invalid_grant", "authorization code expired", nil)
		return
	}
	c.used = true
	if f.Get("redirect_uri") != c.redirectURI || f.Get("redirect_uri") != s.o.RedirectURI {
		oauthError(w, http.StatusBadRequest, "invalid_redirect_uri", "redirect_uri does not match the authorization request", nil)
		return
	}
	if c.challenge != "" {
		v := f.Get("code_verifier")
		sum := sha256.Sum256([]byte(v))
		if v == "" || base64.RawURLEncoding.EncodeToString(sum[:]) != c.challenge {
			oauthError(w, http.StatusBadRequest, "invalid_grant", "code_verifier does not match code_challenge", nil)
			return
		}
	}
	at, rt := ts.issueLocked(c.scopes, s.o.AccessTokenTTL, c.clientID, c.offline)
	c.issued = at
	s.tokenResponse(w, at, rt, c.scopes)
}

func (s *Server) refreshGrant(w http.ResponseWriter, f url.Values) {
	ts := s.tokens
	ts.mu.Lock()
	defer ts.mu.Unlock()
	old := f.Get("refresh_token")
	rt, ok := ts.refresh[old]
	switch {
	case old == "":
		oauthError(w, http.StatusBadRequest, "invalid_request", "refresh_token is missing", nil)
		return
	case !ok || rt.clientID != s.o.ClientID || rt.replaced:
		oauthError(w, http.StatusBadRequest, "invalid_grant", "invalid refresh token", nil)
		return
	case rt.revoked:
		oauthError(w, http.StatusBadRequest, "invalid_grant", "refresh token revoked", obj{"reason": "refresh_token_revoked"})
		return
	}
	at, next := ts.issueLocked(rt.scopes, s.o.AccessTokenTTL, rt.clientID, s.o.RotateRefresh)
	if s.o.RotateRefresh {
		rt.replaced = true
	} else {
		next = old
		ts.access[at].refresh = old
	}
	s.tokenResponse(w, at, next, rt.scopes)
}

func (s *Server) tokenResponse(w http.ResponseWriter, at, rt string, scopes []string) {
	body := obj{
		"access_token": at,
		"token_type":   "Bearer",
		"expires_in":   int64(s.o.AccessTokenTTL / time.Second),
		"user_id":      UserID,
		"scope":        strings.Join(scopes, " "),
	}
	if rt != "" {
		body["refresh_token"] = rt
	}
	w.Header().Set("Cache-Control", "no-store")
	writeJSON(w, http.StatusOK, body)
}

// revokeHandler is DELETE /token: the bearer access token and its refresh
// token stop working.
func (s *Server) revokeHandler(w http.ResponseWriter, r *http.Request) {
	ts := s.tokens
	ts.mu.Lock()
	defer ts.mu.Unlock()
	a, ok := ts.access[bearer(r)]
	if !ok || a.dead {
		writeJSON(w, http.StatusUnauthorized, obj{"result": "error", "error": "invalid_token"})
		return
	}
	a.dead = true
	if rt := ts.refresh[a.refresh]; rt != nil {
		rt.revoked = true
	}
	writeJSON(w, http.StatusOK, obj{"result": "success", "data": true})
}
