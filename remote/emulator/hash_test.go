package emulator

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/zeebo/xxh3"

	"github.com/infomaniakfs/infomaniakfs/remote/emulator/dataset"
)

// TestHashVectors checks the served value against the reference's vectors
// (additions §1.2), computed by the library rclone uses.
func TestHashVectors(t *testing.T) {
	dir := t.TempDir()
	files := map[string]string{"empty": "", "hello": "hello world", "alpha": "alpha"}
	want := map[string]string{"empty": "xxh3:2d06800538d394c2", "hello": "xxh3:d447b1ea40e6988b", "alpha": "xxh3:be6903b5f625ab5a"}
	for name, body := range files {
		p := filepath.Join(dir, "kdrive", "D", name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	d, err := dataset.Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	s := start(t, Options{Data: d})
	tok := s.IssueToken()
	for name, h := range want {
		n := findNode(t, d, 100001, "/"+name)
		got := decode[map[string]string](t, api(t, s, tok, fmt.Sprintf("/2/drive/100001/files/%d/hash", n.ID), 200).Data)
		if got["hash"] != h {
			t.Errorf("%s: /hash %q, want %q", name, got["hash"], h)
		}
		f := decode[map[string]any](t, api(t, s, tok, fmt.Sprintf("/3/drive/100001/files/%d?with=hash", n.ID), 200).Data)
		if f["hash"] != h {
			t.Errorf("%s: with=hash %q, want %q", name, f["hash"], h)
		}
	}
	if s.Count(EpHash) != int64(len(want)) {
		t.Fatalf("hash counted %d", s.Count(EpHash))
	}
}

func TestHashVersionsAndErrors(t *testing.T) {
	s := start(t, Options{})
	tok := s.IssueToken()
	d := s.Data()
	n := firstFile(t, d, 100001, 1)
	path := fmt.Sprintf("/2/drive/100001/files/%d/hash", n.ID)
	hashOf := func(n dataset.Node) string { return fmt.Sprintf("xxh3:%016x", xxh3.Hash(contentOf(t, d, n))) }
	old := hashOf(n)
	if got := decode[map[string]string](t, api(t, s, tok, path, 200).Data)["hash"]; got != old {
		t.Fatalf("hash %q, want %q", got, old)
	}
	n2, err := d.ModifyFile(100001, n.ID, n.Size+10)
	if err != nil {
		t.Fatal(err)
	}
	got := decode[map[string]string](t, api(t, s, tok, path, 200).Data)["hash"]
	if got != hashOf(n2) || got == old {
		t.Fatalf("after a new version: %q, want %q (old %q)", got, hashOf(n2), old)
	}
	wantCode(t, api(t, s, tok, "/2/drive/100001/files/1/hash", 400), "bad_request_error")
	wantCode(t, api(t, s, tok, "/2/drive/100001/files/999999/hash", 404), "object_not_found")
	// Without with=hash the field is absent.
	f := decode[map[string]any](t, api(t, s, tok, fmt.Sprintf("/3/drive/100001/files/%d", n.ID), 200).Data)
	if _, has := f["hash"]; has {
		t.Fatalf("hash without with=hash: %v", f)
	}
}
