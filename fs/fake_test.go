package fs

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"sync"
	"time"

	"github.com/infomaniakfs/infomaniakfs/remote"
	"github.com/infomaniakfs/infomaniakfs/remote/remotetest"
)

// fakeDrives is the shared fake (remotetest.DriveFake) as a DriveSource:
// it adds ReadAt, which the cache gives the file system, counted. errs
// makes List of a directory (key: drive id, dir id) fail.
type fakeDrives struct {
	*remotetest.DriveFake
	mu    sync.Mutex
	errs  map[[2]int64]error
	reads int
}

func newFakeDrives() *fakeDrives {
	f := &fakeDrives{DriveFake: remotetest.NewDrives(), errs: map[[2]int64]error{}}
	f.SetHook(func(ctx context.Context, op remotetest.Op, drive, id int64) error {
		f.mu.Lock()
		defer f.mu.Unlock()
		if err := f.errs[[2]int64{drive, id}]; op == remotetest.OpList && err != nil {
			return fmt.Errorf("fake list: %w", err)
		}
		return nil
	})
	return f
}

// readCount is how many ReadAt calls were made.
func (f *fakeDrives) readCount() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.reads
}

// lists is how many List calls were made of one directory (drive 0: all).
func (f *fakeDrives) lists(drive, dir int64) int {
	if drive == 0 {
		return int(f.Calls(remotetest.OpList))
	}
	return int(f.CallsOn(remotetest.OpList, drive, dir))
}

// addDrive adds a drive with its root folder (id 1).
func (f *fakeDrives) addDrive(id int64, name string, mtime time.Time) {
	f.AddDrive(remote.DriveInfo{ID: id, Name: name, Size: 1 << 40, UsedSize: 1 << 30}, remote.Entry{MTime: mtime})
}

func (f *fakeDrives) addDir(drive, parent, id int64, name string, mtime time.Time) {
	f.Add(remote.Entry{ID: id, ParentID: parent, DriveID: drive, Name: name, IsDir: true, MTime: mtime, CTime: mtime}, nil)
}

// addFile adds a file of size deterministic bytes and returns them.
func (f *fakeDrives) addFile(drive, parent, id int64, name string, size int, mtime time.Time) []byte {
	data := remotetest.Bytes(uint64(drive)<<32|uint64(id), int64(size))
	f.Add(remote.Entry{ID: id, ParentID: parent, DriveID: drive, Name: name, MTime: mtime, CTime: mtime,
		Version: fmt.Sprintf("v%d-%d", mtime.Unix(), size)}, data)
	return data
}

// ReadAt reads through Open, as the cache does.
func (f *fakeDrives) ReadAt(ctx context.Context, e remote.Entry, p []byte, off int64) (int, error) {
	f.mu.Lock()
	f.reads++
	f.mu.Unlock()
	rc, err := f.Open(ctx, e, off, int64(len(p)))
	if err != nil {
		return 0, err
	}
	defer rc.Close()
	n, err := io.ReadFull(rc, p)
	if errors.Is(err, io.ErrUnexpectedEOF) {
		err = io.EOF
	}
	return n, err
}

// fakeMail is the shared fake (remotetest.MailFake) as a MailSource: Size
// and ReadAt "download" a message through Raw, which the downloads
// counter tells (each message once, as a cache would).
type fakeMail struct {
	*remotetest.MailFake
	mu        sync.Mutex
	known     map[string]bool
	downloads int
	// listedSizes makes stat report listed sizes (the daemon's default);
	// the zero value is --exact-mail-sizes.
	listedSizes bool
}

func newFakeMail() *fakeMail {
	return &fakeMail{MailFake: remotetest.NewMail(), known: map[string]bool{}}
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
	f.AddMessage(mailbox, folderID, remote.Message{UID: uid, Subject: subject, Date: date, SizeHint: sizeHint}, raw)
	return raw
}

// listed is a folder's listing; folder a mailbox's i-th folder.
func (f *fakeMail) listed(mailbox, folderID string) []remote.Message {
	list, _ := f.MailFake.Messages(context.Background(), mailbox, folderID)
	return list
}

func (f *fakeMail) folder(mailbox string, i int) remote.Folder {
	list, _ := f.MailFake.Folders(context.Background(), mailbox)
	return list[i]
}

func (f *fakeMail) Raw(ctx context.Context, mailbox, folderID, uid string) ([]byte, error) {
	raw, err := f.MailFake.Raw(ctx, mailbox, folderID, uid)
	if err != nil {
		return nil, err
	}
	k := mailKey(mailbox, folderID, uid)
	f.mu.Lock()
	defer f.mu.Unlock()
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
	f.mu.Lock()
	known := f.known[mailKey(mailbox, folderID, uid)]
	f.mu.Unlock()
	if !known {
		return 0, false
	}
	return int64(len(f.RawOf(mailbox, folderID, uid))), true
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
