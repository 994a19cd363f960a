package emulator

import (
	"net/http"
	"strings"
	"testing"
	"time"
)

func TestNotifyHost(t *testing.T) {
	s := start(t, Options{})
	tok := s.IssueToken()
	n := s.NotifyURL()
	if !strings.HasPrefix(n, "http://127.0.0.1:") || n == s.URL() {
		t.Fatalf("notify URL %q (API %q)", n, s.URL())
	}
	cur := fullCursor(t, s, tok)
	poll := "/2/drive/100001/files/listing/longpoll?timeout=0&cursor=" + cur
	resp, body := call(t, http.MethodGet, n+poll, tok, nil)
	if resp.StatusCode != 200 || !strings.Contains(string(body), `"changes":false`) {
		t.Fatalf("long poll on the notify host: %d %s", resp.StatusCode, body)
	}
	if resp, _ := call(t, http.MethodGet, n+"/2/profile", tok, nil); resp.StatusCode != 404 {
		t.Fatalf("the notify host serves the API: %d", resp.StatusCode)
	}
	if resp, _ := call(t, http.MethodGet, n+poll, "", nil); resp.StatusCode != 401 {
		t.Fatalf("the notify host without a token: %d", resp.StatusCode)
	}
	if s.Count(EpLongpoll) != 1 {
		t.Fatalf("long polls counted %d", s.Count(EpLongpoll))
	}

	// Down: a running long poll is cut, new requests fail, the API stays up.
	errc := make(chan error, 1)
	go func() {
		req, _ := http.NewRequest(http.MethodGet, n+"/2/drive/100001/files/listing/longpoll?timeout=30&cursor="+cur, nil)
		req.Header.Set("Authorization", "Bearer "+tok)
		resp, err := http.DefaultClient.Do(req)
		if err == nil {
			resp.Body.Close()
		}
		errc <- err
	}()
	for deadline := time.Now().Add(5 * time.Second); s.Count(EpLongpoll) < 2; { // the long poll is running
		if time.Now().After(deadline) {
			t.Fatal("the long poll never arrived")
		}
		time.Sleep(5 * time.Millisecond)
	}
	s.SetNotifyDown(true)
	select {
	case err := <-errc:
		if err == nil {
			t.Fatal("a running long poll went through a notify host going down")
		}
	case <-time.After(5 * time.Second):
		t.Fatal("a running long poll outlived the notify host")
	}
	for range 2 {
		if resp, err := http.Get(n + poll); err == nil {
			resp.Body.Close()
			t.Fatalf("notify host down answered %d", resp.StatusCode)
		}
	}
	if resp, _ := get(t, s, tok, poll); resp.StatusCode != 200 {
		t.Fatalf("long poll on the API address while notify is down: %d", resp.StatusCode)
	}
	s.SetNotifyDown(false)
	if resp, _ := call(t, http.MethodGet, n+poll, tok, nil); resp.StatusCode != 200 {
		t.Fatalf("notify host back: %d", resp.StatusCode)
	}
}
