package dataset

import (
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"
)

// dump renders everything a data set serves, so two data sets can be compared whole.
func dump(t *testing.T, d *Dataset) string {
	t.Helper()
	var b strings.Builder
	for _, dr := range d.Drives() {
		fmt.Fprintf(&b, "%+v\n", dr)
		d.Walk(dr.ID, func(n Node) bool {
			fmt.Fprintf(&b, "%s %+v", d.Path(dr.ID, n.ID), n)
			if !n.IsDir {
				fmt.Fprintf(&b, " %s", sum(t, d, dr.ID, n.ID))
			}
			b.WriteByte('\n')
			return true
		})
	}
	for _, mb := range d.Mailboxes() {
		fmt.Fprintf(&b, "%+v\n", mb)
		fs, _ := d.Folders(mb.UUID)
		for _, f := range fs {
			fmt.Fprintf(&b, "%+v\n", f)
			msgs, _ := d.Messages(mb.UUID, f.ID)
			for _, m := range msgs {
				raw, _ := d.Raw(mb.UUID, f.ID, m.UID)
				fmt.Fprintf(&b, "%+v %q\n", m, raw)
			}
		}
	}
	return b.String()
}

func TestGenerateDeterministic(t *testing.T) {
	a, b := dump(t, Generate(small)), dump(t, Generate(small))
	if a != b {
		t.Fatal("two generations with one seed differ")
	}
	other := small
	other.Seed = 8
	if c := dump(t, Generate(other)); c == a {
		t.Fatal("a different seed gave the same data")
	}
	if dump(t, Generate(Spec{})) != dump(t, Generate(Spec{Seed: 1})) {
		t.Fatal("zero seed is not the default seed 1")
	}
}

func TestGenerateTree(t *testing.T) {
	d := Generate(Spec{})
	drives := d.Drives()
	if len(drives) != 2 || drives[0].ID != 100001 || drives[1].ID != 100002 || drives[0].Name != "Drive 1" || drives[1].Name != "Drive 2" {
		t.Fatalf("drives %+v", drives)
	}
	for _, dr := range drives {
		root, ok := d.Item(dr.ID, RootID)
		if !ok || !root.IsDir || root.Visibility != VisRoot || root.Name != "" || d.Path(dr.ID, RootID) != "" {
			t.Fatalf("root %+v", root)
		}
		top, _ := d.Children(dr.ID, RootID)
		var names []string
		for _, n := range top {
			names = append(names, n.Name+"="+n.Visibility)
		}
		if want := []string{"Private=is_private_space", "Common documents=is_team_space", "Shared=is_shared_space"}; !reflect.DeepEqual(names, want) {
			t.Fatalf("top level %v, want %v", names, want)
		}
		ids := map[int64]bool{}
		var used int64
		paths := byPath(d, dr.ID)
		for p, n := range paths {
			if ids[n.ID] {
				t.Fatalf("duplicate ID %d", n.ID)
			}
			ids[n.ID] = true
			if n.ID != RootID && n.ID <= 1 {
				t.Fatalf("%s: ID %d", p, n.ID)
			}
			if n.DriveID != dr.ID || n.Version != 1 {
				t.Fatalf("%s: %+v", p, n)
			}
			if n.ID != RootID {
				parent, ok := d.Item(dr.ID, n.ParentID)
				if !ok || n.Depth != parent.Depth+1 || d.Path(dr.ID, n.ID) != d.Path(dr.ID, parent.ID)+"/"+n.Name {
					t.Fatalf("%s: parent %+v", p, parent)
				}
			}
			if n.MTime < epoch-3*365*day || n.MTime > epoch+365*day || n.CreatedAt > n.MTime {
				t.Fatalf("%s: timestamps %+v", p, n)
			}
			if n.IsDir {
				if n.Size != 0 || n.MimeType != "" {
					t.Fatalf("%s: dir with size or MIME %+v", p, n)
				}
				kids, ok := d.Children(dr.ID, n.ID)
				for i := 1; ok && i < len(kids); i++ {
					if kids[i-1].ID >= kids[i].ID {
						t.Fatalf("%s: children not sorted by ID", p)
					}
				}
				continue
			}
			used += n.Size
			if n.MimeType == "" {
				t.Fatalf("%s: no MIME type", p)
			}
			if _, ok := d.Children(dr.ID, n.ID); ok {
				t.Fatalf("%s: Children ok on a file", p)
			}
		}
		if used != dr.UsedSize {
			t.Fatalf("UsedSize %d, files sum to %d", dr.UsedSize, used)
		}
		for p, vis := range map[string]string{
			"/Private/Übersicht.txt":           VisInPrivate,
			"/Private/日本語.md":                  VisInPrivate,
			"/Private/meeting notes 2025.docx": VisInPrivate,
			"/Private/-leading-dash.txt":       VisInPrivate,
			"/Shared/From Alice/Ideas.txt":     VisInShared,
		} {
			if n, ok := paths[p]; !ok || n.Visibility != vis {
				t.Fatalf("%s: %+v (present %v)", p, n, ok)
			}
		}
		if n := paths["/Private/Übersicht.txt"]; n.MimeType != "text/plain" {
			t.Fatalf("MIME of .txt: %q", n.MimeType)
		}
		var teamFolder, inTeam, zero, mimes = 0, 0, 0, map[string]bool{}
		for p, n := range paths {
			switch {
			case n.Visibility == VisTeamFolder && n.Depth == 2 && strings.HasPrefix(p, "/Common documents/"):
				teamFolder++
			case n.Visibility == VisInTeamFolder && n.Depth > 2:
				inTeam++
			}
			if !n.IsDir && n.Size == 0 {
				zero++
			}
			mimes[n.MimeType] = true
		}
		if teamFolder == 0 || inTeam == 0 || zero == 0 || len(mimes) < 6 {
			t.Fatalf("team folders %d, in team %d, empty files %d, MIME types %d", teamFolder, inTeam, zero, len(mimes))
		}
	}
}

