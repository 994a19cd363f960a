package main

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"
)

// origin serves n bytes at /blob and redirects /go to /blob on the Host it was asked for.
func origin(t *testing.T, n int) *httptest.Server {
	t.Helper()
	body := bytes.Repeat([]byte("x"), n)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/go":
			http.Redirect(w, r, "http://"+r.Host+"/blob", http.StatusFound)
		default:
			w.Write(body)
		}
	}))
	t.Cleanup(srv.Close)
	return srv
}

func startWAN(t *testing.T, target string, lat time.Duration, bw int64) (*wan, string) {
	t.Helper()
	u, _ := url.Parse(target)
	w := newWAN(u, lat, bw)
	base, err := w.Start()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(w.Close)
	return w, base
}

func get(t *testing.T, u string) (int, time.Duration, string) {
	t.Helper()
	start := time.Now()
	resp, err := http.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return len(b), time.Since(start), resp.Request.URL.Host
}

func TestWANLatencyPerRequest(t *testing.T) {
	srv := origin(t, 10)
	for _, tc := range []struct {
		lat     time.Duration
		reqs    int
		atLeast time.Duration
		below   time.Duration
	}{
		{0, 5, 0, 100 * time.Millisecond},
		{30 * time.Millisecond, 3, 90 * time.Millisecond, 600 * time.Millisecond},
	} {
		w, base := startWAN(t, srv.URL, tc.lat, 0)
		start := time.Now()
		for i := 0; i < tc.reqs; i++ {
			get(t, base+"/blob")
		}
		el := time.Since(start)
		if el < tc.atLeast || el > tc.below {
			t.Errorf("latency %v × %d requests took %v, want [%v, %v]", tc.lat, tc.reqs, el, tc.atLeast, tc.below)
		}
		if got := w.Requests(); got != int64(tc.reqs) {
			t.Errorf("counted %d requests, want %d", got, tc.reqs)
		}
	}
}

func TestWANBandwidthCap(t *testing.T) {
	const size = 3 << 20
	srv := origin(t, size)
	for _, tc := range []struct {
		bw      int64
		atLeast time.Duration
		below   time.Duration
	}{
		// 3 MiB at 6 MiB/s: about half a second (the first 64 KiB burst is free).
		{6 << 20, 400 * time.Millisecond, 2 * time.Second},
		{0, 0, 400 * time.Millisecond},
	} {
		w, base := startWAN(t, srv.URL, 0, tc.bw)
		n, el, _ := get(t, base+"/blob")
		if n != size {
			t.Fatalf("got %d bytes, want %d", n, size)
		}
		if el < tc.atLeast || el > tc.below {
			t.Errorf("bandwidth %d: %d bytes took %v, want [%v, %v]", tc.bw, size, el, tc.atLeast, tc.below)
		}
		if w.Bytes() != size {
			t.Errorf("metered %d bytes, want %d", w.Bytes(), size)
		}
	}
}

func TestWANSetChangesLiveAndKeepsHost(t *testing.T) {
	srv := origin(t, 1)
	w, base := startWAN(t, srv.URL, time.Second, 0)
	w.Set(0, 0)
	_, el, host := get(t, base+"/go")
	if el > 500*time.Millisecond {
		t.Errorf("Set(0,0) did not take effect: %v", el)
	}
	// The redirect was built from the Host the proxy forwarded: it must be the proxy's.
	if want := strings.TrimPrefix(base, "http://"); host != want {
		t.Errorf("redirect went to %s, want the proxy %s", host, want)
	}
	if w.Requests() != 2 {
		t.Errorf("redirect and follow-up: counted %d requests, want 2", w.Requests())
	}
}

// TestWANPacesUploads: request bodies (uploads) pay the bandwidth cap too,
// and reach the server whole.
func TestWANPacesUploads(t *testing.T) {
	const size = 3 << 20
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n, _ := io.Copy(io.Discard, r.Body)
		fmt.Fprint(w, n)
	}))
	t.Cleanup(srv.Close)
	for _, tc := range []struct {
		bw      int64
		atLeast time.Duration
		below   time.Duration
	}{
		// 3 MiB at 6 MiB/s: about half a second (the first burst is free).
		{6 << 20, 400 * time.Millisecond, 2 * time.Second},
		{0, 0, 400 * time.Millisecond},
	} {
		w, base := startWAN(t, srv.URL, 0, tc.bw)
		start := time.Now()
		resp, err := http.Post(base+"/up", "application/octet-stream", bytes.NewReader(make([]byte, size)))
		if err != nil {
			t.Fatal(err)
		}
		got, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		el := time.Since(start)
		if string(got) != fmt.Sprint(size) {
			t.Fatalf("server read %s bytes, want %d", got, size)
		}
		if el < tc.atLeast || el > tc.below {
			t.Errorf("bandwidth %d: a %d-byte upload took %v, want [%v, %v]", tc.bw, size, el, tc.atLeast, tc.below)
		}
		if w.UpBytes() != size || w.Bytes() != int64(len(got)) {
			t.Errorf("metered %d bytes up and %d down, want %d and %d", w.UpBytes(), w.Bytes(), size, len(got))
		}
	}
}
