package remote

import (
	"context"
	"fmt"
	"math"
	"strconv"
	"strings"
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// The default pace. Infomaniak documents "60 requests per minute on our
// API" (developer.infomaniak.com/getting-started, "API rules"); how it
// counts them (token bucket, fixed or sliding minute) and per what (token,
// user, IP) is not documented. A client bucket of rate r and burst b lets
// at most b + r*T requests through in any span T, so b + 60 s * r <= 60
// keeps every minute at or under 60 whichever way the server counts:
// 50/min sustained with a burst of 10. The burst keeps short interactive
// work at full speed (an ls of a few folders, an archive copy's POST and
// GET, a mail folder's first pages); a long walk settles at 50/min and
// never draws a 429. Content from pre-signed URLs is not an API call and is
// never paced.
const (
	DefaultRate  Rate = 50.0 / 60
	DefaultBurst      = 10
)

// Rate is a pace in requests per second, written on the command line as
// "50/min", "1/s", "3000/h" or a bare number per second. 0 means no pacing:
// the client only waits when the server answers 429.
type Rate float64

// String writes the rate the way Set reads it, per minute when whole.
func (r Rate) String() string {
	if r == 0 {
		return "0"
	}
	if m := float64(r) * 60; math.Abs(m-math.Round(m)) < 1e-9 && float64(r) < 1 {
		return strconv.FormatFloat(math.Round(m), 'f', -1, 64) + "/min"
	}
	return strconv.FormatFloat(float64(r), 'g', -1, 64) + "/s"
}

// Set parses "N/s", "N/min", "N/h" or "N" (per second).
func (r *Rate) Set(s string) error {
	num, unit, _ := strings.Cut(strings.TrimSpace(s), "/")
	n, err := strconv.ParseFloat(strings.TrimSpace(num), 64)
	if err != nil || n < 0 || math.IsInf(n, 0) {
		return fmt.Errorf("bad rate %q (want e.g. 50/min, 1/s, or 0 for no pacing)", s)
	}
	per := map[string]float64{"": 1, "s": 1, "sec": 1, "min": 60, "m": 60, "h": 3600, "hour": 3600}
	d, ok := per[strings.TrimSpace(unit)]
	if !ok {
		return fmt.Errorf("bad rate unit in %q (want s, min or h)", s)
	}
	*r = Rate(n / d)
	return nil
}

// Type names the flag's value in --help.
func (r *Rate) Type() string { return "rate" }

// Budget is what the pacer allows at one instant, for status and metrics.
type Budget struct {
	Rate  float64 // sustained requests per second; 0: not paced
	Burst int
	// Left is how many requests may start now without waiting (0..Burst);
	// Waiting is how many callers already wait for a slot.
	Left    int
	Waiting int
	// PausedUntil is when the last 429's pause ends (zero or past: none).
	PausedUntil time.Time
}

// pacer spaces the calls of one client under the API's rate limit and lets
// a 429 hold every caller back together.
//
// After a 429 the client is throttled until an answer other than 429
// comes: one call at a time starts per pause, as a probe, instead of every
// waiting caller at once when the pause ends (N callers would otherwise
// send N requests per pause, however long the server asked us to wait).
type pacer struct {
	lim *rate.Limiter // nil: no pacing

	mu        sync.Mutex // protects the following
	until     time.Time  // no call starts before this (set by 429s)
	probe     time.Time  // while throttled, no call starts before this either
	throttled bool       // a 429 came, and no other answer since
	gap       time.Duration
}

func newPacer(perSec float64, burst int) *pacer {
	p := &pacer{}
	if perSec > 0 {
		p.lim = rate.NewLimiter(rate.Limit(perSec), burst)
	}
	return p
}

// wait blocks until a call may start, or ctx is done.
func (p *pacer) wait(ctx context.Context) error {
	for {
		p.mu.Lock()
		now := time.Now()
		d := max(p.until.Sub(now), p.probe.Sub(now))
		if d <= 0 && p.throttled {
			p.probe = now.Add(p.gap) // this call is the probe
		}
		p.mu.Unlock()
		if d <= 0 {
			break
		}
		if err := sleep(ctx, d); err != nil {
			return err
		}
	}
	if p.lim == nil {
		return ctx.Err()
	}
	if err := p.lim.Wait(ctx); err != nil {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		// The limiter refuses when the deadline comes before the token.
		return fmt.Errorf("%w: pacing: %v", context.DeadlineExceeded, err)
	}
	return nil
}

// budget reports the pacer's state.
func (p *pacer) budget() Budget {
	var b Budget
	if p == nil {
		return b
	}
	p.mu.Lock()
	b.PausedUntil = p.until
	p.mu.Unlock()
	if p.lim == nil {
		return b
	}
	b.Rate, b.Burst = float64(p.lim.Limit()), p.lim.Burst()
	// Wait reserves a slot ahead, so tokens below zero are callers waiting.
	t := p.lim.Tokens()
	if t >= 0 {
		b.Left = min(int(t), b.Burst)
	} else {
		b.Waiting = int(math.Ceil(-t))
	}
	return b
}

// pause holds all callers back for d from now (never shortens a pause) and
// throttles the client until an answer other than 429. It reports whether
// this began a throttled episode (the client was not throttled).
func (p *pacer) pause(d time.Duration) (began bool) {
	t := time.Now().Add(d)
	p.mu.Lock()
	if t.After(p.until) {
		p.until = t
	}
	began = !p.throttled
	p.throttled, p.gap = true, d
	p.mu.Unlock()
	return began
}

// answered records an answer other than 429: the throttle is lifted and
// callers waiting for the probe go at once. It reports whether this ended
// a throttled episode.
func (p *pacer) answered() (ended bool) {
	p.mu.Lock()
	ended = p.throttled
	if p.throttled {
		p.throttled, p.probe = false, time.Time{}
	}
	p.mu.Unlock()
	return ended
}
