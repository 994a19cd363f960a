package remote

import (
	"net/http"
	"net/http/httptest"
	"testing"
)

// Request.Attempts tells a caller that its write was sent more than once
// (kdrive recognises what an earlier attempt did by it).
func TestRequestAttempts(t *testing.T) {
	for _, fails := range []int64{0, 2} {
		var n counter
		srv := httptest.NewServer(n.wrap(func(w http.ResponseWriter, r *http.Request) {
			if n.get() <= fails {
				writeJSON(w, 500, `{"result":"error","error":{"code":"unexpected_error"}}`)
				return
			}
			writeJSON(w, 409, `{"result":"error","error":{"code":"destination_already_exists"}}`)
		}))
		req := &Request{Method: http.MethodPost, URL: srv.URL, Body: []byte(`{}`), ContentType: "application/json"}
		_, err := NewClient(fastOptions()).Call(t.Context(), req, nil)
		srv.Close()
		if err == nil || req.Attempts != int(fails)+1 {
			t.Errorf("%d failures first: %d attempts counted, %v; want %d", fails, req.Attempts, err, fails+1)
		}
	}
}
