package e2e

import (
	"bytes"
	"crypto/sha256"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/infomaniakfs/infomaniakfs/remote/emulator/dataset"
)

// hostileNames are names the API may send that no Linux name can be as
// is, plus the names they would collide with once made safe.
var hostileNames = []string{
	"a/b", "a\uFF0Fb", // '/' and what it becomes
	"..", ".", "\uFF0E", "\uFF0E\uFF0E", // never served as such
	"x\x00y", "x\uFFFDy", // NUL
	"\xff\xfe.txt", "\uFFFD\uFFFD.txt", // invalid UTF-8
	strings.Repeat("é", 150) + ".pdf", strings.Repeat("é", 150) + "2.pdf", // 300+ bytes, same after the cut
	strings.Repeat("x", 300), // no extension
	"line\nbreak", "tab\there", "-rf", " lead", "trail ", "*?[]", "$(id)",
	"", "_", // nameless, and what it becomes
}

// safe reports what is wrong with a name the kernel got, or "".
func unsafeName(n string) string {
	switch {
	case n == "." || n == "..":
		return "dot name"
	case strings.ContainsAny(n, "/\x00"):
		return "slash or NUL"
	case len(n) > 255:
		return "over 255 bytes"
	case !utf8.ValidString(n):
		return "invalid UTF-8"
	}
	return ""
}

// TestHostileNames: files and folders with hostile names are all visible,
// under distinct safe names, and each serves its own bytes.
func TestHostileNames(t *testing.T) {
	data := dataset.Generate(faultSpec(31, 0))
	dr := data.Drives()[0]
	priv := childNamed(t, data, dr.ID, 1, "Private")
	top, err := data.AddDir(dr.ID, priv, "hostile")
	if err != nil {
		t.Fatal(err)
	}
	want := map[[32]byte]string{} // content → remote name
	for i, name := range hostileNames {
		n, err := data.AddFile(dr.ID, top.ID, name, int64(100+i))
		if err != nil {
			t.Fatal(err)
		}
		want[sha256.Sum256(content(t, data, dr.ID, n.ID))] = name
	}
	dirNames := []string{"..", "a/b", "x\x00y"}
	inner := map[string]dataset.Node{}
	for _, name := range dirNames {
		dir, err := data.AddDir(dr.ID, top.ID, name)
		if err != nil {
			t.Fatal(err)
		}
		if inner[name], err = data.AddFile(dr.ID, dir.ID, "inside.txt", 42); err != nil {
			t.Fatal(err)
		}
	}
	srv := serve(t, data)
	d := mount(t, srv)

	root := filepath.Join(d.dir, "kDrive", dr.Name, "Private", "hostile")
	ents, err := os.ReadDir(root)
	if err != nil {
		t.Fatal(err)
	}
	if len(ents) != len(hostileNames)+len(dirNames) {
		t.Errorf("%d entries shown for %d remote items", len(ents), len(hostileNames)+len(dirNames))
	}
	seen := map[string]bool{}
	matched := map[string]string{} // remote name → local name
	dirs := 0
	for _, e := range ents {
		name := e.Name()
		if why := unsafeName(name); why != "" {
			t.Errorf("%q: %s", name, why)
		}
		if seen[name] {
			t.Errorf("%q listed twice", name)
		}
		seen[name] = true
		p := filepath.Join(root, name)
		if e.IsDir() {
			dirs++
			b, err := os.ReadFile(filepath.Join(p, "inside.txt"))
			if err != nil || len(b) != 42 {
				t.Errorf("%q/inside.txt: %d bytes, %v", name, len(b), err)
			}
			continue
		}
		b, err := os.ReadFile(p)
		if err != nil {
			t.Errorf("%q: %v", name, err)
			continue
		}
		remoteName, ok := want[sha256.Sum256(b)]
		if !ok {
			t.Errorf("%q: serves bytes of no file", name)
			continue
		}
		if prev, dup := matched[remoteName]; dup {
			t.Errorf("%q and %q serve the same file", prev, name)
		}
		matched[remoteName] = name
		if fi, err := os.Stat(p); err != nil || fi.Size() != int64(len(b)) {
			t.Errorf("%q: stat %v, %v; read %d bytes", name, fi, err, len(b))
		}
	}
	if dirs != len(dirNames) {
		t.Errorf("%d folders shown, want %d", dirs, len(dirNames))
	}
	for _, n := range hostileNames {
		if _, ok := matched[n]; !ok {
			t.Errorf("remote file %q is not reachable", n)
		}
	}
	// Listed names resolve by themselves too (a fresh lookup per name),
	// and the names the kernel refuses stay refused.
	for name := range seen {
		if _, err := os.Lstat(filepath.Join(root, name)); err != nil {
			t.Errorf("lookup of %q: %v", name, err)
		}
	}
	if _, err := os.Stat(filepath.Join(root, "..", "hostile")); err != nil {
		t.Errorf(".. does not lead to the parent: %v", err)
	}
	// A stable answer: a second listing gives the same names.
	again, err := os.ReadDir(root)
	if err != nil || len(again) != len(ents) {
		t.Fatalf("second listing: %d entries, %v", len(again), err)
	}
	for i := range again {
		if again[i].Name() != ents[i].Name() {
			t.Errorf("names changed between listings: %q, then %q", ents[i].Name(), again[i].Name())
		}
	}
}

