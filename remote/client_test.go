package remote

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

func TestRetryAfterHonoured(t *testing.T) {
	var n counter
	srv := httptest.NewServer(n.wrap(func(w http.ResponseWriter, r *http.Request) {
		if n.get() == 1 {
			w.Header().Set("Retry-After", "1")
			writeJSON(w, 429, `{"result":"error","error":{"code":"too_many_requests"}}`)
			return
		}
		writeJSON(w, 200, `{"result":"success","data":1}`)
	}))
	defer srv.Close()
	c := NewClient(fastOptions())
	t0 := time.Now()
	if err := c.GetJSON(t.Context(), srv.URL, nil); err != nil {
		t.Fatal(err)
	}
	if d := time.Since(t0); d < time.Second {
		t.Fatalf("retried after %v, server asked 1s", d)
	}
	if n.get() != 2 {
		t.Fatalf("%d requests, want 2", n.get())
	}
}

func TestRetryAfterTooLongFailsAtOnce(t *testing.T) {
	var n counter
	srv := httptest.NewServer(n.wrap(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Retry-After", "120")
		writeJSON(w, 429, `{"result":"error","error":{"code":"too_many_requests"}}`)
	}))
	defer srv.Close()
	t0 := time.Now()
	err := NewClient(fastOptions()).GetJSON(t.Context(), srv.URL, nil)
	if !errors.Is(err, ErrRateLimited) || time.Since(t0) > 2*time.Second || n.get() != 1 {
		t.Fatalf("err %v after %v and %d requests", err, time.Since(t0), n.get())
	}
}

func Test429PausesConcurrentCallers(t *testing.T) {
	var mu sync.Mutex
	var times []time.Time
	limited := true
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		first := limited
		limited = false
		times = append(times, time.Now())
		mu.Unlock()
		if first {
			w.Header().Set("Retry-After", "1")
			writeJSON(w, 429, `{}`)
			return
		}
		writeJSON(w, 200, `{"result":"success","data":1}`)
	}))
	defer srv.Close()
	c := NewClient(fastOptions())
	if err := c.GetJSON(t.Context(), srv.URL, nil); err != nil {
		t.Fatal(err)
	}
	// The pause set by the 429 has passed; a fresh call now goes at once,
	// but a call started during the pause must have waited for it.
	mu.Lock()
	limited = true
	mu.Unlock()
	var wg sync.WaitGroup
	t0 := time.Now()
	wg.Add(1)
	go func() { defer wg.Done(); _ = c.GetJSON(t.Context(), srv.URL, nil) }()
	time.Sleep(200 * time.Millisecond) // the first caller got its 429
	if err := c.GetJSON(t.Context(), srv.URL, nil); err != nil {
		t.Fatal(err)
	}
	d := time.Since(t0)
	wg.Wait()
	if d < 900*time.Millisecond {
		t.Fatalf("second caller did not wait for the shared pause: %v", d)
	}
}

func TestServerErrorsRetriedThenUnavailable(t *testing.T) {
	tests := []struct {
		name     string
		status   int
		want     error
		requests int64
	}{
		{"500 retried", 500, ErrUnavailable, 4},
		{"503 retried", 503, ErrUnavailable, 4},
		{"408 retried", 408, nil, 4},
		{"404 not retried", 404, ErrNotFound, 1},
		{"400 not retried", 400, nil, 1},
		{"422 not retried", 422, nil, 1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var n counter
			srv := httptest.NewServer(n.wrap(func(w http.ResponseWriter, r *http.Request) {
				writeJSON(w, tc.status, `{"result":"error","error":{"code":"x"}}`)
			}))
			defer srv.Close()
			o := fastOptions()
			o.MaxRetries = 3
			err := NewClient(o).GetJSON(t.Context(), srv.URL, nil)
			var ae *APIError
			if !errors.As(err, &ae) || ae.Status != tc.status {
				t.Fatalf("err %v", err)
			}
			if tc.want != nil && !errors.Is(err, tc.want) {
				t.Fatalf("err %v, want %v", err, tc.want)
			}
			if n.get() != tc.requests {
				t.Fatalf("%d requests, want %d", n.get(), tc.requests)
			}
		})
	}
}

