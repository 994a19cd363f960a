package e2e

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/infomaniakfs/infomaniakfs/remote/emulator"
	"github.com/infomaniakfs/infomaniakfs/remote/emulator/dataset"
)

// TestHostileTreeLoop: the API lists a folder as its own child and its
// parent as a child too (a loop no parent chain walk is needed to meet).
// The mount must not hang or die: the looping names fail or show, find
// ends, and the folder's real file still reads.
func TestHostileTreeLoop(t *testing.T) {
	data := dataset.Generate(faultSpec(33, 0))
	dr := data.Drives()[0]
	priv := childNamed(t, data, dr.ID, 1, "Private")
	loop, err := data.AddDir(dr.ID, priv, "loop")
	if err != nil {
		t.Fatal(err)
	}
	file, err := data.AddFile(dr.ID, loop.ID, "real.txt", 1234)
	if err != nil {
		t.Fatal(err)
	}
	srv := startLive(t, emulator.Options{Data: data})
	listing := fmt.Sprintf("/3/drive/%d/files/%d/files", dr.ID, loop.ID)
	srv.setHooks(nil, func(w http.ResponseWriter, r *http.Request) bool {
		if r.URL.Path != listing {
			return false
		}
		fmt.Fprintf(w, `{"result":"success","has_more":false,"cursor":null,"response_at":1,"data":[
			{"id":%d,"parent_id":%d,"name":"me","type":"dir","last_modified_at":1700000000},
			{"id":%d,"parent_id":%d,"name":"up","type":"dir","last_modified_at":1700000000},
			{"id":%d,"parent_id":%d,"name":"real.txt","type":"file","size":%d,"last_modified_at":%d}]}`,
			loop.ID, loop.ID, priv, loop.ID, file.ID, loop.ID, file.Size, file.MTime)
		return true
	})
	d := mount(t, srv)
	dir := filepath.Join(d.dir, "kDrive", dr.Name, "Private", "loop")
	done := make(chan struct{})
	go func() {
		defer close(done)
		ents, err := os.ReadDir(dir)
		t.Logf("listing: %d entries, %v", len(ents), err)
		if !slices.ContainsFunc(ents, func(e os.DirEntry) bool { return e.Name() == "real.txt" }) {
			t.Errorf("real.txt not listed beside the looping entries")
		}
		for _, name := range []string{"me", "up"} {
			_, err := os.Stat(filepath.Join(dir, name))
			t.Logf("stat %s: %v", name, err)
		}
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		defer cancel()
		out, err := exec.CommandContext(ctx, "find", dir).CombinedOutput()
		if ctx.Err() != nil {
			t.Errorf("find did not end: %s", out)
		}
		t.Logf("find: %v\n%s", err, out)
	}()
	select {
	case <-done:
	case <-time.After(30 * time.Second):
		t.Fatal("the mount hangs on a looping listing")
	}
	b, err := os.ReadFile(filepath.Join(dir, "real.txt"))
	if err != nil || !bytes.Equal(b, content(t, data, dr.ID, file.ID)) {
		t.Errorf("real.txt: %d bytes, %v", len(b), err)
	}
	if _, err := os.ReadDir(filepath.Join(d.dir, "kDrive", dr.Name)); err != nil {
		t.Errorf("the mount is unwell after the loop: %v", err)
	}
}
