package remote

import (
	"bytes"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"sync"
	"time"
)

// ClientOptions configure the one HTTP client of the process.
type ClientOptions struct {
	Tokens TokenSource  // nil: no Authorization header
	HTTP   *http.Client // nil: a shared client tuned for many requests to one host
	// Rate paces all API calls of this client, in requests per second (0:
	// no pacing; the daemon's default is DefaultRate); Burst is the bucket
	// size (default 1). Pre-signed content URLs are never paced.
	Rate  float64
	Burst int
	// MaxRetries is the number of retries after the first attempt (default
	// 5; negative: none). 429s honoured by their Retry-After do not count,
	// but no call makes more than 4*(MaxRetries+1) attempts.
	MaxRetries int
	// MinBackoff and MaxBackoff bound the exponential backoff (defaults
	// 250 ms and 10 s): the n-th retry waits between MinBackoff and
	// min(MaxBackoff, MinBackoff<<n), drawn uniformly.
	MinBackoff time.Duration
	MaxBackoff time.Duration
	// MinRetryAfter is the shortest wait after a 429 (default 1 s): a
	// "Retry-After: 0" or a reset time already past waits this long.
	MinRetryAfter time.Duration
	// MaxRetryAfter is the longest Retry-After honoured (default 60 s); a
	// server asking more fails the call at once.
	MaxRetryAfter time.Duration
	// Timeout bounds the wait for response headers and every pause of a
	// body that makes no progress (default 60 s). It is a stall guard, not
	// a limit on a long download that keeps moving; ctx bounds the total.
	Timeout time.Duration
	// MaxJSONBytes caps JSON and CSV bodies (default 64 MiB).
	MaxJSONBytes int64
	UserAgent    string // default "infomaniakfs"
	Logger       *slog.Logger
	// ContentURLTTL is how long OpenRange reuses the pre-signed URL a
	// download URL redirected to (default DefaultContentURLTTL; negative:
	// every range asks the API).
	ContentURLTTL time.Duration
}

// Client is the shared HTTP client of every remote package: one retry
// policy, one pacing limiter, one envelope decoder. Safe for concurrent use.
type Client struct {
	o       ClientOptions
	http    *http.Client
	pace    *pacer
	policy  policy
	online  online
	log     *slog.Logger
	content *contentURLs
	stats   *Stats
}

// Request is one API call. Its body can be sent again on every retry: a
// byte slice, or a section of a file read anew for each attempt.
type Request struct {
	Method string // default GET
	URL    string
	Header http.Header // extra headers (Range, Accept)
	Body   []byte
	// BodyAt, when set (Body nil), is a body streamed from its ReaderAt a
	// small buffer at a time, from its start on every attempt, with
	// Content-Length BodyAt.Size(): a large upload is never held in
	// memory. It is read only through ReadAt (concurrent use is safe).
	BodyAt      *io.SectionReader
	ContentType string
	// FollowRedirects follows 3xx by hand (downloads), dropping the
	// Authorization header on any hop to another host. API calls leave it
	// off: their redirects are errors (a login redirect is ErrAuth).
	FollowRedirects bool
	// NoAuth sends no Authorization header (pre-signed content URLs).
	NoAuth bool
	// SignedURL marks a request to a pre-signed content URL: it is not an
	// API call, so it is not paced as one, and the URL may carry its
	// signature in the path, so only its host is ever logged.
	SignedURL bool
	// Attempts is set by the client: how many times it sent the request.
	// A write refused after more than one may have been applied by an
	// earlier attempt whose answer was lost.
	Attempts int
}

var sharedHTTP = sync.OnceValue(func() *http.Client {
	t := http.DefaultTransport.(*http.Transport).Clone()
	// Many concurrent block fetches go to one or two hosts: keep their
	// connections instead of the default 2 idle per host.
	t.MaxIdleConns = 256
	t.MaxIdleConnsPerHost = 64
	t.IdleConnTimeout = 90 * time.Second
	// HTTP/1.1 on purpose: parallel range reads each get their own TCP
	// connection instead of sharing one HTTP/2 flow-control window.
	t.ForceAttemptHTTP2 = false
	t.TLSNextProto = map[string]func(string, *tls.Conn) http.RoundTripper{}
	return &http.Client{Transport: t}
})

