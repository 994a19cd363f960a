package e2e

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/infomaniakfs/infomaniakfs/remote/emulator"
	"github.com/infomaniakfs/infomaniakfs/remote/emulator/dataset"
	"github.com/infomaniakfs/infomaniakfs/thumbs"
)

// photoDataset is a drive with a folder of JPEG-like photos (real JPEG
// headers) and one text file.
func photoDataset(t *testing.T, n, size int) *dataset.Dataset {
	t.Helper()
	dir := t.TempDir()
	photos := filepath.Join(dir, "kdrive", "Photos drive", "Holiday 2026")
	if err := os.MkdirAll(photos, 0o755); err != nil {
		t.Fatal(err)
	}
	for i := range n {
		b := make([]byte, size)
		copy(b, "\xff\xd8\xff\xe0\x00\x10JFIF\x00")
		for j := 16; j < size; j++ {
			b[j] = byte(i*7 + j)
		}
		if err := os.WriteFile(filepath.Join(photos, fmt.Sprintf("IMG_%04d.jpg", i)), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.WriteFile(filepath.Join(photos, "notes.txt"), []byte("not a photo"), 0o644); err != nil {
		t.Fatal(err)
	}
	d, err := dataset.Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// With --thumbnails, listing a folder of photos puts a valid thumbnail of
// each in the freedesktop cache before the listing answers (Thumb::URI
// the file's URI, Thumb::MTime its mtime), and downloads no file.
func TestThumbnailsWrittenOnListing(t *testing.T) {
	const photos = 12
	srv := serve(t, photoDataset(t, photos, 300<<10))
	cacheHome := t.TempDir()
	d := mountWith(t, srv, mountSpec{args: []string{"--thumbnails"}, env: []string{"XDG_CACHE_HOME=" + cacheHome}})
	folder := filepath.Join(d.dir, "kDrive", "Photos drive", "Holiday 2026")
	entries, err := os.ReadDir(folder)
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != photos+1 {
		t.Fatalf("%d entries, want %d", len(entries), photos+1)
	}
	abs, _ := filepath.Abs(folder)
	for _, e := range entries {
		p := filepath.Join(abs, e.Name())
		fi, err := os.Stat(p)
		if err != nil {
			t.Fatal(err)
		}
		uri := thumbs.FileURI(p)
		for _, size := range []int{thumbs.NormalSize, thumbs.LargeSize} {
			b, err := os.ReadFile(thumbs.Path(cacheHome, uri, size))
			if strings.HasSuffix(e.Name(), ".txt") {
				if err == nil {
					t.Errorf("%s: a thumbnail for a text file", e.Name())
				}
				continue
			}
			if err != nil {
				t.Fatalf("%s: no thumbnail after the listing: %v\n%s", e.Name(), err, d.log)
			}
			text, err := thumbs.Text(b)
			if err != nil || text["Thumb::URI"] != uri || text["Thumb::MTime"] != fmt.Sprint(fi.ModTime().Unix()) {
				t.Errorf("%s: chunks %v (%v), want URI %s and MTime %d", e.Name(), text, err, uri, fi.ModTime().Unix())
			}
		}
	}
	c := srv.Counters().Endpoints
	if n := c[emulator.EpThumbnail]; n != photos {
		t.Errorf("%d thumbnail requests, want %d", n, photos)
	}
	if n := c[emulator.EpDownload] + c[emulator.EpContent]; n != 0 {
		t.Errorf("%d downloads: listing must fetch no file content", n)
	}
	// Listing again costs no thumbnail request.
	if _, err := os.ReadDir(folder); err != nil {
		t.Fatal(err)
	}
	if n := srv.Counters().Endpoints[emulator.EpThumbnail]; n != photos {
		t.Errorf("listing again: %d thumbnail requests in all, want %d", n, photos)
	}
}
