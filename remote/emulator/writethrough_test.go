package emulator

import (
	"fmt"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/infomaniakfs/infomaniakfs/remote/emulator/dataset"
)

// TestWriteThrough: with a data directory, API writes land in it, and a
// watcher following it reports each of them once, not again as disk changes.
func TestWriteThrough(t *testing.T) {
	dir := t.TempDir()
	spec := dataset.Spec{Seed: 3, Drives: 1, Depth: 1, DirsPerDir: 1, FilesPerDir: 2, FileSize: 100, Mailboxes: 1, MessagesPerFolder: 1}
	if err := dataset.Generate(spec).WriteTo(dir); err != nil {
		t.Fatal(err)
	}
	d, err := dataset.Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	s := start(t, Options{Data: d})
	if err := s.Watch(dir, 10*time.Millisecond); err != nil {
		t.Fatal(err)
	}
	tok := s.IssueToken()
	cur := fullCursor(t, s, tok)
	priv := findNode(t, d, 100001, "/Private")
	base := filepath.Join(dir, "kdrive", "Drive 1", "Private")
	read := func(p string) string {
		t.Helper()
		b, err := os.ReadFile(filepath.Join(base, p))
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}

	nd := decode[map[string]any](t, post(t, s, tok, http.MethodPost, fmt.Sprintf("/3/drive/100001/files/%d/directory?name=new", priv.ID), "", nil, 200).Data)
	newDir := int64(nd["id"].(float64))
	up := url.Values{"directory_id": {fmt.Sprint(newDir)}, "file_name": {"up.txt"}, "total_size": {"5"}, "last_modified_at": {"1700000000"}}
	f := decode[map[string]any](t, post(t, s, tok, http.MethodPost, "/3/drive/100001/upload?"+up.Encode(), "", []byte("hello"), 200).Data)
	id := int64(f["id"].(float64))
	if st, err := os.Stat(filepath.Join(base, "new", "up.txt")); err != nil || read("new/up.txt") != "hello" || st.ModTime().Unix() != 1700000000 {
		t.Fatalf("uploaded file on disk: %v %v", st, err)
	}
	post(t, s, tok, http.MethodPost, fmt.Sprintf("/2/drive/100001/files/%d/rename", id), "application/json", []byte(`{"name":"renamed.txt"}`), 200)
	post(t, s, tok, http.MethodPost, fmt.Sprintf("/3/drive/100001/files/%d/move/%d", id, priv.ID), "", nil, 200)
	if read("renamed.txt") != "hello" {
		t.Fatal("moved file on disk")
	}
	post(t, s, tok, http.MethodPost, fmt.Sprintf("/3/drive/100001/files/%d/last-modified", id), "application/json", []byte(`{"last_modified_at":1600000000}`), 200)
	post(t, s, tok, http.MethodDelete, fmt.Sprintf("/2/drive/100001/files/%d", newDir), "", nil, 200)
	if _, err := os.Stat(filepath.Join(base, "new")); !os.IsNotExist(err) {
		t.Fatalf("trashed folder still on disk: %v", err)
	}
	if _, err := os.Stat(filepath.Join(dir, dataset.TrashDir, "Drive 1", fmt.Sprint(newDir), "new")); err != nil {
		t.Fatalf("trashed folder not in the trash: %v", err)
	}
	post(t, s, tok, http.MethodPost, fmt.Sprintf("/2/drive/100001/trash/%d/restore", newDir), "", nil, 200)
	if _, err := os.Stat(filepath.Join(base, "new")); err != nil {
		t.Fatalf("restored folder: %v", err)
	}
	post(t, s, tok, http.MethodDelete, fmt.Sprintf("/2/drive/100001/files/%d", id), "", nil, 200)
	post(t, s, tok, http.MethodDelete, "/2/drive/100001/trash", "", nil, 200)
	if ents, _ := os.ReadDir(filepath.Join(dir, dataset.TrashDir, "Drive 1")); len(ents) != 0 {
		out, _ := exec.Command("find", filepath.Join(dir, dataset.TrashDir)).CombinedOutput()
		t.Fatalf("trash on disk after emptying: %v\n%s", ents, out)
	}
	// Let the watcher scan what the API wrote, several times over.
	time.Sleep(200 * time.Millisecond)
	want := "file_create /Private/new; file_create /Private/new/up.txt; file_rename /Private/new/renamed.txt; " +
		"file_move /Private/new/renamed.txt>/Private/renamed.txt; file_update /Private/renamed.txt; file_trash /Private/new; " +
		"file_restore /Private/new; file_trash /Private/renamed.txt; file_delete /Private/renamed.txt"
	if got := feed(t, s, tok, &cur); got != want {
		t.Fatalf("feed\n%q\nwant\n%q", got, want)
	}
	// And a change made on disk still shows, once.
	writeWhole(t, dir, filepath.Join(base, "new", "disk.txt"), "x")
	if got := waitActions(t, s, tok, &cur, 1); got != "file_create /Private/new/disk.txt" {
		t.Fatalf("disk change: %q", got)
	}
	time.Sleep(100 * time.Millisecond)
	if got := feed(t, s, tok, &cur); got != "" || strings.Contains(got, "disk.txt") {
		t.Fatalf("reported again: %q", got)
	}
}
