package cache

import (
	"context"
	"errors"
	"hash/maphash"
	"io"
	"strings"
	"sync"
	"time"

	"github.com/infomaniakfs/infomaniakfs/remote"
)

// Archiver is a drive source that can send many files of one directory as
// one zip (kdrive.Client.Archive: POST …/files/archives, then its
// download). With it, a reader going through a folder's small files (cp
// -r, rsync, tar, a backup) gets the rest of them in two API requests
// instead of one per file: the scarcest resource is the API's 60 requests
// a minute. Archive streams the zip of files ids, all children of one
// directory; its errors wrap remote's sentinels (ErrInvalid,
// ErrNotFound or ErrPermission: the route is refused).
type Archiver interface {
	Archive(ctx context.Context, driveID int64, ids []int64) (io.ReadCloser, error)
}

// archiveMinFiles is the fewest files worth an archive: it costs two
// requests, a file on its own one (its content host call is no API call).
const archiveMinFiles = 3

// archives is the archive side of a Drives: the files an archive under
// way is bringing (readers of them wait for it instead of downloading),
// the files an archive already tried (never asked again: a file missing
// from or different in an archive is fetched on its own), and the drives
// whose archive route is refused.
type archives struct {
	src      Archiver // nil: no archives
	maxBytes int64
	maxFiles int
	wait     time.Duration

	ctx  context.Context // done once close begins
	stop context.CancelFunc
	wg   sync.WaitGroup // the batches running

	mu      sync.Mutex
	pending map[fileKey]*archSlot
	tried   map[fileKey]struct{}
	refused sync.Map // drive id → struct{}
}

// archSlot is one file of a running archive; data is set (nil: not
// delivered) before done closes.
type archSlot struct {
	e    remote.Entry
	done chan struct{}
	data []byte
}

func newArchives(inner remote.Drives, o Options, recent int64) *archives {
	a := &archives{pending: map[fileKey]*archSlot{}, tried: map[fileKey]struct{}{},
		maxFiles: o.ArchiveFiles, wait: o.ArchiveWait}
	a.ctx, a.stop = context.WithCancel(context.Background())
	// What an archive brings waits in memory for its reader: no more
	// than the recent LRU holds, so the first files are not pushed out by
	// the last before they are read.
	a.maxBytes = min(o.ArchiveMax, recent)
	if src, ok := inner.(Archiver); ok && a.maxBytes > 0 && a.maxFiles >= archiveMinFiles {
		a.src = src
	}
	return a
}

// usable reports whether driveID's files may come by archive.
func (a *archives) usable(driveID int64) bool {
	if a.src == nil {
		return false
	}
	_, no := a.refused.Load(driveID)
	return !no
}

// isPending reports whether a running archive brings fk.
func (a *archives) isPending(fk fileKey) bool {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.pending[fk] != nil
}

// wasTried reports whether an archive brought, or failed to bring, fk.
func (a *archives) wasTried(fk fileKey) bool {
	a.mu.Lock()
	defer a.mu.Unlock()
	_, ok := a.tried[fk]
	return ok
}

// await returns fk's bytes once its archive delivers them, or false when
// fk is in no running archive, the archive ends without it, ArchiveWait
// passes, or ctx ends: the caller then downloads the file itself.
func (a *archives) await(ctx context.Context, fk fileKey) ([]byte, bool) {
	a.mu.Lock()
	s := a.pending[fk]
	a.mu.Unlock()
	if s == nil {
		return nil, false
	}
	t := time.NewTimer(a.wait)
	defer t.Stop()
	select {
	case <-s.done:
		return s.data, s.data != nil
	case <-t.C:
		return nil, false
	case <-ctx.Done():
		return nil, false
	}
}

// claim registers the slots of a new archive of files (all of one
// directory), or returns nil when another one has taken any of them.
func (a *archives) claim(files []remote.Entry) map[string]*archSlot {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.ctx.Err() != nil {
		return nil
	}
	if len(a.tried) > 1<<16 {
		clear(a.tried) // forgetting costs an archive asked twice, no more
	}
	slots := make(map[string]*archSlot, len(files))
	for _, e := range files {
		fk := fileKey{e.DriveID, e.ID, e.Version}
		if _, ok := a.tried[fk]; ok || a.pending[fk] != nil {
			return nil
		}
		slots[e.Name] = &archSlot{e: e, done: make(chan struct{})}
	}
	for _, s := range slots {
		fk := fileKey{s.e.DriveID, s.e.ID, s.e.Version}
		a.pending[fk] = s
		a.tried[fk] = struct{}{}
	}
	a.wg.Add(1)
	return slots
}

