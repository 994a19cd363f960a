package remotetest

import (
	"context"
	"fmt"
	"io"
	"slices"
	"time"

	"github.com/infomaniakfs/infomaniakfs/remote"
)

// targetLocked checks where u goes, as the server does before it takes
// any byte: the file an overwrite replaces (still at u.BaseVersion), or
// the folder and name of a new file; then the quota for u.Size. It
// returns the size of the content replaced. w.mu is held.
func (w *WriterFake) targetLocked(u remote.Upload) (int64, error) {
	var old int64
	if u.FileID > 0 {
		e, ok := w.items[itemKey{u.DriveID, u.FileID}]
		switch {
		case (!ok || e.IsDir) && u.BaseVersion != "":
			return 0, fmt.Errorf("fake upload over %d: gone: %w", u.FileID, remote.ErrConflict)
		case !ok || e.IsDir:
			return 0, fmt.Errorf("fake upload over %d: %w", u.FileID, remote.ErrNotFound)
		case u.BaseVersion != "" && e.Version != u.BaseVersion:
			return 0, fmt.Errorf("fake upload over %d at %s, based on %s: %w", u.FileID, e.Version, u.BaseVersion, remote.ErrConflict)
		}
		old = e.Size
	} else {
		if err := w.dirLocked(u.DriveID, u.DirID); err != nil {
			return 0, err
		}
		if err := checkName(u.Name); err != nil {
			return 0, err
		}
		if _, taken := w.namedLocked(u.DriveID, u.DirID, u.Name); taken {
			return 0, fmt.Errorf("fake upload of %q: %w", u.Name, remote.ErrExists)
		}
	}
	for _, d := range w.drives {
		if d.ID == u.DriveID && d.UsedSize-old+u.Size > d.Size {
			return 0, fmt.Errorf("fake upload of %d bytes: %w", u.Size, remote.ErrNoSpace)
		}
	}
	return old, nil
}

// storeLocked puts content where u says (targetLocked passed); w.mu is held.
func (w *WriterFake) storeLocked(u remote.Upload, content []byte, old int64) remote.Entry {
	mt := u.MTime.Truncate(time.Second)
	if mt.IsZero() {
		mt = time.Now().Truncate(time.Second)
	}
	for i, d := range w.drives {
		if d.ID == u.DriveID {
			w.drives[i].UsedSize += int64(len(content)) - old
		}
	}
	if u.FileID > 0 {
		k := itemKey{u.DriveID, u.FileID}
		e := w.items[k]
		e.Size, e.MTime, e.Version = int64(len(content)), mt, w.versionLocked()
		w.items[k], w.data[k] = e, slices.Clone(content)
		w.logLocked("file_update", e)
		return e
	}
	w.nextID++
	e := remote.Entry{ID: w.nextID, DriveID: u.DriveID, ParentID: u.DirID, Name: u.Name,
		Size: int64(len(content)), MTime: mt, CTime: time.Now().Truncate(time.Second)}
	e.Version = w.versionLocked()
	w.data[itemKey{e.DriveID, e.ID}] = slices.Clone(content)
	w.addLocked(e)
	return e
}

// checkContent is the server's check of what it received against u.
func checkContent(u remote.Upload, content []byte) error {
	if int64(len(content)) != u.Size {
		return fmt.Errorf("fake upload: %d bytes for a size of %d: %w", len(content), u.Size, remote.ErrInvalid)
	}
	if u.Hash != "" && remote.Hash(content) != u.Hash {
		return fmt.Errorf("fake upload: hash %s, content %s: %w", u.Hash, remote.Hash(content), remote.ErrInvalid)
	}
	return nil
}

// Upload implements remote.DriveWriter.
func (w *WriterFake) Upload(ctx context.Context, u remote.Upload, content []byte) (remote.Entry, error) {
	e, err := w.upload(ctx, u, content)
	if err != nil || !w.lost(OpUpload) {
		return e, err
	}
	// The retried request, as kdrive.Client sends it: the base version
	// was checked before the first (the service checks none).
	u.BaseVersion = ""
	return w.upload(ctx, u, content)
}

