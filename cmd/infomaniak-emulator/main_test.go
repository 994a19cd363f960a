package main

import (
	"bufio"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// serve runs the command until the test ends; it returns the base URL and
// the printed token.
func serve(t *testing.T, env map[string]string, args ...string) (string, string) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	pr, pw := io.Pipe()
	code := make(chan int, 1)
	go func() {
		code <- run(ctx, args, func(k string) string { return env[k] }, pw, io.Discard)
		pw.Close()
	}()
	t.Cleanup(func() {
		cancel()
		select {
		case c := <-code:
			if c != 0 {
				t.Errorf("exit status %d after cancel", c)
			}
		case <-time.After(5 * time.Second):
			t.Error("no exit after cancel")
		}
	})
	sc := bufio.NewScanner(pr)
	var base, tok, notify string
	for sc.Scan() {
		line := sc.Text()
		if b, ok := strings.CutPrefix(line, "listening on "); ok {
			base = b
		}
		if n, ok := strings.CutPrefix(line, "notify on "); ok {
			notify = n
		}
		if tk, ok := strings.CutPrefix(line, "token: "); ok {
			tok = tk
			break
		}
	}
	go func() { _, _ = io.Copy(io.Discard, pr) }()
	if !strings.HasPrefix(base, "http://127.0.0.1:") || tok == "" || !strings.HasPrefix(notify, "http://127.0.0.1:") || notify == base {
		t.Fatalf("output: base %q notify %q token %q", base, notify, tok)
	}
	return base, tok
}

func getJSON(t *testing.T, u, tok string) (int, map[string]any) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, u, nil)
	req.Header.Set("Authorization", "Bearer "+tok)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var m map[string]any
	_ = json.NewDecoder(resp.Body).Decode(&m)
	return resp.StatusCode, m
}

func TestServe(t *testing.T) {
	env := map[string]string{"INFOMANIAK_CLIENT_SECRET": "from-env", "INFOMANIAK_CLIENT_ID": "env-id"}
	base, tok := serve(t, env, "--addr", "127.0.0.1:0", "--print-token", "--seed", "3", "--fault", "500@profile,times=1")
	if st, _ := getJSON(t, base+"/2/profile", tok); st != 500 {
		t.Fatalf("--fault not applied: %d", st)
	}
	if st, m := getJSON(t, base+"/2/profile", tok); st != 200 || m["result"] != "success" {
		t.Fatalf("profile %d %v", st, m)
	}
	form := url.Values{"grant_type": {"refresh_token"}, "refresh_token": {"x"}, "client_id": {"env-id"}, "client_secret": {"wrong"}}
	resp, err := http.PostForm(base+"/token", form)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 401 {
		t.Fatalf("secret from env not enforced: %d", resp.StatusCode)
	}
}

func TestBadArguments(t *testing.T) {
	for _, args := range [][]string{{"--rate", "fast"}, {"--bandwidth", "lots"}, {"--fault", "teapot"}, {"--nope"}, {"extra"}, {"generate"}, {"--watch"}, {"--notify-addr", ""},
		{"--watch", "--data", ".", "--watch-interval", "0"}} {
		if c := run(context.Background(), args, func(string) string { return "" }, io.Discard, io.Discard); c != 2 {
			t.Errorf("%v: exit %d, want 2", args, c)
		}
	}
}

func TestGenerateThenServe(t *testing.T) {
	dir := t.TempDir()
	if c := run(context.Background(), []string{"generate", "--out", dir, "--seed", "5", "--big-folder", "3"}, os.Getenv, io.Discard, io.Discard); c != 0 {
		t.Fatalf("generate exit %d", c)
	}
	drives, _ := filepath.Glob(filepath.Join(dir, "kdrive", "*"))
	boxes, _ := filepath.Glob(filepath.Join(dir, "mail", "*"))
	if len(drives) == 0 || len(boxes) == 0 {
		t.Fatalf("generated %v %v", drives, boxes)
	}
	base, tok := serve(t, nil, "--addr", "127.0.0.1:0", "--print-token", "--data", dir)
	st, m := getJSON(t, base+"/2/drive/init?with=drives", tok)
	if st != 200 {
		t.Fatalf("init %d", st)
	}
	got := m["data"].(map[string]any)["drives"].([]any)
	if len(got) != len(drives) || got[0].(map[string]any)["name"] != filepath.Base(drives[0]) {
		t.Fatalf("served drives %v, generated %v", got, drives)
	}
}

// TestServeWatch: with --data DIR --watch, a file written to DIR shows in
// the drive's change feed.
func TestServeWatch(t *testing.T) {
	dir := t.TempDir()
	if c := run(context.Background(), []string{"generate", "--out", dir, "--seed", "5"}, os.Getenv, io.Discard, io.Discard); c != 0 {
		t.Fatalf("generate exit %d", c)
	}
	base, tok := serve(t, nil, "--addr", "127.0.0.1:0", "--print-token", "--data", dir, "--watch", "--watch-interval", "20ms")
	req, _ := http.NewRequest(http.MethodPost, base+"/2/drive/100001/files/listing/full", nil)
	req.Header.Set("Authorization", "Bearer "+tok)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	cur := resp.Header.Get("X-kDrive-Cursor")
	drives, _ := filepath.Glob(filepath.Join(dir, "kdrive", "*"))
	if err := os.WriteFile(filepath.Join(drives[0], "Private", "hello.txt"), []byte("hi"), 0o644); err != nil {
		t.Fatal(err)
	}
	st, m := getJSON(t, base+"/2/drive/100001/files/listing/longpoll?timeout=10s&cursor="+cur, tok)
	if st != 200 || m["changes"] != true {
		t.Fatalf("long poll %d %v", st, m)
	}
}
