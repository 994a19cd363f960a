package remote

import (
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// policy is the retry policy of a client: the limits classify applies.
// Built once from ClientOptions (defaults applied).
type policy struct {
	maxRetries    int           // retries that count, after the first attempt
	maxAttempts   int           // attempts of one call, whatever the server answers
	minBackoff    time.Duration // every retry waits at least this
	maxBackoff    time.Duration
	minRetryAfter time.Duration // floor of a 429's wait
	maxRetryAfter time.Duration // a longer Retry-After fails the call
}

func newPolicy(o ClientOptions) policy {
	return policy{
		maxRetries: o.MaxRetries,
		// 429s honoured by Retry-After do not use up a retry (see
		// classify), so this is what bounds a call against a server that
		// answers 429 for ever.
		maxAttempts:   4 * (o.MaxRetries + 1),
		minBackoff:    o.MinBackoff,
		maxBackoff:    o.MaxBackoff,
		minRetryAfter: o.MinRetryAfter,
		maxRetryAfter: o.MaxRetryAfter,
	}
}

// history is what earlier attempts of one call left behind.
type history struct {
	attempts    int           // attempts made, this one included
	counted     int           // failed attempts that used up a retry, this one excluded
	stalls      int           // stalls among earlier attempts
	rateWaited  time.Duration // waits asked by earlier free 429 retries
	authRetried bool          // the one retry after a 401 was spent
}

// outcome is what one attempt came back with.
type outcome struct {
	status int         // status of an error answer; 0 when err is not one (transport, body)
	header http.Header // the response's headers, nil without one
	err    error       // the attempt's error: transport, body or *APIError
	token  bool        // the attempt carried a token (a 401 may refresh it)
	// offline: the service did not answer the client's last calls, so a
	// failure for want of it is not retried: while offline a call fails
	// fast (within one Timeout), and the mount serves what it has cached.
	offline  bool
	answered bool // a response came (any status)
	now      time.Time
	jitter   float64 // in [0,1): where the backoff falls in its range
}

// verdict is classify's decision.
type verdict struct {
	retry   bool
	wait    time.Duration // before the next attempt
	pause   bool          // hold every caller of the client for wait (429)
	refresh bool          // invalidate the token before retrying (401)
	err     error         // the call's error when !retry
	next    history       // the history the next attempt starts from
}

// classify decides what follows an attempt that did not succeed: another
// attempt after a wait, or the end of the call with an error (rclone's
// shouldRetry plus pacer, in one pure function). It never asks for an
// attempt without a wait of at least minBackoff (the 401 refresh aside),
// never waits under minRetryAfter after a 429, and never allows more than
// maxAttempts attempts in all.
func (p policy) classify(h history, o outcome) verdict {
	v := verdict{next: h, err: final(o.err)}
	switch {
	case o.status == http.StatusUnauthorized:
		if o.token && !h.authRetried {
			// One refresh, one retry at once; it does not use up a retry.
			v.next.authRetried = true
			v.retry, v.refresh = true, true
			return p.bounded(v)
		}
		v.err = asAuth(o.err)
		return v
	case o.status != 0 && !retryableStatus(o.status):
		return v // 4xx, redirects: the answer is final
	case o.status == 0 && !isTransient(o.err):
		return v // refused before sending, a body over its cap, a bad envelope
	}
	if o.offline && (o.status == 0 || o.status >= 500) {
		return v
	}
	if errors.Is(o.err, errStalled) {
		// A stall costs a whole Timeout: the second one ends the call.
		if v.next.stalls++; v.next.stalls >= maxStalls {
			return v
		}
	}
	backoff := p.backoff(h.counted, o.jitter)
	ra, hinted := retryAfter(o.header, o.now)
	if hinted && ra > p.maxRetryAfter {
		v.err = fmt.Errorf("%w (server asks to wait %s)", v.err, ra.Round(time.Second))
		return v
	}
	v.wait = max(ra, backoff)
	free := false
	if o.status == http.StatusTooManyRequests {
		// Every caller backs off, not just this one, and never sooner than
		// the floor: "Retry-After: 0" or a reset time already past must not
		// turn into a busy loop.
		v.wait = max(v.wait, p.minRetryAfter)
		v.pause = true
		// A 429 with Retry-After asks us to wait, it does not say the call
		// is broken: under a storm every caller gets some, so they do not
		// use up the retries while their waits add up to less than
		// maxRetryAfter (maxAttempts still bounds them).
		free = hinted && p.maxRetries > 0 && h.rateWaited+v.wait <= p.maxRetryAfter
	}
	if free {
		v.next.rateWaited += v.wait
	} else {
		if h.counted >= p.maxRetries {
			return v
		}
		v.next.counted++
	}
	v.retry = true
	return p.bounded(v)
}

// bounded ends the call once it made maxAttempts attempts.
func (p policy) bounded(v verdict) verdict {
	if v.next.attempts >= p.maxAttempts {
		v.retry, v.refresh = false, false
	}
	return v
}

// asAuth marks a 401 answer as ErrAuth whatever its code said.
func asAuth(err error) error {
	var ae *APIError
	if errors.As(err, &ae) {
		ae.Kind = ErrAuth
		return ae
	}
	return err
}

func retryableStatus(status int) bool {
	return status == http.StatusTooManyRequests || status == http.StatusRequestTimeout || status >= 500
}

// backoff is capped exponential backoff with jitter, never under
// minBackoff: the n-th retry waits in [minBackoff, min(maxBackoff,
// minBackoff<<n)].
func (p policy) backoff(n int, jitter float64) time.Duration {
	ceil := p.maxBackoff
	if n < 30 {
		if d := p.minBackoff << n; d > 0 && d < ceil {
			ceil = d
		}
	}
	lo := min(p.minBackoff, ceil)
	return lo + time.Duration(jitter*float64(ceil-lo))
}

// retryAfter reads Retry-After (seconds or HTTP date), else
// X-RateLimit-Reset (epoch seconds, or seconds when small). A time in the
// past is a wait of 0 (classify applies the floor).
func retryAfter(h http.Header, now time.Time) (time.Duration, bool) {
	if v := strings.TrimSpace(h.Get("Retry-After")); v != "" {
		if s, err := strconv.ParseInt(v, 10, 64); err == nil && s >= 0 {
			return seconds(s), true
		}
		if t, err := http.ParseTime(v); err == nil {
			return max(t.Sub(now), 0), true
		}
	}
	if v := strings.TrimSpace(h.Get("X-RateLimit-Reset")); v != "" {
		if s, err := strconv.ParseInt(v, 10, 64); err == nil && s >= 0 {
			if s < 1e9 {
				return seconds(s), true
			}
			return max(time.Unix(s, 0).Sub(now), 0), true
		}
	}
	return 0, false
}

// seconds converts without overflow: any answer past a year is "too long".
func seconds(s int64) time.Duration { return time.Duration(min(s, 366*24*3600)) * time.Second }
