package remote

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"
)

// contentServer serves one blob behind an API route that redirects to a
// second server (another host), like kDrive's /download.
type contentServer struct {
	mu       sync.Mutex
	data     []byte
	etag     string
	mtime    time.Time
	ranges   []string // Range headers the content host got
	authSeen bool     // the content host got an Authorization header
	// cut, when > 0, makes the next response stop after that many bytes
	// (reset) or, with stall, hang after them.
	cut        int
	stall      bool
	ignoreRng  bool
	onResponse func(n int) // called before each content response
	api, cdn   *httptest.Server
	apiCalls   counter
}

func newContentServer(t *testing.T, size int) *contentServer {
	cs := &contentServer{data: randomBytes(size, 1), etag: `"v1"`, mtime: time.Unix(1700000000, 0)}
	cs.cdn = httptest.NewServer(http.HandlerFunc(cs.serveContent))
	cs.api = httptest.NewServer(cs.apiCalls.wrap(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, cs.cdn.URL+"/blob?sig=1", http.StatusFound)
	}))
	t.Cleanup(func() { cs.api.Close(); cs.cdn.Close() })
	return cs
}

func randomBytes(n int, seed uint64) []byte {
	r := rand.New(rand.NewPCG(seed, seed))
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(r.Uint32())
	}
	return b
}

func (cs *contentServer) serveContent(w http.ResponseWriter, r *http.Request) {
	cs.mu.Lock()
	cs.ranges = append(cs.ranges, r.Header.Get("Range"))
	if r.Header.Get("Authorization") != "" {
		cs.authSeen = true
	}
	if cs.onResponse != nil {
		cs.onResponse(len(cs.ranges))
	}
	data, etag, mtime, cut, stall, ignore := cs.data, cs.etag, cs.mtime, cs.cut, cs.stall, cs.ignoreRng
	cs.cut = 0
	cs.mu.Unlock()
	w.Header().Set("ETag", etag)
	if ignore {
		r.Header.Del("Range")
	}
	if cut > 0 {
		w = &cuttingWriter{ResponseWriter: w, left: cut, stall: stall, done: r.Context().Done()}
	}
	http.ServeContent(w, r, "", mtime, bytes.NewReader(data))
}

// cuttingWriter lets left bytes through, then resets or stalls the connection.
type cuttingWriter struct {
	http.ResponseWriter
	left  int
	stall bool
	done  <-chan struct{}
}

func (c *cuttingWriter) Write(p []byte) (int, error) {
	if len(p) <= c.left {
		c.left -= len(p)
		return c.ResponseWriter.Write(p)
	}
	n, _ := c.ResponseWriter.Write(p[:c.left])
	c.left = 0
	c.ResponseWriter.(http.Flusher).Flush()
	if c.stall {
		<-c.done
		return n, errors.New("client gone")
	}
	panic(http.ErrAbortHandler)
}

func (cs *contentServer) gotRanges() []string {
	cs.mu.Lock()
	defer cs.mu.Unlock()
	return append([]string(nil), cs.ranges...)
}

func TestOpenRangeExactBytes(t *testing.T) {
	const size = 300_000
	cs := newContentServer(t, size)
	o := fastOptions()
	o.Tokens = newFakeTokens()
	c := NewClient(o)
	tests := []struct {
		off, length int64
		wantLen     int
	}{
		{0, -1, size},
		{0, 100, 100},
		{1000, 5000, 5000},
		{size - 10, -1, 10},
		{size - 10, 100, 10},
		{size, -1, 0},
		{size + 5, 10, 0},
		{7, 0, 0},
	}
	for _, tc := range tests {
		for _, ignore := range []bool{false, true} {
			t.Run(fmt.Sprintf("%d+%d ignoreRange=%v", tc.off, tc.length, ignore), func(t *testing.T) {
				cs.mu.Lock()
				cs.ignoreRng = ignore
				cs.mu.Unlock()
				rc, info, err := c.OpenRange(t.Context(), cs.api.URL+"/download", tc.off, tc.length, nil)
				if err != nil {
					t.Fatal(err)
				}
				got, err := io.ReadAll(rc)
				rc.Close()
				if err != nil || len(got) != tc.wantLen {
					t.Fatalf("read %d bytes, %v; want %d", len(got), err, tc.wantLen)
				}
				if tc.wantLen > 0 && !bytes.Equal(got, cs.data[tc.off:tc.off+int64(tc.wantLen)]) {
					t.Fatal("wrong bytes")
				}
				if tc.wantLen > 0 && (info.ETag != `"v1"` || info.Total != size || info.LastModified == "") {
					t.Fatalf("info %+v", info)
				}
			})
		}
	}
	cs.mu.Lock()
	defer cs.mu.Unlock()
	if cs.authSeen {
		t.Fatal("the token was sent to the content host")
	}
}

