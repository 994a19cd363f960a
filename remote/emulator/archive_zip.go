package emulator

import (
	"archive/zip"
	"bytes"
	"io"
	"time"

	"github.com/infomaniakfs/infomaniakfs/remote/emulator/dataset"
)

// zipOf makes the archive's zip (the layout is UNKNOWN in the reference;
// see the package documentation for the one assumed): one entry per file,
// named by its path relative to the common parent ("a.txt",
// "sub/b.txt"), directories recursed with an entry "sub/" of their own,
// in the order the items were asked (children in id order), stored (no
// compression), with data descriptors and the file's last_modified_at.
// Kept in memory.
func (s *Server) zipOf(j *archiveJob) []byte {
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, it := range j.items {
		s.zipAdd(zw, j.drive, "", it)
	}
	zw.Close()
	return buf.Bytes()
}

func (s *Server) zipAdd(zw *zip.Writer, drive int64, prefix string, n dataset.Node) {
	name := prefix + n.Name
	mod := time.Unix(n.MTime, 0).UTC()
	if n.IsDir {
		if _, err := zw.CreateHeader(&zip.FileHeader{Name: name + "/", Method: zip.Store, Modified: mod}); err != nil {
			return
		}
		kids, _ := s.data.Children(drive, n.ID)
		for _, k := range kids {
			s.zipAdd(zw, drive, name+"/", k)
		}
		return
	}
	ra, size, _, ok := s.data.Content(drive, n.ID)
	if !ok {
		return // gone since the archive was asked: left out
	}
	fw, err := zw.CreateHeader(&zip.FileHeader{Name: name, Method: zip.Store, Modified: mod})
	if err != nil {
		return
	}
	_, _ = io.Copy(fw, io.NewSectionReader(ra, 0, size))
}
