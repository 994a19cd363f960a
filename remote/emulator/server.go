package emulator

import (
	"crypto/rand"
	"errors"
	"net"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/time/rate"

	"github.com/infomaniakfs/infomaniakfs/remote/emulator/dataset"
)

// Defaults applied by New to zero Options fields.
const (
	DefaultClientID    = "infomaniakfs-demo"
	DefaultRedirectURI = "http://127.0.0.1:53682/callback"
	DefaultUserEmail   = "demo@example.ch"
	DefaultTokenTTL    = 7200 * time.Second
	// UserID is the account behind every token (token user_id, profile id).
	UserID = 4711042
)

// DefaultScopes are granted when neither the authorize request nor
// Options.Scopes names any.
var DefaultScopes = []string{"user_info", "kdrive", "mail"}

// Options configures a Server. Zero fields take the defaults above.
type Options struct {
	// The OAuth app: client id, secret (checked when set) and the
	// redirect URI, compared byte for byte.
	ClientID, ClientSecret, RedirectURI string
	// Data is served and may be mutated while serving; nil generates the
	// default data set.
	Data *dataset.Dataset
	// AccessTokenTTL is the access token lifetime (default 7200 s).
	AccessTokenTTL time.Duration
	// RotateRefresh: the refresh grant issues a new refresh token and
	// invalidates the old one.
	RotateRefresh bool
	// Latency delays each response's first byte.
	Latency time.Duration
	// Bandwidth caps the bytes/s of all response bodies together; 0 = unlimited.
	Bandwidth int64
	// Rate and Burst: token bucket over API requests (429 + Retry-After
	// beyond it); Rate 0 = off.
	Rate  float64
	Burst int
	// UserEmail is the profile's email (default demo@example.ch).
	UserEmail string
	// Scopes are granted by /authorize when the request names none
	// (default user_info kdrive mail).
	Scopes []string
	// NotifyAddr is where Listen serves the notify host (the long poll);
	// "" = a fresh loopback port.
	NotifyAddr string
}

// Server is the emulator: an http.Handler, optionally with its own listener.
// Every method is safe for concurrent use, also while serving.
type Server struct {
	o    Options
	data *dataset.Dataset
	mux  *http.ServeMux
	// notifyMux serves the notify host, on its own listener (notify).
	notifyMux *http.ServeMux
	notify    *notifyHost
	key       []byte // HMAC key of content URLs
	tokens    *tokenStore

	latency   atomic.Int64
	bandwidth atomic.Pointer[rate.Limiter]
	limiter   atomic.Pointer[rate.Limiter]
	skew      atomic.Int64
	epoch     atomic.Int64 // of change cursors; ExpireCursors bumps it
	urlTTL    atomic.Int64 // lifetime of signed content URLs; 0: contentURLTTL
	faults    faultSet
	counts    counters
	derived   derivedCache
	sessions  sessionStore
	// wmu orders API writes (a data set mutation and its mirror on disk)
	// with the watcher's scans, so neither sees the other half done.
	wmu      sync.Mutex
	links    linkStore
	archives archiveStore

	done      chan struct{}  // closed by Close: ends stalls, long polls, the watcher
	wg        sync.WaitGroup // the Server's own goroutines (the watcher)
	closeOnce sync.Once
	hs        *http.Server
	url       string
}

// New returns a Server that is not listening; use it as an http.Handler.
func New(o Options) *Server {
	if o.ClientID == "" {
		o.ClientID = DefaultClientID
	}
	if o.RedirectURI == "" {
		o.RedirectURI = DefaultRedirectURI
	}
	if o.UserEmail == "" {
		o.UserEmail = DefaultUserEmail
	}
	if o.AccessTokenTTL <= 0 {
		o.AccessTokenTTL = DefaultTokenTTL
	}
	if len(o.Scopes) == 0 {
		o.Scopes = DefaultScopes
	}
	if o.Data == nil {
		o.Data = dataset.Generate(dataset.Spec{})
	}
	s := &Server{
		o:         o,
		data:      o.Data,
		mux:       http.NewServeMux(),
		notifyMux: http.NewServeMux(),
		key:       make([]byte, 32),
		tokens:    newTokenStore(),
		done:      make(chan struct{}),
	}
	if _, err := rand.Read(s.key); err != nil {
		panic("emulator: no randomness: " + err.Error())
	}
	s.SetLatency(o.Latency)
	s.SetBandwidth(o.Bandwidth)
	s.SetRate(o.Rate, o.Burst)
	s.routes()
	return s
}

// Start serves on a fresh loopback port.
func Start(o Options) (*Server, error) { return Listen(o, "127.0.0.1:0") }

// Listen serves on addr (host:port), and the notify host on
// o.NotifyAddr.
func Listen(o Options, addr string) (*Server, error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, err
	}
	s := New(o)
	if err := s.listenNotify(o.NotifyAddr); err != nil {
		_ = ln.Close()
		return nil, err
	}
	s.url = "http://" + ln.Addr().String()
	s.hs = &http.Server{Handler: s, ReadHeaderTimeout: 30 * time.Second}
	go func() {
		if err := s.hs.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			_ = err // the listener died: nothing to report it to; clients see refused connections
		}
	}()
	return s, nil
}

// URL is "http://127.0.0.1:port" for a listening Server, "" otherwise.
func (s *Server) URL() string { return s.url }

// Data is the data set being served; tests mutate it to simulate changes.
func (s *Server) Data() *dataset.Dataset { return s.data }

// ServeHTTP serves every host's routes.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.mux.ServeHTTP(w, r) }

// Close stops the listener and cuts active connections, ending stalls and
// long polls, and stops the data directory watcher, waiting for it. Safe
// to call more than once.
func (s *Server) Close() {
	s.closeOnce.Do(func() {
		close(s.done)
		if s.hs != nil {
			_ = s.hs.Close()
		}
		if s.notify != nil {
			_ = s.notify.hs.Close()
		}
	})
	s.wg.Wait()
}
