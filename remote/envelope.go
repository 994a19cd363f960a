package remote

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
)

// Body caps. A hostile or broken server must not be able to make us buffer
// an unbounded body: JSON answers are read whole before decoding.
const (
	DefaultMaxJSONBytes = 64 << 20 // success envelopes, listings, CSV snapshots
	maxErrorBytes       = 1 << 20  // error bodies: only code and description matter
)

// Envelope is the common answer of the Infomaniak API:
// {"result":"success","data":…} plus the pagination fields some routes put
// at the top level, or {"result":"error","error":{…}}.
type Envelope struct {
	Result string          `json:"result"`
	Data   json.RawMessage `json:"data"`
	Error  *ErrorBody      `json:"error,omitempty"`

	// Cursor pagination (kDrive v3).
	Cursor     string `json:"cursor,omitempty"`
	HasMore    bool   `json:"has_more,omitempty"`
	ResponseAt int64  `json:"response_at,omitempty"`
	// Page pagination (v2 and older lists).
	Page  int `json:"page,omitempty"`
	Pages int `json:"pages,omitempty"`
	Total int `json:"total,omitempty"`
}

// ErrorBody is the "error" object of an error envelope.
type ErrorBody struct {
	Code        string          `json:"code"`
	Description string          `json:"description"`
	Context     json.RawMessage `json:"context,omitempty"`
	Errors      json.RawMessage `json:"errors,omitempty"`
}

// oauthError is the RFC 6749 error body of the login host.
type oauthError struct {
	Error       string `json:"error"`
	Description string `json:"error_description"`
	Reason      string `json:"reason"`
}

// Error codes that name a sentinel whatever the HTTP status says.
var codeKinds = map[string]error{
	"not_authorized":          ErrAuth,
	"invalid_grant":           ErrAuth,
	"invalid_token":           ErrAuth,
	"refresh_token_revoked":   ErrAuth,
	"forbidden_error":         ErrPermission,
	"access_denied":           ErrPermission,
	"permission_denied":       ErrPermission,
	"mailbox_locked":          ErrPermission,
	"object_not_found":        ErrNotFound,
	"not_found_error":         ErrNotFound,
	"folder__not_exists":      ErrNotFound,
	"mail__message_not_found": ErrNotFound,
	"too_many_requests":       ErrRateLimited,
	"too_many_request":        ErrRateLimited,
}

// kindOf picks the sentinel of an error answer: a known code wins, then the
// HTTP status.
func kindOf(status int, code string) error {
	if k, ok := codeKinds[code]; ok {
		return k
	}
	switch {
	case status == http.StatusUnauthorized:
		return ErrAuth
	case status == http.StatusForbidden:
		return ErrPermission
	case status == http.StatusNotFound:
		return ErrNotFound
	case status == http.StatusTooManyRequests:
		return ErrRateLimited
	case status >= 500:
		return ErrUnavailable
	}
	return nil
}

// errTooLarge marks a body over its cap; it is not retried.
var errTooLarge = errors.New("response too large")

// readCapped reads r whole, failing with ErrInvalid past limit bytes. A read
// error (reset, stall, cut body) comes back as a transientError so the
// caller's retry loop may try again.
func readCapped(r io.Reader, limit int64) ([]byte, error) {
	b, err := io.ReadAll(io.LimitReader(r, limit+1))
	if err != nil {
		if errors.Is(err, ErrUnavailable) {
			return nil, err
		}
		return nil, transient(fmt.Errorf("%w: reading response body: %w", ErrUnavailable, err))
	}
	if int64(len(b)) > limit {
		return nil, fmt.Errorf("%w: %w (over %d bytes)", ErrInvalid, errTooLarge, limit)
	}
	return b, nil
}

func errorFromBody(status int, b []byte) *APIError {
	e := &APIError{Status: status}
	var env Envelope
	if json.Unmarshal(b, &env) == nil && env.Error != nil {
		e.Code, e.Description = env.Error.Code, env.Error.Description
		e.Kind = kindOf(status, e.Code)
		return e
	}
	var oe oauthError
	if json.Unmarshal(b, &oe) == nil && oe.Error != "" {
		e.Code, e.Description = oe.Error, oe.Description
	}
	e.Kind = kindOf(status, e.Code)
	if k, ok := codeKinds[oe.Reason]; ok {
		e.Kind = k
	}
	return e
}

// DecodeEnvelope parses a 2xx JSON body. A result other than "success" is
// an error even under HTTP 200; malformed JSON is ErrInvalid.
func DecodeEnvelope(status int, b []byte) (*Envelope, error) {
	var env Envelope
	if err := json.Unmarshal(b, &env); err != nil {
		return nil, fmt.Errorf("%w: malformed JSON envelope: %v", ErrInvalid, err)
	}
	switch env.Result {
	case "success":
		return &env, nil
	case "error":
		e := &APIError{Status: status}
		if env.Error != nil {
			e.Code, e.Description = env.Error.Code, env.Error.Description
		}
		e.Kind = kindOf(status, e.Code)
		if e.Kind == nil {
			e.Kind = ErrInvalid
		}
		return nil, e
	default:
		return nil, fmt.Errorf("%w: envelope result %q", ErrInvalid, truncate(env.Result, 40))
	}
}

// decodeEnvelopeInto is DecodeEnvelope and DecodeData in one pass over
// the body (listings of 1,000 items make the difference measurable).
func decodeEnvelopeInto(status int, b []byte, out any) (*Envelope, error) {
	if out == nil {
		return DecodeEnvelope(status, b)
	}
	var x struct {
		Envelope
		Data any `json:"data"` // shadows Envelope.Data: decoded straight into out
	}
	x.Data = out
	err := json.Unmarshal(b, &x)
	var syntax *json.SyntaxError
	if errors.As(err, &syntax) {
		return nil, fmt.Errorf("%w: malformed JSON envelope: %v", ErrInvalid, err)
	}
	if x.Result != "success" {
		return DecodeEnvelope(status, b) // names the error
	}
	if err != nil {
		return nil, fmt.Errorf("%w: decoding data: %v", ErrInvalid, err)
	}
	return &x.Envelope, nil
}

// DecodeData unmarshals an envelope's data into out (nil out: ignored).
func (env *Envelope) DecodeData(out any) error {
	if out == nil {
		return nil
	}
	if len(env.Data) == 0 {
		return fmt.Errorf("%w: envelope without data", ErrInvalid)
	}
	if err := json.Unmarshal(env.Data, out); err != nil {
		return fmt.Errorf("%w: decoding data: %v", ErrInvalid, err)
	}
	return nil
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return strings.ToValidUTF8(s[:n], "") + "…"
}
