package emulator

import (
	"encoding/json"
	"io"
	"mime"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/infomaniakfs/infomaniakfs/remote/emulator/dataset"
)

// start serves a fresh emulator over real HTTP for one test.
func start(t *testing.T, o Options) *Server {
	t.Helper()
	if o.Data == nil {
		o.Data = dataset.Generate(dataset.Spec{Seed: 7})
	}
	s, err := Start(o)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Close)
	return s
}

// noFollow is a client that shows redirects instead of following them.
var noFollow = &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}

// call does one request and reads the whole body.
func call(t *testing.T, method, u, token string, body io.Reader, hdr ...string) (*http.Response, []byte) {
	t.Helper()
	req, err := http.NewRequest(method, u, body)
	if err != nil {
		t.Fatal(err)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	resp, err := noFollow.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, u, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("%s %s: reading body: %v", method, u, err)
	}
	return resp, b
}

func get(t *testing.T, s *Server, token, path string) (*http.Response, []byte) {
	t.Helper()
	return call(t, http.MethodGet, s.URL()+path, token, nil)
}

// envelope is the API's JSON envelope with the pagination fields.
type envelope struct {
	Result     string          `json:"result"`
	Data       json.RawMessage `json:"data"`
	Cursor     string          `json:"cursor"`
	HasMore    bool            `json:"has_more"`
	ResponseAt int64           `json:"response_at"`
	Total      int             `json:"total"`
	Pages      int             `json:"pages"`
	Error      *struct {
		Code        string         `json:"code"`
		Description string         `json:"description"`
		Context     map[string]any `json:"context"`
	} `json:"error"`
}

// api GETs path and decodes the envelope, checking the status.
func api(t *testing.T, s *Server, token, path string, wantStatus int) envelope {
	t.Helper()
	resp, b := get(t, s, token, path)
	return decodeEnv(t, resp, b, wantStatus)
}

func decodeEnv(t *testing.T, resp *http.Response, b []byte, wantStatus int) envelope {
	t.Helper()
	if resp.StatusCode != wantStatus {
		t.Fatalf("%s %s: status %d, want %d: %s", resp.Request.Method, resp.Request.URL.Path, resp.StatusCode, wantStatus, b)
	}
	var e envelope
	if err := json.Unmarshal(b, &e); err != nil {
		t.Fatalf("%s: not JSON: %v: %.200s", resp.Request.URL.Path, err, b)
	}
	ok := resp.StatusCode < 300
	if ok != (e.Result == "success") || (!ok && (e.Error == nil || e.Error.Code == "")) {
		t.Fatalf("%s: status %d with envelope %s", resp.Request.URL.Path, resp.StatusCode, b)
	}
	return e
}

func wantCode(t *testing.T, e envelope, code string) {
	t.Helper()
	if e.Error == nil || e.Error.Code != code {
		t.Fatalf("error code %+v, want %q", e.Error, code)
	}
}

func decode[T any](t *testing.T, raw json.RawMessage) T {
	t.Helper()
	var v T
	if err := json.Unmarshal(raw, &v); err != nil {
		t.Fatalf("decode %T: %v: %.300s", v, err, raw)
	}
	return v
}

func form(kv ...string) io.Reader {
	v := url.Values{}
	for i := 0; i+1 < len(kv); i += 2 {
		v.Set(kv[i], kv[i+1])
	}
	return strings.NewReader(v.Encode())
}

// findNode returns the first node of the drive whose path is p.
func findNode(t *testing.T, d *dataset.Dataset, drive int64, p string) dataset.Node {
	t.Helper()
	var found dataset.Node
	d.Walk(drive, func(n dataset.Node) bool {
		if d.Path(drive, n.ID) == p {
			found = n
			return false
		}
		return true
	})
	if found.ID == 0 {
		t.Fatalf("no node %q in drive %d", p, drive)
	}
	return found
}

// firstFile returns some file of at least minSize bytes.
func firstFile(t *testing.T, d *dataset.Dataset, drive, minSize int64) dataset.Node {
	t.Helper()
	var found dataset.Node
	d.Walk(drive, func(n dataset.Node) bool {
		if !n.IsDir && n.Size >= minSize {
			found = n
			return false
		}
		return true
	})
	if found.ID == 0 {
		t.Fatalf("no file of %d bytes in drive %d", minSize, drive)
	}
	return found
}

func contentOf(t *testing.T, d *dataset.Dataset, n dataset.Node) []byte {
	t.Helper()
	ra, size, _, ok := d.Content(n.DriveID, n.ID)
	if !ok {
		t.Fatalf("no content for %d", n.ID)
	}
	b := make([]byte, size)
	if _, err := ra.ReadAt(b, 0); err != nil && err != io.EOF {
		t.Fatal(err)
	}
	return b
}

type mimeDecoder = mime.WordDecoder
