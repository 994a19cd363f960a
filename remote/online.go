package remote

import (
	"context"
	"errors"
	"log/slog"
	"sync"
	"time"
)

// online tracks whether Infomaniak answers, from what the client's calls
// observe: a call that fails for want of the service (connection errors,
// 5xx, stalls, after its retries) turns it offline; any answer below 500
// turns it online again. Each change is logged once.
type online struct {
	log *slog.Logger
	now func() time.Time

	mu    sync.Mutex // protects the following
	down  bool
	since time.Time // of the current state; zero until the first change
}

// up records an answer from the service.
func (o *online) up() {
	o.mu.Lock()
	if !o.down {
		o.mu.Unlock()
		return
	}
	was := o.since
	o.down, o.since = false, o.now()
	o.mu.Unlock()
	o.log.Info("online again: Infomaniak answers; cached data is revalidated as it is used",
		"offline_for", o.since.Sub(was).Round(time.Second))
}

// fail records a call's final error; only outages count.
func (o *online) fail(err error, answered bool) {
	if !isOutage(err, answered) {
		return
	}
	o.mu.Lock()
	if o.down {
		o.mu.Unlock()
		return
	}
	o.down, o.since = true, o.now()
	since := o.since
	o.mu.Unlock()
	o.log.Warn("offline: serving cached data since "+since.Format("15:04:05")+"; uncached reads fail until Infomaniak answers again",
		"err", err)
}

// isOutage: the service did not answer (or answered 5xx). A deadline of
// the caller counts only when no answer came at all: a call that waited
// out a rate-limit pause is not an outage.
func isOutage(err error, answered bool) bool {
	switch {
	case err == nil, errors.Is(err, context.Canceled):
		return false
	case errors.Is(err, ErrUnavailable):
		return true
	}
	return errors.Is(err, context.DeadlineExceeded) && !answered
}

// state returns the current state and since when it holds.
func (o *online) state() (bool, time.Time) {
	o.mu.Lock()
	defer o.mu.Unlock()
	return !o.down, o.since
}

// Online reports whether Infomaniak answered the client's last calls. A
// client starts online. Safe for concurrent use.
func (c *Client) Online() bool { ok, _ := c.online.state(); return ok }

// OnlineState is Online with the time the state began (zero: never
// changed since the client was made), for a status report.
func (c *Client) OnlineState() (online bool, since time.Time) { return c.online.state() }
