package emulator

import (
	"encoding/csv"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/infomaniakfs/infomaniakfs/remote/emulator/dataset"
)

func TestListingFullCSV(t *testing.T) {
	s := start(t, Options{})
	tok := s.IssueToken()
	d := s.Data()
	priv := findNode(t, d, 100001, "/Private")
	hostile, err := d.AddFile(100001, priv.ID, "a \"quoted\", comma\nnewline.txt", 3)
	if err != nil {
		t.Fatal(err)
	}
	resp, body := call(t, http.MethodPost, s.URL()+"/2/drive/100001/files/listing/full?directory_id=1&recursive=true&format=safe_csv", tok, nil)
	if resp.StatusCode != 200 || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/csv") || resp.Header.Get("X-kDrive-Cursor") == "" {
		t.Fatalf("listing/full: %d %v", resp.StatusCode, resp.Header)
	}
	text := string(body)
	if !strings.HasSuffix(text, "\n#EOF\n") {
		t.Fatalf("no #EOF line: %q", text[max(0, len(text)-40):])
	}
	recs, err := csv.NewReader(strings.NewReader(strings.TrimSuffix(text, "#EOF\n"))).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(recs[0], ",") != "id,parent_id,name,type,size,created_at,last_modified_at,can_write,is_link" {
		t.Fatalf("header %v", recs[0])
	}
	want := map[string][]string{}
	d.Walk(100001, func(n dataset.Node) bool {
		if n.ID != 1 {
			size := n.Size
			if n.IsDir {
				size = 0
			}
			want[fmt.Sprint(n.ID)] = []string{fmt.Sprint(n.ID), fmt.Sprint(n.ParentID), n.Name, typeName(n),
				fmt.Sprint(size), fmt.Sprint(n.CreatedAt), fmt.Sprint(n.MTime), "1", "0"}
		}
		return true
	})
	if len(recs)-1 != len(want) {
		t.Fatalf("%d rows, want %d", len(recs)-1, len(want))
	}
	for _, r := range recs[1:] {
		if strings.Join(r, "|") != strings.Join(want[r[0]], "|") {
			t.Fatalf("row %q, want %q", r, want[r[0]])
		}
	}
	if !strings.Contains(text, fmt.Sprintf("%d,%d,\"a \"\"quoted\"\", comma\nnewline.txt\",file,3,", hostile.ID, priv.ID)) {
		t.Fatalf("hostile name not CSV-quoted")
	}
	if s.Count(EpListingFull) != 1 {
		t.Fatalf("counted %d", s.Count(EpListingFull))
	}
}

// fullCursor takes a drive-wide change cursor from listing/full.
func fullCursor(t *testing.T, s *Server, tok string) string {
	t.Helper()
	resp, _ := call(t, http.MethodPost, s.URL()+"/2/drive/100001/files/listing/full?directory_id=1&recursive=true&format=safe_csv", tok, nil)
	return resp.Header.Get("X-kDrive-Cursor")
}

type v2Changes struct {
	Cursor  string           `json:"cursor"`
	HasMore bool             `json:"has_more"`
	Actions []map[string]any `json:"actions"`
}

func continueV2(t *testing.T, s *Server, tok, cur string, limit int) v2Changes {
	t.Helper()
	resp, body := call(t, http.MethodPost, fmt.Sprintf("%s/2/drive/100001/files/listing/continue?cursor=%s&limit=%d", s.URL(), cur, limit), tok, nil)
	return decode[v2Changes](t, decodeEnv(t, resp, body, 200).Data)
}

func TestListingContinueAndLongpoll(t *testing.T) {
	s := start(t, Options{})
	tok := s.IssueToken()
	d := s.Data()
	cur := fullCursor(t, s, tok)
	poll := func(cur, timeout string) bool {
		e := map[string]any{}
		resp, body := get(t, s, tok, "/2/drive/100001/files/listing/longpoll?cursor="+cur+"&timeout="+timeout)
		if resp.StatusCode != 200 {
			t.Fatalf("longpoll %d %s", resp.StatusCode, body)
		}
		e = decode[map[string]any](t, body)
		return e["changes"].(bool)
	}
	if c := continueV2(t, s, tok, cur, 1000); len(c.Actions) != 0 || c.HasMore {
		t.Fatalf("changes before any change: %+v", c)
	}
	t0 := time.Now()
	if poll(cur, "1") || time.Since(t0) < 900*time.Millisecond {
		t.Fatalf("longpoll without change returned true or early (%v)", time.Since(t0))
	}
	// A change during the long poll wakes it.
	priv := findNode(t, d, 100001, "/Private")
	common := findNode(t, d, 100001, "/Common documents")
	go func() {
		time.Sleep(100 * time.Millisecond)
		_, _ = d.AddFile(100001, priv.ID, "new.txt", 10)
	}()
	t0 = time.Now()
	if !poll(cur, "50s") || time.Since(t0) > 5*time.Second {
		t.Fatalf("longpoll missed the change (%v)", time.Since(t0))
	}
	if !poll(cur, "50s") {
		t.Fatal("longpoll on a stale cursor must answer at once")
	}
	added := findNode(t, d, 100001, "/Private/new.txt")
	if err := d.Move(100001, added.ID, common.ID); err != nil {
		t.Fatal(err)
	}
	if err := d.Rename(100001, added.ID, "renamed.txt"); err != nil {
		t.Fatal(err)
	}
	if _, err := d.ModifyFile(100001, added.ID, 20); err != nil {
		t.Fatal(err)
	}
	if err := d.Delete(100001, added.ID); err != nil {
		t.Fatal(err)
	}
	// Paged by 2: create, move, rename, update, delete (move_out is folded into move).
	var got []string
	c := v2Changes{Cursor: cur, HasMore: true}
	for c.HasMore {
		c = continueV2(t, s, tok, c.Cursor, 2)
		for _, a := range c.Actions {
			if a["file_id"] != float64(added.ID) {
				t.Fatalf("action on %v", a["file_id"])
			}
			got = append(got, a["action"].(string))
			if a["action"] == "file_move" && (a["path"] != "/Private/new.txt" || a["destination"] != "/Common documents/new.txt") {
				t.Fatalf("move paths %v -> %v", a["path"], a["destination"])
			}
		}
	}
	if strings.Join(got, ",") != "file_create,file_move,file_rename,file_update,file_delete" {
		t.Fatalf("actions %v", got)
	}
	if next := continueV2(t, s, tok, c.Cursor, 1000); len(next.Actions) != 0 {
		t.Fatalf("final cursor repeats %v", next.Actions)
	}
	wantCode(t, api(t, s, tok, "/2/drive/100001/files/listing/longpoll?cursor=nope", 400), "invalid_cursor_error")
}

