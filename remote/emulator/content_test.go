package emulator

import (
	"bytes"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/infomaniakfs/infomaniakfs/remote/emulator/dataset"
)

// contentURL asks /download for the signed URL of a file.
func contentURL(t *testing.T, s *Server, tok string, n dataset.Node) string {
	t.Helper()
	resp, body := get(t, s, tok, fmt.Sprintf("/2/drive/%d/files/%d/download", n.DriveID, n.ID))
	loc := resp.Header.Get("Location")
	if resp.StatusCode != http.StatusFound || !strings.HasPrefix(loc, s.URL()+"/content/") {
		t.Fatalf("download: %d %q %s", resp.StatusCode, loc, body)
	}
	return loc
}

func TestDownloadAndRanges(t *testing.T) {
	d := dataset.Generate(dataset.Spec{Seed: 5, Drives: 1, Depth: 1, BigFiles: []int64{3 << 20}})
	s := start(t, Options{Data: d})
	tok := s.IssueToken()
	big := firstFile(t, d, 100001, 3<<20)
	want := contentOf(t, d, big)
	u := contentURL(t, s, tok, big)
	size := int64(len(want))
	cases := []struct {
		rng    string
		status int
		lo, hi int64 // expected bytes [lo, hi)
	}{
		{"", 200, 0, size},
		{"bytes=0-0", 206, 0, 1},
		{"bytes=100-2000000", 206, 100, 2000001},
		{"bytes=3000000-", 206, 3000000, size},
		{"bytes=-4096", 206, size - 4096, size},
		{fmt.Sprintf("bytes=%d-", size), 416, 0, 0},
		{fmt.Sprintf("bytes=%d-%d", size+5, size+10), 416, 0, 0},
	}
	for _, c := range cases {
		t.Run(c.rng, func(t *testing.T) {
			var hdr []string
			if c.rng != "" {
				hdr = []string{"Range", c.rng}
			}
			resp, body := call(t, http.MethodGet, u, "", nil, hdr...) // no Authorization
			if resp.StatusCode != c.status {
				t.Fatalf("status %d, want %d", resp.StatusCode, c.status)
			}
			if c.status == 416 {
				if resp.Header.Get("Content-Range") != fmt.Sprintf("bytes */%d", size) {
					t.Fatalf("416 Content-Range %q", resp.Header.Get("Content-Range"))
				}
				return
			}
			if !bytes.Equal(body, want[c.lo:c.hi]) {
				t.Fatalf("got %d bytes, not bytes [%d,%d)", len(body), c.lo, c.hi)
			}
			if c.status == 206 && resp.Header.Get("Content-Range") != fmt.Sprintf("bytes %d-%d/%d", c.lo, c.hi-1, size) {
				t.Fatalf("Content-Range %q", resp.Header.Get("Content-Range"))
			}
			h := resp.Header
			if h.Get("Accept-Ranges") != "bytes" || h.Get("Content-Length") != fmt.Sprint(c.hi-c.lo) ||
				h.Get("ETag") != fmt.Sprintf(`"100001-%d-%d"`, big.ID, big.Version) ||
				h.Get("Last-Modified") != time.Unix(big.MTime, 0).UTC().Format(http.TimeFormat) ||
				h.Get("Content-Type") == "" {
				t.Fatalf("headers %v", h)
			}
		})
	}
	// Go's client follows the redirect and drops nothing we need.
	resp, err := http.Get(u)
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("plain GET of content: %v %v", resp, err)
	}
	resp.Body.Close()
	if got := s.Count(EpContent); got != int64(len(cases)+1) {
		t.Fatalf("content counted %d", got)
	}
}

func TestContentNeedsSignature(t *testing.T) {
	s := start(t, Options{})
	tok := s.IssueToken()
	f := firstFile(t, s.Data(), 100001, 1)
	u := contentURL(t, s, tok, f)
	payload, sig, _ := strings.Cut(strings.TrimPrefix(u, s.URL()+"/content/"), ".")
	other := New(Options{Data: s.Data()}) // another server: another key
	foreign := other.sign(contentClaim{Drive: f.DriveID, ID: f.ID, Version: f.Version, Expires: time.Now().Add(time.Hour).Unix()})
	expired := s.sign(contentClaim{Drive: f.DriveID, ID: f.ID, Version: f.Version, Expires: time.Now().Add(-time.Second).Unix()})
	for name, path := range map[string]string{
		"no signature":      "/content/" + payload,
		"empty signature":   "/content/" + payload + ".",
		"bad signature":     "/content/" + payload + "." + strings.Repeat("A", len(sig)),
		"tampered payload":  "/content/" + strings.ToUpper(payload[:4]) + payload[4:] + "." + sig,
		"foreign key":       "/content/" + foreign,
		"expired":           "/content/" + expired,
		"garbage":           "/content/garbage",
		"with bearer token": "/content/" + payload + ".x",
	} {
		t.Run(name, func(t *testing.T) {
			wantCode(t, api(t, s, tok, path, 403), "access_denied")
		})
	}
	if resp, _ := get(t, s, "", strings.TrimPrefix(u, s.URL())); resp.StatusCode != 200 {
		t.Fatalf("the genuine URL answers %d", resp.StatusCode)
	}
}

func TestDownloadErrors(t *testing.T) {
	s := start(t, Options{})
	tok := s.IssueToken()
	priv := findNode(t, s.Data(), 100001, "/Private")
	wantCode(t, api(t, s, tok, fmt.Sprintf("/2/drive/100001/files/%d/download", priv.ID), 400), "bad_request_error")
	wantCode(t, api(t, s, tok, "/2/drive/100001/files/99999999/download", 404), "object_not_found")
	api(t, s, "", fmt.Sprintf("/2/drive/100001/files/%d/download", priv.ID), 401)
}

func TestContentAfterChange(t *testing.T) {
	s := start(t, Options{})
	tok := s.IssueToken()
	d := s.Data()
	f := firstFile(t, d, 100001, 1)
	u := contentURL(t, s, tok, f)
	oldTag := fmt.Sprintf(`"%s"`, etag(f))
	changed, err := d.ModifyFile(100001, f.ID, 1000)
	if err != nil {
		t.Fatal(err)
	}
	resp, body := call(t, http.MethodGet, u, "", nil)
	if resp.StatusCode != 200 || resp.Header.Get("ETag") == oldTag ||
		resp.Header.Get("ETag") != fmt.Sprintf(`"%s"`, etag(changed)) || !bytes.Equal(body, contentOf(t, d, changed)) {
		t.Fatalf("after change: %d ETag %s (old %s), %d bytes", resp.StatusCode, resp.Header.Get("ETag"), oldTag, len(body))
	}
	if err := d.Delete(100001, f.ID); err != nil {
		t.Fatal(err)
	}
	wantCode(t, api(t, s, "", strings.TrimPrefix(u, s.URL()), 404), "object_not_found")
}
