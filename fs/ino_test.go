package fs

import (
	"fmt"
	"testing"
)

// TestInoGolden pins inode numbers (the hashed ones checked against an
// independent FNV-1a computation): a change here renumbers every file on
// every user's next mount, and their backups re-read everything.
func TestInoGolden(t *testing.T) {
	tests := []struct {
		name string
		got  uint64
		want uint64
	}{
		{"root", Ino(KindStatic, "", "1"), 1},
		{"kDrive", Ino(KindStatic, "", "2"), 2},
		{"drive", driveIno(407472), 1<<61 | 407472},
		{"drive item", driveItemIno(407472, 1234), 2<<61 | 407472<<37 | 1234},
		{"drive item, huge id", driveItemIno(407472, 1<<40), 0x7e40a04a7f513bfa},
		{"mailbox", mailboxIno("c33185f8-63b3-346d-a14e-cd84dbb46294"), 0x8c2990356ff2ef33},
		{"folder", folderIno("c33185f8-63b3-346d-a14e-cd84dbb46294", "INBOX"), 0xacd281a55f66d5db},
		{"message", messageIno("c33185f8-63b3-346d-a14e-cd84dbb46294", "INBOX", "4711"), 0xd33c6ab8c5ce8d3e},
	}
	for _, tc := range tests {
		if tc.got != tc.want {
			t.Errorf("%s: %#x, want %#x", tc.name, tc.got, tc.want)
		}
	}
}

func TestInoKindsAndUniqueness(t *testing.T) {
	seen := map[uint64]string{}
	add := func(ino uint64, what string, kind Kind) {
		t.Helper()
		if ino == 0 || ino == ^uint64(0) {
			t.Fatalf("%s: reserved inode %#x", what, ino)
		}
		if got := Kind(ino >> kindShift); got != kind {
			t.Fatalf("%s: kind %d, want %d", what, got, kind)
		}
		if other, dup := seen[ino]; dup {
			t.Fatalf("%s and %s share inode %#x", what, other, ino)
		}
		seen[ino] = what
	}
	for _, n := range []string{"1", "2", "3"} {
		add(Ino(KindStatic, "", n), "static "+n, KindStatic)
	}
	for d := int64(1); d <= 20; d++ {
		add(driveIno(d*100003), fmt.Sprint("drive ", d), KindDrive)
		for id := int64(1); id <= 2000; id++ {
			add(driveItemIno(d*100003, id*7919), fmt.Sprint("item ", d, "/", id), KindDriveItem)
		}
		add(driveItemIno(d, 1<<37), fmt.Sprint("big item ", d), KindDriveHash)
	}
	for b := 0; b < 5; b++ {
		box := fmt.Sprintf("uuid-%d", b)
		add(mailboxIno(box), box, KindMailbox)
		for f := 0; f < 40; f++ {
			path := fmt.Sprintf("Archives/%d", 2000+f)
			add(folderIno(box, path), box+"/"+path, KindFolder)
			for uid := 1; uid <= 500; uid++ {
				add(messageIno(box, path, fmt.Sprint(uid)), fmt.Sprint(box, path, uid), KindMessage)
			}
		}
	}
}
