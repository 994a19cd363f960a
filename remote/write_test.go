package remote

import (
	"bytes"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"
)

func TestHash(t *testing.T) {
	// XXH3-64 of "" is 0x2d06800538d394c2 (the reference implementation).
	if got := Hash(nil); got != "xxh3:2d06800538d394c2" {
		t.Fatalf("Hash(nil) = %s", got)
	}
}

// TestUploadSlowerThanTimeout: sending a large body takes longer than
// Timeout on a slow uplink; while bytes move it is no stall.
func TestUploadSlowerThanTimeout(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		buf := make([]byte, 256<<10)
		for {
			if _, err := io.ReadFull(r.Body, buf); err != nil {
				break
			}
			time.Sleep(10 * time.Millisecond) // ~25 MiB/s
		}
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, `{"result":"success","data":true}`)
	}))
	defer srv.Close()
	c := NewClient(ClientOptions{Timeout: time.Second, MaxRetries: -1})
	body := bytes.Repeat([]byte("u"), 64<<20) // over a second to send
	start := time.Now()
	if _, err := c.Call(t.Context(), &Request{Method: http.MethodPost, URL: srv.URL, Body: body}, nil); err != nil {
		t.Fatalf("upload of %s: %v", time.Since(start), err)
	}
	if time.Since(start) < 2*time.Second {
		t.Skip("the body went faster than the timeout: nothing shown")
	}
}
