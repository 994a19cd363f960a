package writeback

import (
	"context"
	"fmt"
	"io"
	"sync"
	"sync/atomic"
	"time"

	"github.com/infomaniakfs/infomaniakfs/remote"
)

// fakeFile is one file of the fake drive.
type fakeFile struct {
	id, dir int64
	name    string
	content []byte
	rev     int
	mtime   time.Time
}

func (f *fakeFile) entry() remote.Entry {
	return remote.Entry{ID: f.id, ParentID: f.dir, Name: f.name, Size: int64(len(f.content)), Version: fmt.Sprint(f.rev)}
}

// fakeRemote is a drive in memory with the contract's checks (base
// version, names taken) and failures to order.
type fakeRemote struct {
	mu     sync.Mutex
	files  map[int64]*fakeFile
	nextID int64
	calls  map[string]int
	// fail, when set, may fail a call before it acts; lost, after (the
	// write landed, its answer did not).
	fail func(op string) error
	lost func(op string) error
	sess map[string]map[int][]byte
	// sizes are the sizes of the chunks received, in order.
	sizes []int
	// gate, when set, holds every Upload until it is closed; held counts
	// the uploads waiting there.
	gate chan struct{}
	held atomic.Int32
}

func newFakeRemote() *fakeRemote {
	return &fakeRemote{files: map[int64]*fakeFile{}, nextID: 100, calls: map[string]int{}, sess: map[string]map[int][]byte{}}
}

// before counts op and applies fail; r.mu is held.
func (r *fakeRemote) before(op string) error {
	r.calls[op]++
	if r.fail != nil {
		return r.fail(op)
	}
	return nil
}

func (r *fakeRemote) after(op string) error {
	if r.lost != nil {
		return r.lost(op)
	}
	return nil
}

func (r *fakeRemote) count(op string) int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.calls[op]
}

// put creates or replaces a file as another client would.
func (r *fakeRemote) put(dir int64, name string, content []byte) remote.Entry {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, f := range r.files {
		if f.dir == dir && f.name == name {
			f.content, f.rev = content, f.rev+1
			return f.entry()
		}
	}
	r.nextID++
	f := &fakeFile{id: r.nextID, dir: dir, name: name, content: content, rev: 1}
	r.files[f.id] = f
	return f.entry()
}

// find is the file called name in dir, or nil.
func (r *fakeRemote) find(dir int64, name string) *fakeFile {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, f := range r.files {
		if f.dir == dir && f.name == name {
			return f
		}
	}
	return nil
}

// store applies an upload; r.mu is held.
func (r *fakeRemote) store(u remote.Upload, content []byte) (remote.Entry, error) {
	if remote.Hash(content) != u.Hash || int64(len(content)) != u.Size {
		return remote.Entry{}, fmt.Errorf("%w: hash or size", remote.ErrInvalid)
	}
	if u.FileID > 0 {
		f := r.files[u.FileID]
		if f == nil || (u.BaseVersion != "" && f.entry().Version != u.BaseVersion) {
			return remote.Entry{}, remote.ErrConflict
		}
		f.content, f.rev, f.mtime = content, f.rev+1, u.MTime
		r.calls["stored"]++
		return f.entry(), nil
	}
	for _, f := range r.files {
		if f.dir == u.DirID && f.name == u.Name {
			return remote.Entry{}, remote.ErrExists
		}
	}
	r.nextID++
	f := &fakeFile{id: r.nextID, dir: u.DirID, name: u.Name, content: content, rev: 1, mtime: u.MTime}
	r.files[f.id] = f
	r.calls["stored"]++
	return f.entry(), nil
}

func (r *fakeRemote) Upload(_ context.Context, u remote.Upload, content []byte) (remote.Entry, error) {
	if r.gate != nil {
		r.held.Add(1)
		<-r.gate
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if err := r.before("upload"); err != nil {
		return remote.Entry{}, err
	}
	e, err := r.store(u, append([]byte(nil), content...))
	if err == nil {
		err = r.after("upload")
	}
	return e, err
}

func (r *fakeRemote) StartSession(_ context.Context, u remote.Upload, chunks int) (remote.Session, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if err := r.before("start"); err != nil {
		return remote.Session{}, err
	}
	r.nextID++
	tok := fmt.Sprint("s", r.nextID)
	r.sess[tok] = map[int][]byte{}
	return remote.Session{DriveID: u.DriveID, Token: tok, Chunks: chunks}, nil
}

func (r *fakeRemote) UploadChunk(_ context.Context, s remote.Session, n int, section *io.SectionReader) error {
	chunk, err := io.ReadAll(io.NewSectionReader(section, 0, section.Size()))
	if err != nil {
		return err
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if err := r.before("chunk"); err != nil {
		return err
	}
	if r.sess[s.Token] == nil {
		return remote.ErrNotFound // expired
	}
	r.sess[s.Token][n] = chunk
	r.sizes = append(r.sizes, len(chunk))
	return nil
}

func (r *fakeRemote) FinishSession(_ context.Context, s remote.Session, u remote.Upload) (remote.Entry, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if err := r.before("finish"); err != nil {
		return remote.Entry{}, err
	}
	var all []byte
	for i := 1; i <= s.Chunks; i++ {
		all = append(all, r.sess[s.Token][i]...)
	}
	return r.store(u, all)
}

func (r *fakeRemote) CancelSession(context.Context, remote.Session) error { return nil }

func (r *fakeRemote) Hash(_ context.Context, _, id int64) (string, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if f := r.files[id]; f != nil {
		return remote.Hash(f.content), nil
	}
	return "", remote.ErrNotFound
}

func (r *fakeRemote) Stat(_ context.Context, _, id int64) (remote.Entry, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if f := r.files[id]; f != nil {
		return f.entry(), nil
	}
	return remote.Entry{}, remote.ErrNotFound
}

func (r *fakeRemote) Mkdir(_ context.Context, _, dir int64, name string) (remote.Entry, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.nextID++
	return remote.Entry{ID: r.nextID, ParentID: dir, Name: name, IsDir: true}, nil
}

func (r *fakeRemote) Rename(ctx context.Context, d, id int64, name string) error {
	return r.Move(ctx, d, id, 0, name)
}

func (r *fakeRemote) Move(_ context.Context, _, id, dir int64, name string) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.calls["move"]++
	f := r.files[id]
	if f == nil {
		return remote.ErrNotFound
	}
	if dir != 0 {
		f.dir = dir
	}
	f.name = name
	return nil
}

func (r *fakeRemote) Trash(_ context.Context, _, id int64) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.calls["trash"]++
	delete(r.files, id)
	return nil
}

func (r *fakeRemote) SetMTime(_ context.Context, _, id int64, t time.Time) (remote.Entry, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.calls["mtime"]++
	f := r.files[id]
	if f == nil {
		return remote.Entry{}, remote.ErrNotFound
	}
	f.mtime = t
	return f.entry(), nil
}
