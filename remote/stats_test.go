package remote

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// Every attempt is counted by kind and outcome: retries, 429s and 5xx
// included, as the server saw them.
func TestStatsCountAttempts(t *testing.T) {
	var calls atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch n := calls.Add(1); {
		case n == 1:
			w.Header().Set("Retry-After", "0")
			writeJSON(w, http.StatusTooManyRequests, `{"result":"error"}`)
		case n == 2:
			writeJSON(w, http.StatusBadGateway, `{"result":"error"}`)
		default:
			writeJSON(w, http.StatusOK, `{"result":"success","data":{"x":"`+strings.Repeat("a", 100)+`"}}`)
		}
	}))
	defer srv.Close()
	c := NewClient(fastOptions())
	var out struct{ X string }
	if err := c.GetJSON(context.Background(), srv.URL+"/x?cursor=secret", &out); err != nil {
		t.Fatal(err)
	}
	s := c.Stats().Snapshot()
	want := map[RequestKey]int64{{"api", "429"}: 1, {"api", "5xx"}: 1, {"api", "2xx"}: 1}
	for k, n := range want {
		if s.Requests[k] != n {
			t.Errorf("%v: %d, want %d (all: %v)", k, s.Requests[k], n, s.Requests)
		}
	}
	if s.Total != 3 || s.LastMinute != 3 || s.Throttled != 1 || !s.Online || s.BytesFetched < 100 {
		t.Errorf("snapshot %+v", s)
	}
	if len(s.Errors) != 1 || !strings.Contains(s.Errors[0].Message, "502") {
		t.Errorf("errors %+v", s.Errors)
	}
}

// A refused connection is an error that makes the client offline, and its
// message never carries the URL (which may be signed).
func TestStatsOfflineAndRedacted(t *testing.T) {
	srv := httptest.NewServer(http.NotFoundHandler())
	url := srv.URL
	srv.Close()
	o := fastOptions()
	o.MaxRetries = -1
	c := NewClient(o)
	c.Do(context.Background(), &Request{URL: url + "/file?signature=topsecret", SignedURL: true})
	s := c.Stats().Snapshot()
	if s.Online || s.Requests[RequestKey{"content", "error"}] != 1 || len(s.Errors) != 1 {
		t.Fatalf("snapshot %+v", s)
	}
	if strings.Contains(s.Errors[0].Message, "topsecret") || strings.Contains(s.Errors[0].Message, "/file") {
		t.Errorf("error message carries the URL: %q", s.Errors[0].Message)
	}
	// A caller that gives up is not the server's failure.
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	c.stats.attempt(ctx, &Request{}, nil, context.Canceled)
	if s2 := c.Stats().Snapshot(); s2.Requests[RequestKey{"api", "canceled"}] != 1 || len(s2.Errors) != 1 {
		t.Errorf("cancelled: %+v", s2)
	}
}

func TestStatsLastMinute(t *testing.T) {
	now := time.Unix(1000, 0)
	s := &Stats{now: func() time.Time { return now }}
	for i := 0; i < 90; i++ {
		s.record("api", "2xx", "")
		now = now.Add(time.Second)
	}
	// 90 requests one a second: the last minute holds the last 60, minus
	// the one whose second has just ended.
	if snap := s.Snapshot(); snap.Total != 90 || snap.LastMinute != 59 {
		t.Errorf("total %d, last minute %d", snap.Total, snap.LastMinute)
	}
	for i := 0; i < maxStatErrors+2; i++ {
		s.record("api", "error", "boom")
	}
	if snap := s.Snapshot(); len(snap.Errors) != maxStatErrors || snap.Online {
		t.Errorf("errors %d, online %v", len(snap.Errors), snap.Online)
	}
}

func TestStatsSnapshotJSON(t *testing.T) {
	s := &Stats{}
	s.record("api", "2xx", "")
	s.record("content", "error", "refused")
	b, err := json.Marshal(s.Snapshot())
	if err != nil {
		t.Fatal(err)
	}
	var back StatsSnapshot
	if err := json.Unmarshal(b, &back); err != nil || back.Requests[RequestKey{"content", "error"}] != 1 || back.Total != 2 {
		t.Errorf("round trip: %s -> %+v, %v", b, back, err)
	}
}
