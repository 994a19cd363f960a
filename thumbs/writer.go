package thumbs

import (
	"bytes"
	"context"
	"errors"
	"image"
	"log/slog"
	"os"
	"path/filepath"
	"sync"
	"sync/atomic"
	"time"

	"github.com/infomaniakfs/infomaniakfs/remote"
)

// Source fetches the server thumbnail of a file (any image format), of
// about size×size.
type Source interface {
	Thumbnail(ctx context.Context, e remote.Entry, size int) ([]byte, error)
}

// Options configure a Writer; New rejects none, but a zero PerListing or
// Parallel writes nothing.
type Options struct {
	MountPoint string // absolute: thumbnails are named by the file's URI
	CacheHome  string // $XDG_CACHE_HOME (~/.cache): thumbnails/ goes under it
	// PerListing bounds the thumbnails fetched for one folder listing:
	// each is a request, counted against the API's rate limit.
	PerListing int
	Parallel   int           // fetches at once
	Wait       time.Duration // how long a listing waits for its thumbnails
	Logger     *slog.Logger
}

// Writer fetches the server thumbnails of the files of a listed folder
// and writes them into the thumbnail cache, so that a file manager finds
// them instead of reading the files. Each file version is fetched at most
// once per Writer (a thumbnail already in the cache is not fetched
// again). Safe for concurrent use; Close stops its workers.
type Writer struct {
	src  Source
	o    Options
	jobs chan job
	ctx  context.Context
	stop context.CancelFunc
	wg   sync.WaitGroup

	mu   sync.Mutex
	seen map[key]bool // GUARDED_BY(mu): versions queued, written, or without thumbnail

	// queueMu orders queueing against Close: once closed, nothing is
	// queued, and Close releases what is left in the queue.
	queueMu sync.RWMutex
	closed  bool // GUARDED_BY(queueMu)

	written atomic.Int64
}

type key struct {
	drive, id int64
	version   string
	path      string
}

type job struct {
	path  string
	e     remote.Entry
	batch *sync.WaitGroup
}

// New starts o.Parallel workers.
func New(src Source, o Options) *Writer {
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	w := &Writer{src: src, o: o, jobs: make(chan job, max(o.PerListing, 1)*4), seen: map[key]bool{}}
	w.ctx, w.stop = context.WithCancel(context.Background())
	for range o.Parallel {
		w.wg.Add(1)
		go w.work()
	}
	return w
}

// Close stops the workers and waits for them; thumbnails under way are
// abandoned (none is left half-written: each is renamed into place).
func (w *Writer) Close() {
	w.queueMu.Lock()
	w.closed = true
	w.queueMu.Unlock()
	w.stop()
	w.wg.Wait()
	for {
		select {
		case j := <-w.jobs:
			j.batch.Done()
		default:
			return
		}
	}
}

// Written counts the thumbnails written (both sizes of a file count once).
func (w *Writer) Written() int64 { return w.written.Load() }

// Listed is told the files of a folder just listed: paths in the mount
// ("/kDrive/Drive/Photos/a.jpg"), with their entries. It queues the
// thumbnails missing from the cache (at most PerListing) and waits for
// them up to Wait, or until ctx ends, so that the file manager that
// listed the folder finds them when it looks.
func (w *Writer) Listed(ctx context.Context, paths []string, entries []remote.Entry) {
	if w.o.Parallel <= 0 {
		return
	}
	var batch sync.WaitGroup
	n := w.queue(paths, entries, &batch)
	if n == 0 {
		return
	}
	// Its waiter ends once every queued job is done, which the workers
	// or Close see to.
	done := make(chan struct{})
	go func() { batch.Wait(); close(done) }()
	t := time.NewTimer(w.o.Wait)
	defer t.Stop()
	select {
	case <-done:
	case <-t.C:
	case <-ctx.Done():
	case <-w.ctx.Done():
	}
}

