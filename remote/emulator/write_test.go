package emulator

import (
	"bytes"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/zeebo/xxh3"
)

// post sends a write and decodes the envelope, checking the status.
func post(t *testing.T, s *Server, tok, method, path, ctype string, body []byte, wantStatus int) envelope {
	t.Helper()
	var hdr []string
	if ctype != "" {
		hdr = []string{"Content-Type", ctype}
	}
	resp, b := call(t, method, s.URL()+path, tok, bytes.NewReader(body), hdr...)
	return decodeEnv(t, resp, b, wantStatus)
}

// feed is the drive's change actions since cur as "action path[>dest]".
func feed(t *testing.T, s *Server, tok string, cur *string) string {
	t.Helper()
	c := continueV2(t, s, tok, *cur, 1000)
	*cur = c.Cursor
	var out []string
	for _, a := range c.Actions {
		x := fmt.Sprint(a["action"], " ", a["path"])
		if dst, ok := a["destination"].(string); ok {
			x += ">" + dst
		}
		out = append(out, x)
	}
	return strings.Join(out, "; ")
}

func TestCreateDir(t *testing.T) {
	s := start(t, Options{})
	tok := s.IssueToken()
	priv := findNode(t, s.Data(), 100001, "/Private")
	cur := fullCursor(t, s, tok)
	base := fmt.Sprintf("/3/drive/100001/files/%d/directory", priv.ID)
	// Name in the query (rclone) and in a JSON body (the apps).
	e := post(t, s, tok, http.MethodPost, base+"?name="+url.QueryEscape("new dir"), "", nil, 200)
	f := decode[map[string]any](t, e.Data)
	if f["type"] != "dir" || f["name"] != "new dir" || f["parent_id"] != float64(priv.ID) || f["id"] == nil {
		t.Fatalf("created %v", f)
	}
	post(t, s, tok, http.MethodPost, base, "application/json", []byte(`{"name":"other"}`), 200)
	if got := feed(t, s, tok, &cur); got != "file_create /Private/new dir; file_create /Private/other" {
		t.Fatalf("feed %q", got)
	}
	wantCode(t, post(t, s, tok, http.MethodPost, base, "application/json", []byte(`{"name":"other"}`), 409), "destination_already_exists")
	for _, bad := range []string{"", "a/b", "..", strings.Repeat("x", 256)} {
		wantCode(t, post(t, s, tok, http.MethodPost, base+"?name="+url.QueryEscape(bad), "", nil, 422), "validation_failed")
	}
	wantCode(t, post(t, s, tok, http.MethodPost, "/3/drive/100001/files/1/directory?name=x", "", nil, 403), "forbidden_error")
	file := firstFile(t, s.Data(), 100001, 0)
	wantCode(t, post(t, s, tok, http.MethodPost, fmt.Sprintf("/3/drive/100001/files/%d/directory?name=x", file.ID), "", nil, 400), "destination_not_a_directory")
	wantCode(t, post(t, s, tok, http.MethodPost, "/3/drive/100001/files/999999/directory?name=x", "", nil, 404), "object_not_found")
	if s.Count(EpMkdir) != 10 {
		t.Fatalf("writes counted %d", s.Count(EpMkdir))
	}
}

