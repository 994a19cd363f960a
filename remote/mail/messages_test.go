package mail

import (
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/infomaniakfs/infomaniakfs/remote"
)

func fakeMail(t *testing.T, h http.HandlerFunc) *Client {
	t.Helper()
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	rc := remote.NewClient(remote.ClientOptions{MinBackoff: time.Millisecond, MaxBackoff: 2 * time.Millisecond,
		Logger: slog.New(slog.DiscardHandler)})
	return New(rc, srv.URL+"/")
}

func msgJSON(uid, folder string) string {
	return fmt.Sprintf(`{"uid":"%s@%s","subject":"s%s","internal_date":"2026-07-17T10:00:00+0200","size":100,"folder_id":"%s"}`, uid, folder, uid, folder)
}

func TestParseDate(t *testing.T) {
	want := time.Date(2026, 7, 17, 8, 0, 0, 0, time.UTC)
	for _, s := range []string{"2026-07-17T10:00:00+0200", "2026-07-17T10:00:00+02:00", "2026-07-17T08:00:00Z", "2026-07-17T08:00:00.000Z", " 2026-07-17T06:00:00-0200"} {
		if got, ok := parseDate(s); !ok || !got.Equal(want) {
			t.Errorf("%q: %v %v", s, got, ok)
		}
	}
	for _, s := range []string{"", "yesterday", "2026-07-17"} {
		if _, ok := parseDate(s); ok {
			t.Errorf("%q parsed", s)
		}
	}
}

func TestMixedUIDsAndBatches(t *testing.T) {
	const folder = "eJzz9HPyjwAABGYBgQ--"
	var inFlight, peak, batches atomic.Int64
	c := fakeMail(t, func(w http.ResponseWriter, r *http.Request) {
		switch {
		case strings.HasSuffix(r.URL.Path, "/date-ordered-messages-uids"):
			var b strings.Builder
			b.WriteString(`{"result":"success","data":{"signature":"s","messages_uids":[`)
			for i := 1000; i >= 1; i-- {
				if i%2 == 0 {
					fmt.Fprintf(&b, "%d", i)
				} else {
					fmt.Fprintf(&b, `"%d"`, i)
				}
				if i > 1 {
					b.WriteString(",")
				}
			}
			b.WriteString(`,"0","x7",5]}}`) // junk and a duplicate
			_, _ = w.Write([]byte(b.String()))
		case strings.HasSuffix(r.URL.Path, "/mobile/messages"):
			batches.Add(1)
			n := inFlight.Add(1)
			defer inFlight.Add(-1)
			for p := peak.Load(); n > p && !peak.CompareAndSwap(p, n); p = peak.Load() {
			}
			time.Sleep(20 * time.Millisecond)
			uids := strings.Split(r.URL.Query().Get("uids"), ",")
			if len(uids) > 200 {
				http.Error(w, "too many", 400)
				return
			}
			var parts []string
			for _, u := range uids {
				if u != "13" { // expunged meanwhile: left out
					parts = append(parts, msgJSON(u, folder))
				}
			}
			_, _ = w.Write([]byte(`{"result":"success","data":{"messages":[` + strings.Join(parts, ",") + `]}}`))
		default:
			http.NotFound(w, r)
		}
	})
	msgs, err := c.Messages(t.Context(), "mb", folder)
	if err != nil {
		t.Fatal(err)
	}
	if len(msgs) != 999 || batches.Load() != 5 {
		t.Fatalf("%d messages in %d batches, want 999 in 5", len(msgs), batches.Load())
	}
	if p := peak.Load(); p < 2 || p > batchParallel {
		t.Fatalf("peak concurrency %d, want 2..%d", p, batchParallel)
	}
	if msgs[0].UID != "1000" || msgs[998].UID != "1" || msgs[0].Subject != "s1000" || msgs[0].SizeHint != 100 ||
		!msgs[0].Date.Equal(time.Date(2026, 7, 17, 8, 0, 0, 0, time.UTC)) || msgs[0].FolderID != folder {
		t.Fatalf("first %+v last %+v", msgs[0], msgs[998])
	}
}

