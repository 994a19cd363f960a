package dataset

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// WriteTo writes the data set as DIR/kdrive/<drive name>/<tree> and
// DIR/mail/<address>/<folder path>/<uid>.eml, the layout Load reads. File content is
// streamed, never held whole, and every file's mtime is its MTime (a message's, its
// InternalDate). Names a file system cannot hold ("", ".", "..", "/" or NUL inside) are an error.
func (d *Dataset) WriteTo(dir string) error {
	for _, dr := range d.Drives() {
		if err := d.writeDrive(filepath.Join(dir, "kdrive"), dr); err != nil {
			return err
		}
	}
	for _, mb := range d.Mailboxes() {
		if err := d.writeMailbox(filepath.Join(dir, "mail"), mb); err != nil {
			return err
		}
	}
	return nil
}

// checkName rejects names that cannot be one path component.
func checkName(name string) error {
	if name == "" || name == "." || name == ".." || strings.ContainsAny(name, "/\x00") {
		return fmt.Errorf("dataset: name %q cannot be written to a file system", name)
	}
	return nil
}

func (d *Dataset) writeDrive(base string, dr Drive) error {
	if err := checkName(dr.Name); err != nil {
		return err
	}
	paths := map[int64]string{RootID: filepath.Join(base, dr.Name)}
	var dirs []Node
	var err error
	d.Walk(dr.ID, func(n Node) bool {
		p := paths[RootID]
		if n.ID != RootID {
			if err = checkName(n.Name); err != nil {
				return false
			}
			p = filepath.Join(paths[n.ParentID], n.Name)
		}
		if n.IsDir {
			paths[n.ID] = p
			dirs = append(dirs, n)
			err = os.MkdirAll(p, 0o755)
		} else {
			err = d.writeFile(p, n)
		}
		return err == nil
	})
	if err != nil {
		return err
	}
	// Children change their directory's mtime, so directories are stamped last, deepest first.
	for i := len(dirs) - 1; i >= 0; i-- {
		t := time.Unix(dirs[i].MTime, 0)
		if err := os.Chtimes(paths[dirs[i].ID], t, t); err != nil {
			return err
		}
	}
	return nil
}

func (d *Dataset) writeFile(p string, n Node) error {
	r, size, _, ok := d.Content(n.DriveID, n.ID)
	if !ok {
		return fmt.Errorf("dataset: %s vanished while writing", p)
	}
	f, err := os.Create(p)
	if err != nil {
		return err
	}
	_, err = io.CopyBuffer(f, io.NewSectionReader(r, 0, size), make([]byte, 1<<20))
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("dataset: write %s: %w", p, err)
	}
	t := time.Unix(n.MTime, 0)
	return os.Chtimes(p, t, t)
}

func (d *Dataset) writeMailbox(base string, mb Mailbox) error {
	if err := checkName(mb.Email); err != nil {
		return err
	}
	folders, _ := d.Folders(mb.UUID)
	for _, f := range folders {
		p := filepath.Join(base, mb.Email)
		for _, part := range strings.Split(f.Path, f.Separator) {
			if err := checkName(part); err != nil {
				return err
			}
			p = filepath.Join(p, part)
		}
		if err := os.MkdirAll(p, 0o755); err != nil {
			return err
		}
		msgs, _ := d.Messages(mb.UUID, f.ID)
		for _, m := range msgs {
			raw, ok := d.Raw(mb.UUID, f.ID, m.UID)
			if !ok {
				continue // deleted meanwhile
			}
			name := filepath.Join(p, strconv.FormatInt(m.UID, 10)+".eml")
			if err := os.WriteFile(name, raw, 0o644); err != nil {
				return err
			}
			if err := os.Chtimes(name, m.InternalDate, m.InternalDate); err != nil {
				return err
			}
		}
	}
	return nil
}
