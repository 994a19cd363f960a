package dataset

import (
	"bufio"
	"errors"
	"fmt"
	"hash/fnv"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
)

// Load serves a local tree: DIR/kdrive/<drive name>/<tree> (each subdirectory of DIR/kdrive is
// a drive) and DIR/mail/<address>/<folder path>/<uid>.eml (each subdirectory of DIR/mail is a
// mailbox; nested directories are nested folders). Either part may be missing, not both.
// IDs follow the sorted walk order, so loading one directory twice gives the same IDs. File
// bytes stay on disk and are read on demand.
func Load(dir string) (*Dataset, error) {
	d := newDataset(1)
	found := false
	var err error
	for _, part := range []struct {
		name string
		load func(string) error
	}{{"kdrive", d.loadDrives}, {"mail", d.loadMail}} {
		p := filepath.Join(dir, part.name)
		if _, err := os.Stat(p); errors.Is(err, fs.ErrNotExist) {
			continue
		}
		found = true
		if err := part.load(p); err != nil {
			return nil, err
		}
	}
	if !found {
		return nil, fmt.Errorf("dataset: %s holds neither kdrive/ nor mail/", dir)
	}
	if d.root, err = filepath.Abs(dir); err != nil {
		return nil, err
	}
	return d, nil
}

// subdirs lists a directory's subdirectories by name.
func subdirs(dir string) ([]os.DirEntry, error) {
	ents, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	var out []os.DirEntry
	for _, e := range ents {
		if e.IsDir() {
			out = append(out, e)
		}
	}
	return out, nil
}

func (d *Dataset) loadDrives(dir string) error {
	ents, err := subdirs(dir)
	if err != nil {
		return err
	}
	for i, e := range ents {
		p := filepath.Join(dir, e.Name())
		st, err := os.Stat(p)
		if err != nil {
			return err
		}
		mt := st.ModTime().Unix()
		dr := newDrive(int64(firstDriveID+i), e.Name(), mt)
		if err := dr.loadTree(p, dr.nodes[RootID]); err != nil {
			return err
		}
		d.addDrive(dr)
	}
	return nil
}

// loadTree adds dir's entries under parent, depth first in name order. Symlinks to files are
// followed; symlinks to directories are skipped so a cycle cannot hang the load.
func (dr *driveState) loadTree(dir string, parent *nodeState) error {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return err
	}
	ents, err := os.ReadDir(abs)
	if err != nil {
		return err
	}
	for _, e := range ents {
		p := filepath.Join(abs, e.Name())
		st, err := os.Stat(p)
		if err != nil {
			continue // dangling symlink
		}
		mt := st.ModTime().Unix()
		switch {
		case st.IsDir() && e.Type()&fs.ModeSymlink == 0:
			n := dr.add(parent, e.Name(), true, 0, mt, mt)
			if err := dr.loadTree(p, n); err != nil {
				return err
			}
		case st.Mode().IsRegular():
			n := dr.add(parent, e.Name(), false, st.Size(), mt, mt)
			n.src = p
		}
	}
	return nil
}

func (d *Dataset) loadMail(dir string) error {
	ents, err := subdirs(dir)
	if err != nil {
		return err
	}
	for i, e := range ents {
		email := e.Name()
		h := fnv.New64a()
		h.Write([]byte(email))
		local, _, _ := strings.Cut(email, "@")
		m := &mailboxState{
			info: Mailbox{
				UUID: uuidFrom(newRNG(int64(h.Sum64()))), Email: email, Local: local,
				ID: int64(300001 + i), HostingID: 400001,
			},
			folderBy: map[string]*folderState{},
		}
		if err := m.loadFolders(filepath.Join(dir, email), ""); err != nil {
			return err
		}
		d.addMailbox(m)
	}
	return nil
}

// loadFolders adds every subdirectory of dir as a folder, parents first, INBOX leading.
func (m *mailboxState) loadFolders(dir, prefix string) error {
	ents, err := subdirs(dir)
	if err != nil {
		return err
	}
	sort.SliceStable(ents, func(i, j int) bool { return prefix == "" && ents[i].Name() == "INBOX" && ents[j].Name() != "INBOX" })
	for _, e := range ents {
		path := prefix + e.Name()
		p := filepath.Join(dir, e.Name())
		f := newMailFolder(path)
		if err := f.loadMessages(p); err != nil {
			return err
		}
		m.addFolder(f)
		if err := m.loadFolders(p, path+"/"); err != nil {
			return err
		}
	}
	return nil
}

// loadMessages reads the headers of dir's .eml files. "<uid>.eml" keeps its UID; other names
// get UIDs above the largest, in name order.
func (f *folderState) loadMessages(dir string) error {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return err
	}
	ents, err := os.ReadDir(abs)
	if err != nil {
		return err
	}
	var named []string
	var later []string
	uids := map[string]int64{}
	maxUID := int64(0)
	for _, e := range ents {
		name := e.Name()
		if e.IsDir() || !strings.HasSuffix(strings.ToLower(name), ".eml") {
			continue
		}
		uid, err := strconv.ParseInt(name[:len(name)-4], 10, 64)
		if err != nil || uid <= 0 || strconv.FormatInt(uid, 10)+".eml" != name {
			later = append(later, name)
			continue
		}
		uids[name] = uid
		named = append(named, name)
		maxUID = max(maxUID, uid)
	}
	for _, name := range later {
		maxUID++
		uids[name] = maxUID
		named = append(named, name)
	}
	for _, name := range named {
		msg, err := loadMessage(filepath.Join(abs, name), uids[name], f.info.ID)
		if err != nil {
			return err
		}
		f.msgs = append(f.msgs, msg)
		f.byUID[msg.UID] = msg
		f.nextUID = max(f.nextUID, msg.UID+1)
	}
	f.sortMsgs()
	return nil
}

func loadMessage(p string, uid int64, folderID string) (*msgState, error) {
	fh, err := os.Open(p)
	if err != nil {
		return nil, err
	}
	defer fh.Close()
	st, err := fh.Stat()
	if err != nil {
		return nil, err
	}
	h := parseHeader(bufio.NewReader(fh))
	date := h.date
	if date.IsZero() {
		date = st.ModTime()
	}
	return &msgState{src: p, MailMessage: MailMessage{
		UID: uid, FolderID: folderID, InternalDate: date, Subject: h.subject,
		From: h.from, To: h.to, MessageID: h.messageID, Size: st.Size(), Seen: true,
	}}, nil
}
