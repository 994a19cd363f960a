package dataset

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestWriteToLoadRoundTrip(t *testing.T) {
	spec := small
	spec.BigFiles = []int64{3<<20 + 5}
	spec.BigFolderMessages = 30
	src := Generate(spec)
	// A mutated file and an added message must round-trip too.
	priv := byPath(src, 100001)["/Private"]
	added, err := src.AddFile(100001, priv.ID, "added later.txt", 777)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := src.ModifyFile(100001, added.ID, 999); err != nil {
		t.Fatal(err)
	}
	mb := src.Mailboxes()[0]
	raw := []byte("From: x@example.com\r\nSubject: =?UTF-8?Q?Gr=C3=BC=C3=9Fe?=\r\nDate: Mon, 02 Jun 2025 10:00:00 +0200\r\n\r\nhi\r\n")
	if _, err := src.AddMessage(mb.UUID, FolderID("INBOX"), raw, time.Time{}); err != nil {
		t.Fatal(err)
	}

	dir := t.TempDir()
	if err := src.WriteTo(dir); err != nil {
		t.Fatal(err)
	}
	got, err := Load(dir)
	if err != nil {
		t.Fatal(err)
	}

	if len(got.Drives()) != len(src.Drives()) {
		t.Fatalf("%d drives, want %d", len(got.Drives()), len(src.Drives()))
	}
	for i, dr := range src.Drives() {
		gdr := got.Drives()[i]
		if gdr.Name != dr.Name || gdr.UsedSize != dr.UsedSize {
			t.Fatalf("drive %+v, want %+v", gdr, dr)
		}
		want, have := byPath(src, dr.ID), byPath(got, gdr.ID)
		if len(want) != len(have) {
			t.Fatalf("%s: %d nodes, want %d", dr.Name, len(have), len(want))
		}
		for p, w := range want {
			h, ok := have[p]
			if !ok {
				t.Fatalf("%s%s missing after Load", dr.Name, p)
			}
			if h.IsDir != w.IsDir || h.Size != w.Size || h.MTime != w.MTime || h.Name != w.Name || h.Visibility != w.Visibility || h.Depth != w.Depth || h.MimeType != w.MimeType {
				t.Fatalf("%s: loaded %+v, generated %+v", p, h, w)
			}
			if !w.IsDir && sum(t, got, gdr.ID, h.ID) != sum(t, src, dr.ID, w.ID) {
				t.Fatalf("%s: bytes differ", p)
			}
		}
	}
	if len(got.Mailboxes()) != len(src.Mailboxes()) {
		t.Fatal("mailbox count differs")
	}
	for i, mb := range src.Mailboxes() {
		gmb := got.Mailboxes()[i]
		if gmb.Email != mb.Email || gmb.Local != mb.Local || !uuidRE.MatchString(gmb.UUID) {
			t.Fatalf("mailbox %+v, want %+v", gmb, mb)
		}
		wf, _ := src.Folders(mb.UUID)
		gf, _ := got.Folders(gmb.UUID)
		if len(wf) != len(gf) {
			t.Fatalf("%d folders, want %d", len(gf), len(wf))
		}
		gfs := map[string]MailFolder{}
		for _, f := range gf {
			gfs[f.Path] = f
		}
		for _, f := range wf {
			if gfs[f.Path] != f {
				t.Fatalf("folder %+v, want %+v", gfs[f.Path], f)
			}
			wm, _ := src.Messages(mb.UUID, f.ID)
			gm, _ := got.Messages(gmb.UUID, f.ID)
			if len(wm) != len(gm) {
				t.Fatalf("%s: %d messages, want %d", f.Path, len(gm), len(wm))
			}
			for j, m := range wm {
				g := gm[j]
				if g.UID != m.UID || g.Size != m.Size || g.Subject != m.Subject || g.From != m.From || g.To != m.To || g.MessageID != m.MessageID || !g.InternalDate.Equal(m.InternalDate) {
					t.Fatalf("%s uid %d: loaded %+v, generated %+v", f.Path, m.UID, g, m)
				}
				wr, _ := src.Raw(mb.UUID, f.ID, m.UID)
				gr, _ := got.Raw(gmb.UUID, f.ID, g.UID)
				if string(wr) != string(gr) {
					t.Fatalf("%s uid %d: raw differs", f.Path, m.UID)
				}
			}
		}
	}
	if m, ok := got.Message(got.Mailboxes()[0].UUID, FolderID("INBOX"), 13); !ok || m.Subject != "Grüße" {
		t.Fatalf("added message after Load: %+v", m)
	}

	// Two loads of one directory agree on IDs.
	again, err := Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	if dump(t, again) != dump(t, got) {
		t.Fatal("two Loads of one directory differ")
	}
}

