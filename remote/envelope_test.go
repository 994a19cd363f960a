package remote

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

func TestEnvelopeDecoding(t *testing.T) {
	big := `{"result":"success","data":"` + strings.Repeat("x", 2048) + `"}`
	tests := []struct {
		name     string
		status   int
		body     string
		want     error  // sentinel, nil for success
		wantCode string // APIError code, when one is expected
		wantData string
	}{
		{"success", 200, `{"result":"success","data":"hello"}`, nil, "", "hello"},
		{"success with pagination", 200, `{"result":"success","data":"p","cursor":"c1","has_more":true}`, nil, "", "p"},
		{"not_authorized", 401, `{"result":"error","error":{"code":"not_authorized","description":"bad token"}}`, ErrAuth, "not_authorized", ""},
		{"forbidden", 403, `{"result":"error","error":{"code":"forbidden_error"}}`, ErrPermission, "forbidden_error", ""},
		{"access_denied", 403, `{"result":"error","error":{"code":"access_denied"}}`, ErrPermission, "access_denied", ""},
		{"mailbox_locked", 403, `{"result":"error","error":{"code":"mailbox_locked"}}`, ErrPermission, "mailbox_locked", ""},
		{"object_not_found", 404, `{"result":"error","error":{"code":"object_not_found","context":{"model":"Drive"}}}`, ErrNotFound, "object_not_found", ""},
		{"folder__not_exists", 404, `{"result":"error","error":{"code":"folder__not_exists"}}`, ErrNotFound, "folder__not_exists", ""},
		{"mail__message_not_found", 404, `{"result":"error","error":{"code":"mail__message_not_found"}}`, ErrNotFound, "mail__message_not_found", ""},
		{"404 without body", 404, ``, ErrNotFound, "", ""},
		{"429", 429, `{"result":"error","error":{"code":"too_many_requests"}}`, ErrRateLimited, "too_many_requests", ""},
		{"500", 500, `{"result":"error","error":{"code":"unexpected_error"}}`, ErrUnavailable, "unexpected_error", ""},
		{"502 html", 502, `<html>bad gateway</html>`, ErrUnavailable, "", ""},
		{"200 with result error", 200, `{"result":"error","error":{"code":"object_not_found"}}`, ErrNotFound, "object_not_found", ""},
		{"200 with unknown error", 200, `{"result":"error","error":{"code":"weird"}}`, ErrInvalid, "weird", ""},
		{"oauth invalid_grant", 400, `{"error":"invalid_grant","error_description":"revoked"}`, ErrAuth, "invalid_grant", ""},
		{"oauth revoked reason", 400, `{"error":"invalid_request","reason":"refresh_token_revoked"}`, ErrAuth, "invalid_request", ""},
		{"malformed", 200, `{"result":"success","data":`, ErrInvalid, "", ""},
		{"unknown result", 200, `{"result":"asynchronous","data":1}`, ErrInvalid, "", ""},
		{"oversized", 200, big, ErrInvalid, "", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				writeJSON(w, tc.status, tc.body)
			}))
			defer srv.Close()
			o := fastOptions()
			o.MaxRetries = -1
			o.MaxJSONBytes = 1024
			c := NewClient(o)
			var got string
			err := c.GetJSON(t.Context(), srv.URL, &got)
			if tc.want == nil {
				if err != nil || got != tc.wantData {
					t.Fatalf("got %q, %v; want %q", got, err, tc.wantData)
				}
				return
			}
			if !errors.Is(err, tc.want) {
				t.Fatalf("err = %v, want %v", err, tc.want)
			}
			var ae *APIError
			if tc.wantCode != "" && (!errors.As(err, &ae) || ae.Code != tc.wantCode) {
				t.Fatalf("err = %#v, want code %q", err, tc.wantCode)
			}
			if tc.name == "oversized" && !strings.Contains(err.Error(), "too large") {
				t.Fatalf("oversized error should say so: %v", err)
			}
		})
	}
}

func TestEnvelopePaginationFields(t *testing.T) {
	env, err := DecodeEnvelope(200, []byte(`{"result":"success","data":[1,2],"cursor":"abc","has_more":true,"response_at":17,"page":2,"pages":3,"total":25}`))
	if err != nil {
		t.Fatal(err)
	}
	var data []int
	if err := env.DecodeData(&data); err != nil || len(data) != 2 {
		t.Fatalf("data %v, %v", data, err)
	}
	if env.Cursor != "abc" || !env.HasMore || env.ResponseAt != 17 || env.Page != 2 || env.Pages != 3 || env.Total != 25 {
		t.Fatalf("pagination fields: %+v", env)
	}
	if err := (&Envelope{Result: "success"}).DecodeData(&data); !errors.Is(err, ErrInvalid) {
		t.Fatalf("missing data: %v", err)
	}
}

func TestDefaultBodyCapIsHostileSafe(t *testing.T) {
	c := NewClient(ClientOptions{})
	if got := c.Options().MaxJSONBytes; got != DefaultMaxJSONBytes || got > 64<<20 {
		t.Fatalf("default JSON cap %d", got)
	}
	// readCapped stops after limit+1 bytes of an endless stream.
	_, err := readCapped(endless{}, 1<<20)
	if !errors.Is(err, ErrInvalid) {
		t.Fatalf("endless body: %v", err)
	}
}

type endless struct{}

func (endless) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = 'a'
	}
	return len(p), nil
}

func TestRetryAfterParsing(t *testing.T) {
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	tests := []struct {
		name string
		hdr  map[string]string
		want time.Duration
		ok   bool
	}{
		{"seconds", map[string]string{"Retry-After": "7"}, 7 * time.Second, true},
		{"date", map[string]string{"Retry-After": now.Add(3 * time.Second).Format(http.TimeFormat)}, 3 * time.Second, true},
		{"past date", map[string]string{"Retry-After": now.Add(-time.Hour).Format(http.TimeFormat)}, 0, true},
		{"reset epoch", map[string]string{"X-RateLimit-Reset": "1767323050"}, 5 * time.Second, true},
		{"reset delta", map[string]string{"X-RateLimit-Reset": "12"}, 12 * time.Second, true},
		{"garbage", map[string]string{"Retry-After": "soon"}, 0, false},
		{"none", nil, 0, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h := http.Header{}
			for k, v := range tc.hdr {
				h.Set(k, v)
			}
			got, ok := retryAfter(h, now)
			if got != tc.want || ok != tc.ok {
				t.Fatalf("got %v %v, want %v %v", got, ok, tc.want, tc.ok)
			}
		})
	}
}
