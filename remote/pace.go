package remote

import (
	"context"
	"fmt"
	"sync"
	"time"

	"golang.org/x/time/rate"
)

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
