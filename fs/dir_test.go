package fs

import (
	"context"
	"testing"
	"time"

	"github.com/infomaniakfs/infomaniakfs/remote"
)

// racingDir is a folder whose first listing is overtaken by a change made
// here (forget runs while it is under way, as a create in the folder
// does), so it answers what the folder held before.
type racingDir struct {
	driveEntry
	forget func()
	calls  int
}

func (r *racingDir) list(context.Context, *fsys) ([]item, error) {
	r.calls++
	items := []item{driveEntry{remote.Entry{ID: 10, DriveID: 1, Name: "old"}}}
	if r.calls == 1 {
		r.forget()
		return items, nil
	}
	return append(items, driveEntry{remote.Entry{ID: 11, DriveID: 1, Name: ".tmp.new"}}), nil
}

// TestRelistNeverKeepsAListingAChangeOvertook: a listing during which the
// folder changed here is taken again, and the one kept has the change.
func TestRelistNeverKeepsAListingAChangeOvertook(t *testing.T) {
	src := &racingDir{driveEntry: driveEntry{remote.Entry{ID: 5, DriveID: 1, IsDir: true}}}
	d := newDir(&fsys{now: time.Now}, src, "/d").(*dirNode)
	src.forget = func() { d.forgetListing() }
	l, err := d.relist(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if l.items[".tmp.new"] == nil || src.calls != 2 {
		t.Fatalf("relist gave %q after %d listings", l.names, src.calls)
	}
	if last, _ := d.lookupListing(context.Background()); last.items[".tmp.new"] == nil {
		t.Fatalf("kept %q", last.names)
	}
}
