package remote

import (
	"context"
	"fmt"
	"testing"
	"time"
)

func TestContentURLs(t *testing.T) {
	now := time.Unix(1000, 0)
	c := newContentURLs(time.Minute)
	c.now = func() time.Time { return now }
	c.put("api/1", "cdn/1")
	c.put("api/2", "api/2") // no redirect: nothing to remember
	c.put("api/3", "")
	tests := []struct {
		api, want string
	}{{"api/1", "cdn/1"}, {"api/2", ""}, {"api/3", ""}, {"api/4", ""}}
	for _, tc := range tests {
		if got := c.get(tc.api); got != tc.want {
			t.Errorf("get(%s) = %q, want %q", tc.api, got, tc.want)
		}
	}
	c.drop("api/1", "cdn/old") // another reader's newer URL stays
	if c.get("api/1") != "cdn/1" {
		t.Error("drop of a stale URL removed the current one")
	}
	c.drop("api/1", "cdn/1")
	if c.get("api/1") != "" {
		t.Error("dropped URL still served")
	}
	c.put("api/1", "cdn/1")
	now = now.Add(time.Minute + time.Second)
	if c.get("api/1") != "" {
		t.Error("expired URL served")
	}
	for i := range 2 * maxContentURLs {
		c.put(fmt.Sprint("api/", i), "cdn")
	}
	if n := len(c.m); n > maxContentURLs {
		t.Errorf("%d URLs kept, bound %d", n, maxContentURLs)
	}
	off := newContentURLs(-1)
	off.put("api/1", "cdn/1")
	if off.get("api/1") != "" {
		t.Error("a negative TTL remembers")
	}
}

// resolve: one caller asks the API, the others wait for its answer.
func TestContentURLResolve(t *testing.T) {
	tests := []struct {
		name     string
		answer   string // what the leader's API call led to
		wantWait string // what the waiters get
	}{
		{"redirected", "cdn/1", "cdn/1"},
		{"failed", "", ""},
		{"not redirected", "api/1", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c := newContentURLs(time.Minute)
			u, done := c.resolve(t.Context(), "api/1")
			if u != "" || done == nil {
				t.Fatalf("first caller: %q, done %v; want to lead", u, done != nil)
			}
			got := make(chan string, 3)
			for range 3 {
				go func() {
					u, d := c.resolve(t.Context(), "api/1")
					if d != nil {
						u = "led"
						d("")
					}
					got <- u
				}()
			}
			time.Sleep(20 * time.Millisecond) // the waiters are waiting
			done(tc.answer)
			for range 3 {
				if u := <-got; u != tc.wantWait {
					t.Errorf("waiter got %q, want %q", u, tc.wantWait)
				}
			}
		})
	}
	c := newContentURLs(time.Minute)
	_, done := c.resolve(t.Context(), "api/1")
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	if u, d := c.resolve(ctx, "api/1"); u != "" || d != nil {
		t.Errorf("a cancelled waiter got %q, leads %v", u, d != nil)
	}
	done("cdn/1")
	if u, d := c.resolve(t.Context(), "api/1"); u != "cdn/1" || d != nil {
		t.Errorf("after the answer: %q, leads %v", u, d != nil)
	}
}
