package remote

import (
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

	mu sync.Mutex
	m  map[string]signedURL
}

type signedURL struct {
	url   string
	until time.Time
}

func newContentURLs(ttl time.Duration) *contentURLs {
	return &contentURLs{ttl: ttl, now: time.Now, m: make(map[string]signedURL)}
}

// get returns the content URL apiURL led to, if it is recent enough.
func (c *contentURLs) get(apiURL string) string {
	if c.ttl <= 0 {
		return ""
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	u, ok := c.m[apiURL]
	if !ok || c.now().After(u.until) {
		return ""
	}
	return u.url
}

// put remembers that apiURL led to contentURL.
func (c *contentURLs) put(apiURL, contentURL string) {
	if c.ttl <= 0 || contentURL == "" || apiURL == contentURL {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
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
