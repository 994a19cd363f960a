package e2e

import (
	"bytes"
	"crypto/sha256"
	"io"
	"io/fs"
	"net/mail"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"

	"github.com/infomaniakfs/infomaniakfs/remote/emulator"
	"github.com/infomaniakfs/infomaniakfs/remote/emulator/dataset"
)

// want is the emulator's source of truth, as the mount must show it.
type wantFile struct {
	size  int64
	mtime int64
	sum   [32]byte
	dir   bool
}

func driveTruth(t *testing.T, d *dataset.Dataset) map[string]wantFile {
	t.Helper()
	want := map[string]wantFile{}
	for _, dr := range d.Drives() {
		d.Walk(dr.ID, func(n dataset.Node) bool {
			p := filepath.Join("kDrive", dr.Name, d.Path(dr.ID, n.ID))
			w := wantFile{dir: n.IsDir, mtime: n.MTime}
			if !n.IsDir {
				r, size, _, ok := d.Content(dr.ID, n.ID)
				if !ok {
					t.Fatalf("no content for %s", p)
				}
				h := sha256.New()
				if _, err := io.Copy(h, io.NewSectionReader(r, 0, size)); err != nil {
					t.Fatal(err)
				}
				copy(w.sum[:], h.Sum(nil))
				w.size = size
			}
			want[p] = w
			return true
		})
	}
	return want
}

