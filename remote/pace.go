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
type pacer struct {
	lim   *rate.Limiter // nil: no pacing
	mu    sync.Mutex
	until time.Time // no call starts before this (set by 429s)
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
		d := time.Until(p.until)
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

// pause holds all callers back for d from now (never shortens a pause).
func (p *pacer) pause(d time.Duration) {
	t := time.Now().Add(d)
	p.mu.Lock()
	if t.After(p.until) {
		p.until = t
	}
	p.mu.Unlock()
}
