package fs

import (
	"strings"
	"time"

	"github.com/infomaniakfs/infomaniakfs/remote"
)

// fixture is a small account (three drives, two mailboxes) with hostile
// names and lying message sizes, and the tree the mount must show for it,
// written out by hand: file path → bytes and mtime, dir path → mtime.
type fixture struct {
	drives *fakeDrives
	mail   *fakeMail
	files  map[string]expFile
	dirs   map[string]time.Time
}

type expFile struct {
	data  []byte
	mtime time.Time
}

func ts(s string) time.Time {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		panic(err)
	}
	return t
}

func newFixture() *fixture {
	fx := &fixture{drives: newFakeDrives(), mail: newFakeMail(), files: map[string]expFile{}, dirs: map[string]time.Time{}}
	fx.dirs["kDrive"] = epoch
	fx.dirs["Mail"] = epoch
	fx.buildDrives()
	fx.buildMail()
	// The fixed directories show the newest drive root's mtime (the fake
	// mail offers no dates of its own).
	var newest time.Time
	for p, m := range fx.dirs {
		if strings.Count(p, "/") == 1 && strings.HasPrefix(p, "kDrive/") && m.After(newest) {
			newest = m
		}
	}
	for p := range fx.dirs {
		if p == "kDrive" || p == "Mail" || strings.HasPrefix(p, "Mail/") {
			fx.dirs[p] = newest
		}
	}
	return fx
}

func (fx *fixture) file(path string, data []byte, mtime time.Time) {
	fx.files[path] = expFile{data: data, mtime: mtime}
}

func (fx *fixture) buildDrives() {
	d := fx.drives
	t0 := ts("2025-01-02T03:04:05Z")

	// Two drives named alike, one not.
	d.addDrive(101, "Team", t0)
	d.addDrive(202, "Team", t0.Add(time.Hour))
	d.addDrive(303, "Solo", t0.Add(2*time.Hour))
	fx.dirs["kDrive/Team (101)"] = t0
	fx.dirs["kDrive/Team (202)"] = t0.Add(time.Hour)
	fx.dirs["kDrive/Solo"] = t0.Add(2 * time.Hour)

	// Team (101): the usual folders, nesting, sizes around read boundaries.
	d.addDir(101, 1, 2, "Private", ts("2025-02-01T10:00:00Z"))
	d.addDir(101, 1, 3, "Common documents", ts("2025-02-02T10:00:00Z"))
	d.addDir(101, 2, 4, "a", ts("2025-02-03T10:00:00Z"))
	d.addDir(101, 4, 5, "b", ts("2025-02-04T10:00:00Z"))
	fx.dirs["kDrive/Team (101)/Private"] = ts("2025-02-01T10:00:00Z")
	fx.dirs["kDrive/Team (101)/Common documents"] = ts("2025-02-02T10:00:00Z")
	fx.dirs["kDrive/Team (101)/Private/a"] = ts("2025-02-03T10:00:00Z")
	fx.dirs["kDrive/Team (101)/Private/a/b"] = ts("2025-02-04T10:00:00Z")
	fx.file("kDrive/Team (101)/hello.txt", d.addFile(101, 1, 10, "hello.txt", 13, ts("2025-03-01T08:00:00Z")), ts("2025-03-01T08:00:00Z"))
	fx.file("kDrive/Team (101)/empty", d.addFile(101, 1, 11, "empty", 0, ts("2025-03-02T08:00:00Z")), ts("2025-03-02T08:00:00Z"))
	fx.file("kDrive/Team (101)/Common documents/report.pdf", d.addFile(101, 3, 12, "report.pdf", 128<<10, ts("2025-03-03T08:00:00Z")), ts("2025-03-03T08:00:00Z"))
	fx.file("kDrive/Team (101)/Private/a/b/deep.bin", d.addFile(101, 5, 13, "deep.bin", 3<<20+17, ts("2025-03-04T08:00:00Z")), ts("2025-03-04T08:00:00Z"))

	// Hostile names, each with the name the mount must give it.
	d.addDir(101, 1, 20, "Hostile", ts("2025-04-01T00:00:00Z"))
	fx.dirs["kDrive/Team (101)/Hostile"] = ts("2025-04-01T00:00:00Z")
	mt := ts("2025-04-02T00:00:00Z")
	hostile := []struct {
		id         int64
		name, want string
	}{
		{30, "a/b", "a\uFF0Fb"},
		{31, "..", "\uFF0E\uFF0E"},
		{32, ".", "\uFF0E"},
		{33, "nul\x00byte", "nul\uFFFDbyte"},
		{34, strings.Repeat("n", 296) + ".txt", strings.Repeat("n", 251) + ".txt"},
		{35, strings.Repeat("é", 150) + ".txt", strings.Repeat("é", 125) + ".txt"},
		{36, "bad\xff\xfe.txt", "bad\uFFFD\uFFFD.txt"},
		{37, "", "_"},
		// Two "dup.txt" both get their id; the 50 slot is taken by a file
		// really named so, hence "-2".
		{50, "dup.txt", "dup (50-2).txt"},
		{51, "dup.txt", "dup (51).txt"},
		{52, "dup (50).txt", "dup (50).txt"},
		// A file and a folder that collide: the folder's suffix goes last.
		{53, "x.y", "x (53).y"},
	}
	for i, h := range hostile {
		fx.file("kDrive/Team (101)/Hostile/"+h.want, d.addFile(101, 20, h.id, h.name, 100+i, mt), mt)
	}
	d.addDir(101, 20, 54, "x.y", mt)
	fx.dirs["kDrive/Team (101)/Hostile/x.y (54)"] = mt

	// Team (202) and Solo: a little content.
	fx.file("kDrive/Team (202)/notes.md", d.addFile(202, 1, 10, "notes.md", 4096, ts("2025-05-01T00:00:00Z")), ts("2025-05-01T00:00:00Z"))
	d.addDir(303, 1, 2, "Shared", ts("2025-05-02T00:00:00Z"))
	fx.dirs["kDrive/Solo/Shared"] = ts("2025-05-02T00:00:00Z")
	fx.file("kDrive/Solo/Shared/photo.jpg", d.addFile(303, 2, 3, "photo.jpg", 200<<10+1, ts("2025-05-03T00:00:00Z")), ts("2025-05-03T00:00:00Z"))
}

