package emulator

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"sync"
)

// FaultKind is what an injected fault does to a request.
type FaultKind int

const (
	// Fault429 answers 429 too_many_requests with Retry-After.
	Fault429 FaultKind = iota + 1
	// Fault500 answers 500 unexpected_error.
	Fault500
	// FaultReset sends the headers and half the body, then closes the
	// connection (the client reads an unexpected EOF). A response without a body (the download's 302) is cut
	// before any byte; note that Go's transport silently retries a GET cut
	// that way on a reused keep-alive connection.
	FaultReset
	// FaultStall sends the headers and the first bytes of the body (up to
	// half, at most 64 KiB), then hangs until the client goes away or the
	// server is closed; a response without a known length hangs before any byte.
	FaultStall
	// Fault401 answers 401 not_authorized, as for an expired token.
	Fault401
	// FaultLoginRedirect answers 302 to the login host's /authorize, as the
	// mail host does for a token it does not accept (mail reference §1).
	FaultLoginRedirect
)

var faultNames = map[FaultKind]string{
	Fault429: "429", Fault500: "500", FaultReset: "reset", FaultStall: "stall",
	Fault401: "401", FaultLoginRedirect: "login-redirect",
}

func (k FaultKind) String() string {
	if n, ok := faultNames[k]; ok {
		return n
	}
	return "fault(" + strconv.Itoa(int(k)) + ")"
}

// Fault injects failures into matching requests.
type Fault struct {
	Endpoint   string // endpoint name as in Counts; "" = any
	Kind       FaultKind
	Skip       int // let this many matching requests pass first
	Times      int // then fault this many (0 = for ever)
	RetryAfter int // seconds, for Fault429 (default 1)
}

type faultState struct {
	f            Fault
	seen, placed int
}

type faultSet struct {
	mu   sync.Mutex
	list []*faultState
}

// AddFault adds f after the faults already set; the first fault due for a
// request applies, and every matching fault counts the request.
func (s *Server) AddFault(f Fault) {
	s.faults.mu.Lock()
	s.faults.list = append(s.faults.list, &faultState{f: f})
	s.faults.mu.Unlock()
}

// ClearFaults removes every fault.
func (s *Server) ClearFaults() {
	s.faults.mu.Lock()
	s.faults.list = nil
	s.faults.mu.Unlock()
}

func (fs *faultSet) pick(name string) (Fault, bool) {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	var chosen *faultState
	for _, st := range fs.list {
		if st.f.Endpoint != "" && st.f.Endpoint != name {
			continue
		}
		st.seen++
		if chosen == nil && st.seen > st.f.Skip && (st.f.Times == 0 || st.placed < st.f.Times) {
			chosen = st
		}
	}
	if chosen == nil {
		return Fault{}, false
	}
	chosen.placed++
	return chosen.f, true
}

// applyFault answers the request itself (done=true) or returns the writer
// the handler must write through.
func (s *Server) applyFault(w http.ResponseWriter, r *http.Request, f Fault) (http.ResponseWriter, bool) {
	switch f.Kind {
	case Fault429:
		after := f.RetryAfter
		if after <= 0 {
			after = 1
		}
		w.Header().Set("Retry-After", strconv.Itoa(after))
		apiError(w, http.StatusTooManyRequests, "too_many_requests", "rate limit exceeded (injected)")
	case Fault500:
		apiError(w, http.StatusInternalServerError, "unexpected_error", "internal error (injected)")
	case Fault401:
		apiError(w, http.StatusUnauthorized, "not_authorized", "the access token is invalid (injected)")
	case FaultLoginRedirect:
		q := url.Values{"response_type": {"code"}, "client_id": {s.o.ClientID}}
		w.Header().Set("Location", baseURL(r)+"/authorize?"+q.Encode())
		w.WriteHeader(http.StatusFound)
	case FaultReset, FaultStall:
		return &cutWriter{ResponseWriter: w, stall: f.Kind == FaultStall, ctx: r.Context(), done: s.done}, false
	default:
		return w, false
	}
	return w, true
}

// cutWriter lets part of a response through, then breaks the connection.
type cutWriter struct {
	http.ResponseWriter
	stall   bool
	ctx     context.Context
	done    <-chan struct{}
	started bool
	left    int64
}

func (c *cutWriter) Unwrap() http.ResponseWriter { return c.ResponseWriter }

func (c *cutWriter) WriteHeader(code int) {
	if c.started {
		return
	}
	c.started = true
	cl, err := strconv.ParseInt(c.Header().Get("Content-Length"), 10, 64)
	if err != nil || cl <= 0 {
		c.cut(false)
	}
	c.left = cl / 2
	if c.stall {
		c.left = min(c.left, 64<<10)
	}
	c.ResponseWriter.WriteHeader(code)
	if c.left == 0 {
		c.cut(true)
	}
}

func (c *cutWriter) Write(p []byte) (int, error) {
	if !c.started {
		c.WriteHeader(http.StatusOK)
	}
	n := min(int64(len(p)), c.left)
	if _, err := c.ResponseWriter.Write(p[:n]); err != nil {
		return 0, err
	}
	c.left -= n
	if c.left == 0 {
		c.cut(true)
	}
	return len(p), nil
}

// cut flushes what was written (when sent is set; otherwise nothing, not
// even the headers, leaves), optionally hangs, then resets the connection
// and aborts the handler.
func (c *cutWriter) cut(sent bool) {
	rc := http.NewResponseController(c.ResponseWriter)
	if sent {
		_ = rc.Flush()
	}
	if c.stall {
		select {
		case <-c.ctx.Done():
		case <-c.done:
		}
	}
	// A plain close, not an RST: an RST may make the client's kernel drop
	// bytes already received, and tests want exactly the bytes sent.
	if conn, _, err := rc.Hijack(); err == nil {
		_ = conn.Close()
	}
	panic(http.ErrAbortHandler)
}
