package emulator

import (
	"errors"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/infomaniakfs/infomaniakfs/remote/emulator/dataset"
)

// With a data set loaded from a directory, what clients write through the
// API is mirrored there (issue 12.3), so a test can diff -r the server's
// state: mkdir makes a folder, an upload or copy a file with its mtime,
// rename and move a mv, trash a mv into DIR/.trash/<drive>/<id>/, restore
// a mv back, delete for ever an rm -r. The API's answer does not wait on the
// disk and does not fail with it: a failed mirror is logged. A Watcher
// following DIR sees these changes but finds the data set already agreeing,
// so they are not reported twice.

// mirrorErr logs a failed mirror once per call.
func mirrorErr(op, path string, err error) {
	if err != nil {
		slog.Warn("emulator: mirroring a write to the data directory failed", "op", op, "path", path, "err", err)
	}
}

// mirrorMkdir creates folder n on disk.
func (s *Server) mirrorMkdir(n dataset.Node) {
	if p, ok := s.data.DiskPath(n.DriveID, n.ID); ok {
		err := os.Mkdir(p, 0o755)
		if err == nil {
			t := time.Unix(n.MTime, 0)
			err = os.Chtimes(p, t, t)
		}
		mirrorErr("mkdir", p, err)
	}
}

// mirrorFile writes file n's current bytes to its place on disk (through a
// temporary file, so the watcher never sees half a file) with its mtime,
// and lets the data set read them from there.
func (s *Server) mirrorFile(n dataset.Node) {
	p, ok := s.data.DiskPath(n.DriveID, n.ID)
	if !ok {
		return
	}
	err := func() error {
		ra, size, _, ok := s.data.Content(n.DriveID, n.ID)
		if !ok {
			return errors.New("no content")
		}
		tmpDir := filepath.Join(s.data.Root(), dataset.TrashDir)
		if err := os.MkdirAll(tmpDir, 0o755); err != nil {
			return err
		}
		f, err := os.CreateTemp(tmpDir, ".upload-*")
		if err != nil {
			return err
		}
		defer os.Remove(f.Name()) // a no-op once renamed
		_, err = io.Copy(f, io.NewSectionReader(ra, 0, size))
		if cerr := f.Close(); err == nil {
			err = cerr
		}
		t := time.Unix(n.MTime, 0)
		if err == nil {
			err = os.Chtimes(f.Name(), t, t)
		}
		if err == nil {
			err = os.Rename(f.Name(), p)
		}
		return err
	}()
	mirrorErr("write", p, err)
	if err == nil {
		s.data.Adopt(n.DriveID, n.ID, p)
	}
}

// mirrorMove moves what was at old to node id's place now (rename, move,
// restore), telling the data set where its bytes went.
func (s *Server) mirrorMove(d, id int64, old string) {
	p, ok := s.data.DiskPath(d, id)
	if !ok || old == "" || old == p {
		return
	}
	err := os.Rename(old, p)
	mirrorErr("mv", p, err)
	if err == nil {
		mirrorErr("relocate", p, s.data.Relocate(d, id, p))
	}
}

// mirrorTrash moves what was at old into the trash folder of node id.
func (s *Server) mirrorTrash(d, id int64, old string) {
	p, ok := s.data.TrashDiskPath(d, id)
	if !ok || old == "" {
		return
	}
	err := os.MkdirAll(filepath.Dir(p), 0o755)
	if err == nil {
		err = os.Rename(old, p)
	}
	mirrorErr("trash", p, err)
}

// mirrorRemove deletes p and everything under it; only what lies inside
// DIR/.trash/ is ever removed (p is "" or "." when there is no disk copy).
func (s *Server) mirrorRemove(p string) {
	root := s.data.Root()
	if root == "" || !strings.HasPrefix(p, filepath.Join(root, dataset.TrashDir)+string(filepath.Separator)) {
		return
	}
	mirrorErr("rm", p, os.RemoveAll(p))
}

// mirrorMTime sets node n's mtime on disk.
func (s *Server) mirrorMTime(n dataset.Node) {
	if p, ok := s.data.DiskPath(n.DriveID, n.ID); ok {
		t := time.Unix(n.MTime, 0)
		mirrorErr("touch", p, os.Chtimes(p, t, t))
	}
}

// diskPath is DiskPath or "".
func (s *Server) diskPath(d, id int64) string {
	p, _ := s.data.DiskPath(d, id)
	return p
}

// trashPath is TrashDiskPath or "".
func (s *Server) trashPath(d, id int64) string {
	p, _ := s.data.TrashDiskPath(d, id)
	return p
}
