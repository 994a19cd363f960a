package fs

import (
	"context"
	"strconv"

	gofs "github.com/hanwen/go-fuse/v2/fs"
	"github.com/hanwen/go-fuse/v2/fuse"

	"github.com/infomaniakfs/infomaniakfs/remote"
	"github.com/infomaniakfs/infomaniakfs/writeback"
)

// kdriveRootID is the id of every drive's root directory.
const kdriveRootID = 1

// drivesDir is kDrive/: one directory per drive.
type drivesDir struct{ staticDir }

func (t drivesDir) node(s *fsys, path string) gofs.InodeEmbedder { return newDir(s, t, path) }

func (drivesDir) list(ctx context.Context, s *fsys) ([]item, error) {
	drives, err := s.drives.Drives(ctx)
	if err != nil {
		return nil, err
	}
	items := make([]item, len(drives))
	for i, d := range drives {
		items[i] = driveDir{d}
	}
	return items, nil
}

// driveDir is kDrive/<drive name>/, the drive's root folder.
type driveDir struct{ d remote.DriveInfo }

func (t driveDir) name() string { return t.d.Name }
func (t driveDir) id() string   { return strconv.FormatInt(t.d.ID, 10) }
func (t driveDir) stable() gofs.StableAttr {
	return gofs.StableAttr{Mode: fuse.S_IFDIR, Ino: driveIno(t.d.ID)}
}
func (t driveDir) node(s *fsys, path string) gofs.InodeEmbedder { return newDir(s, t, path) }

// attr takes the mtime of the root folder (a cached Stat); without it the
// directory still shows, dated at the epoch.
func (t driveDir) attr(ctx context.Context, s *fsys, out *fuse.Attr) bool {
	var mtime = epoch
	if e, err := s.drives.Stat(ctx, t.d.ID, kdriveRootID); err == nil {
		mtime = e.MTime
	} else {
		s.log.Debug("no mtime for drive root", "drive", t.d.ID, "err", err)
	}
	s.dirAttr(out, driveIno(t.d.ID), mtime)
	return true
}

func (t driveDir) list(ctx context.Context, s *fsys) ([]item, error) {
	return listDrive(ctx, s, t.d.ID, kdriveRootID)
}

func listDrive(ctx context.Context, s *fsys, driveID, dirID int64) ([]item, error) {
	var mark writeback.Mark
	if s.writes != nil {
		mark = s.writes.Mark()
	}
	entries, err := s.drives.List(ctx, driveID, dirID)
	if err != nil {
		return nil, err
	}
	if s.writes != nil { // what was written shows before its upload ends
		entries = s.writes.Overlay(driveID, dirID, entries, mark)
	}
	items := make([]item, len(entries))
	for i, e := range entries {
		items[i] = newDriveEntry(driveID, e)
	}
	return items, nil
}

// driveEntry is a file or folder of a drive.
type driveEntry struct{ e remote.Entry }

func newDriveEntry(driveID int64, e remote.Entry) driveEntry {
	if e.DriveID == 0 {
		e.DriveID = driveID
	}
	return driveEntry{e}
}

func (t driveEntry) name() string { return t.e.Name }
func (t driveEntry) id() string   { return strconv.FormatInt(t.e.ID, 10) }
func (t driveEntry) ino() uint64  { return driveItemIno(t.e.DriveID, t.e.ID) }
func (t driveEntry) stable() gofs.StableAttr {
	if t.e.IsDir {
		return gofs.StableAttr{Mode: fuse.S_IFDIR, Ino: t.ino()}
	}
	return gofs.StableAttr{Mode: fuse.S_IFREG, Ino: t.ino()}
}

func (t driveEntry) attr(_ context.Context, s *fsys, out *fuse.Attr) bool {
	if t.e.IsDir {
		s.dirAttr(out, t.ino(), t.e.MTime)
	} else {
		s.fileAttr(out, t.ino(), t.e.Size, t.e.MTime)
	}
	s.writable(out, t.e.IsDir) // write_attr.go
	return true
}

func (t driveEntry) node(s *fsys, path string) gofs.InodeEmbedder {
	if t.e.IsDir {
		return newDir(s, t, path)
	}
	return newDriveFile(s, path, t.e)
}

func (t driveEntry) list(ctx context.Context, s *fsys) ([]item, error) {
	return listDrive(ctx, s, t.e.DriveID, t.e.ID)
}

func (t driveEntry) refresh(ctx context.Context, s *fsys) (item, error) {
	e, err := s.drives.Stat(ctx, t.e.DriveID, t.e.ID)
	if err != nil {
		return nil, err
	}
	return newDriveEntry(t.e.DriveID, e), nil
}
