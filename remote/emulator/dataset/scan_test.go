package dataset

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// st builds a FileStat: a file when size >= 0, a directory when size < 0.
func st(ino uint64, size, mtime int64) FileStat {
	if size < 0 {
		return FileStat{Dev: 1, Ino: ino, MTime: mtime, IsDir: true}
	}
	return FileStat{Dev: 1, Ino: ino, Size: size, MTime: mtime}
}

// show renders changes compactly: "+d", "~f", "a>b", "-x".
func show(cs []DiskChange) string {
	var out []string
	for _, c := range cs {
		switch c.Kind {
		case DiskCreated:
			out = append(out, "+"+c.Path)
		case DiskModified:
			out = append(out, "~"+c.Path)
		case DiskMoved:
			out = append(out, c.OldPath+">"+c.Path)
		case DiskDeleted:
			out = append(out, "-"+c.OldPath)
		}
	}
	return strings.Join(out, " ")
}

func TestDiff(t *testing.T) {
	base := Scan{
		"a": st(10, -1, 1), "a/f": st(11, 5, 1), "a/g": st(12, 6, 1),
		"a/s": st(13, -1, 1), "a/s/h": st(14, 7, 1),
		"b": st(20, -1, 1), "top.txt": st(30, 3, 1),
	}
	with := func(edit func(Scan)) Scan {
		s := Scan{}
		for k, v := range base {
			s[k] = v
		}
		edit(s)
		return s
	}
	cases := []struct {
		name string
		cur  Scan
		want string
	}{
		{"nothing", with(func(Scan) {}), ""},
		{"touch a dir only", with(func(s Scan) { s["a"] = st(10, -1, 9) }), ""},
		{"new file and dir", with(func(s Scan) { s["b/new"] = st(40, -1, 2); s["b/new/x"] = st(41, 1, 2); s["c.txt"] = st(42, 1, 2) }),
			"+b/new +c.txt +b/new/x"},
		{"modified size", with(func(s Scan) { s["a/f"] = st(11, 50, 1) }), "~a/f"},
		{"modified mtime", with(func(s Scan) { s["a/f"] = st(11, 5, 2) }), "~a/f"},
		{"atomic save", with(func(s Scan) { s["a/f"] = st(99, 8, 2) }), "~a/f"},
		{"rename file", with(func(s Scan) { delete(s, "a/f"); s["a/f2"] = st(11, 5, 1) }), "a/f>a/f2"},
		{"move file", with(func(s Scan) { delete(s, "a/f"); s["b/f"] = st(11, 5, 1) }), "a/f>b/f"},
		{"move dir carries its tree", with(func(s Scan) {
			for _, p := range []string{"a/s", "a/s/h"} {
				s["b/"+strings.TrimPrefix(p, "a/")] = s[p]
				delete(s, p)
			}
		}), "a/s>b/s"},
		{"rename dir and a file inside", with(func(s Scan) {
			s["z"], s["z/f"], s["z/g2"], s["z/s"], s["z/s/h"] = s["a"], s["a/f"], s["a/g"], s["a/s"], s["a/s/h"]
			for _, p := range []string{"a", "a/f", "a/g", "a/s", "a/s/h"} {
				delete(s, p)
			}
		}), "a>z a/g>z/g2"},
		{"delete dir is one change", with(func(s Scan) {
			for _, p := range []string{"a", "a/f", "a/g", "a/s", "a/s/h"} {
				delete(s, p)
			}
		}), "-a"},
		{"move out then delete the dir", with(func(s Scan) {
			s["kept"] = s["a/g"]
			for _, p := range []string{"a", "a/f", "a/g", "a/s", "a/s/h"} {
				delete(s, p)
			}
		}), "a/g>kept -a"},
		// The replaced file's deletion comes after the move, identified by its own inode.
		{"mv over an existing file", with(func(s Scan) { s["top.txt"] = s["a/f"]; delete(s, "a/f") }), "a/f>top.txt -top.txt"},
		{"moved and modified is a move", with(func(s Scan) { delete(s, "a/f"); s["b/new"] = st(11, 99, 5) }), "a/f>b/new"},
		{"modified inside a moved dir", with(func(s Scan) {
			s["b/s"], s["b/s/h"] = s["a/s"], st(14, 70, 2)
			delete(s, "a/s")
			delete(s, "a/s/h")
		}), "a/s>b/s ~b/s/h"},
		{"file becomes dir", with(func(s Scan) { s["top.txt"] = st(50, -1, 2) }), "+top.txt -top.txt"},
		{"new dir gets a moved file", with(func(s Scan) { s["n"] = st(60, -1, 2); s["n/f"] = s["a/f"]; delete(s, "a/f") }), "+n a/f>n/f"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := show(Diff(base, c.cur)); got != c.want {
				t.Fatalf("Diff = %q, want %q", got, c.want)
			}
		})
	}
}

// TestScanDir checks that a real mv keeps the inode the diff follows.
func TestScanDir(t *testing.T) {
	dir := t.TempDir()
	for _, p := range []string{"d/a.txt", "d/e/b.txt", "c.txt"} {
		full := filepath.Join(dir, p)
		if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(full, []byte(p), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Symlink(filepath.Join(dir, "d"), filepath.Join(dir, "dirlink")); err != nil {
		t.Fatal(err)
	}
	s1, err := ScanDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	if got := fmt.Sprint(len(s1), s1["d"].IsDir, s1["d/e/b.txt"].Size, s1["c.txt"].Ino != 0); got != "5 true 9 true" {
		t.Fatalf("scan: %v (%v)", got, s1)
	}
	if err := os.Rename(filepath.Join(dir, "d"), filepath.Join(dir, "moved")); err != nil {
		t.Fatal(err)
	}
	if err := os.Remove(filepath.Join(dir, "c.txt")); err != nil {
		t.Fatal(err)
	}
	s2, err := ScanDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	if got := show(Diff(s1, s2)); got != "d>moved -c.txt" {
		t.Fatalf("Diff after mv: %q", got)
	}
}