// upload is one attempt of Upload.
func (w *WriterFake) upload(ctx context.Context, u remote.Upload, content []byte) (remote.Entry, error) {
	if err := w.enter(ctx, OpUpload, u.DriveID, u.FileID); err != nil {
		return remote.Entry{}, err
	}
	if u.Size > remote.MaxDirectUpload || int64(len(content)) != u.Size {
		return remote.Entry{}, fmt.Errorf("fake upload: %d bytes for a size of %d (at most %d): %w", len(content), u.Size, remote.MaxDirectUpload, remote.ErrInvalid)
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	old, err := w.targetLocked(u)
	if err != nil {
		return w.landedLocked(u, err, remote.ErrExists)
	}
	if err := checkContent(u, content); err != nil {
		return remote.Entry{}, err
	}
	return w.storeLocked(u, content, old), nil
}

// StartSession implements remote.DriveWriter.
func (w *WriterFake) StartSession(ctx context.Context, u remote.Upload, chunks int) (remote.Session, error) {
	if err := w.enter(ctx, OpStart, u.DriveID, u.FileID); err != nil {
		return remote.Session{}, err
	}
	if chunks < 1 || u.Size < 0 {
		return remote.Session{}, fmt.Errorf("fake session of %d chunks: %w", chunks, remote.ErrInvalid)
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	if _, err := w.targetLocked(u); err != nil {
		return remote.Session{}, err
	}
	tok := w.versionLocked()
	w.sessions[tok] = &fakeSession{u: u, total: chunks, chunks: map[int][]byte{}}
	return remote.Session{DriveID: u.DriveID, Token: tok, URL: "fake:", Chunks: chunks}, nil
}

// sessionLocked is s's state, or ErrNotFound (finished, cancelled); w.mu
// is held.
func (w *WriterFake) sessionLocked(s remote.Session) (*fakeSession, error) {
	fs := w.sessions[s.Token]
	if fs == nil || fs.u.DriveID != s.DriveID {
		return nil, fmt.Errorf("fake session %q: %w", s.Token, remote.ErrNotFound)
	}
	return fs, nil
}

// UploadChunk implements remote.DriveWriter. The fake holds chunks in
// memory; it reads the section as the contract says (ReadAt only).
func (w *WriterFake) UploadChunk(ctx context.Context, s remote.Session, n int, section *io.SectionReader) error {
	if err := w.enter(ctx, OpChunk, s.DriveID, int64(n)); err != nil {
		return err
	}
	if section.Size() > remote.MaxChunk {
		return fmt.Errorf("fake chunk %d of %d bytes: %w", n, section.Size(), remote.ErrInvalid)
	}
	chunk, err := io.ReadAll(io.NewSectionReader(section, 0, section.Size()))
	if err != nil {
		return fmt.Errorf("fake chunk %d: reading it: %w", n, err)
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	fs, err := w.sessionLocked(s)
	if err != nil {
		return err
	}
	if n < 1 || n > fs.total {
		return fmt.Errorf("fake chunk %d of %d: %w", n, fs.total, remote.ErrInvalid)
	}
	var held int64
	for i, c := range fs.chunks {
		if i != n {
			held += int64(len(c))
		}
	}
	if held+int64(len(chunk)) > fs.u.Size {
		return fmt.Errorf("fake chunk %d: the chunks exceed %d bytes: %w", n, fs.u.Size, remote.ErrInvalid)
	}
	fs.chunks[n] = chunk
	return nil
}

// FinishSession implements remote.DriveWriter: the destination is the
// start's, checked again; the hash and mtime are u's. A finish refused
// for a missing chunk or a hash leaves the session open.
func (w *WriterFake) FinishSession(ctx context.Context, s remote.Session, u remote.Upload) (remote.Entry, error) {
	return retry(w, OpFinish, func() (remote.Entry, error) { return w.finishSession(ctx, s, u) })
}

// finishSession is one attempt of FinishSession.
func (w *WriterFake) finishSession(ctx context.Context, s remote.Session, u remote.Upload) (remote.Entry, error) {
	if err := w.enter(ctx, OpFinish, s.DriveID, u.FileID); err != nil {
		return remote.Entry{}, err
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	fs, err := w.sessionLocked(s)
	if err != nil {
		return w.landedLocked(u, err, remote.ErrNotFound)
	}
	var all []byte
	for i := 1; i <= fs.total; i++ {
		c, ok := fs.chunks[i]
		if !ok {
			return remote.Entry{}, fmt.Errorf("fake finish: chunk %d of %d missing: %w", i, fs.total, remote.ErrInvalid)
		}
		all = append(all, c...)
	}
	dest := fs.u
	dest.BaseVersion, dest.Hash, dest.MTime = u.BaseVersion, u.Hash, u.MTime
	if err := checkContent(dest, all); err != nil {
		return remote.Entry{}, err
	}
	old, err := w.targetLocked(dest)
	if err != nil {
		return remote.Entry{}, err
	}
	delete(w.sessions, s.Token)
	return w.storeLocked(dest, all, old), nil
}

// CancelSession implements remote.DriveWriter: a session already gone is
// not an error (a retried cancel finds what the first one did).
func (w *WriterFake) CancelSession(ctx context.Context, s remote.Session) error {
	if err := w.enter(ctx, OpCancel, s.DriveID, 0); err != nil {
		return err
	}
	w.mu.Lock()
	delete(w.sessions, s.Token)
	w.mu.Unlock()
	return nil
}

// landedLocked recognises, as kdrive.Client does, a call an earlier
// attempt of which landed (its answer lost; the retry refused with sign):
// the file in place has u's size and hash. Otherwise err stands. w.mu is
// held.
func (w *WriterFake) landedLocked(u remote.Upload, err, sign error) (remote.Entry, error) {
	if !errorsIs(err, sign) || u.Hash == "" {
		return remote.Entry{}, err
	}
	e, ok := w.items[itemKey{u.DriveID, u.FileID}]
	if u.FileID <= 0 {
		e, ok = w.namedLocked(u.DriveID, u.DirID, u.Name)
	}
	if !ok || e.IsDir || e.Size != u.Size || remote.Hash(w.data[itemKey{e.DriveID, e.ID}]) != u.Hash {
		return remote.Entry{}, err
	}
	return e, nil
}