func TestUpload(t *testing.T) {
	s := start(t, Options{})
	tok := s.IssueToken()
	d := s.Data()
	priv := findNode(t, d, 100001, "/Private")
	cur := fullCursor(t, s, tok)
	body := []byte("hello world")
	q := func(kv ...string) string {
		v := url.Values{"directory_id": {fmt.Sprint(priv.ID)}, "total_size": {fmt.Sprint(len(body))}}
		for i := 0; i+1 < len(kv); i += 2 {
			if kv[i+1] == "" {
				v.Del(kv[i])
			} else {
				v.Set(kv[i], kv[i+1])
			}
		}
		return "/3/drive/100001/upload?" + v.Encode()
	}
	e := post(t, s, tok, http.MethodPost, q("file_name", "h.txt", "last_modified_at", "1700000000", "with", "hash",
		"total_chunk_hash", "xxh3:d447b1ea40e6988b"), "text/plain", body, 200)
	f := decode[map[string]any](t, e.Data)
	if f["name"] != "h.txt" || f["size"] != float64(len(body)) || f["last_modified_at"] != 1700000000.0 || f["hash"] != "xxh3:d447b1ea40e6988b" {
		t.Fatalf("uploaded %v", f)
	}
	n := findNode(t, d, 100001, "/Private/h.txt")
	if string(contentOf(t, d, n)) != "hello world" {
		t.Fatal("stored bytes differ")
	}
	// conflict: error (default), rename, version; file_id overwrites.
	wantCode(t, post(t, s, tok, http.MethodPost, q("file_name", "h.txt"), "", body, 409), "file_already_exists_error")
	f = decode[map[string]any](t, post(t, s, tok, http.MethodPost, q("file_name", "h.txt", "conflict", "rename"), "", body, 200).Data)
	if f["name"] != "h(1).txt" {
		t.Fatalf("renamed to %v", f["name"])
	}
	v2 := []byte("HELLO WORLD")
	f = decode[map[string]any](t, post(t, s, tok, http.MethodPost, q("file_name", "h.txt", "conflict", "version"), "", v2, 200).Data)
	if f["id"] != float64(n.ID) || string(contentOf(t, d, n)) != "HELLO WORLD" {
		t.Fatalf("version kept id %v (want %d)", f["id"], n.ID)
	}
	f = decode[map[string]any](t, post(t, s, tok, http.MethodPost, q("directory_id", "", "file_id", fmt.Sprint(n.ID)), "", body, 200).Data)
	if f["id"] != float64(n.ID) || string(contentOf(t, d, n)) != "hello world" {
		t.Fatalf("file_id overwrite: %v", f)
	}
	if got := feed(t, s, tok, &cur); got != "file_create /Private/h.txt; file_create /Private/h(1).txt; file_update /Private/h.txt; file_update /Private/h.txt" {
		t.Fatalf("feed %q", got)
	}
	hash := fmt.Sprintf("xxh3:%016x", xxh3.Hash(body))
	if got := decode[map[string]string](t, api(t, s, tok, fmt.Sprintf("/2/drive/100001/files/%d/hash", n.ID), 200).Data)["hash"]; got != hash {
		t.Fatalf("hash after upload %q, want %q", got, hash)
	}
	// Errors.
	wantCode(t, post(t, s, tok, http.MethodPost, q("file_name", "x", "total_chunk_hash", "xxh3:0000000000000000"), "", body, 400), "upload_error")
	wantCode(t, post(t, s, tok, http.MethodPost, q("file_name", "x", "total_size", "3"), "", body, 400), "upload_error")
	wantCode(t, post(t, s, tok, http.MethodPost, q("file_name", "x", "total_size", ""), "", body, 422), "validation_failed")
	wantCode(t, post(t, s, tok, http.MethodPost, q("file_name", "a/b"), "", body, 422), "validation_failed")
	wantCode(t, post(t, s, tok, http.MethodPost, q("file_name", "x", "directory_id", "999999"), "", body, 404), "upload_destination_not_found_error")
	wantCode(t, post(t, s, tok, http.MethodPost, q("file_name", "x", "directory_id", "1"), "", body, 403), "upload_destination_not_writable_error")
	wantCode(t, post(t, s, tok, http.MethodPost, q("file_name", "x", "file_id", fmt.Sprint(n.ID)), "", body, 400), "validation_failed")
	wantCode(t, post(t, s, tok, http.MethodPost, q("file_name", "x", "conflict", "maybe"), "", body, 422), "validation_failed")
	if _, err := d.AddFile(100001, priv.ID, "huge", d.Drives()[0].Size-d.Drives()[0].UsedSize); err != nil {
		t.Fatal(err)
	}
	wantCode(t, post(t, s, tok, http.MethodPost, q("file_name", "over"), "", body, 403), "quota_exceeded_error")
	// Chunked transfer encoding is refused.
	req, _ := http.NewRequest(http.MethodPost, s.URL()+q("file_name", "chunked"), struct{ *strings.Reader }{strings.NewReader("hello world")})
	req.Header.Set("Authorization", "Bearer "+tok)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusLengthRequired {
		t.Fatalf("chunked upload: %d", resp.StatusCode)
	}
}

