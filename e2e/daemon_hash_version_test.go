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
// same second (mtime and size unchanged). Where the listings carry the
// content hash (directories listed one by one: --no-snapshot), the mount
// serves the new bytes once its listing is fresh again, never the old ones
// from its memory, disk or the kernel's page cache; and it spends no
// request on a hash alone.
func TestDaemonSameSecondEdit(t *testing.T) {
	data := dataset.Generate(faultSpec(93, 2))
	srv := startLive(t, emulator.Options{Data: data})
	d := mount(t, srv, "--no-snapshot", "--dir-cache-time", "1s", "--attr-timeout", "1s", "--cache-dir", t.TempDir())
	f := smallFiles(t, data)[0]
	path := filepath.Join(d.dir, f.rel)
	checkFile(t, d.dir, f)
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
	deadline := time.Now().Add(10 * time.Second)
	for {
		b, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		if bytes.Equal(b, fresh) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s still reads its old bytes 10 s after a same-second, same-size edit\n%s", f.rel, d.log)
		}
		time.Sleep(200 * time.Millisecond)
	}
	if n := srv.Count(emulator.EpHash); n != 0 {
		t.Errorf("%d requests for a hash alone", n)
	}
}
