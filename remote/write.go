package remote

import (
	"context"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/zeebo/xxh3"
)

// Sentinels of the write contract, beside those of errors.go. The file
// system maps them to errno in fs/errno.go.
var (
	// ErrNoSpace: the drive's quota is used up (→ ENOSPC).
	ErrNoSpace = errors.New("no space left on the drive")
	// ErrInvalidName: kDrive refuses the name (length, characters; → EINVAL).
	ErrInvalidName = errors.New("name refused by kDrive")
	// ErrExists: an item of that name already exists where the write goes.
	ErrExists = errors.New("already exists")
	// ErrConflict: the file is no longer at the version an overwrite was
	// based on; the caller keeps its content another way (a conflict copy).
	ErrConflict = errors.New("remote version changed")
)

// Upload says where new content goes and what it is.
type Upload struct {
	DriveID int64
	// FileID > 0 replaces the content of that file, if it is still at
	// BaseVersion (Entry.Version; "" skips the check): else ErrConflict.
	FileID      int64
	BaseVersion string
	// Without FileID: a new file Name in folder DirID; ErrExists if the
	// name is taken (nothing is ever replaced by name).
	DirID int64
	Name  string
	Size  int64     // exact byte count of the content
	MTime time.Time // the remote last_modified_at; zero: the server's time
	Hash  string    // "xxh3:<16 hex>" of the whole content (see Hash)
}

// Session is an upload session under way (large files).
type Session struct {
	DriveID int64
	Token   string
	URL     string // the upload host chunks go to
	Chunks  int
}

// DriveWriter is the kDrive write contract, beside Drives. Every method is
// safe for concurrent use, takes effect at most once (an attempt whose
// answer was lost is recognised, never applied twice under another name),
// and returns errors wrapping the sentinels of errors.go and write.go.
type DriveWriter interface {
	// Mkdir creates folder name in parentID. ErrExists if the name is taken.
	Mkdir(ctx context.Context, driveID, parentID int64, name string) (Entry, error)
	// Upload sends content in one request (at most MaxDirectUpload bytes),
	// checked by the server against u.Size and u.Hash. The server never
	// shows part of it under u.Name.
	Upload(ctx context.Context, u Upload, content []byte) (Entry, error)
	// StartSession opens an upload session of chunks chunks for u (the
	// same checks as Upload).
	StartSession(ctx context.Context, u Upload, chunks int) (Session, error)
	// UploadChunk sends chunk n (1-based) with its xxh3; sending a chunk
	// again replaces it. The chunk is chunk.Size() bytes (at most
	// MaxChunk), read only through chunk.ReadAt, a small buffer at a time,
	// as often as needed (hash, then every attempt) and never after
	// UploadChunk returns: memory per chunk in flight does not grow with
	// its size, and one section may back concurrent calls.
	UploadChunk(ctx context.Context, s Session, n int, chunk *io.SectionReader) error
	// FinishSession ends s, checked against u.Hash (the whole content's)
	// and setting u.MTime. Only then does the file appear or change.
	FinishSession(ctx context.Context, s Session, u Upload) (Entry, error)
	// CancelSession drops s and its chunks.
	CancelSession(ctx context.Context, s Session) error
	// Rename gives item id a new name in its folder. ErrExists on a clash.
	Rename(ctx context.Context, driveID, id int64, name string) error
	// Move puts item id into folder destID under name ("": its own).
	// ErrExists on a clash.
	Move(ctx context.Context, driveID, id, destID int64, name string) error
	// Trash sends item id (and what it holds) to the drive's trash.
	Trash(ctx context.Context, driveID, id int64) error
	// SetMTime sets the remote last-modified time of item id.
	SetMTime(ctx context.Context, driveID, id int64, t time.Time) (Entry, error)
	// Hash returns the server's "xxh3:<hex>" of file id's content.
	Hash(ctx context.Context, driveID, id int64) (string, error)
}

// MaxDirectUpload is the largest content Upload takes (kDrive: 1 GB).
const MaxDirectUpload = 1 << 30

// MaxChunk is the largest chunk UploadChunk takes: the API's cap on one
// chunk request is 1 GB (additions §5.3), which rclone reads as 10^9
// bytes, and so do we.
const MaxChunk = 1_000_000_000

// hashBuffer is what HashReader reads at a time.
const hashBuffer = 256 << 10

// Hash is the kDrive content hash of b: "xxh3:" and 16 lowercase hex digits.
func Hash(b []byte) string { return FormatHash(xxh3.Hash(b)) }

// HashReader is Hash of what r yields until EOF, and its length, read
// through one small buffer (never whole in memory). It stops with ctx.
func HashReader(ctx context.Context, r io.Reader) (string, int64, error) {
	h := xxh3.New()
	buf := make([]byte, hashBuffer)
	var n int64
	for {
		if err := ctx.Err(); err != nil {
			return "", n, err
		}
		m, err := r.Read(buf)
		h.Write(buf[:m])
		n += int64(m)
		if err == io.EOF {
			return FormatHash(h.Sum64()), n, nil
		}
		if err != nil {
			return "", n, err
		}
	}
}

// FormatHash formats a XXH3-64 sum as kDrive writes it.
func FormatHash(sum uint64) string { return fmt.Sprintf("xxh3:%016x", sum) }