func TestOpenRangeResumes(t *testing.T) {
	for _, stall := range []bool{false, true} {
		t.Run(fmt.Sprintf("stall=%v", stall), func(t *testing.T) {
			const size = 200_000
			cs := newContentServer(t, size)
			cs.cut, cs.stall = 70_000, stall
			o := fastOptions()
			o.Timeout = time.Second
			c := NewClient(o)
			rc, _, err := c.OpenRange(t.Context(), cs.api.URL+"/download", 1000, 150_000, nil)
			if err != nil {
				t.Fatal(err)
			}
			defer rc.Close()
			got, err := io.ReadAll(rc)
			if err != nil || !bytes.Equal(got, cs.data[1000:151_000]) {
				t.Fatalf("read %d bytes, %v", len(got), err)
			}
			r := cs.gotRanges()
			// The first body stops 70,000 bytes in (headers included in
			// the count are not): resumption asks exactly where it stopped.
			if len(r) != 2 || r[0] != "bytes=1000-150999" || !strings.HasSuffix(r[1], "-150999") {
				t.Fatalf("ranges %q", r)
			}
			var resumed int
			if _, err := fmt.Sscanf(r[1], "bytes=%d-", &resumed); err != nil || resumed <= 1000 || resumed > 71_000 {
				t.Fatalf("resumed at %q", r[1])
			}
			if cs.apiCalls.get() != 1 {
				t.Fatalf("resumption went through the API again (%d calls)", cs.apiCalls.get())
			}
		})
	}
}

func TestOpenRangeDetectsChange(t *testing.T) {
	const size = 100_000
	cs := newContentServer(t, size)
	old := append([]byte(nil), cs.data...)
	cs.cut = 40_000
	cs.onResponse = func(n int) {
		if n == 2 { // the content changed between the cut and the resumption
			cs.data, cs.etag = randomBytes(size, 2), `"v2"`
		}
	}
	c := NewClient(fastOptions())
	rc, _, err := c.OpenRange(t.Context(), cs.api.URL+"/download", 0, -1, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer rc.Close()
	got, err := io.ReadAll(rc)
	if !errors.Is(err, ErrChanged) {
		t.Fatalf("err %v after %d bytes, want ErrChanged", err, len(got))
	}
	if !bytes.Equal(got, old[:len(got)]) {
		t.Fatal("bytes of the new version leaked into the old one")
	}
}

func TestOpenRangeCheckAndErrors(t *testing.T) {
	cs := newContentServer(t, 1000)
	c := NewClient(fastOptions())
	sentinel := fmt.Errorf("%w: wrong size", ErrChanged)
	_, _, err := c.OpenRange(t.Context(), cs.api.URL+"/download", 0, -1, func(ri *RangeInfo) error {
		if ri.Total != 999 {
			return sentinel
		}
		return nil
	})
	if !errors.Is(err, ErrChanged) {
		t.Fatalf("check error not returned: %v", err)
	}
	missing := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, 404, `{"result":"error","error":{"code":"object_not_found"}}`)
	}))
	defer missing.Close()
	if _, _, err := c.OpenRange(t.Context(), missing.URL, 0, -1, nil); !errors.Is(err, ErrNotFound) {
		t.Fatalf("missing file: %v", err)
	}
}

func TestOpenRangeGivesUpAfterRetries(t *testing.T) {
	cs := newContentServer(t, 100_000)
	cs.onResponse = func(int) { cs.cut = 10 } // every response breaks at once
	o := fastOptions()
	o.MaxRetries = 2
	c := NewClient(o)
	rc, _, err := c.OpenRange(t.Context(), cs.api.URL+"/download", 0, -1, nil)
	if err == nil {
		_, err = io.ReadAll(rc)
		rc.Close()
	}
	if !errors.Is(err, ErrUnavailable) {
		t.Fatalf("err %v", err)
	}
}
