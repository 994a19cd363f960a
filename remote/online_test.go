package remote

import (
	"bytes"
	"errors"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"
)

type logBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *logBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *logBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// TestOnlineTracking: calls that find no service turn the client offline
// (logged once), where a failure is not retried, so it comes back within
// one attempt; the first answer turns it online again (logged once).
func TestOnlineTracking(t *testing.T) {
	var down sync.Mutex
	isDown := false
	var n counter
	srv := httptest.NewServer(n.wrap(func(w http.ResponseWriter, r *http.Request) {
		down.Lock()
		d := isDown
		down.Unlock()
		if d {
			// A connection that dies without an answer.
			c, _, _ := w.(http.Hijacker).Hijack()
			c.Close()
			return
		}
		writeJSON(w, 200, `{"result":"success","data":1}`)
	}))
	defer srv.Close()
	var logs logBuffer
	o := fastOptions()
	o.MaxRetries = 3
	o.Logger = slog.New(slog.NewTextHandler(&logs, nil))
	c := NewClient(o)
	setDown := func(d bool) { down.Lock(); isDown = d; down.Unlock() }

	if err := c.GetJSON(t.Context(), srv.URL, nil); err != nil || !c.Online() {
		t.Fatalf("first call: %v, online %v", err, c.Online())
	}
	setDown(true)
	before := n.get()
	if err := c.GetJSON(t.Context(), srv.URL, nil); !errors.Is(err, ErrUnavailable) {
		t.Fatalf("server gone: %v", err)
	}
	// Go's transport itself resends a GET once on a reused connection.
	if got := n.get() - before; got < 4 || got > 5 {
		t.Fatalf("%d attempts while still online, want 1+3 retries", got)
	}
	if ok, since := c.OnlineState(); ok || since.IsZero() {
		t.Fatalf("online %v since %v after an outage", ok, since)
	}
	before = n.get()
	for range 3 {
		if err := c.GetJSON(t.Context(), srv.URL, nil); !errors.Is(err, ErrUnavailable) {
			t.Fatalf("offline call: %v", err)
		}
	}
	if got := n.get() - before; got != 3 {
		t.Fatalf("%d attempts for 3 calls while offline, want 3 (no retries)", got)
	}
	setDown(false)
	if err := c.GetJSON(t.Context(), srv.URL, nil); err != nil || !c.Online() {
		t.Fatalf("service back: %v, online %v", err, c.Online())
	}
	out := logs.String()
	if strings.Count(out, "offline: serving cached data since") != 1 || strings.Count(out, "online again") != 1 {
		t.Fatalf("want one offline and one online line:\n%s", out)
	}
}

// TestRefusedConnectionIsAnOutage: nothing listens at all.
func TestRefusedConnectionIsAnOutage(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	o := fastOptions()
	o.Logger = slog.New(slog.NewTextHandler(&logBuffer{}, nil))
	c := NewClient(o)
	t0 := time.Now()
	if err := c.GetJSON(t.Context(), "http://"+addr, nil); !errors.Is(err, ErrUnavailable) || c.Online() {
		t.Fatalf("refused: %v, online %v", err, c.Online())
	}
	t.Logf("refused after %v", time.Since(t0))
}
