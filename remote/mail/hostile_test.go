package mail

import (
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/infomaniakfs/infomaniakfs/remote"
)

// hostileMail serves h as the whole Mail API.
func hostileMail(t *testing.T, h http.HandlerFunc) *Client {
	t.Helper()
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	rc := remote.NewClient(remote.ClientOptions{MinBackoff: time.Millisecond, MaxBackoff: 2 * time.Millisecond,
		Timeout: 2 * time.Second, Logger: slog.New(slog.DiscardHandler)})
	return New(rc, srv.URL)
}

// TestHostileMessageListing: UIDs and message objects a broken server may
// send. Garbage is dropped, sizes are hints that never go negative, and
// every UID appears once.
func TestHostileMessageListing(t *testing.T) {
	c := hostileMail(t, func(w http.ResponseWriter, r *http.Request) {
		switch {
		case strings.HasSuffix(r.URL.Path, "/date-ordered-messages-uids"):
			io.WriteString(w, `{"result":"success","data":{"messages_uids":
				["1","2@eJzz","2",3,-4,"0","x","99999999999999999999","4294967296",5.5,"7",null]}}`)
		case strings.HasSuffix(r.URL.Path, "/mobile/messages"):
			io.WriteString(w, `{"result":"success","data":{"messages":[
				{"uid":"1@F","subject":"ok","internal_date":"2026-07-17T10:00:00+0200","size":100,"folder_id":"F"},
				{"uid":"2@F","subject":"negative","internal_date":"garbage","size":-5,"folder_id":"F"},
				{"uid":"3@F","subject":"absurd","internal_date":"2026-07-17T10:00:00+0200","size":4611686018427387904,"folder_id":"F"},
				{"uid":"7@OTHER","subject":"wrong folder","folder_id":"OTHER"},
				{"uid":"bad","subject":"bad uid"},
				{"uid":"1@F","subject":"duplicate","internal_date":"2026-07-17T10:00:00+0200","size":100,"folder_id":"F"}]}}`)
		default:
			http.Error(w, "unexpected "+r.URL.Path, http.StatusNotFound)
		}
	})
	msgs, err := c.Messages(t.Context(), "MB", "F")
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]int{}
	for _, m := range msgs {
		seen[m.UID]++
		if m.SizeHint < 0 {
			t.Errorf("uid %s: negative size hint %d", m.UID, m.SizeHint)
		}
		if m.FolderID != "F" {
			t.Errorf("uid %s: folder %q", m.UID, m.FolderID)
		}
	}
	for _, uid := range []string{"1", "2", "3"} {
		if seen[uid] == 0 {
			t.Errorf("uid %s missing: %v", uid, seen)
		}
	}
	if seen["7"] != 0 {
		t.Error("a message of another folder was kept")
	}
	for uid, n := range seen {
		if n > 1 {
			// Two entries for one message in the file system.
			t.Errorf("uid %s listed %d times", uid, n)
		}
	}
}

// TestHostileFolderTree: a folder tree nested far too deep ends in a
// bounded result or a clean error, quickly.
func TestHostileFolderTree(t *testing.T) {
	for _, depth := range []int{200, 20_000} {
		t.Run(fmt.Sprint(depth), func(t *testing.T) {
			var b strings.Builder
			b.WriteString(`{"result":"success","data":`)
			for i := range depth {
				fmt.Fprintf(&b, `[{"id":"f%d","path":"p%d","name":"n","separator":"/","children":`, i, i)
			}
			b.WriteString("[]")
			for range depth {
				b.WriteString("}]")
			}
			b.WriteString("}")
			body := b.String()
			c := hostileMail(t, func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, body) })
			start := time.Now()
			folders, err := c.Folders(t.Context(), "MB")
			if err != nil && !errors.Is(err, remote.ErrInvalid) {
				t.Fatalf("err = %v, want nil or ErrInvalid", err)
			}
			if len(folders) > 101 {
				t.Errorf("%d folders kept from a tree %d deep", len(folders), depth)
			}
			if took := time.Since(start); took > 5*time.Second {
				t.Errorf("took %s", took)
			}
		})
	}
}

// TestHostileRaw: a message download that never ends, or answers JSON, is
// an error, not a message.
func TestHostileRaw(t *testing.T) {
	tests := []struct {
		name string
		h    http.HandlerFunc
		want error
	}{
		{"envelope error under 200", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			io.WriteString(w, `{"result":"error","error":{"code":"mail__message_not_found"}}`)
		}, remote.ErrNotFound},
		{"body cut before its length", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Length", "5000")
			io.WriteString(w, "From: a@b\r\n\r\nbody")
		}, remote.ErrUnavailable},
		{"endless body", func(w http.ResponseWriter, r *http.Request) {
			chunk := []byte(strings.Repeat("x", 1<<20))
			for {
				if _, err := w.Write(chunk); err != nil {
					return
				}
			}
		}, remote.ErrInvalid},
		{"announced length over the cap", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Length", fmt.Sprint(1<<40))
			w.Write([]byte("From: a@b\r\n\r\n"))
		}, remote.ErrInvalid},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c := hostileMail(t, tc.h)
			// The cap is what ends an endless body; at its real 256 MiB
			// the test would time the machine, not the client.
			c.maxRaw = 8 << 20
			start := time.Now()
			b, err := c.Raw(t.Context(), "MB", "F", "1")
			if !errors.Is(err, tc.want) {
				t.Fatalf("Raw = %d bytes, %v; want %v", len(b), err, tc.want)
			}
			if took := time.Since(start); took > 10*time.Second {
				t.Errorf("took %s", took)
			}
		})
	}
}

// TestHostileFolderIDs: a folder or mailbox ID is the server's word, and
// goes into a URL path. It must stay one path segment: "..", "." or "/"
// must not move the request to another route.
func TestHostileFolderIDs(t *testing.T) {
	for _, id := range []string{"..", ".", "a/../../profile", "%2e%2e", "x?y#z"} {
		t.Run(id, func(t *testing.T) {
			var got string
			c := hostileMail(t, func(w http.ResponseWriter, r *http.Request) {
				got = r.URL.EscapedPath()
				io.WriteString(w, `{"result":"success","data":{"messages_uids":[]}}`)
			})
			if _, err := c.Messages(t.Context(), "MB", id); err != nil {
				t.Fatal(err)
			}
			rest, ok := strings.CutPrefix(got, "/api/mail/MB/folder/")
			seg, tail, _ := strings.Cut(rest, "/")
			if !ok || tail != "mobile/date-ordered-messages-uids" || seg == "" {
				t.Fatalf("folder %q: request went to %q", id, got)
			}
			if seg == "." || seg == ".." {
				// A server (or proxy) normalising the path would send
				// the call to another route.
				t.Errorf("folder %q stays a dot segment: request path %q", id, got)
			}
		})
	}
}