// NewClient applies the defaults of ClientOptions.
func NewClient(o ClientOptions) *Client {
	if o.MaxRetries == 0 {
		o.MaxRetries = 5
	} else if o.MaxRetries < 0 {
		o.MaxRetries = 0
	}
	if o.MinBackoff <= 0 {
		o.MinBackoff = 250 * time.Millisecond
	}
	if o.MaxBackoff <= 0 {
		o.MaxBackoff = 10 * time.Second
	}
	if o.MinRetryAfter <= 0 {
		o.MinRetryAfter = time.Second
	}
	if o.MaxRetryAfter <= 0 {
		o.MaxRetryAfter = 60 * time.Second
	}
	if o.Timeout <= 0 {
		o.Timeout = 60 * time.Second
	}
	if o.MaxJSONBytes <= 0 {
		o.MaxJSONBytes = DefaultMaxJSONBytes
	}
	if o.UserAgent == "" {
		o.UserAgent = "infomaniakfs"
	}
	if o.Burst <= 0 {
		o.Burst = 1
	}
	base := o.HTTP
	if base == nil {
		base = sharedHTTP()
	}
	hc := *base
	// Redirects are handled by hand: API calls must see them, downloads
	// follow them without leaking the token to the content host.
	hc.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	log := o.Logger
	if log == nil {
		log = slog.Default()
	}
	if o.ContentURLTTL == 0 {
		o.ContentURLTTL = DefaultContentURLTTL
	}
	pace := newPacer(o.Rate, o.Burst)
	return &Client{o: o, http: &hc, pace: pace, policy: newPolicy(o),
		online: online{log: log, now: time.Now}, log: log, content: newContentURLs(o.ContentURLTTL), stats: &Stats{pace: pace}}
}

// Options returns the options in effect, defaults applied.
func (c *Client) Options() ClientOptions { return c.o }

// errKeep tells exchange that consume took ownership of the body.
var errKeep = errors.New("keep body")

// Do sends req with pacing, auth and retries, and returns a 2xx response
// whose body the caller must close. A non-2xx answer comes back as an
// *APIError. The body is guarded against stalls (see Timeout), not
// retried: readers that need resumption use OpenRange.
func (c *Client) Do(ctx context.Context, req *Request) (*http.Response, error) {
	var resp *http.Response
	err := c.exchange(ctx, req, func(r *http.Response) error { resp = r; return errKeep })
	if err != nil {
		return nil, err
	}
	return resp, nil
}

// Call sends req and decodes the JSON envelope of its answer, data into
// out (when out is not nil; the returned Envelope then has no Data, only
// its pagination fields). A body cut mid-way is retried whole.
func (c *Client) Call(ctx context.Context, req *Request, out any) (*Envelope, error) {
	var env *Envelope
	err := c.exchange(ctx, req, func(r *http.Response) error {
		b, err := readCapped(r.Body, c.o.MaxJSONBytes)
		if err != nil {
			return err
		}
		e, err := decodeEnvelopeInto(r.StatusCode, b, out)
		if err != nil {
			return err
		}
		env = e
		return nil
	})
	return env, err
}

// GetJSON is Call for a plain GET.
func (c *Client) GetJSON(ctx context.Context, rawURL string, out any) error {
	_, err := c.Call(ctx, &Request{URL: rawURL}, out)
	return err
}

// Bytes sends req and returns its whole body (at most limit bytes, else
// ErrInvalid) and headers. A body cut mid-way is retried whole.
func (c *Client) Bytes(ctx context.Context, req *Request, limit int64) ([]byte, http.Header, error) {
	var body []byte
	var hdr http.Header
	err := c.exchange(ctx, req, func(r *http.Response) error {
		if r.ContentLength > limit {
			// Refused before a byte is read, and not retried.
			return fmt.Errorf("%w: %w (%d bytes announced, over %d)", ErrInvalid, errTooLarge, r.ContentLength, limit)
		}
		b, err := readCapped(r.Body, limit)
		if err != nil {
			return err
		}
		body, hdr = b, r.Header
		return nil
	})
	return body, hdr, err
}