func TestTransientFailuresRecover(t *testing.T) {
	var n counter
	srv := httptest.NewServer(n.wrap(func(w http.ResponseWriter, r *http.Request) {
		switch n.get() {
		case 1: // connection reset before any answer
			panic(http.ErrAbortHandler)
		case 2: // body cut mid-way
			w.Header().Set("Content-Length", "100")
			_, _ = w.Write([]byte(`{"result":"succ`))
			w.(http.Flusher).Flush()
			panic(http.ErrAbortHandler)
		case 3:
			writeJSON(w, 502, `bad gateway`)
		default:
			writeJSON(w, 200, `{"result":"success","data":"ok"}`)
		}
	}))
	defer srv.Close()
	srv.Config.ErrorLog = nil
	var got string
	if err := NewClient(fastOptions()).GetJSON(t.Context(), srv.URL, &got); err != nil || got != "ok" {
		t.Fatalf("got %q, %v", got, err)
	}
	if n.get() != 4 {
		t.Fatalf("%d requests, want 4", n.get())
	}
}

func TestUnauthorizedInvalidatesOnce(t *testing.T) {
	tests := []struct {
		name       string
		acceptNew  bool
		wantErr    error
		wantCalls  int64
		wantInvals int
	}{
		{"fresh token works", true, nil, 2, 1},
		{"second 401 is ErrAuth", false, ErrAuth, 2, 1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var n counter
			srv := httptest.NewServer(n.wrap(func(w http.ResponseWriter, r *http.Request) {
				if tc.acceptNew && r.Header.Get("Authorization") == "Bearer fresh" {
					writeJSON(w, 200, `{"result":"success","data":1}`)
					return
				}
				writeJSON(w, 401, `{"result":"error","error":{"code":"not_authorized"}}`)
			}))
			defer srv.Close()
			tokens := newFakeTokens()
			o := fastOptions()
			o.Tokens = tokens
			err := NewClient(o).GetJSON(t.Context(), srv.URL, nil)
			if !errors.Is(err, tc.wantErr) || (tc.wantErr == nil && err != nil) {
				t.Fatalf("err %v, want %v", err, tc.wantErr)
			}
			if n.get() != tc.wantCalls || len(tokens.invalidations()) != tc.wantInvals || tokens.invalidations()[0] != "old" {
				t.Fatalf("%d calls, invalidations %v", n.get(), tokens.invalidations())
			}
		})
	}
}

func TestRedirectsOfAPICalls(t *testing.T) {
	var target counter
	other := httptest.NewServer(target.wrap(func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, 200, `{"result":"success","data":1}`)
	}))
	defer other.Close()
	tests := []struct {
		name     string
		location string
		want     error
	}{
		{"login redirect", "https://login.infomaniak.com/authorize?client_id=x", ErrAuth},
		{"relative login redirect", "/authorize?response_type=code", ErrAuth},
		{"other redirect", other.URL + "/elsewhere", ErrInvalid},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				http.Redirect(w, r, tc.location, http.StatusFound)
			}))
			defer srv.Close()
			err := NewClient(fastOptions()).GetJSON(t.Context(), srv.URL+"/api/mailbox", nil)
			if !errors.Is(err, tc.want) {
				t.Fatalf("err %v, want %v", err, tc.want)
			}
		})
	}
	if target.get() != 0 {
		t.Fatalf("an API call followed a redirect")
	}
}