func TestRenameMoveTrash(t *testing.T) {
	s := start(t, Options{})
	tok := s.IssueToken()
	d := s.Data()
	priv := findNode(t, d, 100001, "/Private")
	common := findNode(t, d, 100001, "/Common documents")
	a, _ := d.AddFile(100001, priv.ID, "a.txt", 3)
	_, _ = d.AddFile(100001, priv.ID, "b.txt", 3)
	_, _ = d.AddFile(100001, common.ID, "a.txt", 3)
	dir, _ := d.AddDir(100001, priv.ID, "folder")
	cur := fullCursor(t, s, tok)
	path := func(f string, id int64, rest string) string {
		return fmt.Sprintf("/%s/drive/100001/files/%d%s", f, id, rest)
	}

	cancel := decode[map[string]any](t, post(t, s, tok, http.MethodPost, path("2", a.ID, "/rename"), "application/json", []byte(`{"name":"c.txt"}`), 200).Data)
	if cancel["cancel_id"] == nil || cancel["valid_until"] == nil {
		t.Fatalf("rename answered %v", cancel)
	}
	wantCode(t, post(t, s, tok, http.MethodPost, path("2", a.ID, "/rename"), "application/json", []byte(`{"name":"b.txt"}`), 409), "conflict_error")
	wantCode(t, post(t, s, tok, http.MethodPost, path("2", priv.ID, "/rename"), "application/json", []byte(`{"name":"x"}`), 403), "forbidden_error")
	wantCode(t, post(t, s, tok, http.MethodPost, path("2", a.ID, "/rename"), "application/json", []byte(`{"name":""}`), 422), "validation_failed")

	post(t, s, tok, http.MethodPost, path("3", a.ID, fmt.Sprintf("/move/%d", dir.ID)), "", nil, 200)
	wantCode(t, post(t, s, tok, http.MethodPost, path("3", a.ID, fmt.Sprintf("/move/%d?name=a.txt", common.ID)), "", nil, 409), "conflict_error")
	post(t, s, tok, http.MethodPost, path("3", a.ID, fmt.Sprintf("/move/%d?name=a.txt&conflict=rename", common.ID)), "", nil, 200)
	if n, _ := d.Item(100001, a.ID); d.Path(100001, n.ID) != "/Common documents/a(1).txt" {
		t.Fatalf("moved to %q", d.Path(100001, n.ID))
	}
	wantCode(t, post(t, s, tok, http.MethodPost, path("3", dir.ID, fmt.Sprintf("/move/%d", dir.ID)), "", nil, 400), "bad_request_error")
	wantCode(t, post(t, s, tok, http.MethodPost, path("3", dir.ID, fmt.Sprintf("/move/%d", a.ID)), "", nil, 400), "destination_not_a_directory")
	wantCode(t, post(t, s, tok, http.MethodPost, path("3", dir.ID, "/move/999999"), "", nil, 404), "object_not_found")

	post(t, s, tok, http.MethodDelete, path("2", dir.ID, ""), "", nil, 200)
	wantCode(t, api(t, s, tok, path("3", dir.ID, ""), 404), "object_not_found")
	wantCode(t, post(t, s, tok, http.MethodDelete, path("2", common.ID, ""), "", nil, 403), "forbidden_error")
	want := "file_rename /Private/c.txt; file_move /Private/c.txt>/Private/folder/c.txt; " +
		"file_rename /Private/folder/a(1).txt; file_move /Private/folder/a(1).txt>/Common documents/a(1).txt; file_trash /Private/folder"
	if got := feed(t, s, tok, &cur); got != want {
		t.Fatalf("feed\n%q\nwant\n%q", got, want)
	}
	if _, ok := d.ChildByName(100001, priv.ID, "folder"); ok {
		t.Fatal("trashed folder still listed")
	}
}