// checkDriveTree compares every file under root/kDrive with the truth:
// names, sizes, mtimes and sha256 of the bytes.
func checkDriveTree(t *testing.T, root string, want map[string]wantFile, checkMtime bool) {
	t.Helper()
	seen := map[string]bool{}
	err := filepath.WalkDir(filepath.Join(root, "kDrive"), func(path string, de fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, path)
		if rel == "kDrive" {
			return nil
		}
		w, ok := want[rel]
		if !ok {
			if de.IsDir() && strings.Count(rel, "/") == 1 { // the drive's own directory
				seen[rel] = true
				return nil
			}
			t.Errorf("unexpected entry %s", rel)
			return nil
		}
		seen[rel] = true
		fi, err := os.Stat(path)
		if err != nil {
			return err
		}
		if fi.IsDir() != w.dir {
			t.Errorf("%s: dir=%v, want %v", rel, fi.IsDir(), w.dir)
			return nil
		}
		if checkMtime && w.mtime != 0 && fi.ModTime().Unix() != w.mtime {
			t.Errorf("%s: mtime %d, want %d", rel, fi.ModTime().Unix(), w.mtime)
		}
		if w.dir {
			return nil
		}
		if fi.Size() != w.size {
			t.Errorf("%s: size %d, want %d", rel, fi.Size(), w.size)
		}
		b, err := os.ReadFile(path)
		if err != nil {
			t.Errorf("%s: %v", rel, err)
			return nil
		}
		if int64(len(b)) != w.size || sha256.Sum256(b) != w.sum {
			t.Errorf("%s: content differs (%d bytes read, %d expected)", rel, len(b), w.size)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for p := range want {
		if !seen[p] && strings.Count(p, "/") > 1 {
			t.Errorf("missing %s", p)
		}
	}
}

var uidInName = regexp.MustCompile(`\((\d+)\)\.eml$`)

// checkMail: every .eml parses, its stat size equals its bytes, and the bytes
// are the emulator's message. The size is checked after the read, and with
// exactBefore also before it (stat of a mount reports a message's listed
// size until it is opened, unless --exact-mail-sizes).
func checkMail(t *testing.T, root string, d *dataset.Dataset, exactBefore bool) int {
	t.Helper()
	count := 0
	for _, mb := range d.Mailboxes() {
		folders, _ := d.Folders(mb.UUID)
		for _, f := range folders {
			msgs, _ := d.Messages(mb.UUID, f.ID)
			dir := filepath.Join(append([]string{root, "Mail", mb.Email}, strings.Split(f.Path, f.Separator)...)...)
			ents, err := os.ReadDir(dir)
			if err != nil {
				t.Errorf("folder %s: %v", f.Path, err)
				continue
			}
			got := 0
			for _, e := range ents {
				if e.IsDir() {
					continue
				}
				m := uidInName.FindStringSubmatch(e.Name())
				if m == nil {
					t.Errorf("%s: not a message name", e.Name())
					continue
				}
				uid, _ := strconv.ParseInt(m[1], 10, 64)
				raw, ok := d.Raw(mb.UUID, f.ID, uid)
				if !ok {
					t.Errorf("%s: no such message", e.Name())
					continue
				}
				p := filepath.Join(dir, e.Name())
				fi, err := os.Stat(p)
				if err != nil {
					t.Fatal(err)
				}
				b, err := os.ReadFile(p)
				if err != nil {
					t.Fatal(err)
				}
				if exactBefore && fi.Size() != int64(len(raw)) || !bytes.Equal(b, raw) {
					t.Errorf("%s: stat size %d, read %d bytes, want %d", p, fi.Size(), len(b), len(raw))
				}
				if fi, err = os.Stat(p); err != nil {
					t.Fatal(err)
				}
				if fi.Size() != int64(len(b)) {
					t.Errorf("%s: stat size after the read %d, read %d bytes", p, fi.Size(), len(b))
				}
				if _, err := mail.ReadMessage(bytes.NewReader(b)); err != nil {
					t.Errorf("%s: net/mail: %v", p, err)
				}
				got++
			}
			if got != len(msgs) {
				t.Errorf("folder %s: %d messages shown, %d in the mailbox", f.Path, got, len(msgs))
			}
			count += got
		}
	}
	return count
}

func inodes(t *testing.T, root string) map[string]uint64 {
	t.Helper()
	m := map[string]uint64{}
	err := filepath.WalkDir(root, func(path string, de fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		var st syscall.Stat_t
		if err := syscall.Lstat(path, &st); err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, path)
		m[rel] = st.Ino
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func smallSpec() dataset.Spec {
	return dataset.Spec{Seed: 7, Drives: 2, Depth: 2, DirsPerDir: 2, FilesPerDir: 3,
		FileSize: 20 << 10, BigFiles: []int64{9<<20 + 123}, Mailboxes: 2, MessagesPerFolder: 6}
}

func TestMountShowsEmulatorTreeExactly(t *testing.T) {
	data := dataset.Generate(smallSpec())
	srv := serve(t, data)
	srv.SetMailSizeSkew(+17) // the listed size lies; the mount must not
	d := mount(t, srv)
	want := driveTruth(t, data)

	checkDriveTree(t, d.dir, want, true)
	if n := checkMail(t, d.dir, data, false); n == 0 {
		t.Fatal("no message checked")
	}
	run(t, "ls", "-lR", d.dir)
	found := strings.Count(run(t, "find", filepath.Join(d.dir, "kDrive"), "-mindepth", "2"), "\n")
	if items := len(want) - len(data.Drives()); found != items { // want holds each drive's root too
		t.Errorf("find lists %d entries, emulator has %d", found, items)
	}

	cpDst := t.TempDir()
	run(t, "cp", "-r", "--preserve=timestamps", filepath.Join(d.dir, "kDrive"), cpDst)
	checkDriveTree(t, cpDst, want, true)
	if _, err := exec.LookPath("rsync"); err == nil {
		rsDst := t.TempDir()
		run(t, "rsync", "-a", filepath.Join(d.dir, "kDrive"), rsDst+"/")
		checkDriveTree(t, rsDst, want, true)
		mailDst := t.TempDir()
		run(t, "rsync", "-a", filepath.Join(d.dir, "Mail")+"/", filepath.Join(mailDst, "Mail")+"/")
		checkMail(t, mailDst, data, true)
	} else {
		t.Log("rsync not installed: rsync check skipped")
	}

	before := inodes(t, d.dir)
	d.stop()
	d2 := mountAt(t, srv, d.dir)
	after := inodes(t, d2.dir)
	for p, ino := range before {
		if after[p] != ino {
			t.Errorf("%s: inode %d before remount, %d after", p, ino, after[p])
		}
	}
	if len(after) != len(before) {
		t.Errorf("%d entries after remount, %d before", len(after), len(before))
	}
}

func TestWritesAreRefused(t *testing.T) {
	srv, err := emulator.Start(emulator.Options{Data: dataset.Generate(smallSpec())})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	d := mount(t, srv)
	priv := filepath.Join(d.dir, "kDrive", "Drive 1", "Private")
	if err := os.WriteFile(filepath.Join(priv, "new.txt"), []byte("x"), 0o644); !isErrno(err, syscall.EROFS) {
		t.Errorf("create: %v, want EROFS", err)
	}
	if err := os.Mkdir(filepath.Join(priv, "newdir"), 0o755); !isErrno(err, syscall.EROFS) {
		t.Errorf("mkdir: %v, want EROFS", err)
	}
}

func isErrno(err error, want syscall.Errno) bool {
	var e syscall.Errno
	for err != nil {
		if x, ok := err.(syscall.Errno); ok {
			e = x
			break
		}
		u, ok := err.(interface{ Unwrap() error })
		if !ok {
			break
		}
		err = u.Unwrap()
	}
	return e == want
}
