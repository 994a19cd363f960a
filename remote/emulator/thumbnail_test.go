package emulator

import (
	"bytes"
	"fmt"
	"image/png"
	"os"
	"path/filepath"
	"testing"

	"github.com/infomaniakfs/infomaniakfs/remote/emulator/dataset"
)

// Images, videos and PDFs have a PNG thumbnail of the asked size; other
// files and directories answer 404 object_not_found.
func TestThumbnail(t *testing.T) {
	dir := t.TempDir()
	for _, name := range []string{"a.jpg", "b.mp4", "c.pdf", "d.txt", "sub/e.png"} {
		p := filepath.Join(dir, "kdrive", "D", name)
		os.MkdirAll(filepath.Dir(p), 0o755)
		if err := os.WriteFile(p, []byte("content of "+name), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	d, err := dataset.Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	s := start(t, Options{Data: d})
	tok := s.IssueToken()
	for _, tc := range []struct {
		path string
		ok   bool
	}{{"/a.jpg", true}, {"/b.mp4", true}, {"/c.pdf", true}, {"/sub/e.png", true}, {"/d.txt", false}, {"/sub", false}} {
		n := findNode(t, d, 100001, tc.path)
		resp, body := get(t, s, tok, fmt.Sprintf("/2/drive/100001/files/%d/thumbnail?width=128&height=128", n.ID))
		if !tc.ok {
			if resp.StatusCode != 404 {
				t.Errorf("%s: %s, want 404", tc.path, resp.Status)
			}
			continue
		}
		img, err := png.Decode(bytes.NewReader(body))
		if resp.StatusCode != 200 || err != nil || resp.Header.Get("Content-Type") != "image/png" {
			t.Fatalf("%s: %s %v", tc.path, resp.Status, err)
		}
		if b := img.Bounds(); b.Dx() != 128 || b.Dy() > 128 {
			t.Errorf("%s: %v, want at most 128×128", tc.path, b)
		}
	}
	if n := s.Count(EpThumbnail); n != 6 {
		t.Errorf("%d thumbnail requests counted, want 6", n)
	}
	if n := s.Count(EpDownload) + s.Count(EpContent); n != 0 {
		t.Errorf("%d downloads for thumbnails", n)
	}
}