func TestCopyAndLastModified(t *testing.T) {
	s := start(t, Options{})
	tok := s.IssueToken()
	d := s.Data()
	priv := findNode(t, d, 100001, "/Private")
	common := findNode(t, d, 100001, "/Common documents")
	src := firstFile(t, d, 100001, 10)
	want := string(contentOf(t, d, src))
	cur := fullCursor(t, s, tok)
	cp := func(dest int64, q string, status int) envelope {
		return post(t, s, tok, http.MethodPost, fmt.Sprintf("/3/drive/100001/files/%d/copy/%d?%s", src.ID, dest, q), "", nil, status)
	}
	f := decode[map[string]any](t, cp(common.ID, "name=copy.bin", 200).Data)
	c1 := findNode(t, d, 100001, "/Common documents/copy.bin")
	if f["id"] != float64(c1.ID) || string(contentOf(t, d, c1)) != want || c1.MTime != src.MTime {
		t.Fatalf("copy %v: bytes or mtime differ", f)
	}
	wantCode(t, cp(common.ID, "name=copy.bin", 409), "conflict_error")
	if f = decode[map[string]any](t, cp(common.ID, "name=copy.bin&conflict=rename", 200).Data); f["name"] != "copy(1).bin" {
		t.Fatalf("renamed copy %v", f["name"])
	}
	if _, err := d.ModifyFile(100001, c1.ID, 5); err != nil { // the copy changes alone
		t.Fatal(err)
	}
	if string(contentOf(t, d, src)) != want {
		t.Fatal("changing a copy changed its source")
	}
	if f = decode[map[string]any](t, cp(common.ID, "name=copy.bin&conflict=version", 200).Data); f["id"] != float64(c1.ID) {
		t.Fatalf("version copy made %v", f["id"])
	}
	if c1, _ = d.Item(100001, c1.ID); string(contentOf(t, d, c1)) != want {
		t.Fatal("version copy: bytes differ")
	}
	wantCode(t, post(t, s, tok, http.MethodPost, fmt.Sprintf("/3/drive/100001/files/%d/copy/%d", priv.ID, common.ID), "", nil, 400), "bad_request_error")
	wantCode(t, cp(src.ID, "", 400), "destination_not_a_directory")

	lm := func(body string, status int) envelope {
		return post(t, s, tok, http.MethodPost, fmt.Sprintf("/3/drive/100001/files/%d/last-modified", src.ID), "application/json", []byte(body), status)
	}
	hour := time.Now().Add(time.Hour).Unix()
	if f = decode[map[string]any](t, lm(fmt.Sprintf(`{"last_modified_at":%d}`, hour), 200).Data); f["last_modified_at"] != float64(hour) {
		t.Fatalf("last-modified answered %v", f["last_modified_at"])
	}
	lm(`{"last_modified_at":"1600000000"}`, 200) // a JSON string, as some clients send
	post(t, s, tok, http.MethodPost, fmt.Sprintf("/2/drive/100001/files/%d/last-modified", src.ID), "application/json",
		[]byte(`{"last_modified_at":1600000000}`), 200) // v2, as kdrive-fuse sends
	if n, _ := d.Item(100001, src.ID); n.MTime != 1600000000 {
		t.Fatalf("mtime %d", n.MTime)
	}
	wantCode(t, lm(fmt.Sprintf(`{"last_modified_at":%d}`, time.Now().Add(25*time.Hour).Unix()), 422), "validation_failed")
	wantCode(t, lm(`{}`, 422), "validation_failed")
	got := feed(t, s, tok, &cur)
	if strings.Count(got, "file_create") != 2 || strings.Count(got, "file_update") != 5 {
		t.Fatalf("feed %q", got)
	}
	if s.Count(EpCopy) != 6 || s.Count(EpLastModified) != 5 {
		t.Fatalf("counted copy %d last-modified %d", s.Count(EpCopy), s.Count(EpLastModified))
	}
}

// TestWriteKnobs: --quota shrinks every drive, and the fault knobs apply to
// the write routes by their endpoint names.
func TestWriteKnobs(t *testing.T) {
	c := Config{Quota: "1KiB", NotifyAddr: "127.0.0.1:0", Bandwidth: "0", Data: DataConfig{Seed: 7}}
	o, err := c.Options()
	if err != nil {
		t.Fatal(err)
	}
	for _, dr := range o.Data.Drives() {
		if dr.Size != 1024 {
			t.Fatalf("quota %d", dr.Size)
		}
	}
	if _, err := (&Config{Quota: "lots", NotifyAddr: "127.0.0.1:0", Bandwidth: "0"}).Options(); err == nil {
		t.Fatal("a bad --quota was accepted")
	}
	s := start(t, Options{})
	tok := s.IssueToken()
	priv := findNode(t, s.Data(), 100001, "/Private")
	s.AddFault(Fault{Endpoint: EpMkdir, Kind: Fault500, Times: 1})
	u := fmt.Sprintf("/3/drive/100001/files/%d/directory?name=x", priv.ID)
	wantCode(t, post(t, s, tok, http.MethodPost, u, "", nil, 500), "unexpected_error")
	if _, ok := s.Data().ChildByName(100001, priv.ID, "x"); ok {
		t.Fatal("a faulted mkdir created the folder")
	}
	post(t, s, tok, http.MethodPost, u, "", nil, 200)
}
