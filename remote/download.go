package remote

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
)

// RangeInfo describes one content response.
type RangeInfo struct {
	Start        int64 // offset of the first byte of the response
	Total        int64 // size of the whole content, -1 when unknown
	ETag         string
	LastModified string // as sent (HTTP date), "" when absent
	ContentType  string
}

// RangeCheck vets every content response, the first and each resumption;
// an error (typically wrapping ErrChanged) ends the read with it.
type RangeCheck func(*RangeInfo) error

// resetAfter is how many bytes must flow after a failure before the retry
// budget is whole again: a server that breaks every few bytes still ends.
const resetAfter = 1 << 20

var errClosed = errors.New("remote: read on closed reader")

// OpenRange streams bytes [off, off+length) of the content behind rawURL
// (length < 0: to the end). It sends Range, follows the redirect to the
// content host without the token, and returns a reader that resumes after
// a broken or stalled body from the exact next offset, at most MaxRetries
// times unless a MiB or more flowed since the previous failure. A resumption that finds another ETag,
// Last-Modified or total size fails with ErrChanged: bytes of two versions
// are never mixed.
func (c *Client) OpenRange(ctx context.Context, rawURL string, off, length int64, check RangeCheck) (io.ReadCloser, *RangeInfo, error) {
	if off < 0 {
		return nil, nil, fmt.Errorf("%w: negative offset %d", ErrInvalid, off)
	}
	r := &rangeReader{c: c, ctx: ctx, apiURL: rawURL, pos: off, end: -1, check: check}
	if length >= 0 {
		r.end = off + length
	}
	if length == 0 {
		return r, &RangeInfo{Start: off, Total: -1}, nil
	}
	if err := r.open(); err != nil {
		return nil, nil, err
	}
	info := *r.first
	return r, &info, nil
}

type rangeReader struct {
	c          *Client
	ctx        context.Context
	apiURL     string
	contentURL string // where the last redirect led; resumptions go there first
	pos, end   int64  // next offset to deliver; exclusive end, -1 unknown
	first      *RangeInfo
	check      RangeCheck
	body       io.ReadCloser
	fails      int   // failed attempts since the last good stretch
	stalls     int   // stalls among them
	good       int64 // bytes delivered since the last failure
	err        error
	closed     bool
}

func (r *rangeReader) Read(p []byte) (int, error) {
	for {
		switch {
		case r.closed:
			return 0, errClosed
		case r.err != nil:
			return 0, r.err
		case r.end >= 0 && r.pos >= r.end:
			r.closeBody()
			return 0, io.EOF
		case len(p) == 0:
			return 0, nil
		}
		if r.body == nil {
			if r.fails > 0 {
				if err := sleep(r.ctx, r.c.backoff(r.fails-1)); err != nil {
					r.err = ctxError(r.ctx, "resuming download")
					continue
				}
			}
			if err := r.open(); err != nil {
				if !r.retryable(err) && r.err == nil {
					r.err = err
				}
				continue
			}
		}
		q := p
		if r.end >= 0 && int64(len(q)) > r.end-r.pos {
			q = q[:r.end-r.pos]
		}
		n, err := r.body.Read(q)
		r.pos += int64(n)
		r.good += int64(n)
		if err == nil {
			return n, nil
		}
		r.closeBody()
		if err == io.EOF && (r.end < 0 || r.pos >= r.end) {
			r.end = r.pos
			return n, nil // io.EOF on the next call
		}
		if err == io.EOF {
			err = transient(fmt.Errorf("%w: body ended at %d before %d", ErrUnavailable, r.pos, r.end))
		}
		if !r.retryable(err) && r.err == nil {
			r.err = err
		}
		if n > 0 {
			return n, nil
		}
	}
}

// retryable counts a failed attempt and says whether to try again; when
// not, it records the final error.
func (r *rangeReader) retryable(err error) bool {
	if r.ctx.Err() != nil {
		r.err = ctxError(r.ctx, "download")
		return false
	}
	if !isTransient(err) {
		return false
	}
	if r.good >= resetAfter {
		r.fails, r.stalls = 0, 0 // a long good stretch: this is a new incident
	}
	r.good = 0
	r.fails++
	if errors.Is(err, errStalled) {
		r.stalls++
	}
	if r.fails > r.c.o.MaxRetries || r.stalls >= maxStalls {
		err = final(err)
		if !errors.Is(err, ErrUnavailable) {
			err = fmt.Errorf("%w: %w", ErrUnavailable, err)
		}
		r.err = fmt.Errorf("download failed at offset %d after %d attempts: %w", r.pos, r.fails, err)
		return false
	}
	r.c.log.Debug("resuming download", "offset", r.pos, "attempt", r.fails, "err", err)
	return true
}

func (r *rangeReader) Close() error {
	r.closed = true
	r.closeBody()
	return nil
}

func (r *rangeReader) closeBody() {
	if r.body != nil {
		r.body.Close()
		r.body = nil
	}
}

