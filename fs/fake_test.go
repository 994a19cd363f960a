package fs

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"sort"
	"sync"
	"time"

	"github.com/infomaniakfs/infomaniakfs/remote"
)

// fakeDrives is an in-memory DriveSource that counts calls. errs makes
// List of a directory (key: drive id, dir id) fail.
type fakeDrives struct {
	mu      sync.Mutex
	drives  []remote.DriveInfo
	entries map[int64]map[int64]remote.Entry // drive → id → entry
	content map[[2]int64][]byte
	errs    map[[2]int64]error
	calls   map[string]int // "list d/id", "stat", "read", "drives"
}

func newFakeDrives() *fakeDrives {
	return &fakeDrives{
		entries: map[int64]map[int64]remote.Entry{},
		content: map[[2]int64][]byte{},
		errs:    map[[2]int64]error{},
		calls:   map[string]int{},
	}
}

func (f *fakeDrives) count(key string) {
	f.mu.Lock()
	f.calls[key]++
	f.mu.Unlock()
}

func (f *fakeDrives) callCount(key string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.calls[key]
}

// addDrive adds a drive with its root folder (id 1).
func (f *fakeDrives) addDrive(id int64, name string, mtime time.Time) {
	f.drives = append(f.drives, remote.DriveInfo{ID: id, Name: name, Size: 1 << 40, UsedSize: 1 << 30})
	f.entries[id] = map[int64]remote.Entry{1: {ID: 1, DriveID: id, Name: "root", IsDir: true, MTime: mtime}}
}

func (f *fakeDrives) addDir(drive, parent, id int64, name string, mtime time.Time) {
	f.entries[drive][id] = remote.Entry{ID: id, ParentID: parent, DriveID: drive, Name: name, IsDir: true, MTime: mtime, CTime: mtime}
}

// addFile adds a file of size deterministic bytes and returns them.
func (f *fakeDrives) addFile(drive, parent, id int64, name string, size int, mtime time.Time) []byte {
	data := fakeBytes(uint64(drive)<<32|uint64(id), size)
	f.entries[drive][id] = remote.Entry{
		ID: id, ParentID: parent, DriveID: drive, Name: name, Size: int64(size),
		MTime: mtime, CTime: mtime, Version: fmt.Sprintf("v%d-%d", mtime.Unix(), size),
	}
	f.content[[2]int64{drive, id}] = data
	return data
}

func fakeBytes(seed uint64, n int) []byte {
	r := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(r.Uint32())
	}
	return b
}

func (f *fakeDrives) Drives(ctx context.Context) ([]remote.DriveInfo, error) {
	f.count("drives")
	return append([]remote.DriveInfo(nil), f.drives...), ctx.Err()
}

