package cache

import (
	"container/list"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"syscall"
	"time"
)

// diskQueue bounds the blocks waiting to be written; a block that finds it
// full is not written (the disk is a cache: losing a write costs a refetch,
// holding more would cost memory the budget does not count).
const diskQueue = 4

var (
	// ErrDiskCacheBusy: another daemon holds the cache directory.
	ErrDiskCacheBusy = errors.New("cache directory in use by another infomaniakfs")
)

// Disk is the second tier of the content caches: kDrive blocks and whole
// messages kept as files under a byte budget, so that what was read once
// outlives the memory budget, pages the kernel lets go, and a remount.
// Files are named by a hash of what they hold ((drive, item, version,
// block) or (mailbox, folder, uid)), so a changed file never finds its old
// bytes. Every diskPiece of a file carries a CRC-32C that a read checks: a
// torn or damaged file is a miss, never wrong bytes. Files are written by
// one goroutine, after their fetch, never in a reader's way. Open it once
// per daemon (Options.Disk) and Close it after the decorators using it.
// Safe for concurrent use.
type Disk struct {
	dir    string
	budget int64
	log    *slog.Logger
	lock   *os.File // flock'ed: one daemon per directory

	mu     sync.Mutex
	closed bool
	files  map[string]*list.Element // of *diskFile, most recently used first
	order  list.List
	used   int64

	queue chan diskWrite
	done  chan struct{}
}

type diskFile struct {
	name string
	size int64
}

type diskWrite struct {
	name string
	data []byte
}

// OpenDisk opens (creating it, mode 0700) the cache directory dir, indexes
// the files a previous run left, and starts the writer. It fails with
// ErrDiskCacheBusy when another process holds dir.
func OpenDisk(dir string, budget int64, log *slog.Logger) (*Disk, error) {
	// The blocks live in a directory of their own, whatever dir is (the
	// user may name a shared one): created 0700, and refused unless it is
	// a real directory of this user, since the blocks are the user's files.
	dir = filepath.Join(dir, "blocks")
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, err
	}
	info, err := os.Lstat(dir)
	if err != nil {
		return nil, err
	}
	if st, ok := info.Sys().(*syscall.Stat_t); !info.IsDir() || !ok || int(st.Uid) != os.Geteuid() {
		return nil, fmt.Errorf("%s is not a directory of this user", dir)
	}
	if err := os.Chmod(dir, 0o700); err != nil {
		return nil, err
	}
	lock, err := os.OpenFile(filepath.Join(dir, "lock"), os.O_CREATE|os.O_RDWR, 0o600)
	if err != nil {
		return nil, err
	}
	if err := syscall.Flock(int(lock.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		lock.Close()
		if errors.Is(err, syscall.EWOULDBLOCK) {
			return nil, fmt.Errorf("%s: %w", dir, ErrDiskCacheBusy)
		}
		return nil, err
	}
	d := &Disk{dir: dir, budget: budget, log: log, lock: lock,
		files: make(map[string]*list.Element), queue: make(chan diskWrite, diskQueue), done: make(chan struct{})}
	d.scan()
	go d.writer()
	return d, nil
}

