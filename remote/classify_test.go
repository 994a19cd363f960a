package remote

import (
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"testing"
	"time"
)

func testPolicy() policy {
	return newPolicy(ClientOptions{MaxRetries: 3, MinBackoff: 100 * time.Millisecond,
		MaxBackoff: time.Second, MinRetryAfter: time.Second, MaxRetryAfter: time.Minute})
}

func TestClassify(t *testing.T) {
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	hdr := func(kv ...string) http.Header {
		h := http.Header{}
		for i := 0; i < len(kv); i += 2 {
			h.Set(kv[i], kv[i+1])
		}
		return h
	}
	apiErr := func(status int) error {
		return errorFromBody(status, []byte(`{"result":"error","error":{"code":"x"}}`))
	}
	netErr := transient(fmt.Errorf("%w: connection refused", ErrUnavailable))
	tests := []struct {
		name    string
		h       history
		o       outcome
		retry   bool
		min     time.Duration // the wait's bounds when retrying
		max     time.Duration
		pause   bool
		refresh bool
		counted int   // next.counted
		want    error // the sentinel of the final error
	}{
		{"500 retried with backoff", history{attempts: 1}, outcome{status: 500, err: apiErr(500)},
			true, 100 * time.Millisecond, 100 * time.Millisecond, false, false, 1, nil},
		{"500 backoff grows", history{attempts: 3, counted: 2}, outcome{status: 503, err: apiErr(503), jitter: 0.999},
			true, 350 * time.Millisecond, 400 * time.Millisecond, false, false, 3, nil},
		{"backoff capped", history{attempts: 3, counted: 2}, outcome{status: 503, err: apiErr(503), jitter: 0.999},
			true, 100 * time.Millisecond, 400 * time.Millisecond, false, false, 3, nil},
		{"500 retries spent", history{attempts: 4, counted: 3}, outcome{status: 500, err: apiErr(500)},
			false, 0, 0, false, false, 3, ErrUnavailable},
		{"503 Retry-After honoured", history{attempts: 1}, outcome{status: 503, err: apiErr(503), header: hdr("Retry-After", "2")},
			true, 2 * time.Second, 2 * time.Second, false, false, 1, nil},
		{"404 final", history{attempts: 1}, outcome{status: 404, err: apiErr(404)},
			false, 0, 0, false, false, 0, ErrNotFound},
		{"400 final", history{attempts: 1}, outcome{status: 400, err: apiErr(400)},
			false, 0, 0, false, false, 0, nil},
		{"401 refreshes once", history{attempts: 1}, outcome{status: 401, err: apiErr(401), token: true},
			true, 0, 0, false, true, 0, nil},
		{"401 twice is ErrAuth", history{attempts: 2, authRetried: true}, outcome{status: 401, err: apiErr(401), token: true},
			false, 0, 0, false, false, 0, ErrAuth},
		{"401 without token is ErrAuth", history{attempts: 1}, outcome{status: 401, err: apiErr(401)},
			false, 0, 0, false, false, 0, ErrAuth},
		{"429 Retry-After 0 waits the floor", history{attempts: 1}, outcome{status: 429, err: apiErr(429), header: hdr("Retry-After", "0")},
			true, time.Second, time.Second, true, false, 0, nil},
		{"429 reset in the past waits the floor", history{attempts: 1},
			outcome{status: 429, err: apiErr(429), now: now, header: hdr("X-RateLimit-Reset", strconv.FormatInt(now.Unix()-30, 10))},
			true, time.Second, time.Second, true, false, 0, nil},
		{"429 past date waits the floor", history{attempts: 1},
			outcome{status: 429, err: apiErr(429), now: now, header: hdr("Retry-After", now.Add(-time.Hour).Format(http.TimeFormat))},
			true, time.Second, time.Second, true, false, 0, nil},
		{"429 Retry-After honoured, free", history{attempts: 5, counted: 3}, outcome{status: 429, err: apiErr(429), header: hdr("Retry-After", "3")},
			true, 3 * time.Second, 3 * time.Second, true, false, 3, nil},
		{"429 Retry-After too long", history{attempts: 1}, outcome{status: 429, err: apiErr(429), header: hdr("Retry-After", "120")},
			false, 0, 0, false, false, 0, ErrRateLimited},
		{"429 Retry-After absurd", history{attempts: 1}, outcome{status: 429, err: apiErr(429), header: hdr("Retry-After", "99999999999999")},
			false, 0, 0, false, false, 0, ErrRateLimited},
		{"429 without hint counts", history{attempts: 1}, outcome{status: 429, err: apiErr(429)},
			true, time.Second, time.Second, true, false, 1, nil},
		{"429 free budget spent counts", history{attempts: 9, counted: 1, rateWaited: 59500 * time.Millisecond},
			outcome{status: 429, err: apiErr(429), header: hdr("Retry-After", "1")},
			true, time.Second, time.Second, true, false, 2, nil},
		{"429 attempts bounded", history{attempts: 16}, outcome{status: 429, err: apiErr(429), header: hdr("Retry-After", "0")},
			false, 0, 0, true, false, 0, ErrRateLimited},
		{"network error retried", history{attempts: 1}, outcome{err: netErr},
			true, 100 * time.Millisecond, 100 * time.Millisecond, false, false, 1, nil},
		{"network error spent", history{attempts: 4, counted: 3}, outcome{err: netErr},
			false, 0, 0, false, false, 3, ErrUnavailable},
		{"body too large final", history{attempts: 1}, outcome{err: fmt.Errorf("%w: %w", ErrInvalid, errTooLarge)},
			false, 0, 0, false, false, 0, ErrInvalid},
		{"first stall retried", history{attempts: 1}, outcome{err: stallError(time.Second)},
			true, 100 * time.Millisecond, 100 * time.Millisecond, false, false, 1, nil},
		{"offline: network error not retried", history{attempts: 1}, outcome{err: netErr, offline: true},
			false, 0, 0, false, false, 0, ErrUnavailable},
		{"offline: 503 not retried", history{attempts: 1}, outcome{status: 503, err: apiErr(503), offline: true},
			false, 0, 0, false, false, 0, ErrUnavailable},
		{"offline: 429 still waits and retries", history{attempts: 1}, outcome{status: 429, err: apiErr(429), offline: true},
			true, time.Second, time.Second, true, false, 1, nil},
		{"second stall final", history{attempts: 2, counted: 1, stalls: 1}, outcome{err: stallError(time.Second)},
			false, 0, 0, false, false, 1, ErrUnavailable},
	}
	p := testPolicy()
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if tc.name == "backoff capped" {
				p := p
				p.maxBackoff = 100 * time.Millisecond
				v := p.classify(tc.h, tc.o)
				if v.wait != 100*time.Millisecond {
					t.Fatalf("wait %v over the cap", v.wait)
				}
				return
			}
			v := p.classify(tc.h, tc.o)
			if v.retry != tc.retry || v.refresh != tc.refresh || v.pause != tc.pause {
				t.Fatalf("retry %v refresh %v pause %v, want %v %v %v (err %v)",
					v.retry, v.refresh, v.pause, tc.retry, tc.refresh, tc.pause, v.err)
			}
			if v.retry && (v.wait < tc.min || v.wait > tc.max) {
				t.Fatalf("wait %v, want within [%v, %v]", v.wait, tc.min, tc.max)
			}
			if v.retry && !v.refresh && v.wait < p.minBackoff {
				t.Fatalf("wait %v under the minimum backoff", v.wait)
			}
			if v.retry && v.next.counted != tc.counted {
				t.Fatalf("counted %d, want %d", v.next.counted, tc.counted)
			}
			if !v.retry {
				if v.err == nil || isTransient(v.err) {
					t.Fatalf("final error %v: nil or still transient", v.err)
				}
				if tc.want != nil && !errors.Is(v.err, tc.want) {
					t.Fatalf("err %v, want %v", v.err, tc.want)
				}
			}
		})
	}
}

