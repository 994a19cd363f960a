package remote

import (
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