type listingData struct {
	Files        []map[string]any `json:"files"`
	Actions      []map[string]any `json:"actions"`
	ActionsFiles []map[string]any `json:"actions_files"`
}

func TestListingV3(t *testing.T) {
	s := start(t, Options{})
	tok := s.IssueToken()
	d := s.Data()
	priv := findNode(t, d, 100001, "/Private")
	kids, _ := d.Children(100001, priv.ID)
	base := fmt.Sprintf("/3/drive/100001/files/%d/listing", priv.ID)
	e := api(t, s, tok, base+"?limit=5&with=files.path", 200)
	n := len(decode[listingData](t, e.Data).Files)
	for e.HasMore {
		e = api(t, s, tok, base+"/continue?limit=5&cursor="+e.Cursor, 200)
		n += len(decode[listingData](t, e.Data).Files)
	}
	if n != len(kids) {
		t.Fatalf("listing paged %d files, want %d", n, len(kids))
	}
	other := findNode(t, d, 100001, "/Common documents")
	created, _ := d.AddFile(100001, priv.ID, "fresh.txt", 5)
	_, _ = d.AddFile(100001, other.ID, "elsewhere.txt", 5) // not this directory's business
	if err := d.Move(100001, kids[0].ID, other.ID); err != nil {
		t.Fatal(err)
	}
	e = api(t, s, tok, base+"/continue?limit=5&cursor="+e.Cursor, 200)
	ld := decode[listingData](t, e.Data)
	var acts []string
	for _, a := range ld.Actions {
		acts = append(acts, fmt.Sprintf("%s:%v", a["action"], a["file_id"]))
	}
	if want := fmt.Sprintf("file_create:%d,file_move_out:%d", created.ID, kids[0].ID); strings.Join(acts, ",") != want {
		t.Fatalf("actions %v, want %s", acts, want)
	}
	if len(ld.ActionsFiles) != 1 || ld.ActionsFiles[0]["name"] != "fresh.txt" || e.HasMore {
		t.Fatalf("actions_files %v has_more %v", ld.ActionsFiles, e.HasMore)
	}
	if s.Count(EpListing) < 3 {
		t.Fatalf("listing counted %d", s.Count(EpListing))
	}
	wantCode(t, api(t, s, tok, base+"/continue?cursor="+fullCursor(t, s, tok), 400), "invalid_cursor_error")
}

// TestExpireCursors: after ExpireCursors every change cursor and mail
// signature handed out before is refused with the reference's error, and
// fresh ones work.
func TestExpireCursors(t *testing.T) {
	s := start(t, Options{})
	tok := s.IssueToken()
	d := s.Data()
	priv := findNode(t, d, 100001, "/Private")
	cur := fullCursor(t, s, tok)
	listing := fmt.Sprintf("/3/drive/100001/files/%d/listing", priv.ID)
	e := api(t, s, tok, listing+"?limit=1000", 200)
	if e.HasMore {
		t.Fatal("want one page")
	}
	mb := d.Mailboxes()[0]
	mailBase := "/api/mail/" + mb.UUID + "/folder/" + dataset.FolderID("INBOX") + "/mobile/"
	sig := decode[uidList](t, api(t, s, tok, mailBase+"date-ordered-messages-uids?messages=10000", 200).Data).Signature
	if resp, body := get(t, s, tok, "/2/drive/100001/files/listing/longpoll?timeout=0&cursor="+cur); resp.StatusCode != 200 {
		t.Fatalf("long poll before expiry: %d %s", resp.StatusCode, body)
	}

	s.ExpireCursors()
	resp, body := call(t, http.MethodPost, s.URL()+"/2/drive/100001/files/listing/continue?cursor="+cur, tok, nil)
	wantCode(t, decodeEnv(t, resp, body, 400), "invalid_cursor_error")
	wantCode(t, api(t, s, tok, "/2/drive/100001/files/listing/longpoll?timeout=0&cursor="+cur, 400), "invalid_cursor_error")
	wantCode(t, api(t, s, tok, listing+"/continue?cursor="+e.Cursor, 400), "invalid_cursor_error")
	wantCode(t, api(t, s, tok, mailBase+"activities?signature="+sig, 400), "validation_failed")

	fresh := fullCursor(t, s, tok)
	if c := continueV2(t, s, tok, fresh, 1000); len(c.Actions) != 0 {
		t.Fatalf("fresh cursor: %+v", c)
	}
	e = api(t, s, tok, listing+"?limit=1000", 200)
	api(t, s, tok, listing+"/continue?cursor="+e.Cursor, 200)
}