// TestClassifyNeverRunsAway plays a server that answers the worst it can
// for ever: every call ends within maxAttempts attempts, and no retry
// comes sooner than the floors.
func TestClassifyNeverRunsAway(t *testing.T) {
	answers := map[string]func(now time.Time) outcome{
		"429 Retry-After 0": func(time.Time) outcome {
			return outcome{status: 429, err: errorFromBody(429, nil), header: http.Header{"Retry-After": {"0"}}}
		},
		"429 reset past": func(now time.Time) outcome {
			return outcome{status: 429, err: errorFromBody(429, nil),
				header: http.Header{"X-Ratelimit-Reset": {strconv.FormatInt(now.Unix()-1, 10)}}}
		},
		"503": func(time.Time) outcome { return outcome{status: 503, err: errorFromBody(503, nil)} },
		"401": func(time.Time) outcome { return outcome{status: 401, err: errorFromBody(401, nil), token: true} },
		"reset": func(time.Time) outcome {
			return outcome{err: transient(fmt.Errorf("%w: reset", ErrUnavailable))}
		},
	}
	for _, retries := range []int{0, 1, 5, 20} {
		p := newPolicy(ClientOptions{MaxRetries: retries, MinBackoff: time.Millisecond, MaxBackoff: time.Second,
			MinRetryAfter: time.Second, MaxRetryAfter: time.Hour})
		for name, answer := range answers {
			now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
			var h history
			for {
				h.attempts++
				o := answer(now)
				o.now = now
				v := p.classify(h, o)
				if !v.retry {
					break
				}
				if o.status == 429 && v.wait < time.Second {
					t.Fatalf("%s, %d retries: 429 retried after %v", name, retries, v.wait)
				}
				if !v.refresh && v.wait < time.Millisecond {
					t.Fatalf("%s, %d retries: retried after %v", name, retries, v.wait)
				}
				if h.attempts > p.maxAttempts {
					t.Fatalf("%s, %d retries: %d attempts", name, retries, h.attempts)
				}
				h, now = v.next, now.Add(v.wait)
			}
			if h.attempts > 4*(retries+1) {
				t.Fatalf("%s, %d retries: %d attempts", name, retries, h.attempts)
			}
		}
	}
}
