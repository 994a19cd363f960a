package auth

import (
	"context"
	"errors"
	"log/slog"
	"sync"
	"time"

	"golang.org/x/oauth2"

	"github.com/infomaniakfs/infomaniakfs/remote"
)

const (
	// expiryMargin: refresh this long before the token expires, so a
	// token is not sent that dies in flight. Shorter for short-lived tokens.
	expiryMargin = 60 * time.Second
	// recheckEvery bounds how often a source whose session is dead looks
	// at the token file for a new login.
	recheckEvery = time.Second
	// failBackoff: after a transient refresh failure, callers get the same
	// error for this long instead of a new request each.
	failBackoff = time.Second
)

// NewTokenSource returns the token source for API calls: a static one for
// a personal API token, else the stored OAuth token, refreshed when it
// expires or is rejected and saved whenever it changes. ctx must live as
// long as the source: refreshes run under it, not under a caller's context.
func NewTokenSource(ctx context.Context, c *Config, st *Store) (remote.TokenSource, error) {
	cfg := c.withDefaults()
	if cfg.PersonalToken != "" {
		return &staticSource{tok: cfg.PersonalToken}, nil
	}
	tok, stamp, err := st.load()
	if err != nil {
		return nil, err
	}
	if cfg.ClientID == "" && tok.RefreshToken != "" {
		return nil, errors.New("no OAuth client ID to refresh the token with: set INFOMANIAK_CLIENT_ID (or Service_INFOMANIAK_DATA_CLIENT_ID in the --env-file) to the one used to log in")
	}
	return &oauthSource{ctx: ctx, conf: oauthConfig(&cfg), store: st, tok: tok, stamp: stamp, now: time.Now}, nil
}

// staticSource serves a personal API token, which cannot be refreshed. A 401
// is logged once but does not retire the token: Infomaniak also answers 401
// for a scope the token lacks (profile without user_info), and one such
// answer must not take kDrive and Mail down with it. The HTTP client turns a
// 401 that survives its retry into remote.ErrAuth by itself.
type staticSource struct {
	tok    string
	warned sync.Once
}

func (s *staticSource) Token(ctx context.Context) (string, error) {
	return s.tok, nil
}

func (s *staticSource) Invalidate(tok string) {
	if tok == s.tok {
		s.warned.Do(func() {
			slog.Warn("the personal API token was rejected (HTTP 401) by one API call: if every call fails, create a new token in Infomaniak Manager with the scopes kdrive/drive, workspace:mail and user_info")
		})
	}
}

// oauthSource is the refreshing, persisting OAuth token source. Refreshes
// are single-flight: every caller that needs one while it runs shares it.
type oauthSource struct {
	ctx   context.Context
	conf  *oauth2.Config
	store *Store
	now   func() time.Time

	mu        sync.Mutex
	tok       *oauth2.Token
	stale     bool      // the server rejected tok: refresh even if not expired
	stamp     fileStamp // the token file as we last read or wrote it
	flight    *flight   // the refresh in progress, if any
	dead      error     // sticky: the refresh token was refused
	lastCheck time.Time // last look at the file while dead
	failErr   error     // last transient refresh failure
	failAt    time.Time
}

type flight struct {
	done chan struct{}
	tok  string
	err  error
}

func (s *oauthSource) Token(ctx context.Context) (string, error) {
	s.mu.Lock()
	if tok, ok := s.usable(); ok {
		s.mu.Unlock()
		return tok, nil
	}
	if s.dead != nil {
		if !s.recheckLocked() {
			err := s.dead
			s.mu.Unlock()
			return "", err
		}
		if tok, ok := s.usable(); ok {
			s.mu.Unlock()
			return tok, nil
		}
	}
	f := s.flight
	if f == nil {
		if s.failErr != nil && s.now().Sub(s.failAt) < failBackoff {
			err := s.failErr
			s.mu.Unlock()
			return "", err
		}
		f = &flight{done: make(chan struct{})}
		s.flight = f
		go s.refresh(f)
	}
	s.mu.Unlock()
	select {
	case <-f.done:
		return f.tok, f.err
	case <-ctx.Done():
		return "", ctx.Err()
	}
}

// Invalidate marks tok rejected if it is still the current token, so that
// many concurrent 401s of one token cause one refresh.
func (s *oauthSource) Invalidate(tok string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.tok != nil && s.tok.AccessToken == tok {
		s.stale = true
	}
}

// usable returns the current access token if it may be sent. Call with mu held.
func (s *oauthSource) usable() (string, bool) {
	if s.dead != nil || s.tok == nil || s.stale || s.tok.AccessToken == "" {
		return "", false
	}
	if s.tok.Expiry.IsZero() {
		return s.tok.AccessToken, true
	}
	margin := expiryMargin
	if life := time.Duration(s.tok.ExpiresIn) * time.Second; life > 0 && life/4 < margin {
		margin = life / 4
	}
	if s.now().Add(margin).Before(s.tok.Expiry) {
		return s.tok.AccessToken, true
	}
	return "", false
}