// queue queues the thumbnails to fetch and returns how many.
func (w *Writer) queue(paths []string, entries []remote.Entry, batch *sync.WaitGroup) int {
	w.queueMu.RLock()
	defer w.queueMu.RUnlock()
	if w.closed {
		return 0
	}
	n := 0
	for i, e := range entries {
		if n >= w.o.PerListing {
			break
		}
		if e.IsDir || e.Size == 0 || !Qualifies(e.MimeType, e.Name) || !w.claim(paths[i], e) {
			continue
		}
		batch.Add(1)
		select {
		case w.jobs <- job{paths[i], e, batch}:
			n++
		default: // the queue is full: another listing will ask again
			batch.Done()
			w.release(paths[i], e)
		}
	}
	return n
}

// claim marks a file version as handled, unless it already is or its
// thumbnail is in the cache and current.
func (w *Writer) claim(p string, e remote.Entry) bool {
	k := key{e.DriveID, e.ID, e.Version, p}
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.seen[k] {
		return false
	}
	w.seen[k] = true
	if w.current(p, e) {
		return false
	}
	return true
}

func (w *Writer) release(p string, e remote.Entry) {
	w.mu.Lock()
	delete(w.seen, key{e.DriveID, e.ID, e.Version, p})
	w.mu.Unlock()
}

// current reports whether the cache holds a thumbnail of the file as it
// is now (its Thumb::MTime matches).
func (w *Writer) current(p string, e remote.Entry) bool {
	m := w.meta(p, e)
	b, err := os.ReadFile(Path(w.o.CacheHome, m.URI, LargeSize))
	if err != nil {
		return false
	}
	t, err := Text(b)
	return err == nil && t["Thumb::URI"] == m.URI && t["Thumb::MTime"] == itoa(m.MTime)
}

func (w *Writer) meta(p string, e remote.Entry) Meta {
	m := Meta{URI: FileURI(filepath.Join(w.o.MountPoint, p)), Size: e.Size, MimeType: e.MimeType}
	if !e.MTime.IsZero() {
		m.MTime = e.MTime.Unix() // as the mount's stat shows it (the epoch for none)
	}
	return m
}

func (w *Writer) work() {
	defer w.wg.Done()
	for {
		select {
		case <-w.ctx.Done():
			return
		case j := <-w.jobs:
			w.one(j)
			j.batch.Done()
		}
	}
}

// one fetches and writes one file's thumbnails (large and normal).
func (w *Writer) one(j job) {
	ctx, cancel := context.WithTimeout(w.ctx, time.Minute)
	defer cancel()
	log := w.o.Logger.With("drive", j.e.DriveID, "id", j.e.ID)
	data, err := w.src.Thumbnail(ctx, j.e, LargeSize)
	if err != nil {
		if !errors.Is(err, remote.ErrNotFound) && !errors.Is(err, remote.ErrPermission) {
			w.release(j.path, j.e) // worth another try at the next listing
		}
		log.Debug("no server thumbnail", "err", err)
		return
	}
	img, _, err := image.Decode(bytes.NewReader(data))
	if err != nil {
		log.Debug("server thumbnail not understood", "err", err)
		return
	}
	m := w.meta(j.path, j.e)
	// normal first: large is what current() checks, so it goes last.
	for _, size := range []int{NormalSize, LargeSize} {
		if err := write(Path(w.o.CacheHome, m.URI, size), img, size, m); err != nil {
			log.Warn("cannot write a thumbnail", "err", err)
			w.release(j.path, j.e)
			return
		}
	}
	w.written.Add(1)
}

// write puts the thumbnail in place atomically (a reader never sees half
// a PNG), in directories only the user may read (the standard's 0700).
func write(path string, img image.Image, size int, m Meta) error {
	b, err := Encode(img, size, m)
	if err != nil {
		return err
	}
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return err
	}
	f, err := os.CreateTemp(dir, ".infomaniakfs-*.png")
	if err != nil {
		return err
	}
	_, err = f.Write(b)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Chmod(f.Name(), 0o600)
	}
	if err == nil {
		err = os.Rename(f.Name(), path)
	}
	if err != nil {
		os.Remove(f.Name())
	}
	return err
}
