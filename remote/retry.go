package remote

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync/atomic"
	"time"
)

// transientError marks a failure worth another attempt: a body cut
// mid-way, a stall, a reset.
type transientError struct{ err error }

func transient(err error) error         { return &transientError{err} }
func (e *transientError) Error() string { return e.err.Error() }
func (e *transientError) Unwrap() error { return e.err }

// isTransient looks at the outermost error only: wrapping a transient error
// in more context makes it final.
func isTransient(err error) bool { _, ok := err.(*transientError); return ok }

// final strips the transient mark once the retries are spent, so outer
// loops do not retry again.
func final(err error) error {
	if t, ok := err.(*transientError); ok {
		return t.err
	}
	return err
}

// errStalled marks a stall. Retrying one costs a whole Timeout, so a call
// or a read gives up at its second stall instead of spending every retry:
// --timeout 3s must fail a read against a hung server in seconds, not in
// MaxRetries+1 timeouts.
var errStalled = errors.New("stalled")

// maxStalls is how many stalls end one call or one read.
const maxStalls = 2

func stallError(d time.Duration) error {
	return transient(fmt.Errorf("%w: no data for %s (%w)", ErrUnavailable, d, errStalled))
}
func ctxError(ctx context.Context, what string) error {
	return fmt.Errorf("%s: %w", what, ctx.Err()) // ctx.Err: errors.Is(err, context.Canceled) must hold
}

// exchange runs the retry loop around send. consume gets every 2xx
// response; returning errKeep hands the body over, a transient error asks
// for another attempt, anything else ends the call.
func (c *Client) exchange(ctx context.Context, req *Request, consume func(*http.Response) error) error {
	u, err := url.Parse(req.URL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") {
		return fmt.Errorf("%w: bad request URL %q", ErrInvalid, truncate(req.URL, 80))
	}
	shown := redactURL(u)
	if req.SignedURL {
		shown = u.Scheme + "://" + u.Host + "/(signed content URL)"
	}
	what := req.Method + " " + shown
	if req.Method == "" {
		what = "GET " + shown
	}
	authRetried := false
	stalls := 0
	var rateWaited time.Duration // waits asked by 429s, which cost no retry
	var lastErr error
	for attempt := 0; ; attempt++ {
		if ctx.Err() != nil {
			return ctxError(ctx, what)
		}
		if !req.SignedURL {
			if err := c.pace.wait(ctx); err != nil {
				return fmt.Errorf("%s: %w", what, err)
			}
		}
		tok := ""
		if c.o.Tokens != nil && !req.NoAuth {
			if tok, err = c.o.Tokens.Token(ctx); err != nil {
				return err
			}
		}
		resp, err := c.send(ctx, req, u, tok)
		delay := time.Duration(-1)
		switch {
		case err != nil:
			if ctx.Err() != nil {
				return ctxError(ctx, what)
			}
			if !isTransient(err) {
				err = fmt.Errorf("%w: %s: %w", ErrUnavailable, what, err)
			}
			lastErr = err
		case resp.StatusCode == http.StatusUnauthorized:
			apiErr := errorFromResponse(resp)
			if tok != "" && !authRetried {
				// One refresh, one retry; it does not use up a retry.
				authRetried = true
				c.o.Tokens.Invalidate(tok)
				attempt--
				continue
			}
			apiErr.Kind = ErrAuth
			return apiErr
		case isRedirect(resp.StatusCode) || resp.StatusCode == http.StatusNotModified:
			e := redirectError(resp)
			resp.Body.Close()
			return e
		case resp.StatusCode >= 200 && resp.StatusCode < 300:
			err := consume(resp)
			if err == errKeep {
				return nil
			}
			resp.Body.Close()
			if err == nil {
				return nil
			}
			if ctx.Err() != nil {
				return ctxError(ctx, what)
			}
			if !isTransient(err) {
				return err
			}
			lastErr = err
		default:
			apiErr := errorFromResponse(resp)
			if !retryableStatus(resp.StatusCode) {
				return apiErr
			}
			lastErr = apiErr
			ra, hinted := retryAfter(resp.Header, time.Now())
			if hinted {
				if ra > c.o.MaxRetryAfter {
					return fmt.Errorf("%w (server asks to wait %s)", apiErr, ra.Round(time.Second))
				}
				delay = ra
			}
			if resp.StatusCode == http.StatusTooManyRequests {
				if delay < 0 {
					delay = c.backoff(attempt)
				}
				// Every caller of this client backs off, not just this one.
				c.pace.pause(delay)
				// A 429 with Retry-After asks us to wait, it does not say
				// the call is broken: under a storm every caller gets some,
				// so they do not use up the retries while their waits add
				// up to less than MaxRetryAfter.
				if hinted && c.o.MaxRetries > 0 && rateWaited+delay <= c.o.MaxRetryAfter {
					rateWaited += delay
					attempt--
				}
			}
		}
		if errors.Is(lastErr, errStalled) {
			if stalls++; stalls >= maxStalls {
				return final(lastErr)
			}
		}
		if attempt >= c.o.MaxRetries {
			return final(lastErr)
		}
		if delay < 0 {
			delay = c.backoff(attempt)
		}
		c.log.Debug("retrying API call", "call", what, "attempt", attempt+1, "wait", delay, "err", lastErr)
		if err := sleep(ctx, delay); err != nil {
			return ctxError(ctx, what)
		}
	}
}

