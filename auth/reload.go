package auth

import (
	"log/slog"

	"github.com/infomaniakfs/infomaniakfs/remote"
)

// Reload re-reads the token file behind ts, as a daemon does on SIGHUP: a
// login made in another shell takes effect without a remount. It reports
// whether a new token was adopted. A personal API token (from the
// environment) has no file: nothing changes.
func Reload(ts remote.TokenSource) bool {
	s, ok := ts.(*oauthSource)
	if !ok {
		return false
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	changed := s.adoptLocked()
	if changed {
		slog.Info("token file re-read: using the new token", "path", s.store.Path())
	}
	return changed
}
