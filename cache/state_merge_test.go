package cache

import (
	"testing"

	"github.com/infomaniakfs/infomaniakfs/remote"
)

// TestStateFillFrom: what the caches hold wins; what they lack is kept
// from the state saved before, each piece whole.
func TestStateFillFrom(t *testing.T) {
	e := func(id, parent int64) remote.Entry { return remote.Entry{ID: id, ParentID: parent, Name: "x"} }
	prev := &State{
		Drives:    []remote.DriveInfo{{ID: 1}, {ID: 2}},
		Mailboxes: []remote.Mailbox{{UUID: "mb"}},
		Trees: []DriveTree{
			{Drive: 1, Cursor: "old1", Dirs: map[int64][]remote.Entry{1: {e(10, 1)}, 10: {e(11, 10)}}},
			{Drive: 2, Cursor: "old2", Dirs: map[int64][]remote.Entry{1: {e(20, 1)}, 20: {e(21, 20)}}},
			{Drive: 3, Cursor: "old3", Dirs: map[int64][]remote.Entry{1: {e(30, 1)}}},
		},
		Folders:  map[string][]remote.Folder{"mb": {{ID: "a"}}, "mb2": {{ID: "b"}}},
		Listings: []FolderListing{{Mailbox: "mb", Folder: "a", Signature: "s-old"}, {Mailbox: "mb", Folder: "c", Signature: "s-c"}},
	}
	st := &State{
		Trees: []DriveTree{
			{Drive: 1, Cursor: "new1", Dirs: map[int64][]remote.Entry{1: {e(12, 1)}}},
			{Drive: 2, Dirs: map[int64][]remote.Entry{1: {e(20, 1), e(22, 1)}}},
		},
		Folders:  map[string][]remote.Folder{"mb": {{ID: "a"}, {ID: "c"}}},
		Listings: []FolderListing{{Mailbox: "mb", Folder: "a", Signature: "s-new"}},
	}
	st.fillFrom(prev)
	if len(st.Drives) != 2 || len(st.Mailboxes) != 1 {
		t.Errorf("drives %v, mailboxes %v: want prev's, none held", st.Drives, st.Mailboxes)
	}
	if len(st.Trees) != 3 {
		t.Fatalf("trees %+v, want 3", st.Trees)
	}
	if t1 := st.Trees[0]; t1.Cursor != "new1" || len(t1.Dirs) != 1 {
		t.Errorf("a followed tree held is replaced whole: %+v", t1)
	}
	if t2 := st.Trees[1]; t2.Cursor != "" || len(t2.Dirs) != 2 || len(t2.Dirs[1]) != 2 {
		t.Errorf("a tree held without a cursor gets prev's other folders, no cursor: %+v", t2)
	}
	if t3 := st.Trees[2]; t3.Cursor != "old3" {
		t.Errorf("a tree not held is kept with its cursor: %+v", t3)
	}
	if len(st.Folders["mb"]) != 2 || len(st.Folders["mb2"]) != 1 {
		t.Errorf("folders %v", st.Folders)
	}
	if len(st.Listings) != 2 || st.Listings[0].Signature != "s-new" || st.Listings[1].Signature != "s-c" {
		t.Errorf("listings %+v", st.Listings)
	}
	if len(prev.Trees[1].Dirs) != 2 || prev.Trees[1].Cursor != "old2" {
		t.Error("prev was changed")
	}
}
