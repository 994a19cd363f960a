package kdrive

import (
	"testing"
	"time"
)

// A change's entry carries the Version List and Stat give the same item,
// or none when the change lacks what it is made of.
func TestChangeEntry(t *testing.T) {
	mt := time.Unix(1_700_000_000, 0)
	size := int64(42)
	listed, err := (&fileJSON{ID: 7, ParentID: 3, Name: "b.txt", Type: "file", Size: &size,
		LastModifiedAt: ptr(mt.Unix())}).toEntry(1)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name        string
		ch          Change
		wantName    string
		wantVersion string
	}{
		{"rename", Change{Action: "file_rename", FileID: 7, ParentID: 3, Path: "/a/b.txt", Size: 42, MTime: mt}, "b.txt", listed.Version},
		{"move: the destination names it", Change{Action: "file_move", FileID: 7, ParentID: 4, Path: "/a/x", Destination: "/c/b.txt", Size: 42, MTime: mt}, "b.txt", listed.Version},
		{"no size: no version", Change{Action: "file_rename", FileID: 7, Path: "/b.txt", Size: -1, MTime: mt}, "b.txt", ""},
		{"no mtime: no version", Change{Action: "file_rename", FileID: 7, Path: "/b.txt", Size: 42}, "b.txt", ""},
		{"no path: no name", Change{Action: "file_update", FileID: 7, Size: 42, MTime: mt}, "", listed.Version},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e := tc.ch.Entry(1)
			if e.Name != tc.wantName || e.Version != tc.wantVersion || e.ID != 7 || e.DriveID != 1 {
				t.Fatalf("entry = %+v, want name %q version %q", e, tc.wantName, tc.wantVersion)
			}
		})
	}
}

func ptr[T any](v T) *T { return &v }
