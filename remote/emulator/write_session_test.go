package emulator

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
)

func TestUploadSession(t *testing.T) {
	s := start(t, Options{})
	tok := s.IssueToken()
	d := s.Data()
	priv := findNode(t, d, 100001, "/Private")
	cur := fullCursor(t, s, tok)
	type started struct {
		Token     string `json:"token"`
		UploadURL string `json:"upload_url"`
	}
	begin := func(name string, chunks, size int, status int) (envelope, started) {
		// rclone sends directory_id and last_modified_at as JSON strings.
		body := fmt.Sprintf(`{"conflict":"error","directory_id":"%d","file_name":%q,"last_modified_at":"1700000000","total_chunks":%d,"total_size":%d}`,
			priv.ID, name, chunks, size)
		e := post(t, s, tok, http.MethodPost, "/3/drive/100001/upload/session/start", "application/json", []byte(body), status)
		if status != 200 {
			return e, started{}
		}
		st := decode[started](t, e.Data)
		if st.Token == "" || st.UploadURL != s.URL() {
			t.Fatalf("start answered %s", e.Data)
		}
		return e, st
	}
	chunk := func(st started, n int, body, hash string, status int) envelope {
		u := fmt.Sprintf("/3/drive/100001/upload/session/%s/chunk?chunk_number=%d&chunk_size=%d&with=hash", st.Token, n, len(body))
		if hash != "" {
			u += "&chunk_hash=" + hash
		}
		resp, b := call(t, http.MethodPost, st.UploadURL+u, tok, strings.NewReader(body))
		return decodeEnv(t, resp, b, status)
	}
	finish := func(st started, body string, status int) envelope {
		return post(t, s, tok, http.MethodPost, "/3/drive/100001/upload/session/"+st.Token+"/finish?with=hash", "application/json", []byte(body), status)
	}

	// The reference's vectors: three chunks and their nested total hash.
	_, st := begin("abc.txt", 3, 17, 200)
	for i, c := range []struct{ body, hash string }{{"alpha", "be6903b5f625ab5a"}, {"bravo", "ac6cab7d3e498b68"}, {"charlie", "cfcb9dbba6d68599"}} {
		got := decode[map[string]any](t, chunk(st, i+1, c.body, "xxh3:"+c.hash, 200).Data)
		if got["received_bytes"] != float64(len(c.body)) || got["hash"] != "xxh3:"+c.hash {
			t.Fatalf("chunk %d answered %v", i+1, got)
		}
	}
	fin := decode[struct {
		File   map[string]any `json:"file"`
		Result bool           `json:"result"`
	}](t, finish(st, `{"total_chunk_hash":"xxh3:72514ed202bc4675","total_chunks":3}`, 200).Data)
	n := findNode(t, d, 100001, "/Private/abc.txt")
	if !fin.Result || fin.File["id"] != float64(n.ID) || fin.File["last_modified_at"] != 1700000000.0 || string(contentOf(t, d, n)) != "alphabravocharlie" {
		t.Fatalf("finish answered %+v", fin)
	}
	wantCode(t, finish(st, "", 404), "object_not_found") // finished: gone
	if got := feed(t, s, tok, &cur); got != "file_create /Private/abc.txt" {
		t.Fatalf("feed %q", got)
	}

	// Errors: a conflict at start, bad counts, a wrong chunk hash, a missing chunk, a wrong total hash.
	wantCode(t, func() envelope { e, _ := begin("abc.txt", 1, 1, 409); return e }(), "file_already_exists_error")
	wantCode(t, func() envelope { e, _ := begin("zero.txt", 0, 1, 422); return e }(), "validation_failed")
	_, st = begin("two.txt", 2, 10, 200)
	wantCode(t, chunk(st, 1, "hello", "xxh3:0000000000000000", 400), "upload_error")
	wantCode(t, chunk(st, 3, "hello", "", 422), "validation_failed")
	chunk(st, 1, "hello", "", 200)
	wantCode(t, finish(st, "", 400), "upload_not_terminated_error")
	chunk(st, 2, "world", "", 200)
	wantCode(t, chunk(st, 2, "world!", "", 400), "upload_error") // over total_size
	wantCode(t, finish(st, `{"total_chunk_hash":"xxh3:0000000000000000"}`, 400), "upload_error")
	finish(st, "", 200) // an empty body, as rclone sends
	if n := findNode(t, d, 100001, "/Private/two.txt"); string(contentOf(t, d, n)) != "helloworld" {
		t.Fatal("two.txt bytes")
	}

	// Cancel: true once, then 400; its chunks are refused.
	_, st = begin("gone.txt", 1, 3, 200)
	if e := post(t, s, tok, http.MethodDelete, "/2/drive/100001/upload/session/"+st.Token, "", nil, 200); string(e.Data) != "true" {
		t.Fatalf("cancel answered %s", e.Data)
	}
	wantCode(t, post(t, s, tok, http.MethodDelete, "/2/drive/100001/upload/session/"+st.Token, "", nil, 400), "bad_request_error")
	wantCode(t, chunk(st, 1, "abc", "", 404), "object_not_found")
	if s.Count(EpSessionStart) != 5 || s.Count(EpSessionFinish) != 5 || s.Count(EpSessionCancel) != 2 {
		t.Fatalf("counts %v", s.Counts())
	}
}