func childNamed(t *testing.T, d *dataset.Dataset, drive, dir int64, name string) int64 {
	t.Helper()
	kids, _ := d.Children(drive, dir)
	for _, k := range kids {
		if k.Name == name {
			return k.ID
		}
	}
	t.Fatalf("no %q in item %d", name, dir)
	return 0
}

// TestHostileMessages: messages without Subject or Date, or with subjects
// that are paths, NULs or far too long, are all shown under safe, unique
// names and read back byte for byte.
func TestHostileMessages(t *testing.T) {
	data := dataset.Generate(faultSpec(32, 0))
	mb := data.Mailboxes()[0]
	inbox := dataset.FolderID("INBOX")
	raws := map[string][]byte{
		"no subject, no date": []byte("From: a@example.ch\r\nTo: b@example.ch\r\nMessage-ID: <1@x>\r\n\r\nbody\r\n"),
		"path subject":        msg("../../etc/passwd"),
		"slash and NUL":       msg("a/b\x00c"),
		"dots":                msg(".."),
		"long":                msg(strings.Repeat("Überlänge ", 60)),
		"encoded slash":       msg("=?UTF-8?B?" + "Li4vLi4vZXRjL3Bhc3N3ZA==" + "?="), // ../../etc/passwd
		"empty subject":       msg(""),
		"same subject 1":      msg("twin"),
		"same subject 2":      msg("twin"),
	}
	uids := map[int64]string{}
	when := time.Date(2026, 3, 4, 5, 6, 0, 0, time.UTC)
	for what, raw := range raws {
		date := when
		if what == "no subject, no date" {
			date = time.Time{}
		}
		m, err := data.AddMessage(mb.UUID, inbox, raw, date)
		if err != nil {
			t.Fatal(err)
		}
		uids[m.UID] = what
	}
	srv := serve(t, data)
	d := mount(t, srv)
	dir := filepath.Join(d.dir, "Mail", mb.Email, "INBOX")
	ents, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	found := map[int64]bool{}
	for _, e := range ents {
		if why := unsafeName(e.Name()); why != "" {
			t.Errorf("%q: %s", e.Name(), why)
		}
		m := uidInName.FindStringSubmatch(e.Name())
		if m == nil {
			t.Errorf("%q: not a message name", e.Name())
			continue
		}
		uid, _ := strconv.ParseInt(m[1], 10, 64)
		what, ok := uids[uid]
		if !ok {
			continue // a generated message
		}
		if found[uid] {
			t.Errorf("uid %d shown twice", uid)
		}
		found[uid] = true
		b, err := os.ReadFile(filepath.Join(dir, e.Name()))
		if err != nil || !bytes.Equal(b, raws[what]) {
			t.Errorf("%s (%q): %d bytes, %v", what, e.Name(), len(b), err)
		}
	}
	for uid, what := range uids {
		if !found[uid] {
			t.Errorf("message %q (uid %d) not shown", what, uid)
		}
	}
}

func msg(subject string) []byte {
	return []byte(fmt.Sprintf("From: a@example.ch\r\nTo: b@example.ch\r\nSubject: %s\r\nDate: Wed, 04 Mar 2026 05:06:00 +0000\r\n\r\nbody\r\n", subject))
}