func TestGenerateExtras(t *testing.T) {
	d := Generate(Spec{Seed: 3, BigFiles: []int64{5 << 30, 1}, WideDirFiles: 1000, SmallFiles: 50, SmallFileSize: 100, Drives: 1, BigFolderMessages: 300, MessagesPerFolder: 2})
	paths := byPath(d, 100001)
	if n := paths["/Private/big-1.bin"]; n.Size != 5<<30 || n.MimeType != "application/octet-stream" {
		t.Fatalf("big-1.bin %+v", n)
	}
	if n := paths["/Private/big-2.bin"]; n.Size != 1 {
		t.Fatalf("big-2.bin %+v", n)
	}
	wide, small := paths["/Private/wide"], paths["/Private/small"]
	if kids, _ := d.Children(100001, wide.ID); len(kids) != 1000 {
		t.Fatalf("wide has %d files", len(kids))
	}
	kids, _ := d.Children(100001, small.ID)
	if len(kids) != 50 {
		t.Fatalf("small has %d files", len(kids))
	}
	for _, k := range kids {
		if k.Size != 100 {
			t.Fatalf("small file %+v", k)
		}
	}
	// The last bytes of a 5 GiB file come without reading the rest.
	r, size, _, _ := d.Content(100001, paths["/Private/big-1.bin"].ID)
	buf := make([]byte, 100)
	if n, err := r.ReadAt(buf, size-10); n != 10 || err == nil {
		t.Fatalf("tail read: %d, %v", n, err)
	}
	mb := d.Mailboxes()[0]
	msgs, ok := d.Messages(mb.UUID, FolderID(BigFolderPath))
	if !ok || len(msgs) != 300 {
		t.Fatalf("big folder: %d messages, %v", len(msgs), ok)
	}
	if _, ok := d.Messages(d.Mailboxes()[1].UUID, FolderID(BigFolderPath)); ok {
		t.Fatal("mailbox 2 has the big folder")
	}
}

func TestGenerateLargeIsFast(t *testing.T) {
	start := time.Now()
	d := Generate(Spec{WideDirFiles: 100000, BigFolderMessages: 10000})
	took := time.Since(start)
	n := 0
	d.Walk(100001, func(Node) bool { n++; return true })
	if n < 100000 {
		t.Fatalf("only %d nodes", n)
	}
	limit := 2 * time.Second
	if raceEnabled {
		limit *= 5 // the race detector slows allocation-heavy code several-fold
	}
	if took > limit {
		t.Fatalf("Generate of %d nodes and 10k messages took %v, want < %v", n, took, limit)
	}
	t.Logf("Generate: %d nodes + 10k messages in %v", n, took)
}

func TestWalkStops(t *testing.T) {
	d := Generate(small)
	n := 0
	d.Walk(100001, func(Node) bool { n++; return n < 5 })
	if n != 5 {
		t.Fatalf("Walk went on after false: %d calls", n)
	}
	seen := map[int64]bool{}
	d.Walk(100001, func(x Node) bool {
		if x.ID != RootID && !seen[x.ParentID] {
			t.Fatalf("node %d before its parent %d", x.ID, x.ParentID)
		}
		seen[x.ID] = true
		return true
	})
	if _, ok := d.Item(999, 1); ok {
		t.Fatal("unknown drive has items")
	}
	if _, _, _, ok := d.Content(100001, RootID); ok {
		t.Fatal("Content of a directory")
	}
}
