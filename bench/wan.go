package main

import (
	"context"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httputil"
	"net/url"
	"sync/atomic"
	"time"

	"golang.org/x/time/rate"
)

// wan is an HTTP reverse proxy that stands in for the network between a
// user and a server: every request waits one round trip before it is
// forwarded, response bodies share one bandwidth cap and request bodies
// (uploads) another of the same rate, as a full-duplex link has one per
// direction. The same code
// fronts the emulator and rclone's WebDAV server, so every contender sees
// the same network. It also counts requests, which is how rclone's request
// budget is measured.
type wan struct {
	latency  atomic.Int64                 // nanoseconds
	limiter  atomic.Pointer[rate.Limiter] // response bodies; nil = unlimited
	upLim    atomic.Pointer[rate.Limiter] // request bodies; nil = unlimited
	requests atomic.Int64
	bytes    atomic.Int64 // response body bytes
	upBytes  atomic.Int64 // request body bytes

	proxy *httputil.ReverseProxy
	srv   *http.Server
	ln    net.Listener
	// trace, when set (BENCH_TRACE=1), gets a line per request: when it
	// arrived and when it was answered, to see where an upload's time goes.
	trace io.Writer
}

// traceStart is the origin of the trace lines' times.
var traceStart = time.Now()

// chunk bounds one paced read: small enough that pacing is smooth, large
// enough that the limiter is not the bottleneck at hundreds of MiB/s.
const chunk = 64 << 10

func newWAN(target *url.URL, latency time.Duration, bandwidth int64) *wan {
	w := &wan{}
	w.Set(latency, bandwidth)
	tr := &http.Transport{
		Proxy:               nil,
		MaxIdleConns:        256,
		MaxIdleConnsPerHost: 256,
		IdleConnTimeout:     90 * time.Second,
		DisableCompression:  true,
	}
	w.proxy = &httputil.ReverseProxy{
		Rewrite: func(r *httputil.ProxyRequest) {
			r.SetURL(target)
			// Keep the client's Host so absolute URLs the server builds
			// (the emulator's download redirect) point back at the proxy.
			r.Out.Host = r.In.Host
		},
		Transport:     tr,
		FlushInterval: -1,
		ErrorLog:      log.New(io.Discard, "", 0),
		ModifyResponse: func(resp *http.Response) error {
			resp.Body = &pacedBody{rc: resp.Body, lim: &w.limiter, n: &w.bytes, ctx: resp.Request.Context()}
			return nil
		},
		ErrorHandler: func(rw http.ResponseWriter, r *http.Request, err error) {
			rw.WriteHeader(http.StatusBadGateway)
		},
	}
	return w
}

// Set changes the simulated network; safe while serving.
func (w *wan) Set(latency time.Duration, bandwidth int64) {
	w.latency.Store(int64(max(latency, 0)))
	w.limiter.Store(newLimiter(bandwidth))
	w.upLim.Store(newLimiter(bandwidth))
}

// newLimiter paces bandwidth bytes a second; nil for unlimited.
func newLimiter(bandwidth int64) *rate.Limiter {
	if bandwidth <= 0 {
		return nil
	}
	// A burst of 1/50 s lets tokens pile up while a waiter oversleeps;
	// with a burst of one chunk, timer slack alone would cut the rate by a third.
	return rate.NewLimiter(rate.Limit(bandwidth), int(max(chunk, bandwidth/50)))
}

// Start listens on a loopback port and returns the proxy's base URL.
func (w *wan) Start() (string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	w.ln = ln
	w.srv = &http.Server{Handler: w, ReadHeaderTimeout: time.Minute, ErrorLog: log.New(io.Discard, "", 0)}
	go func() { _ = w.srv.Serve(ln) }()
	return "http://" + ln.Addr().String(), nil
}

// Close stops the listener and cuts every connection.
func (w *wan) Close() {
	if w.srv != nil {
		_ = w.srv.Close()
	}
}

// Requests is how many requests reached the proxy so far.
func (w *wan) Requests() int64 { return w.requests.Load() }

// Bytes is how many response body bytes went through so far.
func (w *wan) Bytes() int64 { return w.bytes.Load() }

// UpBytes is how many request body bytes (uploads) went through so far.
func (w *wan) UpBytes() int64 { return w.upBytes.Load() }

func (w *wan) ServeHTTP(rw http.ResponseWriter, r *http.Request) {
	w.requests.Add(1)
	if w.trace != nil {
		t := time.Since(traceStart)
		defer func() {
			fmt.Fprintf(w.trace, "    http %s %s %d: %.3f s → %.3f s\n", r.Method, r.URL.Path, r.ContentLength, t.Seconds(), time.Since(traceStart).Seconds())
		}()
	}
	if d := time.Duration(w.latency.Load()); d > 0 {
		t := time.NewTimer(d)
		select {
		case <-t.C:
		case <-r.Context().Done():
			t.Stop()
			return
		}
	}
	if r.Body != nil && r.Body != http.NoBody {
		// The proxy streams the body on as it is read: pacing the reads
		// paces the upload. ContentLength stays as the client sent it.
		r.Body = &pacedBody{rc: r.Body, lim: &w.upLim, n: &w.upBytes, ctx: r.Context()}
	}
	w.proxy.ServeHTTP(rw, r)
}

// pacedBody meters a body through one of the proxy's shared limiters
// (read at each call, so Set applies to bodies under way) and counts it.
type pacedBody struct {
	rc  io.ReadCloser
	lim *atomic.Pointer[rate.Limiter]
	n   *atomic.Int64
	ctx context.Context
}

func (b *pacedBody) Read(p []byte) (int, error) {
	lim := b.lim.Load()
	if lim != nil && len(p) > chunk {
		p = p[:chunk]
	}
	n, err := b.rc.Read(p)
	if n > 0 {
		b.n.Add(int64(n))
		if lim != nil {
			if werr := lim.WaitN(b.ctx, n); werr != nil && err == nil {
				err = werr
			}
		}
	}
	return n, err
}

func (b *pacedBody) Close() error { return b.rc.Close() }