func errorFromResponse(resp *http.Response) *APIError {
	b, err := readCapped(resp.Body, maxErrorBytes)
	resp.Body.Close()
	if err != nil {
		b = nil // the status alone still classifies the failure
	}
	return errorFromBody(resp.StatusCode, b)
}

func retryableStatus(status int) bool {
	return status == http.StatusTooManyRequests || status == http.StatusRequestTimeout || status >= 500
}

// isLoginRedirect: the API sent us to the OAuth consent page, which is
// how the mail host says "this token cannot use me" (mail reference §1).
func isLoginRedirect(resp *http.Response) bool {
	loc, err := url.Parse(resp.Header.Get("Location"))
	return err == nil && strings.HasSuffix(strings.TrimSuffix(loc.Path, "/"), "/authorize")
}

func redirectError(resp *http.Response) error {
	if isLoginRedirect(resp) {
		return &APIError{Status: resp.StatusCode, Code: "login_redirect",
			Description: "the API redirected to the login page: this token cannot use this API", Kind: ErrAuth}
	}
	return &APIError{Status: resp.StatusCode, Code: "unexpected_redirect",
		Description: "the API answered with a redirect", Kind: ErrInvalid}
}

// backoff is capped exponential backoff with full jitter.
func (c *Client) backoff(attempt int) time.Duration {
	ceil := c.o.MaxBackoff
	if attempt < 30 {
		if d := c.o.MinBackoff << attempt; d > 0 && d < ceil {
			ceil = d
		}
	}
	return rand.N(ceil) + 1
}

// retryAfter reads Retry-After (seconds or HTTP date), else
// X-RateLimit-Reset (epoch seconds, or seconds when small).
func retryAfter(h http.Header, now time.Time) (time.Duration, bool) {
	if v := strings.TrimSpace(h.Get("Retry-After")); v != "" {
		if s, err := strconv.ParseInt(v, 10, 64); err == nil && s >= 0 {
			return time.Duration(s) * time.Second, true
		}
		if t, err := http.ParseTime(v); err == nil {
			return max(t.Sub(now), 0), true
		}
	}
	if v := strings.TrimSpace(h.Get("X-RateLimit-Reset")); v != "" {
		if s, err := strconv.ParseInt(v, 10, 64); err == nil && s >= 0 {
			if s < 1e9 {
				return time.Duration(s) * time.Second, true
			}
			return max(time.Unix(s, 0).Sub(now), 0), true
		}
	}
	return 0, false
}

func sleep(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// stallGuard cancels an attempt when neither headers nor body bytes arrive
// for d; every byte re-arms it.
type stallGuard struct {
	d      time.Duration
	t      *time.Timer
	fired  atomic.Bool
	cancel context.CancelFunc
}

func newStallGuard(d time.Duration, cancel context.CancelFunc) *stallGuard {
	g := &stallGuard{d: d, cancel: cancel}
	g.t = time.AfterFunc(d, func() { g.fired.Store(true); cancel() })
	return g
}

func (g *stallGuard) progress() { g.t.Reset(g.d) }
func (g *stallGuard) stop()     { g.t.Stop(); g.cancel() }

// guardedBody re-arms the guard on progress and turns its firing into a
// transient stall error.
type guardedBody struct {
	rc io.ReadCloser
	g  *stallGuard
}

func (b *guardedBody) Read(p []byte) (int, error) {
	n, err := b.rc.Read(p)
	if n > 0 {
		b.g.progress()
	}
	if err != nil && err != io.EOF {
		if b.g.fired.Load() {
			return n, stallError(b.g.d)
		}
		err = transient(err)
	}
	return n, err
}

func (b *guardedBody) Close() error {
	b.g.stop()
	return b.rc.Close()
}
