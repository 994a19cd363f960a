package dataset

import (
	"context"
	"errors"
	"testing"
	"time"
)

func TestDriveMutations(t *testing.T) {
	d := Generate(small)
	const drv = 100001
	paths := byPath(d, drv)
	priv, common := paths["/Private"], paths["/Common documents"]
	file := paths["/Private/Übersicht.txt"]
	usedBefore := d.Drives()[0].UsedSize
	if d.DriveSeq(drv) != 0 || len(d.DriveChanges(drv, 0)) != 0 {
		t.Fatal("fresh data set has changes")
	}

	dir, err := d.AddDir(drv, priv.ID, "new dir")
	if err != nil || !dir.IsDir || dir.ParentID != priv.ID || dir.Visibility != VisInPrivate || dir.Depth != 2 {
		t.Fatalf("AddDir: %+v, %v", dir, err)
	}
	f, err := d.AddFile(drv, dir.ID, "a.pdf", 1000)
	if err != nil || f.Size != 1000 || f.MimeType != "application/pdf" || f.Version != 1 || f.Depth != 3 || f.ID <= dir.ID {
		t.Fatalf("AddFile: %+v, %v", f, err)
	}
	old := sum(t, d, drv, file.ID)
	mod, err := d.ModifyFile(drv, file.ID, 50)
	if err != nil || mod.Version != 2 || mod.Size != 50 || mod.MTime <= file.MTime {
		t.Fatalf("ModifyFile: %+v, %v", mod, err)
	}
	if sum(t, d, drv, file.ID) == old {
		t.Fatal("ModifyFile kept the bytes")
	}
	if _, _, v, _ := d.Content(drv, file.ID); v != 2 {
		t.Fatalf("Content version %d", v)
	}
	if err := d.Rename(drv, f.ID, "b.pdf"); err != nil {
		t.Fatal(err)
	}
	if err := d.Move(drv, dir.ID, common.ID); err != nil {
		t.Fatal(err)
	}
	if err := d.Delete(drv, dir.ID); err != nil {
		t.Fatal(err)
	}

	want := []struct {
		action    string
		id        int64
		parent    int64
		oldParent int64
	}{
		{ActionCreate, dir.ID, priv.ID, 0},
		{ActionCreate, f.ID, dir.ID, 0},
		{ActionUpdate, file.ID, priv.ID, 0},
		{ActionRename, f.ID, dir.ID, 0},
		{ActionMoveOut, dir.ID, common.ID, priv.ID},
		{ActionMoveIn, dir.ID, common.ID, priv.ID},
		{ActionDelete, dir.ID, common.ID, 0},
		{ActionDelete, f.ID, dir.ID, 0},
	}
	changes := d.DriveChanges(drv, 0)
	if len(changes) != len(want) || d.DriveSeq(drv) != int64(len(want)) {
		t.Fatalf("%d changes, seq %d: %+v", len(changes), d.DriveSeq(drv), changes)
	}
	for i, w := range want {
		c := changes[i]
		if c.Seq != int64(i+1) || c.Action != w.action || c.Node.ID != w.id || c.Node.ParentID != w.parent || c.OldParentID != w.oldParent {
			t.Errorf("change %d: %+v, want %+v", i, c, w)
		}
	}
	if c := changes[5].Node; c.Visibility != VisTeamFolder {
		t.Errorf("moved dir visibility %q", c.Visibility)
	}
	if c := changes[7].Node; c.Name != "b.pdf" || c.Visibility != VisInTeamFolder || c.Depth != 3 {
		t.Errorf("deleted file as it was: %+v", c)
	}
	if got := d.DriveChanges(drv, 6); len(got) != 2 || got[0].Seq != 7 {
		t.Errorf("DriveChanges since 6: %+v", got)
	}
	if _, ok := d.Item(drv, f.ID); ok {
		t.Error("deleted file still served")
	}
	if kids, _ := d.Children(drv, common.ID); len(kids) != len(mustChildren(t, Generate(small), common.ID)) {
		t.Error("deleted dir still listed")
	}
	if used := d.Drives()[0].UsedSize; used != usedBefore-file.Size+50 {
		t.Errorf("UsedSize %d, want %d", used, usedBefore-file.Size+50)
	}
	if d.DriveSeq(100002) != 0 {
		t.Error("drive 2 changed")
	}
}

func mustChildren(t *testing.T, d *Dataset, id int64) []Node {
	t.Helper()
	kids, ok := d.Children(100001, id)
	if !ok {
		t.Fatalf("Children(%d)", id)
	}
	return kids
}

