package kdrive

import (
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/infomaniakfs/infomaniakfs/remote"
)

func fakeAPI(t *testing.T, h http.HandlerFunc) (*Client, *atomic.Int64) {
	t.Helper()
	var n atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { n.Add(1); h(w, r) }))
	t.Cleanup(srv.Close)
	rc := remote.NewClient(remote.ClientOptions{MinBackoff: time.Millisecond, MaxBackoff: 2 * time.Millisecond,
		Logger: slog.New(slog.DiscardHandler)})
	return New(rc, srv.URL+"/"), &n
}

func TestListCursorGuards(t *testing.T) {
	tests := []struct {
		name     string
		page     func(cursor string) string
		pageCap  int
		wantErr  error
		wantLen  int
		requests int64
	}{
		{"repeated cursor", func(string) string {
			return `{"result":"success","data":[],"cursor":"same","has_more":true}`
		}, 0, remote.ErrInvalid, 0, 2},
		{"missing cursor", func(string) string {
			return `{"result":"success","data":[],"has_more":true}`
		}, 0, remote.ErrInvalid, 0, 1},
		{"endless fresh cursors", func(c string) string {
			return fmt.Sprintf(`{"result":"success","data":[],"cursor":"%sx","has_more":true}`, c)
		}, 50, remote.ErrInvalid, 0, 50},
		{"bad entries skipped", func(c string) string {
			if c == "" {
				return `{"result":"success","data":[{"id":2,"name":"ok","type":"file","size":3},{"id":3,"name":"bad","type":"file","size":-4},{"id":4,"name":"odd","type":"portal"}],"cursor":"c1","has_more":true}`
			}
			return `{"result":"success","data":[{"id":5,"name":"d","type":"dir"},{"id":6,"name":"s","type":"file","size":"x"}],"cursor":"c2","has_more":false}`
		}, 0, nil, 2, 2},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if tc.pageCap > 0 {
				old := maxPages
				maxPages = tc.pageCap
				defer func() { maxPages = old }()
			}
			c, n := fakeAPI(t, func(w http.ResponseWriter, r *http.Request) {
				if !strings.HasPrefix(r.URL.Path, "/3/drive/9/files/1/files") || r.URL.Query().Get("limit") != "1000" {
					http.Error(w, "bad path "+r.URL.String(), 400)
					return
				}
				_, _ = w.Write([]byte(tc.page(r.URL.Query().Get("cursor"))))
			})
			got, err := c.List(t.Context(), 9, 1)
			if !errors.Is(err, tc.wantErr) || (tc.wantErr == nil && err != nil) {
				t.Fatalf("err %v, want %v", err, tc.wantErr)
			}
			if len(got) != tc.wantLen || n.Load() != tc.requests {
				t.Fatalf("%d entries from %d requests, want %d from %d", len(got), n.Load(), tc.wantLen, tc.requests)
			}
		})
	}
}

func TestParseSnapshot(t *testing.T) {
	head := "id,parent_id,name,type,size,created_at,last_modified_at,can_write,is_link\n"
	tests := []struct {
		name    string
		csv     string
		wantLen int
		wantErr error
	}{
		{"ok", head + "2,1,\"Private\",dir,0,10,20,1,0\n3,2,\"a, \"\"b\"\"\n.txt\",file,5,10,20,1,0\n#EOF\n", 2, nil},
		{"truncated", head + "2,1,\"Private\",dir,0,10,20,1,0\n", 0, remote.ErrInvalid},
		{"bad row skipped", head + "x,1,\"P\",dir,0,10,20,1,0\n4,1,\"n\",file,-3,1,1,1,0\n5,1,\"m\",file,3,1,1,1,0\n#EOF\n", 1, nil},
		{"missing column", "id,name\n#EOF\n", 0, remote.ErrInvalid},
		{"empty", "", 0, remote.ErrInvalid},
	}
	c := New(remote.NewClient(remote.ClientOptions{}), "http://x")
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := c.parseSnapshot(9, []byte(tc.csv))
			if !errors.Is(err, tc.wantErr) || (tc.wantErr == nil && err != nil) || len(got) != tc.wantLen {
				t.Fatalf("%d entries, err %v", len(got), err)
			}
			if tc.name == "ok" && (got[1].Name != "a, \"b\"\n.txt" || got[1].Size != 5 || got[1].ParentID != 2 ||
				!got[0].IsDir || got[1].MTime.Unix() != 20 || got[1].DriveID != 9) {
				t.Fatalf("entries %+v", got)
			}
		})
	}
}