func (f *fakeDrives) List(ctx context.Context, driveID, dirID int64) ([]remote.Entry, error) {
	f.count(fmt.Sprintf("list %d/%d", driveID, dirID))
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if err := f.errs[[2]int64{driveID, dirID}]; err != nil {
		return nil, fmt.Errorf("fake list: %w", err)
	}
	dir, ok := f.entries[driveID][dirID]
	if !ok || !dir.IsDir {
		return nil, fmt.Errorf("fake list %d/%d: %w", driveID, dirID, remote.ErrNotFound)
	}
	var out []remote.Entry
	for _, e := range f.entries[driveID] {
		if e.ParentID == dirID && e.ID != dirID {
			out = append(out, e)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out, nil
}

func (f *fakeDrives) Stat(ctx context.Context, driveID, id int64) (remote.Entry, error) {
	f.count("stat")
	f.mu.Lock()
	defer f.mu.Unlock()
	e, ok := f.entries[driveID][id]
	if !ok {
		return remote.Entry{}, fmt.Errorf("fake stat %d/%d: %w", driveID, id, remote.ErrNotFound)
	}
	return e, ctx.Err()
}

func (f *fakeDrives) bytesOf(e remote.Entry) ([]byte, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	cur, ok := f.entries[e.DriveID][e.ID]
	if !ok {
		return nil, remote.ErrNotFound
	}
	if cur.Version != e.Version {
		return nil, remote.ErrChanged
	}
	return f.content[[2]int64{e.DriveID, e.ID}], nil
}

func (f *fakeDrives) Open(ctx context.Context, e remote.Entry, off, length int64) (io.ReadCloser, error) {
	data, err := f.bytesOf(e)
	if err != nil {
		return nil, err
	}
	end := int64(len(data))
	if length >= 0 && off+length < end {
		end = off + length
	}
	return io.NopCloser(bytes.NewReader(data[min(off, end):end])), ctx.Err()
}

func (f *fakeDrives) ReadAt(ctx context.Context, e remote.Entry, p []byte, off int64) (int, error) {
	f.count("read")
	if err := ctx.Err(); err != nil {
		return 0, err
	}
	data, err := f.bytesOf(e)
	if err != nil {
		return 0, err
	}
	return bytes.NewReader(data).ReadAt(p, off)
}

// fakeMail is an in-memory MailSource. Raw content is "downloaded" by
// Size and ReadAt, which the downloads counter tells.
type fakeMail struct {
	mu        sync.Mutex
	boxes     []remote.Mailbox
	folders   map[string][]remote.Folder
	msgs      map[string][]remote.Message // mailbox+"\x00"+folder id
	raw       map[string][]byte           // mailbox, folder id, uid joined by NUL
	known     map[string]bool
	downloads int
	// listedSizes makes stat report listed sizes (the daemon's default);
	// the zero value is --exact-mail-sizes.
	listedSizes bool
}

func newFakeMail() *fakeMail {
	return &fakeMail{
		folders: map[string][]remote.Folder{},
		msgs:    map[string][]remote.Message{},
		raw:     map[string][]byte{},
		known:   map[string]bool{},
	}
}

func mailKey(parts ...string) string {
	var b bytes.Buffer
	for i, p := range parts {
		if i > 0 {
			b.WriteByte(0)
		}
		b.WriteString(p)
	}
	return b.String()
}

// addMessage adds a message whose listing claims sizeHint bytes.
func (f *fakeMail) addMessage(mailbox, folderID, uid, subject string, date time.Time, body string, sizeHint int64) []byte {
	raw := []byte(fmt.Sprintf("Subject: %s\r\nMessage-ID: <%s@example.com>\r\n\r\n%s\r\n", subject, uid, body))
	k := mailKey(mailbox, folderID)
	f.msgs[k] = append(f.msgs[k], remote.Message{UID: uid, FolderID: folderID, Subject: subject, Date: date, SizeHint: sizeHint})
	f.raw[mailKey(mailbox, folderID, uid)] = raw
	return raw
}

func (f *fakeMail) Mailboxes(ctx context.Context) ([]remote.Mailbox, error) {
	return append([]remote.Mailbox(nil), f.boxes...), ctx.Err()
}

func (f *fakeMail) Folders(ctx context.Context, mailbox string) ([]remote.Folder, error) {
	fs, ok := f.folders[mailbox]
	if !ok {
		return nil, remote.ErrNotFound
	}
	return append([]remote.Folder(nil), fs...), ctx.Err()
}

func (f *fakeMail) Messages(ctx context.Context, mailbox, folderID string) ([]remote.Message, error) {
	return append([]remote.Message(nil), f.msgs[mailKey(mailbox, folderID)]...), ctx.Err()
}

func (f *fakeMail) Raw(ctx context.Context, mailbox, folderID, uid string) ([]byte, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	k := mailKey(mailbox, folderID, uid)
	f.mu.Lock()
	defer f.mu.Unlock()
	raw, ok := f.raw[k]
	if !ok {
		return nil, remote.ErrNotFound
	}
	if !f.known[k] {
		f.downloads++
		f.known[k] = true
	}
	return raw, nil
}

func (f *fakeMail) Size(ctx context.Context, mailbox, folderID, uid string) (int64, error) {
	raw, err := f.Raw(ctx, mailbox, folderID, uid)
	return int64(len(raw)), err
}

func (f *fakeMail) KnownSize(mailbox, folderID, uid string) (int64, bool) {
	k := mailKey(mailbox, folderID, uid)
	f.mu.Lock()
	defer f.mu.Unlock()
	if !f.known[k] {
		return 0, false
	}
	return int64(len(f.raw[k])), true
}

func (f *fakeMail) ExactSizes() bool { return !f.listedSizes }

func (f *fakeMail) ReadAt(ctx context.Context, mailbox, folderID, uid string, p []byte, off int64) (int, error) {
	raw, err := f.Raw(ctx, mailbox, folderID, uid)
	if err != nil {
		return 0, err
	}
	return bytes.NewReader(raw).ReadAt(p, off)
}

func (f *fakeMail) downloadCount() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.downloads
}
