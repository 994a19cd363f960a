package remote_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/infomaniakfs/infomaniakfs/remote"
	"github.com/infomaniakfs/infomaniakfs/remote/emulator"
	"github.com/infomaniakfs/infomaniakfs/remote/emulator/dataset"
	"github.com/infomaniakfs/infomaniakfs/remote/kdrive"
)

type token string

func (s token) Token(context.Context) (string, error) { return string(s), nil }
func (token) Invalidate(string)                       {}

// TestDefaultPaceDrawsNo429: a burst of many more requests than the
// default burst, against the emulator limited to the documented budget
// (its --rate 60/min: a bucket of 60 refilled at 60/min), is paced by the
// client and never answered 429. Time runs 60 times faster on both sides
// (a "minute" is a second) so the test takes seconds; the ratios are the
// defaults'.
func TestDefaultPaceDrawsNo429(t *testing.T) {
	perSec, burst, err := emulator.ParseRate("60/min")
	if err != nil {
		t.Fatal(err)
	}
	const speedup = 60
	srv, err := emulator.Start(emulator.Options{Data: dataset.Generate(dataset.Spec{Seed: 1, Drives: 1})})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(srv.Close)
	srv.SetRate(perSec*speedup, burst)
	rate := float64(remote.DefaultRate) * speedup
	c := remote.NewClient(remote.ClientOptions{Tokens: token(srv.IssueToken()),
		Rate: rate, Burst: remote.DefaultBurst, MinBackoff: time.Millisecond})
	kd := kdrive.New(c, srv.URL())
	if b := c.Stats().Snapshot().Budget; b.Left != remote.DefaultBurst || b.Burst != remote.DefaultBurst || b.Rate != rate {
		t.Fatalf("budget of an idle client: %+v", b)
	}
	// Twice the server's bucket: unpaced, half of them would be refused.
	n := 2 * burst
	t0 := time.Now()
	var wg sync.WaitGroup
	for range n {
		wg.Go(func() {
			if _, err := kd.Drives(t.Context()); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	took := time.Since(t0)
	snap := c.Stats().Snapshot()
	if snap.Throttled != 0 || srv.Counters().RateLimited != 0 {
		t.Errorf("%d requests answered 429", snap.Throttled)
	}
	if got := snap.Requests[remote.RequestKey{Kind: "api", Status: "2xx"}]; got != int64(n) {
		t.Errorf("%d API requests answered, want %d", got, n)
	}
	// The burst goes at once, the rest at the rate.
	if least := time.Duration(float64(n-remote.DefaultBurst) / rate * float64(time.Second)); took < least*9/10 {
		t.Errorf("%d requests took %s: not paced (want at least %s)", n, took, least)
	}
	if b := snap.Budget; b.Left > 1 || b.Waiting != 0 {
		t.Errorf("budget right after the burst: %+v", b)
	}
}

func TestRateFlag(t *testing.T) {
	tests := []struct {
		in     string
		perSec float64
		shown  string
		bad    bool
	}{
		{in: "50/min", perSec: 50.0 / 60, shown: "50/min"},
		{in: "60/min", perSec: 1, shown: "1/s"},
		{in: "2", perSec: 2, shown: "2/s"},
		{in: "0.5/s", perSec: 0.5, shown: "30/min"},
		{in: "3600/h", perSec: 1, shown: "1/s"},
		{in: "0", perSec: 0, shown: "0"},
		{in: "-1", bad: true},
		{in: "fast", bad: true},
		{in: "5/day", bad: true},
	}
	for _, tc := range tests {
		var r remote.Rate
		err := r.Set(tc.in)
		if (err != nil) != tc.bad {
			t.Errorf("Set(%q): %v", tc.in, err)
			continue
		}
		if tc.bad {
			continue
		}
		if d := float64(r) - tc.perSec; d > 1e-12 || d < -1e-12 || r.String() != tc.shown {
			t.Errorf("Set(%q) = %v (%s), want %v (%s)", tc.in, float64(r), r, tc.perSec, tc.shown)
		}
	}
	if s := remote.DefaultRate.String(); s != "50/min" {
		t.Errorf("the default shows as %q", s)
	}
	// Whatever the server counts by, no minute may see more than 60.
	if b := float64(remote.DefaultBurst) + float64(remote.DefaultRate)*60; b > 60 {
		t.Errorf("burst + a minute at the rate = %v, above the documented 60", b)
	}
}
