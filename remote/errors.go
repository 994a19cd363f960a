package remote

import (
	"errors"
	"fmt"
)

// Sentinel errors every contract method may return, wrapped. Callers test
// them with errors.Is; fs/ maps them to errno in one place.
var (
	// ErrNotFound: the item, folder, message or drive does not exist (404).
	ErrNotFound = errors.New("not found")
	// ErrAuth: the credentials are missing, expired beyond refresh or revoked;
	// the user must run `infomaniakfs login` again.
	ErrAuth = errors.New("not authenticated")
	// ErrPermission: authenticated, but not allowed (403, locked mailbox).
	ErrPermission = errors.New("permission denied")
	// ErrRateLimited: the API kept answering 429 after the retries allowed.
	ErrRateLimited = errors.New("rate limited")
	// ErrUnavailable: 5xx, network failure or stall after the retries allowed.
	ErrUnavailable = errors.New("service unavailable")
	// ErrChanged: the remote content changed while it was being read, so
	// the bytes read so far belong to another version; re-stat and retry.
	ErrChanged = errors.New("remote content changed")
	// ErrInvalid: the API answered something we cannot use (malformed JSON,
	// absurd values, a cursor that never ends).
	ErrInvalid = errors.New("invalid response")
)

// APIError is an error envelope ({"result":"error","error":{...}}) or an
// OAuth error body, decoded. It unwraps to the matching sentinel above.
type APIError struct {
	Status      int    // HTTP status
	Code        string // error.code, e.g. "object_not_found", or OAuth "invalid_grant"
	Description string // error.description / error_description
	Kind        error  // one of the sentinels, or nil
}

func (e *APIError) Error() string {
	msg := fmt.Sprintf("infomaniak API: HTTP %d", e.Status)
	if e.Code != "" {
		msg += " " + e.Code
	}
	if e.Description != "" {
		msg += ": " + e.Description
	}
	return msg
}

// Unwrap lets errors.Is(err, remote.ErrNotFound) and friends match.
func (e *APIError) Unwrap() error { return e.Kind }
