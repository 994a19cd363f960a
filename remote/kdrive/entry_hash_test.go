package kdrive

import (
	"encoding/json"
	"testing"

	"github.com/infomaniakfs/infomaniakfs/remote"
	"github.com/infomaniakfs/infomaniakfs/remote/emulator"
	"github.com/infomaniakfs/infomaniakfs/remote/emulator/dataset"
)

func TestHashVersion(t *testing.T) {
	tests := []struct {
		name     string
		hash     string
		withHash bool
		want     string
	}{
		{"asked and given", "xxh3:0123456789abcdef", true, "100-3-0123456789abcdef"},
		{"upper case folded to one form", "xxh3:0123456789ABCDEF", true, "100-3-0123456789abcdef"},
		{"not asked: ignored, as the snapshot has none", "xxh3:0123456789abcdef", false, "100-3"},
		{"absent", "", true, "100-3"},
		{"nested form: no usable hash", "N:xxh3:0123456789abcdef", true, "100-3"},
		{"other algorithm", "md5:0123456789abcdef0123456789abcdef", true, "100-3"},
		{"short", "xxh3:0123", true, "100-3"},
		{"not hex", "xxh3:0123456789abcdeg", true, "100-3"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			raw, _ := json.Marshal(map[string]any{"id": 7, "name": "f", "type": "file", "size": 3,
				"last_modified_at": 100, "hash": tc.hash})
			e, err := decodeEntry(raw, 1, tc.withHash)
			if err != nil || e.Version != tc.want {
				t.Fatalf("Version %q, %v; want %q", e.Version, err, tc.want)
			}
		})
	}
	dir, err := decodeEntry(json.RawMessage(`{"id":8,"name":"d","type":"dir","last_modified_at":5,"hash":"xxh3:0123456789abcdef"}`), 1, true)
	if err != nil || dir.Version != "5-0" {
		t.Fatalf("directory Version %q, %v; want 5-0", dir.Version, err)
	}
}

// TestContentHashAgainstEmulator: with SetContentHash, List and Stat give
// one item the same Version, the hash in it, and a same-second, same-size
// edit a new one; no /hash request is made.
func TestContentHashAgainstEmulator(t *testing.T) {
	s, c := startEmulator(t, dataset.Spec{Seed: 3, Drives: 1, Depth: 1, DirsPerDir: 1, FilesPerDir: 2, FileSize: 4 << 10})
	c.SetContentHash(true)
	data := s.Data()
	drive := data.Drives()[0].ID
	var parent int64
	data.Walk(drive, func(n dataset.Node) bool {
		if !n.IsDir && parent == 0 {
			parent = n.ParentID
		}
		return true
	})
	list, err := c.List(t.Context(), drive, parent)
	if err != nil {
		t.Fatal(err)
	}
	var f remote.Entry
	for _, e := range list {
		if !e.IsDir {
			f = e
			break
		}
	}
	st, err := c.Stat(t.Context(), drive, f.ID)
	if err != nil || st.Version != f.Version {
		t.Fatalf("stat Version %q (%v), list Version %q: they must agree", st.Version, err, f.Version)
	}
	if f.Version == version(f.MTime, f.Size) {
		t.Fatalf("Version %q carries no hash", f.Version)
	}
	if _, err := data.ModifyFileKeepMTime(drive, f.ID); err != nil {
		t.Fatal(err)
	}
	after, err := c.Stat(t.Context(), drive, f.ID)
	if err != nil || after.Version == f.Version || !after.MTime.Equal(f.MTime) || after.Size != f.Size {
		t.Fatalf("after a same-second same-size edit: %+v (%v), before %+v: want a new Version only", after, err, f)
	}
	if n := s.Count(emulator.EpHash); n != 0 {
		t.Errorf("%d requests for a hash alone", n)
	}
}