func TestStalls(t *testing.T) {
	hang := func(w http.ResponseWriter, r *http.Request) { <-r.Context().Done() }
	hangBody := func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Length", "1000")
		_, _ = w.Write([]byte(`{"result":`))
		w.(http.Flusher).Flush()
		<-r.Context().Done()
	}
	t.Run("ctx deadline ends a stalled response", func(t *testing.T) {
		srv := httptest.NewServer(http.HandlerFunc(hang))
		defer srv.Close()
		ctx, cancel := context.WithTimeout(t.Context(), 300*time.Millisecond)
		defer cancel()
		t0 := time.Now()
		err := NewClient(fastOptions()).GetJSON(ctx, srv.URL, nil)
		if !errors.Is(err, context.DeadlineExceeded) || time.Since(t0) > 2*time.Second {
			t.Fatalf("err %v after %v", err, time.Since(t0))
		}
	})
	for name, h := range map[string]http.HandlerFunc{"no headers": hang, "body stops": hangBody} {
		t.Run("stall guard: "+name, func(t *testing.T) {
			var n counter
			srv := httptest.NewServer(n.wrap(h))
			defer srv.Close()
			o := fastOptions()
			o.Timeout = 200 * time.Millisecond
			o.MaxRetries = 1
			t0 := time.Now()
			err := NewClient(o).GetJSON(t.Context(), srv.URL, nil)
			if !errors.Is(err, ErrUnavailable) || n.get() != 2 || time.Since(t0) > 3*time.Second {
				t.Fatalf("err %v after %v, %d requests", err, time.Since(t0), n.get())
			}
		})
	}
}

func TestCancellationStopsRetries(t *testing.T) {
	var n counter
	srv := httptest.NewServer(n.wrap(func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, 500, `{}`)
	}))
	defer srv.Close()
	o := fastOptions()
	o.MinBackoff, o.MaxBackoff, o.MaxRetries = 10*time.Second, 10*time.Second, 100
	ctx, cancel := context.WithCancel(t.Context())
	time.AfterFunc(100*time.Millisecond, cancel)
	t0 := time.Now()
	err := NewClient(o).GetJSON(ctx, srv.URL, nil)
	if !errors.Is(err, context.Canceled) || time.Since(t0) > 2*time.Second {
		t.Fatalf("err %v after %v", err, time.Since(t0))
	}
	sent := n.get()
	time.Sleep(50 * time.Millisecond)
	if n.get() != sent || sent > 3 {
		t.Fatalf("%d requests, then %d after cancel", sent, n.get())
	}
	// A context already done sends nothing.
	if err := NewClient(o).GetJSON(ctx, srv.URL, nil); !errors.Is(err, context.Canceled) || n.get() != sent {
		t.Fatalf("done ctx: %v, %d requests", err, n.get())
	}
}

func TestPacing(t *testing.T) {
	var n counter
	srv := httptest.NewServer(n.wrap(func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, 200, `{"result":"success","data":1}`)
	}))
	defer srv.Close()
	o := fastOptions()
	o.Rate, o.Burst = 20, 1
	c := NewClient(o)
	t0 := time.Now()
	var wg sync.WaitGroup
	for range 11 {
		wg.Add(1)
		go func() { defer wg.Done(); _ = c.GetJSON(t.Context(), srv.URL, nil) }()
	}
	wg.Wait()
	// 11 calls at 20/s with a burst of 1: at least 10 intervals of 50 ms.
	if d := time.Since(t0); d < 480*time.Millisecond || n.get() != 11 {
		t.Fatalf("11 calls took %v (%d served)", d, n.get())
	}
}

func TestRequestShape(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != "POST" || r.Header.Get("Authorization") != "Bearer old" ||
			r.Header.Get("User-Agent") != "test-agent" || r.Header.Get("Content-Type") != "application/json" {
			writeJSON(w, 400, `{}`)
			return
		}
		writeJSON(w, 200, `{"result":"success","data":{"a":1}}`)
	}))
	defer srv.Close()
	o := fastOptions()
	o.Tokens, o.UserAgent = newFakeTokens(), "test-agent"
	var out struct{ A int }
	if _, err := NewClient(o).Call(t.Context(), &Request{Method: "POST", URL: srv.URL, Body: []byte(`{}`), ContentType: "application/json"}, &out); err != nil || out.A != 1 {
		t.Fatalf("%+v %v", out, err)
	}
	if err := NewClient(o).GetJSON(t.Context(), "ftp://x", nil); !errors.Is(err, ErrInvalid) {
		t.Fatalf("bad URL: %v", err)
	}
}