// recheckLocked looks, at most once per recheckEvery, whether the token
// file changed (a login in another shell) and adopts a new token from it.
func (s *oauthSource) recheckLocked() bool {
	if now := s.now(); now.Sub(s.lastCheck) >= recheckEvery {
		s.lastCheck = now
		return s.adoptLocked()
	}
	return false
}

// adoptLocked reloads the token file if its stamp changed and takes its
// token if it differs from ours. Call with mu held.
func (s *oauthSource) adoptLocked() bool {
	stamp := s.store.stat()
	if stamp == s.stamp || stamp == (fileStamp{}) {
		return false
	}
	tok, stamp, err := s.store.load()
	if err != nil {
		return false
	}
	s.stamp = stamp
	if tok.AccessToken == s.tok.AccessToken && tok.RefreshToken == s.tok.RefreshToken {
		return false
	}
	if s.dead != nil {
		slog.Info("picked up a new login from the token file", "path", s.store.Path())
	}
	s.tok, s.stale, s.dead, s.failErr = tok, false, nil, nil
	return true
}

// refresh runs one refresh for every caller waiting on f.
func (s *oauthSource) refresh(f *flight) {
	f.tok, f.err = s.doRefresh()
	s.mu.Lock()
	s.flight = nil
	s.mu.Unlock()
	close(f.done)
}

func (s *oauthSource) doRefresh() (string, error) {
	s.mu.Lock()
	// Another process (a second mount, a login) may have refreshed.
	if s.adoptLocked() {
		if tok, ok := s.usable(); ok {
			s.mu.Unlock()
			return tok, nil
		}
	}
	old := s.tok
	s.mu.Unlock()

	if old.RefreshToken == "" {
		return "", s.die(&authError{msg: msgSessionDead, sentinel: remote.ErrAuth, cause: errors.New("the stored token expired and has no refresh token")})
	}
	// x/oauth2 posts grant_type=refresh_token and keeps the old refresh
	// token when the answer carries none.
	newTok, err := s.conf.TokenSource(tokenContext(s.ctx), &oauth2.Token{RefreshToken: old.RefreshToken}).Token()
	if err != nil {
		return "", s.refreshFailed(err)
	}
	stamp, saveErr := s.store.save(newTok)
	s.mu.Lock()
	s.tok, s.stale, s.failErr = newTok, false, nil
	if saveErr == nil {
		s.stamp = stamp
	}
	s.mu.Unlock()
	if saveErr != nil {
		// The mount keeps working; only a restart would need the new token.
		slog.Warn("could not save the refreshed token", "err", saveErr)
	}
	slog.Debug("access token refreshed", "expiry", newTok.Expiry, "rotated", newTok.RefreshToken != old.RefreshToken)
	return newTok.AccessToken, nil
}

// refreshFailed classifies a refresh error: a refused refresh token is
// sticky (log in again), anything else transient.
func (s *oauthSource) refreshFailed(err error) error {
	if s.ctx.Err() != nil {
		return s.ctx.Err() // shutting down: nothing to remember
	}
	ae, reason := oauthError(err)
	switch {
	case ae == nil:
		return s.transient(&authError{msg: "cannot refresh the token: the Infomaniak login server is unreachable", sentinel: remote.ErrUnavailable, cause: scrubbed(err)})
	case ae.Code == "invalid_grant" || reason == "refresh_token_revoked":
		return s.die(&authError{msg: msgSessionDead, sentinel: remote.ErrAuth, cause: ae})
	case ae.Code == "invalid_client":
		return s.die(&authError{msg: "Infomaniak rejected the client ID or secret while refreshing the token", sentinel: remote.ErrAuth, cause: ae})
	case ae.Kind == remote.ErrAuth:
		return s.die(&authError{msg: "the token refresh was refused: run `infomaniakfs login`", sentinel: remote.ErrAuth, cause: ae})
	}
	return s.transient(&authError{msg: "cannot refresh the token now", sentinel: ae.Kind, cause: ae})
}

func (s *oauthSource) die(err error) error {
	s.mu.Lock()
	s.dead = err
	s.lastCheck = s.now()
	s.mu.Unlock()
	// Debug, not Error: the error itself carries the instruction and every
	// caller reports it once (fs at its first failing operation, the CLI on
	// exit); logging it here too told the user twice.
	slog.Debug("cannot use the Infomaniak account until you log in again: run `infomaniakfs login`", "cause", err)
	return err
}

func (s *oauthSource) transient(err error) error {
	s.mu.Lock()
	s.failErr, s.failAt = err, s.now()
	s.mu.Unlock()
	slog.Warn("token refresh failed; will retry", "err", err)
	return err
}
