package auth

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"golang.org/x/oauth2"

	"github.com/infomaniakfs/infomaniakfs/remote"
)

// Messages that tell the user what to do; tests and Explain match on them.
const (
	msgNotLoggedIn   = "not logged in: run `infomaniakfs login`"
	msgSessionDead   = "the Infomaniak session has expired or was revoked: run `infomaniakfs login`"
	msgPATRejected   = "the personal API token was rejected (HTTP 401: revoked, expired, or missing the user_info scope): create a new one in Infomaniak Manager and set INFOMANIAK_TOKEN or --token-file"
	msgStateMismatch = "state mismatch: the login callback does not belong to this login attempt (stale or forged browser tab); run `infomaniakfs login` again"
)

// authError is an error with a message written for the user. It unwraps
// to its sentinel (remote.ErrAuth, remote.ErrUnavailable, ...) and to its
// cause, so errors.Is and errors.As see both. It never holds a secret:
// causes are built by oauthError, never copied from a response body.
type authError struct {
	msg      string
	sentinel error
	cause    error
	// redirectURI is the configured redirect URI when the failure is a
	// redirect mismatch, so Explain can quote it.
	redirectURI string
}

func (e *authError) Error() string {
	if e.cause != nil {
		return e.msg + " (" + e.cause.Error() + ")"
	}
	return e.msg
}

func (e *authError) Unwrap() []error {
	var errs []error
	if e.sentinel != nil {
		errs = append(errs, e.sentinel)
	}
	if e.cause != nil {
		errs = append(errs, e.cause)
	}
	return errs
}

func newAuthError(sentinel error, cause error, format string, args ...any) *authError {
	return &authError{msg: fmt.Sprintf(format, args...), sentinel: sentinel, cause: cause}
}

// oauthBody is the RFC 6749 error body, plus Infomaniak's "reason".
type oauthBody struct {
	Error       any    `json:"error"` // a string per RFC; Infomaniak's revoke uses an object
	Description string `json:"error_description"`
	Reason      string `json:"reason"`
}

// oauthError turns a token-endpoint failure into a *remote.APIError with
// the sentinel that says what the caller can do about it. The response body
// is parsed, never quoted, so a reflected secret cannot leak into messages.
func oauthError(err error) (*remote.APIError, string) {
	var re *oauth2.RetrieveError
	if !errors.As(err, &re) {
		return nil, ""
	}
	ae := &remote.APIError{Code: re.ErrorCode, Description: re.ErrorDescription}
	if re.Response != nil {
		ae.Status = re.Response.StatusCode
	}
	var b oauthBody
	if json.Unmarshal(re.Body, &b) == nil {
		if s, ok := b.Error.(string); ok && ae.Code == "" {
			ae.Code = s
		}
		if ae.Description == "" {
			ae.Description = b.Description
		}
	}
	ae.Description = clip(ae.Description, 200)
	switch {
	case ae.Status == http.StatusTooManyRequests:
		ae.Kind = remote.ErrRateLimited
	case ae.Status >= 500 || ae.Status == http.StatusRequestTimeout:
		ae.Kind = remote.ErrUnavailable
	case ae.Status >= 400:
		ae.Kind = remote.ErrAuth
	default:
		// A 2xx without an access token, or a non-JSON body: the server
		// is misbehaving, which a later attempt may not repeat.
		ae.Kind = remote.ErrUnavailable
	}
	return ae, b.Reason
}

// isRedirectMismatch reports whether an OAuth error is about the redirect
// URI: Infomaniak answers invalid_redirect_uri, RFC servers invalid_grant
// with a description naming redirect_uri.
func isRedirectMismatch(ae *remote.APIError) bool {
	if ae == nil {
		return false
	}
	if ae.Code == "invalid_redirect_uri" || ae.Code == "redirect_uri_mismatch" {
		return true
	}
	d := strings.ToLower(ae.Description)
	return (ae.Code == "invalid_grant" || ae.Code == "invalid_request") &&
		(strings.Contains(d, "redirect_uri") || strings.Contains(d, "redirect uri"))
}

func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}
