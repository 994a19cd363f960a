package e2e

import (
	"bytes"
	"crypto/sha256"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/infomaniakfs/infomaniakfs/remote/emulator"
	"github.com/infomaniakfs/infomaniakfs/remote/emulator/dataset"
)

// TestDaemonSameSecondEdit: a file gets new bytes of the same size in the
// same second (mtime and size unchanged), after the mount read and cached
// it (memory, disk, the kernel's page cache). The mount must then serve the
// new bytes, never the old ones, and spend no request on a hash alone:
//   - per-folder listings (--no-snapshot) carry the content hash, which
//     goes into the version: the new bytes once the listing is fresh again;
//   - with the snapshot and its change feed (the default), which carry no
//     hash, the feed's file_update gives the file a new version by itself:
//     the new bytes within seconds.
func TestDaemonSameSecondEdit(t *testing.T) {
	for _, tc := range []struct {
		name string
		args []string
	}{
		{"listings with the hash", []string{"--no-snapshot", "--dir-cache-time", "1s", "--attr-timeout", "1s"}},
		{"snapshot and change feed", []string{"--attr-timeout", "1m"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			data := dataset.Generate(faultSpec(93, 2))
			srv := startLive(t, emulator.Options{Data: data})
			args := append([]string{"--cache-dir", t.TempDir(), "--notify-url", srv.URL(), "--debug"}, tc.args...)
			d := mount(t, srv, args...)
			f := smallFiles(t, data)[0]
			checkFile(t, d.dir, f)
			checkFile(t, d.dir, f) // from the caches
			dr := data.Drives()[0]
			n, err := data.ModifyFileKeepMTime(dr.ID, f.node.ID)
			if err != nil {
				t.Fatal(err)
			}
			if n.MTime != f.node.MTime || n.Size != f.node.Size {
				t.Fatalf("the edit moved mtime or size: %+v, was %+v", n, f.node)
			}
			fresh := content(t, data, dr.ID, f.node.ID)
			if sha256.Sum256(fresh) == f.sum {
				t.Fatal("the edit left the bytes as they were: the test tests nothing")
			}
			start := time.Now()
			for {
				b, err := os.ReadFile(filepath.Join(d.dir, f.rel))
				if err != nil {
					t.Fatal(err)
				}
				if bytes.Equal(b, fresh) {
					break
				}
				if time.Since(start) > 10*time.Second {
					t.Fatalf("%s still reads its old bytes 10 s after a same-second, same-size edit\n%s", f.rel, d.log)
				}
				time.Sleep(200 * time.Millisecond)
			}
			t.Logf("new bytes after %s", time.Since(start).Round(time.Millisecond))
			if n := srv.Count(emulator.EpHash); n != 0 {
				t.Errorf("%d requests for a hash alone", n)
			}
		})
	}
}
