package remote

import (
	"context"
	"sync"
	"time"
)

// DefaultContentURLTTL is how long a pre-signed content URL is reused.
// kDrive's lifetime for them is not documented; an expired one costs one
// failed request and a fresh API call (rangeReader.open), so a guess too
// long is cheap, and one too short only costs API calls.
const DefaultContentURLTTL = 10 * time.Minute

// maxContentURLs bounds the remembered URLs (one per file being read).
const maxContentURLs = 4096

// contentURLs remembers where a download URL last redirected, so that the
// blocks of one file cost one API call between them, not one each: the
// API allows about 60 calls a minute, the content host has no such limit.
// A content URL serves whatever version the file has when it is used;
// every response is checked against the version being read (RangeCheck),
// so a reused URL never mixes versions. Safe for concurrent use.
type contentURLs struct {
	ttl time.Duration // <= 0: nothing is remembered
	now func() time.Time

	mu      sync.Mutex
	m       map[string]signedURL
	pending map[string]*pendingURL // API calls under way, which others wait for
}

// pendingURL is one API call resolving a content URL; url is set before
// done closes ("" when the call failed).
type pendingURL struct {
	done chan struct{}
	url  string
}

type signedURL struct {
	url   string
	until time.Time
}

func newContentURLs(ttl time.Duration) *contentURLs {
	return &contentURLs{ttl: ttl, now: time.Now, m: make(map[string]signedURL), pending: make(map[string]*pendingURL)}
}

// get returns the content URL apiURL led to, if it is recent enough.
func (c *contentURLs) get(apiURL string) string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.getLocked(apiURL)
}

func (c *contentURLs) getLocked(apiURL string) string {
	u, ok := c.m[apiURL]
	if c.ttl <= 0 || !ok || c.now().After(u.until) {
		return ""
	}
	return u.url
}

// resolve returns the content URL to use for apiURL, or "" when the
// caller must ask the API. The first of many concurrent callers asks while
// the others wait for its answer (the parallel first blocks of a file cost
// one API call, not one each); that caller gets done, to call with where
// the API led ("" on failure). A waiter whose ctx ends, or whose leader
// failed or was not redirected, asks the API itself.
func (c *contentURLs) resolve(ctx context.Context, apiURL string) (url string, done func(string)) {
	if c.ttl <= 0 {
		return "", nil
	}
	c.mu.Lock()
	if u := c.getLocked(apiURL); u != "" {
		c.mu.Unlock()
		return u, nil
	}
	if p, ok := c.pending[apiURL]; ok {
		c.mu.Unlock()
		select {
		case <-p.done:
			if p.url != apiURL {
				return p.url, nil
			}
		case <-ctx.Done():
		}
		return "", nil
	}
	p := &pendingURL{done: make(chan struct{})}
	c.pending[apiURL] = p
	c.mu.Unlock()
	return "", func(u string) {
		c.mu.Lock()
		p.url = u
		delete(c.pending, apiURL)
		c.putLocked(apiURL, u)
		c.mu.Unlock()
		close(p.done)
	}
}

// put remembers that apiURL led to contentURL.
func (c *contentURLs) put(apiURL, contentURL string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.putLocked(apiURL, contentURL)
}

func (c *contentURLs) putLocked(apiURL, contentURL string) {
	if c.ttl <= 0 || contentURL == "" || apiURL == contentURL {
		return
	}
	if _, ok := c.m[apiURL]; !ok && len(c.m) >= maxContentURLs {
		now := c.now()
		for k, u := range c.m {
			if now.After(u.until) || len(c.m) >= maxContentURLs*3/4 {
				delete(c.m, k)
			}
		}
	}
	c.m[apiURL] = signedURL{url: contentURL, until: c.now().Add(c.ttl)}
}

// drop forgets the content URL of apiURL if it is still contentURL (a
// newer one, put meanwhile by another reader, stays).
func (c *contentURLs) drop(apiURL, contentURL string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if u, ok := c.m[apiURL]; ok && u.url == contentURL {
		delete(c.m, apiURL)
	}
}
