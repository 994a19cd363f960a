package remote

import (
	"encoding/json"
	"errors"
	"testing"
)

// sentinels are the errors every decoding failure must be classified as.
var sentinels = []error{ErrNotFound, ErrAuth, ErrPermission, ErrRateLimited, ErrUnavailable, ErrChanged, ErrInvalid}

func classified(err error) bool {
	for _, s := range sentinels {
		if errors.Is(err, s) {
			return true
		}
	}
	return false
}

// FuzzDecodeEnvelope: whatever the body and status, the envelope decoders
// never panic, succeed only on a "success" result, classify every failure
// as one of the sentinels, and agree with each other.
func FuzzDecodeEnvelope(f *testing.F) {
	for _, s := range []struct {
		status int
		body   string
	}{
		{200, `{"result":"success","data":[{"id":1}],"cursor":"c","has_more":true}`},
		{200, `{"result":"success","data":null}`},
		{200, `{"result":"error","error":{"code":"object_not_found","description":"x"}}`},
		{200, `{"result":"asynchronous","data":1}`},
		{200, `{"result":"success","data":[1,2,`},
		{200, `[]`},
		{200, `"success"`},
		{200, ``},
		{401, `{"result":"error","error":{"code":"not_authorized"}}`},
		{400, `{"error":"invalid_grant","error_description":"revoked","reason":"refresh_token_revoked"}`},
		{429, `{"result":"error","error":{"code":"too_many_requests"}}`},
		{500, `<html>oops</html>`},
		{200, `{"result":"success","data":{"a":` + string(make([]byte, 64)) + `}}`},
		{200, "{\"result\":\"success\",\"data\":\"\xff\xfe\"}"},
	} {
		f.Add(s.status, []byte(s.body))
	}
	f.Fuzz(func(t *testing.T, status int, body []byte) {
		env, err := DecodeEnvelope(status, body)
		if err == nil && (env == nil || env.Result != "success") {
			t.Fatalf("DecodeEnvelope accepted %q", body)
		}
		if err != nil && !classified(err) {
			t.Fatalf("DecodeEnvelope error %v is not classified", err)
		}
		var out []json.RawMessage
		env2, err2 := decodeEnvelopeInto(status, body, &out)
		if err2 != nil && !classified(err2) {
			t.Fatalf("decodeEnvelopeInto error %v is not classified", err2)
		}
		if err2 == nil && (err != nil || env2 == nil || env2.Result != "success") {
			t.Fatalf("decodeEnvelopeInto accepted what DecodeEnvelope refused (%v): %q", err, body)
		}
		if err == nil && err2 == nil {
			var viaData []json.RawMessage
			if derr := env.DecodeData(&viaData); derr != nil && len(env.Data) > 0 && string(env.Data) != "null" {
				t.Fatalf("data decoded in one pass but not in two: %v", derr)
			}
		}
		// An error body of any status decodes without panicking, and a
		// status that names a kind keeps it.
		ae := errorFromBody(status, body)
		if ae.Status != status {
			t.Fatalf("errorFromBody status %d, want %d", ae.Status, status)
		}
		if status >= 500 && status <= 599 && ae.Kind == nil {
			t.Fatalf("HTTP %d error not classified", status)
		}
		_ = ae.Error()
	})
}
