package cache

import (
	"os"
	"path/filepath"
	"reflect"
	"testing"
	"time"

	"github.com/infomaniakfs/infomaniakfs/remote"
)

func sampleState() *State {
	mtime := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	return &State{
		Saved:   mtime,
		APIURL:  "https://api.example",
		MailURL: "https://mail.example",
		Profile: remote.Profile{ID: 42, Email: "a@example.com"},
		Drives:  []remote.DriveInfo{{ID: 7, Name: "Drive", Size: 100, UsedSize: 10}},
		Trees: []DriveTree{{Drive: 7, Cursor: "c1", Dirs: map[int64][]remote.Entry{
			1: {{ID: 2, ParentID: 1, DriveID: 7, Name: "a.txt", Size: 3, MTime: mtime, CTime: mtime, Version: "v"}},
		}, Items: []remote.Entry{{ID: 1, DriveID: 7, IsDir: true, MTime: mtime, CTime: mtime}}}},
		Mailboxes: []remote.Mailbox{{UUID: "mb", Email: "a@example.com"}},
		Folders:   map[string][]remote.Folder{"mb": {{ID: "f", Path: "INBOX", Name: "INBOX", Total: -1}}},
		Listings: []FolderListing{{Mailbox: "mb", Folder: "f", Signature: "s1",
			Messages: []remote.Message{{UID: "1", FolderID: "f", Date: mtime, SizeHint: 9, MessageID: "<m@x>"}}}},
	}
}

func TestStateRoundTrip(t *testing.T) {
	dir := t.TempDir()
	want := sampleState()
	if err := SaveState(dir, want); err != nil {
		t.Fatal(err)
	}
	info, err := os.Stat(filepath.Join(dir, stateFile))
	if err != nil {
		t.Fatal(err)
	}
	if info.Mode().Perm() != 0o600 {
		t.Errorf("mode %v, want 0600", info.Mode().Perm())
	}
	got, err := LoadState(dir)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("loaded\n%+v\nwant\n%+v", got, want)
	}
}

// TestStateDamaged: a damaged file is no state, never a crash or a
// partial one.
func TestStateDamaged(t *testing.T) {
	for _, tc := range []struct {
		name   string
		damage func(b []byte) []byte
	}{
		{"flipped byte", func(b []byte) []byte { b[len(b)-10] ^= 1; return b }},
		{"truncated", func(b []byte) []byte { return b[:len(b)-5] }},
		{"header only", func(b []byte) []byte { return b[:16] }},
		{"empty", func(b []byte) []byte { return nil }},
		{"garbage", func(b []byte) []byte { return []byte("not a state file at all, no") }},
		{"huge length", func(b []byte) []byte { b[8], b[9], b[10], b[11] = 0xff, 0xff, 0xff, 0xff; return b }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			if err := SaveState(dir, sampleState()); err != nil {
				t.Fatal(err)
			}
			p := filepath.Join(dir, stateFile)
			b, err := os.ReadFile(p)
			if err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(p, tc.damage(b), 0o600); err != nil {
				t.Fatal(err)
			}
			if st, err := LoadState(dir); err == nil {
				t.Fatalf("damaged state loaded: %+v", st)
			}
		})
	}
	if _, err := LoadState(t.TempDir()); err == nil {
		t.Error("missing state loaded")
	}
}

// TestFindState finds the newest state of the given hosts, and none of
// other hosts.
func TestFindState(t *testing.T) {
	root := t.TempDir()
	api, mail := "https://api.example", "https://mail.example"
	old, cur := sampleState(), sampleState()
	cur.Profile.ID, cur.Saved = 43, old.Saved.Add(time.Hour)
	for _, st := range []*State{old, cur} {
		if err := SaveState(AccountDir(root, api, mail, st.Profile.ID), st); err != nil {
			t.Fatal(err)
		}
	}
	other := sampleState()
	other.APIURL, other.Saved = "http://127.0.0.1:1", cur.Saved.Add(time.Hour)
	if err := SaveState(AccountDir(root, other.APIURL, mail, 42), other); err != nil {
		t.Fatal(err)
	}
	st, dir, ok := FindState(root, api, mail)
	if !ok || st.Profile.ID != 43 || dir != AccountDir(root, api, mail, 43) {
		t.Fatalf("FindState = %v, %q, %v; want account 43", st, dir, ok)
	}
	if _, _, ok := FindState(root, "https://elsewhere", mail); ok {
		t.Error("found a state of other hosts")
	}
	if _, _, ok := FindState(t.TempDir(), api, mail); ok {
		t.Error("found a state in an empty directory")
	}
}

// TestPurgeRemovesState: purging the cache forgets the saved state too.
func TestPurgeRemovesState(t *testing.T) {
	root := t.TempDir()
	dir := AccountDir(root, "https://api.example", "https://mail.example", 42)
	if err := SaveState(dir, sampleState()); err != nil {
		t.Fatal(err)
	}
	if err := PurgeDisk(root); err != nil {
		t.Fatal(err)
	}
	if _, err := LoadState(dir); err == nil {
		t.Error("the state outlived a purge")
	}
}
