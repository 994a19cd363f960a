package fs

import (
	"strings"
	"testing"

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

	lists := func() int {
		fx.drives.mu.Lock()
		defer fx.drives.mu.Unlock()
		n := 0
		for k, v := range fx.drives.calls {
			if strings.HasPrefix(k, "list ") {
				n += v
			}
		}
		return n
	}
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