func TestMoveKeepsChildrenSorted(t *testing.T) {
	d := Generate(small)
	paths := byPath(d, 100001)
	a, _ := d.AddFile(100001, RootID, "a", 1)
	if err := d.Move(100001, paths["/Private"].ID, paths["/Shared"].ID); err != nil {
		t.Fatal(err)
	}
	if err := d.Move(100001, a.ID, paths["/Shared"].ID); err != nil {
		t.Fatal(err)
	}
	kids := mustChildren(t, d, paths["/Shared"].ID)
	for i := 1; i < len(kids); i++ {
		if kids[i-1].ID >= kids[i].ID {
			t.Fatalf("children out of order: %+v", kids)
		}
	}
	if n, _ := d.Item(100001, paths["/Private/Übersicht.txt"].ID); n.Visibility != VisInShared || n.Depth != 3 {
		t.Fatalf("subtree not re-parented: %+v", n)
	}
	if p := d.Path(100001, paths["/Private/Übersicht.txt"].ID); p != "/Shared/Private/Übersicht.txt" {
		t.Fatalf("path after move %q", p)
	}
}

func TestMutationErrors(t *testing.T) {
	d := Generate(small)
	paths := byPath(d, 100001)
	file, priv := paths["/Private/Übersicht.txt"].ID, paths["/Private"].ID
	sub := mustChildren(t, d, priv)
	var subdir int64
	for _, n := range sub {
		if n.IsDir {
			subdir = n.ID
		}
	}
	tests := []struct {
		name string
		err  error
		op   func() error
	}{
		{"file in unknown drive", ErrNotFound, func() error { _, err := d.AddFile(1, RootID, "x", 1); return err }},
		{"file under missing parent", ErrNotFound, func() error { _, err := d.AddFile(100001, 99999, "x", 1); return err }},
		{"file under a file", ErrNotDir, func() error { _, err := d.AddFile(100001, file, "x", 1); return err }},
		{"negative size", ErrInvalid, func() error { _, err := d.AddFile(100001, RootID, "x", -1); return err }},
		{"modify a dir", ErrIsDir, func() error { _, err := d.ModifyFile(100001, priv, 1); return err }},
		{"modify missing", ErrNotFound, func() error { _, err := d.ModifyFile(100001, 99999, 1); return err }},
		{"rename root", ErrInvalid, func() error { return d.Rename(100001, RootID, "x") }},
		{"move into itself", ErrInvalid, func() error { return d.Move(100001, priv, priv) }},
		{"move into descendant", ErrInvalid, func() error { return d.Move(100001, priv, subdir) }},
		{"move under a file", ErrNotDir, func() error { return d.Move(100001, subdir, file) }},
		{"move root", ErrInvalid, func() error { return d.Move(100001, RootID, priv) }},
		{"delete root", ErrInvalid, func() error { return d.Delete(100001, RootID) }},
		{"delete missing", ErrNotFound, func() error { return d.Delete(100001, 99999) }},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if err := tc.op(); !errors.Is(err, tc.err) {
				t.Fatalf("err %v, want %v", err, tc.err)
			}
		})
	}
	if d.DriveSeq(100001) != 0 {
		t.Fatalf("failed mutations logged %d changes", d.DriveSeq(100001))
	}
}

func TestHostileNamesAccepted(t *testing.T) {
	d := Generate(small)
	for _, name := range []string{"a/b", "..", "", "nul\x00byte", "\xff\xfe", "same", "same"} {
		n, err := d.AddFile(100001, RootID, name, 3)
		if err != nil || n.Name != name {
			t.Fatalf("AddFile(%q): %+v, %v", name, n, err)
		}
		if got, _ := d.Item(100001, n.ID); got.Name != name {
			t.Fatalf("served name %q, want %q", got.Name, name)
		}
	}
	dir, _ := d.AddDir(100001, RootID, "x")
	if err := d.SetName(100001, dir.ID, "a/../b"); err != nil {
		t.Fatal(err)
	}
	if n, _ := d.Item(100001, dir.ID); n.Name != "a/../b" {
		t.Fatalf("SetName: %q", n.Name)
	}
}

func TestWaitDrive(t *testing.T) {
	d := Generate(small)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	if d.WaitDrive(ctx, 100001, 0) {
		t.Fatal("WaitDrive reported a change that did not happen")
	}
	if d.WaitDrive(context.Background(), 42, 0) {
		t.Fatal("unknown drive changed")
	}

	done := make(chan bool)
	go func() { done <- d.WaitDrive(context.Background(), 100001, 0) }()
	select {
	case <-done:
		t.Fatal("WaitDrive returned before any change")
	case <-time.After(20 * time.Millisecond):
	}
	// A change on another drive must not wake it.
	d.AddFile(100002, RootID, "other", 1)
	select {
	case <-done:
		t.Fatal("woken by another drive")
	case <-time.After(20 * time.Millisecond):
	}
	d.AddFile(100001, RootID, "x", 1)
	select {
	case changed := <-done:
		if !changed {
			t.Fatal("WaitDrive reported no change")
		}
	case <-time.After(5 * time.Second):
		t.Fatal("WaitDrive did not wake")
	}
	if !d.WaitDrive(context.Background(), 100001, 0) {
		t.Fatal("already-passed seq must return at once")
	}
}
