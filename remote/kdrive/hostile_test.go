package kdrive

import (
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/infomaniakfs/infomaniakfs/remote"
)

// hostileAPI serves h as the whole kDrive API; the client retries fast and
// caps JSON bodies at capBytes (0: the default cap).
func hostileAPI(t *testing.T, capBytes int64, h http.HandlerFunc) (*Client, *atomic.Int64) {
	t.Helper()
	var n atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { n.Add(1); h(w, r) }))
	t.Cleanup(srv.Close)
	rc := remote.NewClient(remote.ClientOptions{MinBackoff: time.Millisecond, MaxBackoff: 2 * time.Millisecond,
		Timeout: 2 * time.Second, MaxJSONBytes: capBytes, Logger: slog.New(slog.DiscardHandler)})
	return New(rc, srv.URL), &n
}

// endless is a body that never ends: '[' then spaces for ever.
type endless struct{ started bool }

func (e *endless) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = ' '
	}
	if !e.started && len(p) > 0 {
		e.started, p[0] = true, '['
	}
	return len(p), nil
}

// TestHostileListingBodies: what a broken or hostile server can answer to
// a listing. Every case ends in a clean, classified error (or a clean
// partial result) within bounded time and memory.
func TestHostileListingBodies(t *testing.T) {
	const capBytes = 1 << 20
	nested := strings.Repeat("[", 100_000) + strings.Repeat("]", 100_000)
	tests := []struct {
		name     string
		h        http.HandlerFunc
		want     error // nil: success
		wantLen  int
		maxCalls int64
	}{
		{"malformed JSON", func(w http.ResponseWriter, r *http.Request) {
			io.WriteString(w, `{"result":"success","data":[{"id":2,,}]`)
		}, remote.ErrInvalid, 0, 1},
		{"truncated JSON", func(w http.ResponseWriter, r *http.Request) {
			io.WriteString(w, `{"result":"success","data":[{"id":2,"name":"a","ty`)
		}, remote.ErrInvalid, 0, 1},
		{"body cut before its length", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Length", "1000")
			io.WriteString(w, `{"result":"success","data":[`)
		}, remote.ErrUnavailable, 0, 6},
		{"endless body", func(w http.ResponseWriter, r *http.Request) {
			io.Copy(w, io.LimitReader(&endless{}, 50<<20))
		}, remote.ErrInvalid, 0, 1},
		{"JSON nested 100,000 deep", func(w http.ResponseWriter, r *http.Request) {
			io.WriteString(w, `{"result":"success","data":`+nested+`}`)
		}, remote.ErrInvalid, 0, 1},
		{"data is an object", func(w http.ResponseWriter, r *http.Request) {
			io.WriteString(w, `{"result":"success","data":{"id":2}}`)
		}, remote.ErrInvalid, 0, 1},
		{"data is null", func(w http.ResponseWriter, r *http.Request) {
			io.WriteString(w, `{"result":"success","data":null}`)
		}, nil, 0, 1},
		{"no result field", func(w http.ResponseWriter, r *http.Request) {
			io.WriteString(w, `{"data":[]}`)
		}, remote.ErrInvalid, 0, 1},
		{"error envelope under 200", func(w http.ResponseWriter, r *http.Request) {
			io.WriteString(w, `{"result":"error","error":{"code":"object_not_found"}}`)
		}, remote.ErrNotFound, 0, 1},
		{"HTML error page", func(w http.ResponseWriter, r *http.Request) {
			w.WriteHeader(http.StatusBadGateway)
			io.WriteString(w, "<html><body>502 Bad Gateway</body></html>")
		}, remote.ErrUnavailable, 0, 6},
		{"absurd and wrong-typed items skipped", func(w http.ResponseWriter, r *http.Request) {
			io.WriteString(w, `{"result":"success","has_more":false,"data":[
				{"id":2,"name":"ok","type":"file","size":3},
				{"id":3,"name":"negative","type":"file","size":-1},
				{"id":4,"name":"huge","type":"file","size":9223372036854775807},
				{"id":5,"name":"float","type":"file","size":1.5},
				{"id":6,"name":"string size","type":"file","size":"12"},
				{"id":7,"name":"no size","type":"file"},
				{"id":-8,"name":"negative id","type":"dir"},
				{"id":9,"type":"dir"},
				{"id":"10","name":"string id","type":"dir"},
				{"id":11,"name":"link","type":"symlink"},
				{"id":12,"name":"d","type":"dir","last_modified_at":-99999999999}]}`)
		}, nil, 3, 1}, // ok, the nameless 9 (the file system names it) and d
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c, calls := hostileAPI(t, capBytes, tc.h)
			var before runtime.MemStats
			runtime.ReadMemStats(&before)
			start := time.Now()
			got, err := c.List(t.Context(), 9, 1)
			took := time.Since(start)
			var after runtime.MemStats
			runtime.ReadMemStats(&after)
			if tc.want == nil && err != nil || tc.want != nil && !errors.Is(err, tc.want) {
				t.Fatalf("err = %v, want %v", err, tc.want)
			}
			if len(got) != tc.wantLen {
				t.Errorf("%d entries, want %d", len(got), tc.wantLen)
			}
			if n := calls.Load(); n > tc.maxCalls {
				t.Errorf("%d requests, want at most %d", n, tc.maxCalls)
			}
			if took > 5*time.Second {
				t.Errorf("took %s", took)
			}
			if alloc := after.TotalAlloc - before.TotalAlloc; alloc > 64*capBytes {
				t.Errorf("allocated %d MiB for a body capped at %d MiB", alloc>>20, capBytes>>20)
			}
		})
	}
}

