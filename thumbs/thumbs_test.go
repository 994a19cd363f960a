package thumbs

import (
	"bytes"
	"context"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"os"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"

	"github.com/infomaniakfs/infomaniakfs/remote"
)

func TestFileURIAndPath(t *testing.T) {
	tests := []struct{ path, uri string }{
		{"/home/jens/photos/me.png", "file:///home/jens/photos/me.png"},
		{"/home/ana/My Photos/été#1.jpg", "file:///home/ana/My%20Photos/%C3%A9t%C3%A9%231.jpg"},
		{"/m/a+b,c=d@e:f!$&'()*~_-.x", "file:///m/a+b,c=d@e:f!$&'()*~_-.x"},
		{"/m/q?%;<>[]\\^`{|}\"", "file:///m/q%3F%25%3B%3C%3E%5B%5D%5C%5E%60%7B%7C%7D%22"},
	}
	for _, tc := range tests {
		if got := FileURI(tc.path); got != tc.uri {
			t.Errorf("FileURI(%q) = %q, want %q", tc.path, got, tc.uri)
		}
	}
	// The standard's own example.
	if got, want := Path("/c", "file:///home/jens/photos/me.png", NormalSize), "/c/thumbnails/normal/c6ee772d9e49320e97ec29a7eb5b1697.png"; got != want {
		t.Errorf("Path = %q, want %q", got, want)
	}
	if got := Path("/c", "file:///x", LargeSize); filepath.Base(filepath.Dir(got)) != "large" {
		t.Errorf("large thumbnail in %q", got)
	}
}

func TestQualifies(t *testing.T) {
	tests := []struct {
		mime, name string
		want       bool
	}{
		{"image/jpeg", "a.jpg", true}, {"video/mp4", "a.mp4", true}, {"application/pdf", "a.pdf", true},
		{"text/plain", "a.txt", false}, {"application/zip", "a.jpg", false},
		{"", "IMG_0001.JPG", true}, {"", "notes.md", false}, {"application/octet-stream", "x.pdf", true},
	}
	for _, tc := range tests {
		if got := Qualifies(tc.mime, tc.name); got != tc.want {
			t.Errorf("Qualifies(%q, %q) = %v", tc.mime, tc.name, got)
		}
	}
}

func testImage(w, h int) image.Image {
	img := image.NewNRGBA(image.Rect(0, 0, w, h))
	for i := range img.Pix {
		img.Pix[i] = 200
	}
	img.SetNRGBA(0, 0, color.NRGBA{1, 2, 3, 255})
	return img
}

