package dataset

import (
	"bytes"
	"io"
	"os"
	"path/filepath"
	"testing"
	"time"
)

func TestContentRanges(t *testing.T) {
	d := Generate(Spec{Seed: 5, Drives: 1, BigFiles: []int64{1<<20 + 13}})
	id := byPath(d, 100001)["/Private/big-1.bin"].ID
	r, size, ver, ok := d.Content(100001, id)
	if !ok || size != 1<<20+13 || ver != 1 {
		t.Fatalf("Content: size %d version %d ok %v", size, ver, ok)
	}
	full := make([]byte, size)
	if n, err := r.ReadAt(full, 0); n != int(size) || err != nil {
		t.Fatalf("full read: %d, %v", n, err)
	}
	if bytes.Count(full, []byte{0}) > int(size)/100 {
		t.Fatal("content looks constant, not generated")
	}
	tests := []struct {
		name    string
		off     int64
		n       int
		wantN   int
		wantEOF bool
	}{
		{"aligned", 0, 8, 8, false},
		{"unaligned start", 3, 5, 5, false},
		{"inside one word", 9, 3, 3, false},
		{"across words", 7, 1000, 1000, false},
		{"big middle", 12345, 300000, 300000, false},
		{"exact tail", size - 13, 13, 13, false},
		{"past tail", size - 5, 64, 5, true},
		{"at end", size, 10, 0, true},
		{"beyond end", size + 100, 10, 0, true},
		{"empty buffer", 17, 0, 0, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			buf := make([]byte, tc.n)
			n, err := r.ReadAt(buf, tc.off)
			if n != tc.wantN || (err == io.EOF) != tc.wantEOF || (err != nil && err != io.EOF) {
				t.Fatalf("ReadAt(%d, %d) = %d, %v", tc.n, tc.off, n, err)
			}
			if n > 0 && !bytes.Equal(buf[:n], full[tc.off:tc.off+int64(n)]) {
				t.Fatal("range differs from the full read")
			}
		})
	}
	if _, err := r.ReadAt(make([]byte, 1), -1); err == nil {
		t.Fatal("negative offset accepted")
	}
}

func TestContentDiffersPerFileAndVersion(t *testing.T) {
	d := Generate(Spec{Seed: 5, Drives: 2, FileSize: 1000})
	a, _ := d.AddFile(100001, RootID, "a", 4096)
	b, _ := d.AddFile(100001, RootID, "b", 4096)
	c, _ := d.AddFile(100002, RootID, "a", 4096)
	sa, sb, sc := sum(t, d, 100001, a.ID), sum(t, d, 100001, b.ID), sum(t, d, 100002, c.ID)
	if sa == sb || sa == sc {
		t.Fatal("different files share content")
	}
	if _, err := d.ModifyFile(100001, a.ID, 4096); err != nil {
		t.Fatal(err)
	}
	if sum(t, d, 100001, a.ID) == sa {
		t.Fatal("a new version kept the old bytes")
	}
	other := Generate(Spec{Seed: 6, Drives: 2, FileSize: 1000})
	x, _ := other.AddFile(100001, RootID, "a", 4096)
	if x.ID == a.ID && sum(t, other, 100001, x.ID) == sa {
		t.Fatal("another seed gave the same bytes")
	}
}

func TestFileReader(t *testing.T) {
	p := filepath.Join(t.TempDir(), "f")
	if err := os.WriteFile(p, []byte("hello, world"), 0o644); err != nil {
		t.Fatal(err)
	}
	r := fileReader{path: p, size: 12}
	buf := make([]byte, 5)
	if n, err := r.ReadAt(buf, 7); n != 5 || err != nil || string(buf) != "world" {
		t.Fatalf("%d %v %q", n, err, buf)
	}
	if n, err := r.ReadAt(buf, 10); n != 2 || err != io.EOF || string(buf[:2]) != "ld" {
		t.Fatalf("%d %v %q", n, err, buf)
	}
	// A file that grew on disk is still served at its recorded size.
	short := fileReader{path: p, size: 5}
	if n, err := short.ReadAt(make([]byte, 10), 0); n != 5 || err != io.EOF {
		t.Fatalf("%d %v", n, err)
	}
	if _, err := (fileReader{path: p + "x", size: 5}).ReadAt(buf, 0); err == nil {
		t.Fatal("missing file read without error")
	}
}

func TestContentThroughput(t *testing.T) {
	if raceEnabled || testing.Short() {
		t.Skip("throughput is meaningless under -race or -short")
	}
	r := genReader{key: 42, size: 1 << 40}
	buf := make([]byte, 1<<20)
	const total = 64 << 20
	best := 0.0
	for round := 0; round < 3; round++ { // best of three, so a busy CI machine does not flake it
		start := time.Now()
		for off := int64(0); off < total; off += int64(len(buf)) {
			r.ReadAt(buf, off+3)
		}
		best = max(best, float64(total)/time.Since(start).Seconds())
	}
	t.Logf("generated content: %.0f MB/s", best/1e6)
	if best < 1e9 {
		t.Fatalf("generated content at %.0f MB/s, want > 1 GB/s", best/1e6)
	}
}

func BenchmarkContent(b *testing.B) {
	r := genReader{key: 42, size: 1 << 40}
	buf := make([]byte, 1<<20)
	b.SetBytes(int64(len(buf)))
	for i := 0; b.Loop(); i++ {
		r.ReadAt(buf, int64(i)*int64(len(buf)))
	}
}