func TestLoadEdgeCases(t *testing.T) {
	dir := t.TempDir()
	write := func(rel, content string, mtime time.Time) {
		p := filepath.Join(dir, rel)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
		if err := os.Chtimes(p, mtime, mtime); err != nil {
			t.Fatal(err)
		}
	}
	when := time.Date(2024, 5, 6, 7, 8, 9, 0, time.UTC)
	write("mail/me@example.org/INBOX/5.eml", "Subject: five\r\n\r\nbody\r\n", when)
	write("mail/me@example.org/INBOX/notes.eml", "garbage without header end", when)
	write("mail/me@example.org/INBOX/readme.txt", "not a message", when)
	write("mail/me@example.org/Work/Sub/1.eml", "Date: Tue, 01 Apr 2025 12:00:00 +0000\r\n\r\nx\r\n", when)
	if err := os.Symlink(dir, filepath.Join(dir, "mail")+"/loop"); err != nil {
		t.Fatal(err)
	}

	d, err := Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	if len(d.Drives()) != 0 {
		t.Fatal("drives from a tree without kdrive/")
	}
	mbs := d.Mailboxes()
	if len(mbs) != 1 || mbs[0].Email != "me@example.org" || mbs[0].Local != "me" {
		t.Fatalf("mailboxes %+v", mbs)
	}
	fs, _ := d.Folders(mbs[0].UUID)
	var paths []string
	for _, f := range fs {
		paths = append(paths, f.Path)
	}
	if strings.Join(paths, ",") != "INBOX,Work,Work/Sub" {
		t.Fatalf("folders %v", paths)
	}
	msgs, _ := d.Messages(mbs[0].UUID, FolderID("INBOX"))
	if len(msgs) != 2 {
		t.Fatalf("INBOX: %+v", msgs)
	}
	five, ok := d.Message(mbs[0].UUID, FolderID("INBOX"), 5)
	if !ok || five.Subject != "five" || !five.InternalDate.Equal(when) {
		t.Fatalf("5.eml: %+v", five)
	}
	if notes, ok := d.Message(mbs[0].UUID, FolderID("INBOX"), 6); !ok || notes.Size != int64(len("garbage without header end")) {
		t.Fatalf("notes.eml: %+v", notes)
	}
	sub, _ := d.Message(mbs[0].UUID, FolderID("Work/Sub"), 1)
	if !sub.InternalDate.Equal(time.Date(2025, 4, 1, 12, 0, 0, 0, time.UTC)) {
		t.Fatalf("Date header ignored: %+v", sub)
	}
	if m, err := d.AddMessage(mbs[0].UUID, FolderID("INBOX"), []byte("Subject: s\r\n\r\n"), when); err != nil || m.UID != 7 {
		t.Fatalf("AddMessage after Load: %+v, %v", m, err)
	}

	if _, err := Load(t.TempDir()); err == nil {
		t.Fatal("Load of an empty directory succeeded")
	}
	if _, err := Load(filepath.Join(dir, "missing")); err == nil {
		t.Fatal("Load of a missing directory succeeded")
	}
}

func TestLoadKDriveLayout(t *testing.T) {
	dir := t.TempDir()
	for _, p := range []string{"kdrive/B drive/Private/x/y.txt", "kdrive/A drive/top.txt", "kdrive/A drive/Common documents/team/doc.pdf"} {
		if err := os.MkdirAll(filepath.Dir(filepath.Join(dir, p)), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, p), []byte(p), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	os.Symlink(filepath.Join(dir, "kdrive"), filepath.Join(dir, "kdrive/A drive/loop"))
	d, err := Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	drs := d.Drives()
	if len(drs) != 2 || drs[0].Name != "A drive" || drs[1].Name != "B drive" || drs[0].ID != 100001 {
		t.Fatalf("drives %+v", drs)
	}
	a := byPath(d, drs[0].ID)
	if len(a) != 5 { // root, top.txt, Common documents, team, doc.pdf; the symlinked dir is skipped
		t.Fatalf("A drive: %v", a)
	}
	for p, vis := range map[string]string{"/top.txt": "", "/Common documents": VisTeam, "/Common documents/team": VisTeamFolder, "/Common documents/team/doc.pdf": VisInTeamFolder} {
		if a[p].Visibility != vis {
			t.Fatalf("%s: %+v", p, a[p])
		}
	}
	if n := byPath(d, drs[1].ID)["/Private/x/y.txt"]; n.Visibility != VisInPrivate || n.Size != int64(len("kdrive/B drive/Private/x/y.txt")) {
		t.Fatalf("y.txt %+v", n)
	}
}

func TestWriteToRejectsUnwritableNames(t *testing.T) {
	for _, name := range []string{"a/b", "..", ".", "", "nul\x00"} {
		d := Generate(Spec{Drives: 1, Mailboxes: 1, Depth: 1, DirsPerDir: 1, FilesPerDir: 1, MessagesPerFolder: 1})
		if _, err := d.AddFile(100001, RootID, name, 1); err != nil {
			t.Fatalf("AddFile(%q): %v", name, err)
		}
		if err := d.WriteTo(t.TempDir()); err == nil {
			t.Errorf("WriteTo wrote a file named %q", name)
		}
	}
}