// open requests the content from r.pos, at the content URL first (no API
// call) and at the API URL when that one is unknown or has expired.
func (r *rangeReader) open() error {
	if r.contentURL == "" {
		u, done := r.c.content.resolve(r.ctx, r.apiURL)
		if u == "" {
			err := r.openAt(r.apiURL, false, false)
			if done != nil {
				if err != nil {
					done("")
				} else {
					done(r.contentURL)
				}
			}
			return err
		}
		r.contentURL = u
	}
	err := r.openAt(r.contentURL, !sameOrigin(r.contentURL, r.apiURL), true)
	var ae *APIError
	if err == nil || !errors.As(err, &ae) || !expiredURLStatus(ae.Status) {
		return err
	}
	// Expired: straight to the API, not through resolve again, so that a
	// server handing out dead URLs costs one extra call, not a loop.
	r.c.content.drop(r.apiURL, r.contentURL)
	r.contentURL = ""
	if err := r.openAt(r.apiURL, false, false); err != nil {
		return err
	}
	r.c.content.put(r.apiURL, r.contentURL)
	return nil
}

func expiredURLStatus(s int) bool {
	return s == http.StatusUnauthorized || s == http.StatusForbidden || s == http.StatusNotFound || s == http.StatusGone
}

func sameOrigin(a, b string) bool {
	ua, err1 := url.Parse(a)
	ub, err2 := url.Parse(b)
	return err1 == nil && err2 == nil && ua.Scheme == ub.Scheme && ua.Host == ub.Host
}

func (r *rangeReader) openAt(u string, noAuth, signed bool) error {
	h := http.Header{}
	switch {
	case r.end >= 0:
		h.Set("Range", fmt.Sprintf("bytes=%d-%d", r.pos, r.end-1))
	case r.pos > 0:
		h.Set("Range", fmt.Sprintf("bytes=%d-", r.pos))
	}
	resp, err := r.c.Do(r.ctx, &Request{URL: u, Header: h, FollowRedirects: true, NoAuth: noAuth, SignedURL: signed})
	if err != nil {
		var ae *APIError
		if errors.As(err, &ae) && ae.Status == http.StatusRequestedRangeNotSatisfiable {
			if r.first == nil { // asked at or past the end: nothing to read
				r.first, r.end = &RangeInfo{Start: r.pos, Total: -1}, r.pos
				return nil
			}
			return fmt.Errorf("%w: content no longer reaches offset %d", ErrChanged, r.pos)
		}
		return err
	}
	if err := r.vet(resp); err != nil {
		resp.Body.Close()
		return err
	}
	r.contentURL = resp.Request.URL.String()
	r.body = resp.Body
	return nil
}

// vet checks one response against the request and the first response, and
// positions a 200 answer at r.pos.
func (r *rangeReader) vet(resp *http.Response) error {
	info := &RangeInfo{Start: r.pos, Total: -1, ETag: resp.Header.Get("ETag"),
		LastModified: resp.Header.Get("Last-Modified"), ContentType: resp.Header.Get("Content-Type")}
	switch resp.StatusCode {
	case http.StatusPartialContent:
		start, total, ok := parseContentRange(resp.Header.Get("Content-Range"))
		if !ok {
			return fmt.Errorf("%w: bad Content-Range %q", ErrInvalid, truncate(resp.Header.Get("Content-Range"), 80))
		}
		if start != r.pos {
			return fmt.Errorf("%w: asked offset %d, got %d", ErrInvalid, r.pos, start)
		}
		info.Total = total
	case http.StatusOK:
		// A server that ignores Range sends everything: skip to r.pos.
		info.Total = resp.ContentLength
		if r.pos > 0 {
			if _, err := io.CopyN(io.Discard, resp.Body, r.pos); err != nil {
				if err == io.EOF && r.first == nil { // asked past the end
					r.first, r.end = info, r.pos
					return nil
				}
				if err == io.EOF {
					return fmt.Errorf("%w: content ends before offset %d", ErrChanged, r.pos)
				}
				return err
			}
		}
	default:
		return fmt.Errorf("%w: content answered HTTP %d", ErrInvalid, resp.StatusCode)
	}
	if r.first != nil {
		if f := r.first; f.ETag != info.ETag || f.LastModified != info.LastModified ||
			(f.Total >= 0 && info.Total >= 0 && f.Total != info.Total) {
			return fmt.Errorf("%w: content changed while reading (etag %s → %s)", ErrChanged, f.ETag, info.ETag)
		}
	}
	if r.check != nil {
		if err := r.check(info); err != nil {
			return err
		}
	}
	if r.first == nil {
		r.first = info
		if info.Total >= 0 && (r.end < 0 || r.end > info.Total) {
			r.end = max(info.Total, r.pos)
		}
	}
	return nil
}

// parseContentRange reads "bytes a-b/total" (total may be "*": -1).
func parseContentRange(v string) (start, total int64, ok bool) {
	rest, found := strings.CutPrefix(strings.TrimSpace(v), "bytes ")
	if !found {
		return 0, 0, false
	}
	rng, tot, found := strings.Cut(rest, "/")
	a, b, found2 := strings.Cut(rng, "-")
	if !found || !found2 {
		return 0, 0, false
	}
	start, err1 := strconv.ParseInt(a, 10, 64)
	last, err2 := strconv.ParseInt(b, 10, 64)
	if err1 != nil || err2 != nil || start < 0 || last < start {
		return 0, 0, false
	}
	total = -1
	if tot != "*" {
		t, err := strconv.ParseInt(tot, 10, 64)
		if err != nil || t <= last {
			return 0, 0, false
		}
		total = t
	}
	return start, total, true
}
