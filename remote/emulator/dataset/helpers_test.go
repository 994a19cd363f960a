package dataset

import (
	"crypto/sha256"
	"encoding/hex"
	"io"
	"testing"
)

// sum hashes a file's full content as served.
func sum(t *testing.T, d *Dataset, driveID, id int64) string {
	t.Helper()
	r, size, _, ok := d.Content(driveID, id)
	if !ok {
		t.Fatalf("Content(%d, %d): not a file", driveID, id)
	}
	h := sha256.New()
	n, err := io.Copy(h, io.NewSectionReader(r, 0, size))
	if err != nil || n != size {
		t.Fatalf("read %d/%d: %d bytes, %v", driveID, id, n, err)
	}
	return hex.EncodeToString(h.Sum(nil))
}

// byPath maps every node of a drive by its path.
func byPath(d *Dataset, driveID int64) map[string]Node {
	out := map[string]Node{}
	d.Walk(driveID, func(n Node) bool {
		out[d.Path(driveID, n.ID)] = n
		return true
	})
	return out
}

// small is a quick spec for tests that need little data.
var small = Spec{Seed: 7, Drives: 2, Depth: 2, DirsPerDir: 2, FilesPerDir: 3, FileSize: 4096, Mailboxes: 2, MessagesPerFolder: 12}