// release ends the slots of a finished archive: those not delivered wake
// their waiters empty-handed.
func (a *archives) release(slots map[string]*archSlot) {
	a.mu.Lock()
	defer a.mu.Unlock()
	for _, s := range slots {
		delete(a.pending, fileKey{s.e.DriveID, s.e.ID, s.e.Version})
		select {
		case <-s.done:
		default:
			close(s.done)
		}
	}
}

// close stops the archives under way and waits for them.
func (a *archives) close() {
	a.mu.Lock()
	a.stop()
	a.mu.Unlock()
	a.wg.Wait()
}

// archived serves bytes [off, off+n) of fk from a running archive, if fk
// is in one that delivers it (see archives.await).
func (d *Drives) archived(ctx context.Context, fk fileKey, off, n int64) ([]byte, bool) {
	data, ok := d.archives.await(ctx, fk)
	if !ok && d.archives.wasTried(fk) {
		// Delivered, and its archive ended, since this fetch began.
		data, ok = d.blocks.lookup(blockKey{fk, 0}, blockHash(maphash.String(d.seed, fk.version), fk, 0))
	}
	if !ok || off+n > int64(len(data)) {
		return nil, false
	}
	return data[off : off+n], true
}

// startArchive fetches files (small ones of one directory, in the order
// a reader is expected to want them) in one archive, in the background.
func (d *Drives) startArchive(driveID int64, files []remote.Entry) {
	slots := d.archives.claim(files)
	if slots == nil {
		return
	}
	ids := make([]int64, len(files))
	for i, e := range files {
		ids[i] = e.ID
	}
	go func() {
		defer d.archives.wg.Done()
		defer d.archives.release(slots)
		ctx, cancel := context.WithTimeout(d.archives.ctx, d.o.FetchTimeout)
		defer cancel()
		start := time.Now()
		got, err := d.runArchive(ctx, driveID, ids, slots)
		log := d.o.Logger.With("drive", driveID, "files", len(ids), "delivered", got, "took", time.Since(start))
		switch {
		case err != nil && refusal(err):
			d.archives.refused.Store(driveID, struct{}{})
			d.o.Logger.Info("archives refused: files of this drive are fetched one by one", "drive", driveID, "err", err)
		case err != nil && got == 0 && errors.Is(err, errZipFormat):
			d.archives.refused.Store(driveID, struct{}{})
			d.o.Logger.Warn("archive not understood: files of this drive are fetched one by one", "drive", driveID, "err", err)
		case err != nil:
			log.Debug("archive failed; the rest is fetched file by file", "err", err)
		default:
			log.Debug("archive fetched")
		}
	}()
}

func refusal(err error) bool {
	return errors.Is(err, remote.ErrInvalid) || errors.Is(err, remote.ErrNotFound) || errors.Is(err, remote.ErrPermission)
}

// runArchive downloads one archive and delivers each entry that matches a
// slot (by name; sizes and CRC checked) as soon as it is whole.
func (d *Drives) runArchive(ctx context.Context, driveID int64, ids []int64, slots map[string]*archSlot) (int, error) {
	rc, err := d.archives.src.Archive(ctx, driveID, ids)
	if err != nil {
		return 0, err
	}
	defer rc.Close()
	z := newZipStream(rc)
	got := 0
	for got < len(slots) {
		ze, err := z.next()
		if err == io.EOF {
			return got, nil
		}
		if err != nil {
			return got, err
		}
		// Entries are named by their path under the parent (the zip
		// layout is not documented): matched by their last element.
		name := ze.name[strings.LastIndexByte(ze.name, '/')+1:]
		s := slots[name]
		want := int64(-1)
		switch {
		case strings.HasSuffix(ze.name, "/"):
			want, s = 0, nil // a directory
		case s != nil && s.data == nil:
			want = s.e.Size
		default:
			s = nil
		}
		data, err := z.read(ze, want, d.o.BlockSize)
		if errors.Is(err, errZipEntry) {
			continue // a miss: the file is fetched on its own
		}
		if err != nil {
			return got, err
		}
		if s != nil {
			d.deliver(s, data)
			got++
		}
	}
	return got, nil
}

// deliver hands a file's bytes to its waiters and stores them as the
// file's block 0, exactly as its own fetch would have: in memory, and on
// disk when there is a disk tier.
func (d *Drives) deliver(s *archSlot, data []byte) {
	e := s.e
	fk := fileKey{e.DriveID, e.ID, e.Version}
	// Stored before the waiters wake and the slot goes: a reader whose
	// fetch starts in between finds the bytes here (see archived).
	d.blocks.put(blockKey{fk, 0}, blockHash(maphash.String(d.seed, e.Version), fk, 0), data)
	s.data = data
	close(s.done)
	d.o.Disk.storeBlockNow(fk, 0, data)
}
