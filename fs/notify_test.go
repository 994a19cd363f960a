package fs

import (
	"reflect"
	"testing"

	"github.com/infomaniakfs/infomaniakfs/remote"
)

// listed makes a listing of drive 1 entries, named as given.
func listed(entries ...remote.Entry) *listing {
	l := &listing{items: map[string]item{}}
	for _, e := range entries {
		e.DriveID = 1
		l.items[e.Name] = driveEntry{e}
		l.names = append(l.names, e.Name)
	}
	return l
}

func itemIno(id int64) uint64 { return driveItemIno(1, id) }

func TestPlanInvalidations(t *testing.T) {
	a := remote.Entry{ID: 10, Name: "a", Version: "v1"}
	a2 := remote.Entry{ID: 10, Name: "a", Version: "v2"}
	b := remote.Entry{ID: 10, Name: "b", Version: "v1"}
	c := remote.Entry{ID: 11, Name: "c", Version: "v1"}
	dir := remote.Entry{ID: 12, Name: "d", IsDir: true}
	held := func(names ...string) map[string]knownChild {
		m := map[string]knownChild{}
		for _, n := range names {
			switch n {
			case "a":
				m[n] = knownChild{itemIno(10), "v1"}
			case "c":
				m[n] = knownChild{itemIno(11), "v1"}
			case "d":
				m[n] = knownChild{itemIno(12), ""}
			}
		}
		return m
	}
	set := func(ids ...int64) map[uint64]bool {
		m := map[uint64]bool{}
		for _, id := range ids {
			m[itemIno(id)] = true
		}
		return m
	}
	tests := []struct {
		name          string
		known         map[string]knownChild
		before, after *listing
		touched, gone map[uint64]bool
		want          []notifyOp
	}{
		{"nothing changed here", held("a", "c"), listed(a, c), listed(a, c), set(99), nil, nil},
		{"created: its name forgotten (negative entry)", held("a"), listed(a), listed(a, c), set(11), nil,
			[]notifyOp{{"c", opEntry}}},
		{"created, listing unseen: the touched name only", nil, nil, listed(a, c), set(11), nil,
			[]notifyOp{{"c", opEntry}}},
		{"renamed: old and new names", held("a", "c"), listed(a, c), listed(b, c), set(10), nil,
			[]notifyOp{{"a", opEntry}, {"b", opEntry}}},
		{"moved out: forgotten, not deleted", held("a", "c"), listed(a, c), listed(c), set(10), nil,
			[]notifyOp{{"a", opEntry}}},
		{"deleted: a deletion", held("a", "c"), listed(a, c), listed(c), set(10), set(10),
			[]notifyOp{{"a", opDelete}}},
		{"deleted folder", held("d"), listed(dir), listed(), set(12), set(12),
			[]notifyOp{{"d", opDelete}}},
		{"new version: content", held("a", "c"), listed(a, c), listed(a2, c), set(10), nil,
			[]notifyOp{{"a", opContent}}},
		{"new version the kernel already has", map[string]knownChild{"a": {itemIno(10), "v2"}}, listed(a), listed(a2), set(10), nil, nil},
		{"listing failed: every held name", held("a", "d"), listed(a, dir), nil, set(10), nil,
			[]notifyOp{{"a", opEntry}, {"d", opEntry}}},
		{"reload: what differs from before", held("a"), listed(a), listed(a2, c), nil, nil,
			[]notifyOp{{"a", opContent}, {"c", opEntry}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := planInvalidations(tc.known, tc.before, tc.after, tc.touched, tc.gone)
			if !reflect.DeepEqual(got, tc.want) {
				t.Fatalf("ops = %v, want %v", got, tc.want)
			}
		})
	}
}

func TestDirRegistryFind(t *testing.T) {
	s := newFsys(Options{})
	root := &dirNode{s: s, src: driveDir{remote.DriveInfo{ID: 1}}}
	sub := &dirNode{s: s, src: newDriveEntry(1, remote.Entry{ID: 5, IsDir: true})}
	other := &dirNode{s: s, src: newDriveEntry(2, remote.Entry{ID: 5, IsDir: true})}
	file := &dirNode{s: s, src: newDriveEntry(1, remote.Entry{ID: 6})}
	for _, d := range []*dirNode{root, sub, other, file} {
		s.dirs.add(d)
	}
	if got := s.dirs.find(1, []int64{5, 5, 0}); !reflect.DeepEqual(got, []*dirNode{sub}) {
		t.Fatalf("find(5, 5, 0) = %v", got)
	}
	if got := s.dirs.find(1, []int64{1, 5}); len(got) != 2 {
		t.Fatalf("find(1, 5) = %d nodes", len(got))
	}
	if got := s.dirs.find(1, nil); len(got) != 2 {
		t.Fatalf("whole drive: %d nodes, want 2", len(got))
	}
	sub.OnForget()
	if got := s.dirs.find(1, []int64{5}); len(got) != 0 {
		t.Fatal("a forgotten node is still found")
	}
}
