package e2e

import (
	"errors"
	"net"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/infomaniakfs/infomaniakfs/remote/emulator"
)

// liveServer serves one emulator.Server on a listener of its own, so the
// fault tests can take the network away and bring it back on the same
// address with the same data and the same issued tokens (a new
// emulator.Listen would forget every token), and can see each answer's
// status, which the emulator's counters do not break down.
type liveServer struct {
	*emulator.Server
	t    *testing.T
	addr string

	mu       sync.Mutex
	hs       *http.Server
	statuses map[int]int64 // API answers by status (OAuth and content left out)
	accepted []time.Time   // arrival of each API request not answered 429

	// onContent sees every content request; override may answer a
	// request itself (returning true) in place of the emulator. Set them
	// with setHooks.
	onContent func(*http.Request)
	override  func(http.ResponseWriter, *http.Request) bool
}

func startLive(t *testing.T, o emulator.Options) *liveServer {
	t.Helper()
	l := &liveServer{Server: emulator.New(o), t: t, statuses: map[int]int64{}}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	l.addr = ln.Addr().String()
	l.serve(ln)
	t.Cleanup(func() {
		l.down()
		l.Server.Close()
	})
	return l
}

// URL shadows the emulator's, which is empty when it has no listener.
func (l *liveServer) URL() string { return "http://" + l.addr }

func (l *liveServer) serve(ln net.Listener) {
	hs := &http.Server{Handler: http.HandlerFunc(l.record), ReadHeaderTimeout: 30 * time.Second}
	l.mu.Lock()
	l.hs = hs
	l.mu.Unlock()
	go func() {
		if err := hs.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			l.t.Logf("live server: %v", err)
		}
	}()
}

// down closes the listener and every open connection: clients see resets
// and then refused connections.
func (l *liveServer) down() {
	l.mu.Lock()
	hs := l.hs
	l.hs = nil
	l.mu.Unlock()
	if hs != nil {
		_ = hs.Close()
	}
}

// up listens again on the same address.
func (l *liveServer) up() {
	l.t.Helper()
	var ln net.Listener
	var err error
	for range 50 { // the old socket may linger a moment
		if ln, err = net.Listen("tcp", l.addr); err == nil {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	if err != nil {
		l.t.Fatalf("listening again on %s: %v", l.addr, err)
	}
	l.serve(ln)
}

// isAPI: the routes the emulator's rate limit applies to.
func isAPI(path string) bool {
	return !strings.HasPrefix(path, "/content/") && path != "/token" && path != "/authorize"
}

type statusWriter struct {
	http.ResponseWriter
	status int
}

func (w *statusWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(p []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	return w.ResponseWriter.Write(p)
}

// Unwrap lets the emulator's faults reach the connection (Hijack, Flush).
func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

func (l *liveServer) record(w http.ResponseWriter, r *http.Request) {
	l.mu.Lock()
	onContent, override := l.onContent, l.override
	l.mu.Unlock()
	if onContent != nil && strings.HasPrefix(r.URL.Path, "/content/") {
		onContent(r)
	}
	sw := &statusWriter{ResponseWriter: w}
	start := time.Now() // the emulator's limiter decides on arrival
	defer func() {
		if !isAPI(r.URL.Path) || sw.status == 0 {
			return
		}
		l.mu.Lock()
		l.statuses[sw.status]++
		if sw.status != http.StatusTooManyRequests {
			l.accepted = append(l.accepted, start)
		}
		l.mu.Unlock()
	}()
	if override != nil && override(sw, r) {
		return
	}
	l.Server.ServeHTTP(sw, r)
}

// setHooks installs the request hooks (nil: none).
func (l *liveServer) setHooks(onContent func(*http.Request), override func(http.ResponseWriter, *http.Request) bool) {
	l.mu.Lock()
	l.onContent, l.override = onContent, override
	l.mu.Unlock()
}

// status is the number of API answers with that HTTP status so far.
func (l *liveServer) status(code int) int64 {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.statuses[code]
}

// maxAccepted is the most API answers other than 429 sent within any
// window of length w.
func (l *liveServer) maxAccepted(w time.Duration) int {
	l.mu.Lock()
	ts := slices.Clone(l.accepted) // in order of completion, not arrival
	l.mu.Unlock()
	slices.SortFunc(ts, time.Time.Compare)
	best, lo := 0, 0
	for hi, t := range ts {
		for t.Sub(ts[lo]) >= w {
			lo++
		}
		best = max(best, hi-lo+1)
	}
	return best
}