// TestHostileStat: an item with an impossible size or type is an error,
// never an entry the file system would trust.
func TestHostileStat(t *testing.T) {
	for _, item := range []string{
		`{"id":5,"name":"f","type":"file","size":-1}`,
		`{"id":5,"name":"f","type":"file","size":1e300}`,
		`{"id":5,"name":"f","type":"file","size":4611686018427387904}`,
		`{"id":0,"name":"f","type":"file","size":1}`,
		`{"id":5,"name":"f","type":"portal"}`,
		`"just a string"`,
	} {
		t.Run(item, func(t *testing.T) {
			c, _ := hostileAPI(t, 0, func(w http.ResponseWriter, r *http.Request) {
				fmt.Fprintf(w, `{"result":"success","data":%s}`, item)
			})
			if e, err := c.Stat(t.Context(), 9, 5); !errors.Is(err, remote.ErrInvalid) {
				t.Fatalf("Stat = %+v, %v; want ErrInvalid", e, err)
			}
		})
	}
}

// TestHostileHugeName: an 8 MB name in an otherwise valid listing (under
// the default cap) decodes in bounded time; the file system's SafeName
// cuts it (fs.FuzzSafeName).
func TestHostileHugeName(t *testing.T) {
	name := strings.Repeat("n", 8<<20)
	c, _ := hostileAPI(t, 0, func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, `{"result":"success","has_more":false,"data":[{"id":2,"name":"%s","type":"file","size":1}]}`, name)
	})
	start := time.Now()
	got, err := c.List(t.Context(), 9, 1)
	if err != nil || len(got) != 1 || len(got[0].Name) != len(name) {
		t.Fatalf("List: %d entries, %v", len(got), err)
	}
	if took := time.Since(start); took > 10*time.Second {
		t.Errorf("an 8 MB listing took %s", took)
	}
}

// TestHostileTreeLoops: we never walk parent chains (the tree is built
// downwards from listings, and parent_id is only carried along), so a
// parent chain that loops cannot make us loop. What can reach us is a
// listing that names the directory itself, or repeats an item: the client
// hands those over as the API sent them, and the file system must cope
// (see e2e TestHostileTreeLoop).
func TestHostileTreeLoops(t *testing.T) {
	c, _ := hostileAPI(t, 0, func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, `{"result":"success","has_more":false,"data":[
			{"id":7,"parent_id":7,"name":"me","type":"dir"},
			{"id":8,"parent_id":9,"name":"a","type":"dir"},
			{"id":9,"parent_id":8,"name":"b","type":"dir"},
			{"id":8,"parent_id":9,"name":"a again","type":"dir"}]}`)
	})
	done := make(chan struct{})
	go func() {
		defer close(done)
		if _, err := c.List(t.Context(), 9, 7); err != nil {
			t.Errorf("List: %v", err)
		}
		if _, err := c.Stat(t.Context(), 9, 8); err != nil && !errors.Is(err, remote.ErrInvalid) {
			t.Errorf("Stat: %v", err)
		}
	}()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("a looping parent chain made the client loop")
	}
}

// TestHostileContent: content answers that do not match the entry end in
// ErrChanged or ErrInvalid, never in other bytes.
func TestHostileContent(t *testing.T) {
	body := strings.Repeat("x", 200)
	tests := []struct {
		name string
		h    http.HandlerFunc
		want error
	}{
		{"longer than listed", func(w http.ResponseWriter, r *http.Request) {
			io.WriteString(w, body) // 200 bytes, no Range honoured
		}, remote.ErrChanged},
		{"Content-Range elsewhere", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Range", "bytes 50-149/100")
			w.WriteHeader(http.StatusPartialContent)
			io.WriteString(w, body[:100])
		}, remote.ErrInvalid},
		{"garbage Content-Range", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Range", "bytes -5-/x")
			w.WriteHeader(http.StatusPartialContent)
			io.WriteString(w, body[:100])
		}, remote.ErrInvalid},
		{"redirect loop", func(w http.ResponseWriter, r *http.Request) {
			http.Redirect(w, r, r.URL.Path, http.StatusFound)
		}, remote.ErrInvalid},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c, _ := hostileAPI(t, 0, tc.h)
			e := remote.Entry{ID: 5, DriveID: 9, Name: "f", Size: 100, MTime: time.Unix(1e9, 0), Version: "v"}
			rc, err := c.Open(t.Context(), e, 0, -1)
			if err == nil {
				var b []byte
				b, err = io.ReadAll(rc)
				rc.Close()
				if err == nil {
					t.Fatalf("read %d bytes, want an error", len(b))
				}
			}
			if !errors.Is(err, tc.want) {
				t.Fatalf("err = %v, want %v", err, tc.want)
			}
		})
	}
}
