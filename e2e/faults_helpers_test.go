package e2e

import (
	"crypto/sha256"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/infomaniakfs/infomaniakfs/remote/emulator/dataset"
)

// faultSpec is the small data set of the fault tests: a few folders,
// Private/small/ with n files, and big files of the given sizes in Private/.
func faultSpec(seed int64, small int, big ...int64) dataset.Spec {
	return dataset.Spec{Seed: seed, Drives: 1, Depth: 1, DirsPerDir: 1, FilesPerDir: 2, FileSize: 8 << 10,
		SmallFiles: small, SmallFileSize: 16 << 10, BigFiles: big, Mailboxes: 1, MessagesPerFolder: 3}
}

// remoteFile is one file of the data set and where the mount shows it.
type remoteFile struct {
	node dataset.Node
	rel  string // path under the mountpoint
	sum  [32]byte
}

// content is the file's current bytes, as the emulator serves them.
func content(t *testing.T, d *dataset.Dataset, driveID, id int64) []byte {
	t.Helper()
	r, size, _, ok := d.Content(driveID, id)
	if !ok {
		t.Fatalf("no content for item %d", id)
	}
	b := make([]byte, size)
	if _, err := r.ReadAt(b, 0); err != nil && !errors.Is(err, io.EOF) {
		t.Fatal(err)
	}
	return b
}

// filesWhere lists the files of the first drive that match keep.
func filesWhere(t *testing.T, d *dataset.Dataset, keep func(dataset.Node) bool) []remoteFile {
	t.Helper()
	dr := d.Drives()[0]
	var out []remoteFile
	d.Walk(dr.ID, func(n dataset.Node) bool {
		if !n.IsDir && keep(n) {
			out = append(out, remoteFile{node: n, rel: filepath.Join("kDrive", dr.Name, d.Path(dr.ID, n.ID)),
				sum: sha256.Sum256(content(t, d, dr.ID, n.ID))})
		}
		return true
	})
	if len(out) == 0 {
		t.Fatal("no file matches")
	}
	return out
}

// bigFiles are the generated big-*.bin files.
func bigFiles(t *testing.T, d *dataset.Dataset) []remoteFile {
	return filesWhere(t, d, func(n dataset.Node) bool { return strings.HasPrefix(n.Name, "big-") })
}

// smallFiles are the files of Private/small/.
func smallFiles(t *testing.T, d *dataset.Dataset) []remoteFile {
	dr := d.Drives()[0]
	return filesWhere(t, d, func(n dataset.Node) bool {
		return strings.HasPrefix(d.Path(dr.ID, n.ID), "/Private/small/")
	})
}

// checkFile reads the whole file through the mount and compares it.
func checkFile(t *testing.T, mnt string, f remoteFile) {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(mnt, f.rel))
	if err != nil {
		t.Errorf("%s: %v", f.rel, err)
		return
	}
	if sha256.Sum256(b) != f.sum || int64(len(b)) != f.node.Size {
		t.Errorf("%s: wrong bytes (%d read, %d expected)", f.rel, len(b), f.node.Size)
	}
}

// timed runs op and says how long it took.
func timed(op func() error) (time.Duration, error) {
	start := time.Now()
	err := op()
	return time.Since(start), err
}
