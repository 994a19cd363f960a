package fs

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/infomaniakfs/infomaniakfs/cache"
)

// The real decorators implement the sources fs needs.
var (
	_ DriveSource = (*cache.Drives)(nil)
	_ MailSource  = (*cache.Mail)(nil)
)

// TestMountThroughCache mounts the fixture behind the real cache package:
// the tree is exact, and walking it a second time costs no listing.
func TestMountThroughCache(t *testing.T) {
	fx := newFixture()
	// The fixture's listed sizes lie and the walk stats before it reads.
	co := cache.Options{BlockSize: 64 << 10, CacheSize: 8 << 20, ExactMailSizes: true}
	mnt := mountOptions(t, Options{
		Drives: cache.NewDrives(fx.drives, co),
		Mail:   cache.NewMail(fx.mail, co),
	}, MountOptions{ReadOnly: true})
	checkTree(t, fx, mnt, walkTree(t, mnt), true)

	lists := func() int { return fx.drives.lists(0, 0) }
	before := lists()
	w := walkTree(t, mnt)
	if len(w.files) != len(fx.files) {
		t.Errorf("second walk saw %d files, want %d", len(w.files), len(fx.files))
	}
	if after := lists(); after != before {
		t.Errorf("second walk cost %d List calls, want 0", after-before)
	}
	if n, want := fx.mail.downloadCount(), 7; n != want {
		t.Errorf("%d message downloads, want %d (each message once)", n, want)
	}
}

// The fixed directories are dated by their content, never the epoch: a
// mail folder whose listing is cached by its newest message, its mailbox
// and Mail/ too; the root by the newest of all.
func TestFixedDirsAreDated(t *testing.T) {
	fx := newFixture()
	co := cache.Options{BlockSize: 64 << 10, CacheSize: 8 << 20}
	mnt := mountOptions(t, Options{
		Drives: cache.NewDrives(fx.drives, co),
		Mail:   cache.NewMail(fx.mail, co),
		// No kernel attribute cache: each stat asks the tree.
		AttrTimeout: -1, EntryTimeout: -1,
	}, MountOptions{ReadOnly: true})
	mtime := func(rel string) time.Time {
		fi, err := os.Stat(filepath.Join(mnt, rel))
		if err != nil {
			t.Fatal(err)
		}
		return fi.ModTime().UTC()
	}
	driveRoots := fx.dirs["kDrive"] // the newest drive root (newFixture)
	for _, rel := range []string{"", "kDrive", "Mail", "Mail/alice@example.com", "Mail/alice@example.com/INBOX"} {
		if got := mtime(rel); !got.Equal(driveRoots) {
			t.Errorf("%q before any mail listing: %v, want the drives' %v", rel, got, driveRoots)
		}
	}
	if _, err := os.ReadDir(filepath.Join(mnt, "Mail/alice@example.com/INBOX")); err != nil {
		t.Fatal(err)
	}
	newest := ts("2026-11-20T10:45:00Z") // message 4712
	for _, rel := range []string{"", "Mail", "Mail/alice@example.com", "Mail/alice@example.com/INBOX"} {
		if got := mtime(rel); !got.Equal(newest) {
			t.Errorf("%q after listing INBOX: %v, want %v", rel, got, newest)
		}
	}
	if got := mtime("kDrive"); !got.Equal(driveRoots) || got.Equal(epoch) {
		t.Errorf("kDrive: %v, want %v", got, driveRoots)
	}
}
