package mail

import (
	"errors"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/infomaniakfs/infomaniakfs/remote"
	"github.com/infomaniakfs/infomaniakfs/remote/emulator/dataset"
)

func TestUIDSet(t *testing.T) {
	for _, tc := range []struct {
		in   []string
		want string
	}{
		{nil, ""},
		{[]string{"7"}, "7"},
		{[]string{"3", "1", "2", "2", "5", "7", "6", "9", "x"}, "1:3,5:7,9"},
	} {
		if got := uidSet(tc.in); got != tc.want {
			t.Errorf("uidSet(%v) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

// Listing gives a signature; Activities reports what was added and
// deleted since, with or without the held UIDs, and refuses a bad
// signature with an error that is not "folder gone".
func TestActivitiesAgainstEmulator(t *testing.T) {
	s, c := startEmulator(t, dataset.Spec{Mailboxes: 1, MessagesPerFolder: 5})
	ctx := t.Context()
	mb := s.Data().Mailboxes()[0]
	folders, _ := s.Data().Folders(mb.UUID)
	f := folders[0]
	list, sig, err := c.Listing(ctx, mb.UUID, f.ID)
	if err != nil || sig == "" || len(list) != 5 {
		t.Fatalf("Listing: %d messages, signature %q, %v", len(list), sig, err)
	}
	held := make([]string, len(list))
	for i, m := range list {
		held[i] = m.UID
	}
	added, deleted, next, err := c.Activities(ctx, mb.UUID, f.ID, sig, held)
	if err != nil || len(added)+len(deleted) != 0 || next == "" {
		t.Fatalf("no change: added %v deleted %v next %q, %v", added, deleted, next, err)
	}
	msg, err := s.Data().AddMessage(mb.UUID, f.ID, []byte("Subject: new\r\n\r\nhi\r\n"), time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Data().DeleteMessage(mb.UUID, f.ID, mustInt(t, held[0])); err != nil {
		t.Fatal(err)
	}
	for _, h := range [][]string{held, nil} {
		added, deleted, _, err := c.Activities(ctx, mb.UUID, f.ID, next, h)
		if err != nil || !slices.Equal(added, []string{strconv.FormatInt(msg.UID, 10)}) || !slices.Equal(deleted, held[:1]) {
			t.Errorf("held %v: added %v deleted %v (%v), want [%d] %v", h != nil, added, deleted, err, msg.UID, held[:1])
		}
	}
	got, err := c.MessagesByUID(ctx, mb.UUID, f.ID, []string{strconv.FormatInt(msg.UID, 10), "999"})
	if err != nil || len(got) != 1 || got[0].Subject != "new" {
		t.Errorf("MessagesByUID: %+v, %v", got, err)
	}
	if _, _, _, err := c.Activities(ctx, mb.UUID, f.ID, "bogus", nil); err == nil || errors.Is(err, remote.ErrNotFound) {
		t.Errorf("bad signature: %v, want an error other than not found", err)
	}
	if _, _, _, err := c.Activities(ctx, mb.UUID, "nope", next, nil); !errors.Is(err, remote.ErrNotFound) {
		t.Errorf("unknown folder: %v, want not found", err)
	}
}

func mustInt(t *testing.T, s string) int64 {
	t.Helper()
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		t.Fatal(err)
	}
	return n
}
