package remote

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/url"
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
// for another attempt, anything else ends the call. What follows a failed
// attempt is classify's decision; this loop only carries it out.
func (c *Client) exchange(ctx context.Context, req *Request, consume func(*http.Response) error) error {
	answered := false
	err := c.retryLoop(ctx, req, consume, &answered)
	c.online.fail(err, answered)
	return err
}

// retryLoop is exchange; answered says whether any attempt got an answer.
func (c *Client) retryLoop(ctx context.Context, req *Request, consume func(*http.Response) error, answered *bool) error {
	u, err := url.Parse(req.URL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") {
		return fmt.Errorf("%w: bad request URL %q", ErrInvalid, truncate(req.URL, 80))
	}
	what := describe(req, u)
	var h history
	for {
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
		h.attempts++
		req.Attempts = h.attempts
		o, done := c.attempt(ctx, req, u, tok, what, consume)
		*answered = *answered || o.answered
		if done {
			if o.err != nil && ctx.Err() != nil {
				return ctxError(ctx, what)
			}
			return o.err
		}
		if ctx.Err() != nil {
			return ctxError(ctx, what)
		}
		v := c.policy.classify(h, o)
		if v.pause && c.pace.pause(v.wait) { // a 429 holds back every caller
			// Once per episode, above DEBUG: a user wondering why the
			// mount is slow sees it (the retries themselves are DEBUG).
			c.log.Warn("Infomaniak asks to slow down (429): requests wait", "wait", v.wait.Round(time.Millisecond))
		}
		if !v.retry {
			return v.err
		}
		if v.refresh {
			c.o.Tokens.Invalidate(tok)
		}
		h = v.next
		c.log.Debug("retrying API call", "call", what, "attempt", h.attempts, "wait", v.wait, "err", o.err)
		if err := sleep(ctx, v.wait); err != nil {
			return ctxError(ctx, what)
		}
	}
}

// attempt sends req once. done: the call ends with o.err (nil on
// success); otherwise o is a failure for classify.
func (c *Client) attempt(ctx context.Context, req *Request, u *url.URL, tok, what string, consume func(*http.Response) error) (o outcome, done bool) {
	o = outcome{token: tok != "", now: time.Now(), jitter: rand.Float64(), offline: !c.Online()}
	resp, err := c.send(ctx, req, u, tok)
	if err == nil {
		o.answered = true
		if resp.StatusCode < 500 {
			c.online.up()
		}
		if resp.StatusCode != http.StatusTooManyRequests && !req.SignedURL && c.pace.answered() {
			c.log.Info("Infomaniak rate limit over: requests go at their pace again")
		}
	}
	switch {
	case err != nil:
		if !isTransient(err) {
			err = transient(fmt.Errorf("%w: %s: %w", ErrUnavailable, what, err))
		}
		o.err = err
	case isRedirect(resp.StatusCode) || resp.StatusCode == http.StatusNotModified:
		o.err = redirectError(resp)
		resp.Body.Close()
		return o, true
	case resp.StatusCode >= 200 && resp.StatusCode < 300:
		err := consume(resp)
		if err == errKeep {
			return o, true
		}
		resp.Body.Close()
		o.err = err
		return o, err == nil
	default:
		o.status, o.header = resp.StatusCode, resp.Header
		o.err = errorFromResponse(resp)
	}
	return o, false
}

// backoff is the policy's wait before the n-th retry of a download.
func (c *Client) backoff(n int) time.Duration { return c.policy.backoff(n, rand.Float64()) }

// describe names a request in errors and logs, without its query or, for
// a signed content URL, anything past its host.
func describe(req *Request, u *url.URL) string {
	shown := redactURL(u)
	if req.SignedURL {
		shown = u.Scheme + "://" + u.Host + "/(signed content URL)"
	}
	if req.Method == "" {
		return "GET " + shown
	}
	return req.Method + " " + shown
}

func errorFromResponse(resp *http.Response) *APIError {
	b, err := readCapped(resp.Body, maxErrorBytes)
	resp.Body.Close()
	if err != nil {
		b = nil // the status alone still classifies the failure
	}
	return errorFromBody(resp.StatusCode, b)
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

// sendingBody re-arms the guard as the request body is sent.
type sendingBody struct {
	io.ReadCloser
	g *stallGuard
}

func (b *sendingBody) Read(p []byte) (int, error) {
	n, err := b.ReadCloser.Read(p)
	if n > 0 {
		b.g.progress()
	}
	return n, err
}

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