func (fx *fixture) buildMail() {
	m := fx.mail
	m.AddMailbox(remote.Mailbox{UUID: "uuid-alice", Email: "alice@example.com", ID: 1},
		remote.Folder{ID: "f-inbox", Path: "INBOX", Name: "INBOX", Separator: "/", Role: "INBOX"},
		remote.Folder{ID: "f-arch", Path: "Archives", Name: "Archives", Separator: "/"},
		remote.Folder{ID: "f-2025", Path: "Archives/2025", Name: "2025", Separator: "/", ParentID: "f-arch"},
		// Its parent is hidden: it must show at the mailbox root.
		remote.Folder{ID: "f-orphan", Path: ".ik/Orphan", Name: "Orphan", Separator: "/", ParentID: "f-hidden"},
	)
	m.AddMailbox(remote.Mailbox{UUID: "uuid-bob", Email: "bob@example.com", ID: 2},
		remote.Folder{ID: "b-inbox", Path: "INBOX", Name: "INBOX", Separator: "/"})
	for _, p := range []string{
		"Mail/alice@example.com", "Mail/alice@example.com/INBOX", "Mail/alice@example.com/Archives",
		"Mail/alice@example.com/Archives/2025", "Mail/alice@example.com/Orphan",
		"Mail/bob@example.com", "Mail/bob@example.com/INBOX",
	} {
		fx.dirs[p] = epoch
	}

	d1 := ts("2026-11-20T09:15:00Z")
	msgs := []struct {
		box, folder, dir, uid, subject string
		date                           time.Time
		body                           string
		hint                           int64
		want                           string
	}{
		{"uuid-alice", "f-inbox", "alice@example.com/INBOX", "4711", "Quarterly report", d1, "numbers", 10, // hint too small
			"2026-11-20 0915 Quarterly report (4711).eml"},
		{"uuid-alice", "f-inbox", "alice@example.com/INBOX", "4712", "Re: a/b\t— ünïcode", d1.Add(90 * time.Minute), strings.Repeat("long body ", 500), 1 << 20, // too big
			"2026-11-20 1045 Re: a\uFF0Fb — ünïcode (4712).eml"},
		{"uuid-alice", "f-inbox", "alice@example.com/INBOX", "4713", "", d1.Add(time.Minute), "no subject", 0,
			"2026-11-20 0916 (no subject) (4713).eml"},
		{"uuid-alice", "f-inbox", "alice@example.com/INBOX", "4714", "undated", time.Time{}, "when?", -1,
			"0000-00-00 0000 undated (4714).eml"},
		{"uuid-alice", "f-2025", "alice@example.com/Archives/2025", "1", "Old", ts("2025-06-01T12:00:00+02:00"), "archived", 5000,
			"2025-06-01 1000 Old (1).eml"},
		{"uuid-alice", "f-orphan", "alice@example.com/Orphan", "9", "Lost", d1, "found", 3,
			"2026-11-20 0915 Lost (9).eml"},
		{"uuid-bob", "b-inbox", "bob@example.com/INBOX", "1", "Hi Bob", d1, "hello", 1,
			"2026-11-20 0915 Hi Bob (1).eml"},
	}
	for _, x := range msgs {
		raw := m.addMessage(x.box, x.folder, x.uid, x.subject, x.date, x.body, x.hint)
		fx.file("Mail/"+x.dir+"/"+x.want, raw, x.date)
	}
}