func TestTruncatedUIDListFallsBackToOffsets(t *testing.T) {
	const total = uidListCap + 450
	const folder = "F"
	var threadCalls atomic.Int64
	c := fakeMail(t, func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		switch {
		case strings.HasSuffix(r.URL.Path, "/date-ordered-messages-uids"):
			uids := make([]string, 0, uidListCap)
			for i := total; i > total-uidListCap; i-- {
				uids = append(uids, `"`+strconv.Itoa(i)+`"`)
			}
			_, _ = w.Write([]byte(`{"result":"success","data":{"messages_uids":[` + strings.Join(uids, ",") + `]}}`))
		case strings.HasSuffix(r.URL.Path, "/mobile/messages"):
			var parts []string
			for _, u := range strings.Split(q.Get("uids"), ",") {
				parts = append(parts, msgJSON(u, folder))
			}
			_, _ = w.Write([]byte(`{"result":"success","data":{"messages":[` + strings.Join(parts, ",") + `]}}`))
		case strings.HasSuffix(r.URL.Path, "/folder/F/message"):
			threadCalls.Add(1)
			off, _ := strconv.Atoi(q.Get("offset"))
			limit, _ := strconv.Atoi(q.Get("limit"))
			if q.Get("thread") != "off" {
				http.Error(w, "thread mode", 400)
				return
			}
			var threads []string
			for i := off; i < min(off+limit, total); i++ {
				threads = append(threads, `{"messages":[`+msgJSON(strconv.Itoa(total-i), folder)+`]}`)
			}
			next := "null"
			if off+limit < total {
				next = fmt.Sprintf(`"/api/mail/mb/folder/F/message?offset=%d&limit=%d&thread=off"`, off+limit, limit)
			}
			fmt.Fprintf(w, `{"result":"success","data":{"threads":[%s],"resource_next":%s}}`, strings.Join(threads, ","), next)
		default:
			http.NotFound(w, r)
		}
	})
	msgs, err := c.Messages(t.Context(), "mb", folder)
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for _, m := range msgs {
		if seen[m.UID] {
			t.Fatalf("duplicate uid %s", m.UID)
		}
		seen[m.UID] = true
	}
	if len(msgs) != total || !seen["1"] || !seen[strconv.Itoa(total)] || threadCalls.Load() != 4 {
		t.Fatalf("%d messages (want %d), %d offset calls", len(msgs), total, threadCalls.Load())
	}
}

func TestResourceNextStaysOnMailHost(t *testing.T) {
	c := fakeMail(t, func(w http.ResponseWriter, r *http.Request) {
		_, _ = w.Write([]byte(`{"result":"success","data":{"threads":[{"messages":[` + msgJSON("1", "F") +
			`]}],"resource_next":"https://evil.example/api/steal"}}`))
	})
	if _, err := c.pageFrom(t.Context(), "mb", "F", 0); !errors.Is(err, remote.ErrInvalid) {
		t.Fatalf("foreign resource_next followed: %v", err)
	}
}

func TestFoldersFlattened(t *testing.T) {
	c := fakeMail(t, func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/api/mail/mb%2Fx/folder" && r.URL.RawPath != "/api/mail/mb%2Fx/folder" {
			http.Error(w, "path "+r.URL.Path, 400)
			return
		}
		_, _ = w.Write([]byte(`{"result":"success","data":[
			{"id":"I","path":"INBOX","name":"INBOX","role":"INBOX","separator":"/","total_count":3,"children":[
				{"id":"I1","path":"INBOX/Factures","name":"Factures","role":null,"separator":"/","children":[
					{"id":"I2","path":"INBOX/Factures/2025","name":"","separator":"/","children":[]}]}]},
			{"id":"K","path":".ik","name":".ik","role":null,"separator":"/","children":[
				{"id":"K1","path":".ik/Snoozed","name":"Snoozed","role":"SNOOZED","separator":"/","children":[]}]},
			{"id":"Z","path":"Snoozed","name":"Snoozed","role":"SNOOZED","separator":"/","children":[]},
			{"id":"S","path":"Scheduled","name":"Scheduled","role":"SCHEDULED_DRAFTS","separator":"/","children":[]},
			{"id":"W","path":"Weird","name":"Weird","role":"SOMETHING_NEW","separator":"/"}]}`))
	})
	got, err := c.Folders(t.Context(), "mb/x")
	if err != nil {
		t.Fatal(err)
	}
	want := []remote.Folder{
		{ID: "I", Path: "INBOX", Name: "INBOX", Separator: "/", Role: "INBOX", Total: 3},
		{ID: "I1", Path: "INBOX/Factures", Name: "Factures", Separator: "/", ParentID: "I", Total: -1},
		{ID: "I2", Path: "INBOX/Factures/2025", Name: "2025", Separator: "/", ParentID: "I1", Total: -1},
		{ID: "W", Path: "Weird", Name: "Weird", Separator: "/", Role: "SOMETHING_NEW", Total: -1},
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("got  %+v\nwant %+v", got, want)
	}
}
