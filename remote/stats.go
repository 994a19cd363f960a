package remote

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// Stats counts what the client's HTTP attempts did, for `infomaniakfs
// status`, systemd's STATUS= line and the metrics. Every attempt counts,
// retries included: that is what the server saw. Safe for concurrent use;
// the zero value is ready.
type Stats struct {
	bytes atomic.Int64

	mu       sync.Mutex
	requests map[RequestKey]int64 // GUARDED_BY(mu)
	perSec   [60]secCount         // GUARDED_BY(mu): the last minute, by second
	lastOK   time.Time            // GUARDED_BY(mu)
	lastFail time.Time            // GUARDED_BY(mu)
	errors   []StatError          // GUARDED_BY(mu): the last few, oldest first
	now      func() time.Time
	pace     *pacer // the client's, for the budget left (nil: none)
}

// RequestKey is what requests are counted by: the kind of endpoint ("api"
// for JSON calls, "download" for content through the API, "content" for
// pre-signed content URLs) and the outcome ("2xx" … "5xx", "429", or
// "error" when no answer came).
type RequestKey struct{ Kind, Status string }

// MarshalText writes "kind/status", so that a snapshot is JSON.
func (k RequestKey) MarshalText() ([]byte, error) { return []byte(k.Kind + "/" + k.Status), nil }

func (k *RequestKey) UnmarshalText(b []byte) error {
	k.Kind, k.Status, _ = strings.Cut(string(b), "/")
	return nil
}

// StatError is one recent failure, without URL (signed URLs and cursors
// never leave the client).
type StatError struct {
	Time    time.Time
	Message string
}

type secCount struct {
	sec int64
	n   int64
}

// maxStatErrors is how many recent failures are kept.
const maxStatErrors = 5

// StatsSnapshot is a copy of the counters at one instant.
type StatsSnapshot struct {
	Requests     map[RequestKey]int64
	Total        int64
	LastMinute   int64
	Throttled    int64 // 429 answers
	BytesFetched int64 // response bodies read
	// Online: the last attempt got an answer other than a 5xx (or none
	// was made yet).
	Online   bool
	LastOK   time.Time
	LastFail time.Time
	Errors   []StatError
	// Budget is the pacer's: how many API requests may go now.
	Budget Budget
}

// Stats returns the client's counters.
func (c *Client) Stats() *Stats { return c.stats }

func (s *Stats) clock() time.Time {
	if s.now != nil {
		return s.now()
	}
	return time.Now()
}

// attempt records one HTTP attempt (send's outcome) and counts the bytes
// of its body as they are read. An attempt its caller cancelled counts as
// "canceled" and is not held against the server.
func (s *Stats) attempt(ctx context.Context, req *Request, resp *http.Response, err error) {
	kind := "api"
	switch {
	case req.SignedURL:
		kind = "content"
	case req.FollowRedirects:
		kind = "download"
	}
	var status, failure string
	switch {
	case err != nil && ctx.Err() != nil:
		status = "canceled"
	case errors.Is(err, context.Canceled): // the stall guard's cancel
		status, failure = "error", "no progress (stalled)"
	case err != nil:
		var ue *url.Error // it quotes the URL, which may be signed
		if errors.As(err, &ue) {
			err = ue.Err
		}
		status, failure = "error", err.Error()
	default:
		status = statusClass(resp.StatusCode)
		if resp.StatusCode >= 500 {
			failure = resp.Status
		}
		resp.Body = &countingBody{ReadCloser: resp.Body, n: &s.bytes}
	}
	s.record(kind, status, failure)
}

// record counts one attempt; failure is "" unless the server failed.
func (s *Stats) record(kind, status, failure string) {
	now := s.clock()
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.requests == nil {
		s.requests = make(map[RequestKey]int64)
	}
	s.requests[RequestKey{kind, status}]++
	sec := now.Unix()
	if b := &s.perSec[sec%60]; b.sec == sec {
		b.n++
	} else {
		*b = secCount{sec, 1}
	}
	switch {
	case status == "canceled":
	case failure == "":
		s.lastOK = now
	default:
		s.lastFail = now
		s.errors = append(s.errors, StatError{now, kind + ": " + failure})
		if len(s.errors) > maxStatErrors {
			s.errors = s.errors[len(s.errors)-maxStatErrors:]
		}
	}
}

func statusClass(code int) string {
	if code == http.StatusTooManyRequests {
		return "429"
	}
	return string(rune('0'+code/100)) + "xx"
}

// Snapshot copies the counters.
func (s *Stats) Snapshot() StatsSnapshot {
	now := s.clock().Unix()
	budget := s.pace.budget() // before mu: the pacer has its own lock
	s.mu.Lock()
	defer s.mu.Unlock()
	snap := StatsSnapshot{
		Requests:     make(map[RequestKey]int64, len(s.requests)),
		BytesFetched: s.bytes.Load(),
		Online:       !s.lastFail.After(s.lastOK),
		LastOK:       s.lastOK,
		LastFail:     s.lastFail,
		Errors:       append([]StatError(nil), s.errors...),
		Budget:       budget,
	}
	for k, n := range s.requests {
		snap.Requests[k] = n
		snap.Total += n
		if k.Status == "429" {
			snap.Throttled += n
		}
	}
	for _, b := range s.perSec {
		if now-b.sec < 60 {
			snap.LastMinute += b.n
		}
	}
	return snap
}

// Keys returns the request keys in a stable order (for display).
func (s StatsSnapshot) Keys() []RequestKey {
	keys := make([]RequestKey, 0, len(s.Requests))
	for k := range s.Requests {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool {
		if keys[i].Kind != keys[j].Kind {
			return keys[i].Kind < keys[j].Kind
		}
		return keys[i].Status < keys[j].Status
	})
	return keys
}

// countingBody adds what is read to n.
type countingBody struct {
	io.ReadCloser
	n *atomic.Int64
}

func (b *countingBody) Read(p []byte) (int, error) {
	n, err := b.ReadCloser.Read(p)
	b.n.Add(int64(n))
	return n, err
}
