package cache

import (
	"archive/zip"
	"bytes"
	"errors"
	"hash/crc32"
	"io"
	"testing"
)

// The stream reader takes a zip entry by entry: a damaged entry is a miss
// with the stream still in step, a cut stream an error, never bytes.
func TestZipStream(t *testing.T) {
	good, bad := []byte("hello, archive"), []byte("damaged bytes!")
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	w, _ := zw.CreateRaw(&zip.FileHeader{Name: "dir/bad", Method: zip.Store, CRC32: crc32.ChecksumIEEE(good),
		CompressedSize64: uint64(len(bad)), UncompressedSize64: uint64(len(bad))})
	w.Write(bad)
	w, _ = zw.CreateHeader(&zip.FileHeader{Name: "dir/", Method: zip.Store})
	w, _ = zw.CreateHeader(&zip.FileHeader{Name: "dir/good", Method: zip.Deflate})
	w.Write(good)
	zw.Close()
	z := newZipStream(bytes.NewReader(buf.Bytes()))
	var got []string
	for {
		e, err := z.next()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		want := int64(len(good))
		if e.name == "dir/" {
			want = 0
		}
		data, err := z.read(e, want, 1<<20)
		switch {
		case e.name == "dir/bad" && !errors.Is(err, errZipEntry):
			t.Errorf("bad CRC: %q, %v", data, err)
		case e.name == "dir/good" && (err != nil || !bytes.Equal(data, good)):
			t.Errorf("good: %q, %v", data, err)
		}
		got = append(got, e.name)
	}
	if len(got) != 3 {
		t.Errorf("entries %v", got)
	}

	z = newZipStream(bytes.NewReader(buf.Bytes()[:40]))
	for {
		e, err := z.next()
		if err != nil {
			if err == io.EOF {
				t.Fatal("a cut zip ended cleanly")
			}
			break
		}
		if data, err := z.read(e, int64(len(good)), 1<<20); err == nil && e.name != "dir/good" {
			t.Fatalf("cut zip gave %s: %q", e.name, data)
		} else if err != nil && !errors.Is(err, errZipEntry) {
			break
		}
	}
}