// purgeOne deletes what one Disk keeps under dir (nothing cached is not
// an error); it fails with ErrDiskCacheBusy while a daemon uses dir.
func purgeOne(dir string) error {
	root := filepath.Join(dir, "blocks")
	lock, err := os.OpenFile(filepath.Join(root, "lock"), os.O_RDWR, 0)
	if errors.Is(err, fs.ErrNotExist) {
		return os.RemoveAll(root)
	}
	if err != nil {
		return err
	}
	defer lock.Close()
	if err := syscall.Flock(int(lock.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		if errors.Is(err, syscall.EWOULDBLOCK) {
			return fmt.Errorf("%s: %w", dir, ErrDiskCacheBusy)
		}
		return err
	}
	return os.RemoveAll(root)
}

// scan indexes the block files on disk, oldest first, drops what a crash
// left half-written and what is over the budget.
func (d *Disk) scan() {
	type found struct {
		diskFile
		mtime time.Time
	}
	var all []found
	filepath.WalkDir(d.dir, func(p string, e fs.DirEntry, err error) error {
		if err != nil || e.IsDir() {
			return nil
		}
		name := e.Name()
		if strings.HasPrefix(name, "tmp-") {
			os.Remove(p)
			return nil
		}
		if len(name) != 64 || filepath.Base(filepath.Dir(p)) != name[:2] {
			return nil // not ours (the lock, a stray file): left alone
		}
		if info, err := e.Info(); err == nil {
			all = append(all, found{diskFile{name, info.Size()}, info.ModTime()})
		}
		return nil
	})
	slices.SortFunc(all, func(a, b found) int { return a.mtime.Compare(b.mtime) })
	d.mu.Lock()
	for _, f := range all {
		d.files[f.name] = d.order.PushFront(&diskFile{f.name, f.size})
		d.used += f.size
	}
	d.evictLocked()
	d.mu.Unlock()
}

func (d *Disk) path(name string) string {
	return filepath.Join(d.dir, name[:2], name)
}

// read returns bytes [off, off+n) of the file name, whose length is
// blockLen, or false when it is not on disk or fails its check (a failed
// file is removed). off is a multiple of diskPiece. A negative blockLen
// reads the whole file, whatever its length.
func (d *Disk) read(name string, off, n, blockLen int64) ([]byte, bool) {
	d.mu.Lock()
	el, ok := d.files[name]
	if ok {
		d.order.MoveToFront(el)
	}
	d.mu.Unlock()
	if !ok {
		return nil, false
	}
	data, err := readBlockFile(d.path(name), off, n, blockLen)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, false // evicted since the lookup
	}
	if err != nil {
		d.log.Warn("disk cache: dropping a damaged block", "file", name, "err", err)
		d.drop(name)
		return nil, false
	}
	// The file's mtime is its recency for the next run's scan.
	now := time.Now()
	os.Chtimes(d.path(name), now, now)
	return data, true
}

// write queues block name for writing, unless the queue is full or the
// block is known.
func (d *Disk) write(name string, data []byte) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if _, known := d.files[name]; known || d.closed {
		return
	}
	select {
	case d.queue <- diskWrite{name, data}:
	default:
	}
}

func (d *Disk) writer() {
	defer close(d.done)
	for w := range d.queue {
		d.put(w)
	}
}

// put writes one block file and indexes it.
func (d *Disk) put(w diskWrite) {
	if !d.roomFor(int64(len(w.data))) {
		return
	}
	size, err := writeBlockFile(d.dir, d.path(w.name), w.data)
	if err != nil {
		d.log.Debug("disk cache: block not written", "err", err)
		return
	}
	d.mu.Lock()
	if _, ok := d.files[w.name]; !ok {
		d.files[w.name] = d.order.PushFront(&diskFile{w.name, size})
		d.used += size
	}
	d.evictLocked()
	d.mu.Unlock()
}

// roomFor reports whether the file system can take n more bytes and keep
// a margin for everything else on it (5% and at least 512 MiB).
func (d *Disk) roomFor(n int64) bool {
	var st syscall.Statfs_t
	if syscall.Statfs(d.dir, &st) != nil {
		return false
	}
	free := int64(st.Bavail) * int64(st.Bsize)
	margin := max(int64(st.Blocks)*int64(st.Bsize)/20, 512<<20)
	return free-n > margin
}

// evictLocked removes least recently used blocks until the budget holds.
func (d *Disk) evictLocked() {
	for d.used > d.budget {
		el := d.order.Back()
		if el == nil {
			return
		}
		f := el.Value.(*diskFile)
		d.order.Remove(el)
		delete(d.files, f.name)
		d.used -= f.size
		os.Remove(d.path(f.name))
	}
}

func (d *Disk) drop(name string) {
	d.mu.Lock()
	if el, ok := d.files[name]; ok {
		d.order.Remove(el)
		delete(d.files, name)
		d.used -= el.Value.(*diskFile).size
	}
	d.mu.Unlock()
	os.Remove(d.path(name))
}

// bytes reports the bytes on disk the index accounts for.
func (d *Disk) bytes() int64 {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.used
}

// Close writes what is queued, stops the writer and releases the
// directory. Safe to call twice.
func (d *Disk) Close() error {
	d.mu.Lock()
	if d.closed {
		d.mu.Unlock()
		return nil
	}
	d.closed = true
	close(d.queue)
	d.mu.Unlock()
	<-d.done
	return d.lock.Close()
}
