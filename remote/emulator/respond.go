package emulator

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"strconv"
	"time"
)

// obj is a JSON object under construction; key order does not matter.
type obj = map[string]any

// writeJSON sends v with an exact Content-Length (faults rely on it).
func writeJSON(w http.ResponseWriter, status int, v any) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		status, buf = http.StatusInternalServerError, *bytes.NewBufferString(`{"result":"error","error":{"code":"unexpected_error","description":"encoding failed"}}`)
	}
	h := w.Header()
	h.Set("Content-Type", "application/json")
	h.Set("Content-Length", strconv.Itoa(buf.Len()))
	w.WriteHeader(status)
	_, _ = w.Write(buf.Bytes())
}

// success sends {"result":"success","data":data} plus top-level extras
// (pagination fields).
func success(w http.ResponseWriter, data any, extra obj) {
	body := obj{"result": "success", "data": data}
	for k, v := range extra {
		body[k] = v
	}
	writeJSON(w, http.StatusOK, body)
}

// apiError sends an error envelope; the status is never 2xx.
func apiError(w http.ResponseWriter, status int, code, desc string) {
	apiErrorCtx(w, status, code, desc, nil)
}

func apiErrorCtx(w http.ResponseWriter, status int, code, desc string, ctx obj) {
	e := obj{"code": code, "description": desc}
	if ctx != nil {
		e["context"] = ctx
	}
	writeJSON(w, status, obj{"result": "error", "error": e})
}

// validationError is a validation_failed envelope naming the bad attribute.
func validationError(w http.ResponseWriter, status int, attr, desc string) {
	e := obj{
		"code":        "validation_failed",
		"description": "Validation failed",
		"errors": []obj{{
			"code":        "validation_rule",
			"description": desc,
			"context":     obj{"attribute": attr},
		}},
	}
	writeJSON(w, status, obj{"result": "error", "error": e})
}

// oauthError is an RFC 6749 error body.
func oauthError(w http.ResponseWriter, status int, code, desc string, extra obj) {
	body := obj{"error": code, "error_description": desc}
	for k, v := range extra {
		body[k] = v
	}
	w.Header().Set("Cache-Control", "no-store")
	writeJSON(w, status, body)
}

// baseURL is the scheme and host the client used to reach us; every host
// of the real service is served here, so redirects stay on this server.
func baseURL(r *http.Request) string {
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	return scheme + "://" + r.Host
}

// shapedWriter paces bodies through the shared bandwidth limiter.
type shapedWriter struct {
	http.ResponseWriter
	s   *Server
	ctx context.Context
}

func (w *shapedWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

func (w *shapedWriter) Write(p []byte) (int, error) {
	done := 0
	for len(p) > 0 {
		n := len(p)
		if l := w.s.bandwidth.Load(); l != nil {
			n = min(n, l.Burst())
			if err := l.WaitN(w.ctx, n); err != nil {
				return done, err
			}
		}
		m, err := w.ResponseWriter.Write(p[:n])
		done += m
		if err != nil {
			return done, err
		}
		p = p[n:]
	}
	return done, nil
}

// sleep waits d unless ctx ends first; it reports whether to go on.
func sleep(ctx context.Context, d time.Duration) bool {
	if d <= 0 {
		return true
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	}
}
