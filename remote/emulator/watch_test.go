package emulator

import (
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/infomaniakfs/infomaniakfs/remote/emulator/dataset"
)

// TestWatchDataDir edits a served data directory and sees each change
// through the HTTP routes: the long poll wakes, listing/continue names the
// actions, mail activities the messages.
func TestWatchDataDir(t *testing.T) {
	dir := t.TempDir()
	spec := dataset.Spec{Seed: 3, Drives: 1, Depth: 1, DirsPerDir: 1, FilesPerDir: 2, FileSize: 100, Mailboxes: 1, MessagesPerFolder: 3}
	if err := dataset.Generate(spec).WriteTo(dir); err != nil {
		t.Fatal(err)
	}
	d, err := dataset.Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	s := start(t, Options{Data: d})
	if err := s.Watch(dir, 20*time.Millisecond); err != nil {
		t.Fatal(err)
	}
	tok := s.IssueToken()
	cur := fullCursor(t, s, tok)
	mb := d.Mailboxes()[0]
	inbox := dataset.FolderID("INBOX")
	mailBase := "/api/mail/" + mb.UUID + "/folder/" + inbox + "/mobile/"
	sig := decode[uidList](t, api(t, s, tok, mailBase+"date-ordered-messages-uids?messages=10000", 200).Data).Signature

	base := filepath.Join(dir, "kdrive", "Drive 1", "Private")
	writeWhole(t, dir, filepath.Join(base, "note.txt"), "v1")
	resp, body := get(t, s, tok, "/2/drive/100001/files/listing/longpoll?timeout=10s&cursor="+cur)
	if resp.StatusCode != 200 || !strings.Contains(string(body), `"changes":true`) {
		t.Fatalf("long poll after a new file: %d %s", resp.StatusCode, body)
	}
	c := continueV2(t, s, tok, cur, 1000)
	if len(c.Actions) != 1 || c.Actions[0]["action"] != "file_create" || c.Actions[0]["path"] != "/Private/note.txt" || c.Actions[0]["size"] != 2.0 {
		t.Fatalf("after a new file: %v", c.Actions)
	}
	cur = c.Cursor

	// A mv is one move, then the content follows the file.
	if err := os.Mkdir(filepath.Join(base, "sub"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(filepath.Join(base, "note.txt"), filepath.Join(base, "sub", "note.txt")); err != nil {
		t.Fatal(err)
	}
	want := "file_create /Private/sub; file_move /Private/note.txt>/Private/sub/note.txt"
	got := waitActions(t, s, tok, &cur, 2)
	if got != want {
		t.Fatalf("after mkdir + mv: %q, want %q", got, want)
	}
	note := findNode(t, d, 100001, "/Private/sub/note.txt")
	if string(contentOf(t, d, note)) != "v1" {
		t.Fatal("moved file's bytes")
	}
	if err := os.RemoveAll(filepath.Join(base, "sub")); err != nil {
		t.Fatal(err)
	}
	if got := waitActions(t, s, tok, &cur, 2); got != "file_delete /Private/sub; file_delete /Private/sub/note.txt" {
		t.Fatalf("after rm -r: %q", got)
	}

	// Mail: a new .eml is added.
	raw := "From: a@example.com\r\nSubject: dropped in\r\nMessage-ID: <drop@x>\r\n\r\nhi\r\n"
	writeWhole(t, dir, filepath.Join(dir, "mail", mb.Email, "INBOX", "dropped.eml"), raw)
	deadline := time.Now().Add(10 * time.Second)
	for {
		resp, b := call(t, http.MethodGet, s.URL()+mailBase+"activities?signature="+sig, tok, nil)
		a := decode[activities](t, decodeEnv(t, resp, b, 200).Data)
		if len(a.Added) == 1 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("no mail activity: %+v", a)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// writeWhole writes a file so that a scan never sees it half written: into
// data directory dir (outside kdrive/ and mail/), then renamed into place.
func writeWhole(t *testing.T, dir, p, body string) {
	t.Helper()
	tmp := filepath.Join(dir, "whole.tmp")
	if err := os.WriteFile(tmp, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(tmp, p); err != nil {
		t.Fatal(err)
	}
}

// waitActions polls listing/continue until n actions arrived after *cur,
// returning them as "action path[>destination]" joined by "; ".
func waitActions(t *testing.T, s *Server, tok string, cur *string, n int) string {
	t.Helper()
	var got []string
	deadline := time.Now().Add(10 * time.Second)
	for len(got) < n && time.Now().Before(deadline) {
		c := continueV2(t, s, tok, *cur, 1000)
		*cur = c.Cursor
		for _, a := range c.Actions {
			x := a["action"].(string) + " " + a["path"].(string)
			if dst, ok := a["destination"].(string); ok {
				x += ">" + dst
			}
			got = append(got, x)
		}
		if len(got) < n {
			time.Sleep(20 * time.Millisecond)
		}
	}
	return strings.Join(got, "; ")
}