// TestRateLimitHintsWithoutWaitAreNotABusyLoop: a server that answers 429
// with "Retry-After: 0", or a reset time already past, for ever. One call
// must neither hammer it nor go on for ever.
func TestRateLimitHintsWithoutWaitAreNotABusyLoop(t *testing.T) {
	hints := map[string]func() (string, string){
		"Retry-After 0": func() (string, string) { return "Retry-After", "0" },
		"reset in the past": func() (string, string) {
			return "X-RateLimit-Reset", strconv.FormatInt(time.Now().Unix()-5, 10)
		},
	}
	for name, hint := range hints {
		t.Run(name, func(t *testing.T) {
			var n counter
			srv := httptest.NewServer(n.wrap(func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set(hint())
				writeJSON(w, 429, `{"result":"error","error":{"code":"too_many_requests"}}`)
			}))
			defer srv.Close()
			o := fastOptions()
			o.MinRetryAfter = 200 * time.Millisecond
			o.MaxRetries = 2
			ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
			defer cancel()
			t0 := time.Now()
			err := NewClient(o).GetJSON(ctx, srv.URL, nil)
			took := time.Since(t0)
			t.Logf("%d requests in %v: %v", n.get(), took, err)
			if !errors.Is(err, ErrRateLimited) {
				t.Fatalf("err %v, want ErrRateLimited", err)
			}
			if perSec := float64(n.get()) / took.Seconds(); perSec > 6 {
				t.Fatalf("%d requests in %v: %.0f/s against a server asking to slow down", n.get(), took, perSec)
			}
			if n.get() > 12 {
				t.Fatalf("%d attempts for one call, want at most 4*(MaxRetries+1)", n.get())
			}
		})
	}
}

// TestThrottledCallersProbeOneAtATime: after a 429, callers waiting on the
// shared pause do not all fire when it ends: one probes per pause.
func TestThrottledCallersProbeOneAtATime(t *testing.T) {
	var n counter
	srv := httptest.NewServer(n.wrap(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Retry-After", "0")
		writeJSON(w, 429, `{"result":"error","error":{"code":"too_many_requests"}}`)
	}))
	defer srv.Close()
	o := fastOptions()
	o.MinRetryAfter = 300 * time.Millisecond
	c := NewClient(o)
	ctx, cancel := context.WithTimeout(t.Context(), 1500*time.Millisecond)
	defer cancel()
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() { _ = c.GetJSON(ctx, srv.URL, nil) })
	}
	wg.Wait()
	// 8 first attempts at once, then about one per 300 ms pause.
	if got := n.get(); got > 8+7 {
		t.Fatalf("%d requests from 8 throttled callers in 1.5 s", got)
	}
}

// A rate-limited episode is logged above DEBUG once when it begins and
// once when an answer ends it, however many 429s it holds.
func TestRateLimitLoggedOncePerEpisode(t *testing.T) {
	var n counter
	srv := httptest.NewServer(n.wrap(func(w http.ResponseWriter, r *http.Request) {
		// Requests 1-3 and 5 are limited: two episodes.
		if k := n.get(); k <= 3 || k == 5 {
			writeJSON(w, 429, `{"result":"error","error":{"code":"too_many_requests"}}`)
			return
		}
		writeJSON(w, 200, `{"result":"success","data":1}`)
	}))
	defer srv.Close()
	var logs logBuffer
	o := fastOptions()
	o.MinRetryAfter = time.Millisecond
	o.Logger = slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelInfo}))
	c := NewClient(o)
	for range 2 {
		if err := c.GetJSON(t.Context(), srv.URL, nil); err != nil {
			t.Fatal(err)
		}
	}
	out := logs.String()
	if got := strings.Count(out, "level=WARN msg=\"Infomaniak asks to slow down"); got != 2 {
		t.Errorf("%d slow-down warnings for two episodes (%d requests), want 2:\n%s", got, n.get(), out)
	}
	if got := strings.Count(out, "rate limit over"); got != 2 {
		t.Errorf("%d end-of-episode lines, want 2:\n%s", got, out)
	}
}
