package dataset

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// loadedCopy writes a small generated data set to a temporary directory and loads it back.
func loadedCopy(t *testing.T) (*Dataset, string) {
	t.Helper()
	dir := t.TempDir()
	if err := Generate(small).WriteTo(dir); err != nil {
		t.Fatal(err)
	}
	d, err := Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	return d, dir
}

func content(t *testing.T, d *Dataset, drive, id int64) string {
	t.Helper()
	r, size, _, ok := d.Content(drive, id)
	if !ok {
		t.Fatalf("no content for %d", id)
	}
	b := make([]byte, size)
	if _, err := r.ReadAt(b, 0); err != nil && size > 0 {
		t.Fatal(err)
	}
	return string(b)
}

// actions lists the drive's change log since seq as "action:path".
func actions(d *Dataset, drive, seq int64) string {
	var out []string
	for _, c := range d.DriveChanges(drive, seq) {
		out = append(out, c.Action+":"+c.Node.Name)
	}
	return strings.Join(out, " ")
}

func TestWatcherDrive(t *testing.T) {
	d, dir := loadedCopy(t)
	const drv = 100001
	w, err := d.Watch(dir)
	if err != nil {
		t.Fatal(err)
	}
	base := filepath.Join(dir, "kdrive", "Drive 1")
	paths := byPath(d, drv)
	var file, sub Node // a file right in Private/, and a folder of Private/ holding files
	for p, n := range paths {
		if !n.IsDir && filepath.Dir(p) == "/Private" && file.ID == 0 {
			file = n
		}
		if n.IsDir && filepath.Dir(p) == "/Private" && sub.ID == 0 && n.Name != "wide" {
			sub = n
		}
	}
	if err := w.Sync(); err != nil || d.DriveSeq(drv) != 0 {
		t.Fatalf("a sync without changes: seq %d, %v", d.DriveSeq(drv), err)
	}
	step := func(name, want string, edit func()) {
		t.Helper()
		seq := d.DriveSeq(drv)
		edit()
		if err := w.Sync(); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if got := actions(d, drv, seq); got != want {
			t.Fatalf("%s: actions %q, want %q", name, got, want)
		}
	}
	write := func(p, body string) {
		t.Helper()
		if err := os.WriteFile(filepath.Join(base, p), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	mv := func(a, b string) {
		t.Helper()
		if err := os.Rename(filepath.Join(base, a), filepath.Join(base, b)); err != nil {
			t.Fatal(err)
		}
	}

	step("create", "file_create:n file_create:new.txt", func() {
		if err := os.Mkdir(filepath.Join(base, "Private", "n"), 0o755); err != nil {
			t.Fatal(err)
		}
		write("Private/new.txt", "fresh")
	})
	newFile := byPath(d, drv)["/Private/new.txt"]
	if content(t, d, drv, newFile.ID) != "fresh" {
		t.Fatal("new file: wrong bytes")
	}
	step("modify", "file_update:new.txt", func() { write("Private/new.txt", "fresher!") })
	if n, _ := d.Item(drv, newFile.ID); n.Size != 8 || n.Version != 2 || content(t, d, drv, newFile.ID) != "fresher!" {
		t.Fatalf("modified: %+v %q", n, content(t, d, drv, newFile.ID))
	}
	step("rename and move", "file_rename:moved.txt file_move_out:moved.txt file_move:moved.txt", func() {
		mv("Private/new.txt", "Private/n/moved.txt")
	})
	if n, _ := d.Item(drv, newFile.ID); d.Path(drv, n.ID) != "/Private/n/moved.txt" || content(t, d, drv, n.ID) != "fresher!" {
		t.Fatalf("moved: %q", d.Path(drv, n.ID))
	}
	before := content(t, d, drv, file.ID)
	step("move a folder", "file_move_out:"+sub.Name+" file_move:"+sub.Name, func() { mv("Private/"+sub.Name, "Private/n/"+sub.Name) })
	for _, n := range byPath(d, drv) {
		if !n.IsDir && n.ParentID == sub.ID {
			content(t, d, drv, n.ID) // its bytes are found at the new place
		}
	}
	step("atomic save", "file_update:"+file.Name, func() {
		write("Private/.tmp", before+"x")
		time.Sleep(10 * time.Millisecond)
		mv("Private/.tmp", "Private/"+file.Name)
	})
	if content(t, d, drv, file.ID) != before+"x" {
		t.Fatal("atomic save: wrong bytes")
	}
	seq := d.DriveSeq(drv)
	if err := os.RemoveAll(filepath.Join(base, "Private", "n")); err != nil {
		t.Fatal(err)
	}
	if err := w.Sync(); err != nil {
		t.Fatal(err)
	}
	got := actions(d, drv, seq)
	if !strings.HasPrefix(got, "file_delete:n ") || strings.Count(got, "file_delete:") != len(d.DriveChanges(drv, seq)) {
		t.Fatalf("delete a tree: %q", got)
	}
	if _, ok := d.Item(drv, newFile.ID); ok {
		t.Fatal("deleted file still there")
	}
}

func TestWatcherMail(t *testing.T) {
	d, dir := loadedCopy(t)
	w, err := d.Watch(dir)
	if err != nil {
		t.Fatal(err)
	}
	mb := d.Mailboxes()[0]
	inbox := FolderID("INBOX")
	msgs, _ := d.Messages(mb.UUID, inbox)
	folder := filepath.Join(dir, "mail", mb.Email, "INBOX")
	raw := "From: a@example.com\r\nSubject: watched\r\nMessage-ID: <w@x>\r\n\r\nhello\r\n"
	if err := os.WriteFile(filepath.Join(folder, "new.eml"), []byte(raw), 0o644); err != nil {
		t.Fatal(err)
	}
	gone := msgs[0].UID
	if err := os.Remove(filepath.Join(folder, strconv.FormatInt(gone, 10)+".eml")); err != nil {
		t.Fatal(err)
	}
	if err := w.Sync(); err != nil {
		t.Fatal(err)
	}
	ch := d.FolderChanges(mb.UUID, inbox, 0)
	if len(ch) != 2 || ch[0].Kind != MailAdded || ch[1].Kind != MailDeleted || ch[1].UID != gone {
		t.Fatalf("changes %+v", ch)
	}
	m, ok := d.Message(mb.UUID, inbox, ch[0].UID)
	if b, _ := d.Raw(mb.UUID, inbox, ch[0].UID); !ok || m.Subject != "watched" || string(b) != raw {
		t.Fatalf("added message %+v %q", m, b)
	}
	if _, ok := d.Message(mb.UUID, inbox, gone); ok {
		t.Fatal("removed message still listed")
	}
}