// newHTTPRequest builds one attempt; the token goes only where auth says.
func (c *Client) newHTTPRequest(ctx context.Context, method string, u *url.URL, req *Request, tok string) (*http.Request, error) {
	var body io.Reader
	if req.Body != nil {
		body = bytes.NewReader(req.Body)
	}
	hr, err := http.NewRequestWithContext(ctx, method, u.String(), body)
	if err != nil {
		return nil, err
	}
	if at := req.BodyAt; at != nil {
		// A fresh section per attempt (and per transport replay): each
		// reads from the start, the caller's own offset untouched.
		hr.GetBody = func() (io.ReadCloser, error) {
			return io.NopCloser(io.NewSectionReader(at, 0, at.Size())), nil
		}
		hr.Body, _ = hr.GetBody()
		hr.ContentLength = at.Size()
		if at.Size() == 0 {
			hr.Body, hr.GetBody = http.NoBody, nil
		}
	}
	for k, v := range req.Header {
		hr.Header[k] = v
	}
	if req.ContentType != "" {
		hr.Header.Set("Content-Type", req.ContentType)
	}
	hr.Header.Set("User-Agent", c.o.UserAgent)
	if tok != "" {
		hr.Header.Set("Authorization", "Bearer "+tok)
	}
	return hr, nil
}

// send performs one attempt: the request, hand-followed redirects when
// asked, and a stall guard over headers and body.
func (c *Client) send(ctx context.Context, req *Request, u *url.URL, tok string) (*http.Response, error) {
	actx, cancel := context.WithCancel(ctx)
	g := newStallGuard(c.o.Timeout, cancel)
	method := req.Method
	if method == "" {
		method = http.MethodGet
	}
	hr, err := c.newHTTPRequest(actx, method, u, req, tok)
	if err != nil {
		g.stop()
		return nil, err
	}
	if hr.Body != nil && hr.Body != http.NoBody {
		// An upload is progress too: a large body on a slow uplink takes
		// longer than Timeout to send, and is no stall while it moves.
		hr.Body = &sendingBody{ReadCloser: hr.Body, g: g}
	}
	resp, err := c.http.Do(hr)
	for hops := 0; err == nil && req.FollowRedirects && isRedirect(resp.StatusCode); hops++ {
		loc, perr := hr.URL.Parse(resp.Header.Get("Location"))
		if perr != nil || hops >= 10 || isLoginRedirect(resp) {
			break // exchange reports the 3xx
		}
		drain(resp.Body)
		hopTok := tok
		if loc.Host != u.Host || loc.Scheme != u.Scheme {
			hopTok = "" // never hand the token to the content host
		}
		hr, err = c.newHTTPRequest(actx, http.MethodGet, loc, &Request{Header: req.Header}, hopTok)
		if err == nil {
			resp, err = c.http.Do(hr)
		}
	}
	c.stats.attempt(ctx, req, resp, err)
	if err != nil {
		stalled := g.fired.Load()
		g.stop()
		if stalled && ctx.Err() == nil {
			return nil, stallError(c.o.Timeout)
		}
		// *url.Error quotes the whole URL: signed content URLs and cursors
		// stay out of errors and logs.
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err
		}
		return nil, err
	}
	g.progress()
	resp.Body = &guardedBody{rc: resp.Body, g: g}
	return resp, nil
}

func isRedirect(status int) bool {
	switch status {
	case http.StatusMovedPermanently, http.StatusFound, http.StatusSeeOther,
		http.StatusTemporaryRedirect, http.StatusPermanentRedirect:
		return true
	}
	return false
}

// drain lets the connection be reused when the rest of a body is small.
func drain(rc io.ReadCloser) {
	_, _ = io.CopyN(io.Discard, rc, 64<<10)
	rc.Close()
}

// redactURL drops the query (signatures, cursors) from URLs put in errors
// and logs.
func redactURL(u *url.URL) string {
	v := *u
	v.RawQuery, v.User = "", nil
	return v.String()
}