// The PNG is valid (every CRC right), scaled to fit, and carries the
// standard's keys.
func TestEncodeChunks(t *testing.T) {
	m := Meta{URI: "file:///m/a.jpg", MTime: 1700000000, Size: 2 << 20, MimeType: "image/jpeg"}
	b, err := Encode(testImage(300, 150), NormalSize, m)
	if err != nil {
		t.Fatal(err)
	}
	img, err := png.Decode(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	if got := img.Bounds(); got.Dx() != 128 || got.Dy() != 64 {
		t.Errorf("scaled to %v, want 128×64", got)
	}
	text, err := Text(b)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{"Thumb::URI": m.URI, "Thumb::MTime": "1700000000", "Thumb::Size": "2097152", "Thumb::Mimetype": "image/jpeg", "Software": "infomaniakfs"}
	for k, v := range want {
		if text[k] != v {
			t.Errorf("%s = %q, want %q", k, text[k], v)
		}
	}
	if b, _ := Encode(testImage(100, 50), LargeSize, m); b != nil {
		if img, _ := png.Decode(bytes.NewReader(b)); img.Bounds().Dx() != 100 {
			t.Error("a small image was scaled up")
		}
	}
}

type fakeSource struct {
	calls atomic.Int64
	delay time.Duration
}

func (f *fakeSource) Thumbnail(ctx context.Context, e remote.Entry, size int) ([]byte, error) {
	f.calls.Add(1)
	select {
	case <-time.After(f.delay):
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	if e.ID == 404 {
		return nil, fmt.Errorf("no: %w", remote.ErrNotFound)
	}
	var b bytes.Buffer
	png.Encode(&b, testImage(256, 192))
	return b.Bytes(), nil
}

func entry(id int64, name, mime string) remote.Entry {
	return remote.Entry{DriveID: 1, ID: id, Name: name, MimeType: mime, Size: 1000, Version: "v1", MTime: time.Unix(1700000000+id, 0)}
}

// A listed folder gets the thumbnails of its images (both sizes, named
// and tagged as a file manager expects), once; other files get none.
func TestWriterListed(t *testing.T) {
	cache := t.TempDir()
	src := &fakeSource{}
	w := New(src, Options{MountPoint: "/mnt/i", CacheHome: cache, PerListing: 10, Parallel: 2, Wait: 5 * time.Second})
	defer w.Close()
	es := []remote.Entry{entry(1, "a.jpg", "image/jpeg"), entry(2, "b.txt", "text/plain"), entry(404, "c.png", "image/png"), entry(3, "d é.mp4", "video/mp4")}
	paths := []string{"/kDrive/D/a.jpg", "/kDrive/D/b.txt", "/kDrive/D/c.png", "/kDrive/D/d é.mp4"}
	w.Listed(context.Background(), paths, es)
	if n := src.calls.Load(); n != 3 {
		t.Fatalf("%d thumbnail requests, want 3 (not the text file)", n)
	}
	for i, ok := range []bool{true, false, false, true} {
		uri := FileURI("/mnt/i" + paths[i])
		for _, size := range []int{NormalSize, LargeSize} {
			b, err := os.ReadFile(Path(cache, uri, size))
			if !ok {
				if err == nil {
					t.Errorf("%s: a thumbnail was written", paths[i])
				}
				continue
			}
			if err != nil {
				t.Fatalf("%s: %v", paths[i], err)
			}
			text, _ := Text(b)
			if text["Thumb::URI"] != uri || text["Thumb::MTime"] != fmt.Sprint(es[i].MTime.Unix()) {
				t.Errorf("%s: %v", paths[i], text)
			}
		}
	}
	if fi, err := os.Stat(filepath.Join(cache, "thumbnails", "large")); err != nil || fi.Mode().Perm() != 0o700 {
		t.Errorf("large dir: %v %v", fi, err)
	}
	w.Listed(context.Background(), paths, es)
	if n := src.calls.Load(); n != 3 {
		t.Errorf("listing again cost %d more requests", n-3)
	}
	// A new writer (the next mount) finds them in the cache.
	w2 := New(src, Options{MountPoint: "/mnt/i", CacheHome: cache, PerListing: 10, Parallel: 1, Wait: time.Second})
	defer w2.Close()
	w2.Listed(context.Background(), paths[:1], es[:1])
	if n := src.calls.Load(); n != 3 {
		t.Errorf("a thumbnail already cached was fetched again")
	}
}

// A listing fetches at most PerListing; waits at most Wait; Close stops
// the workers with fetches under way.
func TestWriterBounds(t *testing.T) {
	src := &fakeSource{delay: time.Hour}
	w := New(src, Options{MountPoint: "/m", CacheHome: t.TempDir(), PerListing: 3, Parallel: 2, Wait: 50 * time.Millisecond})
	var es []remote.Entry
	var paths []string
	for i := range 10 {
		es = append(es, entry(int64(i+10), fmt.Sprintf("%d.jpg", i), "image/jpeg"))
		paths = append(paths, fmt.Sprintf("/kDrive/D/%d.jpg", i))
	}
	t0 := time.Now()
	w.Listed(context.Background(), paths, es)
	if d := time.Since(t0); d > 2*time.Second {
		t.Errorf("Listed waited %v, want about 50ms", d)
	}
	done := make(chan struct{})
	go func() { w.Close(); close(done) }()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("Close did not stop the workers")
	}
	if n := src.calls.Load(); n > 3 {
		t.Errorf("%d requests for one listing, want at most 3", n)
	}
	w.Listed(context.Background(), paths, es) // after Close: nothing, no hang
	if n := src.calls.Load(); n > 3 {
		t.Errorf("%d requests after Close", n)
	}
}
