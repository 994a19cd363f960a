// Package remote holds the contracts between the file system and the
// Infomaniak services: small interfaces, the value types they exchange, the
// sentinel errors they return, and the one shared HTTP client.
//
// Every method takes a context and returns promptly once it is done. Every
// implementation is safe for concurrent use. Errors wrap the sentinels of
// errors.go; anything else is a bug in the caller or the server.
package remote

import (
	"context"
	"io"
	"time"
)

// DriveInfo is one kDrive the account can reach.
type DriveInfo struct {
	ID            int64
	Name          string
	AccountID     int64
	AccountName   string
	Size          int64 // quota in bytes
	UsedSize      int64
	InMaintenance bool
	IsLocked      bool
}

// Entry is one file or directory of a drive.
type Entry struct {
	ID       int64
	ParentID int64
	DriveID  int64
	Name     string // as the API gives it: unsafe, never used as a path as is
	IsDir    bool
	Size     int64 // files only; exact byte count of the content
	MTime    time.Time
	CTime    time.Time // created_at, or MTime when absent
	MimeType string
	// Version changes whenever the content may have changed (derived from
	// last_modified_at, size and hash/etag). Content caches key on it.
	Version string
}

// Drives is the kDrive contract.
type Drives interface {
	// Drives lists every drive the account can reach; empty is not an error.
	Drives(ctx context.Context) ([]DriveInfo, error)
	// List returns all children of directory dirID (all pages followed).
	// ErrNotFound if the directory is gone.
	List(ctx context.Context, driveID, dirID int64) ([]Entry, error)
	// Stat returns one item. ErrNotFound if it is gone.
	Stat(ctx context.Context, driveID, id int64) (Entry, error)
	// Open streams bytes [off, off+length) of file e (length < 0: to EOF).
	// The reader yields exactly those bytes or an error: a connection that
	// breaks mid-body is resumed from the right offset, and content whose
	// version no longer matches e yields ErrChanged, never mixed bytes.
	Open(ctx context.Context, e Entry, off, length int64) (io.ReadCloser, error)
}

// Mailbox is one mailbox the account can read.
type Mailbox struct {
	UUID     string // key of every /api/mail/{uuid}/... route
	Email    string // display form (email_idn when present)
	ID       int64  // mailbox_id
	IsLocked bool
}

// Folder is one mail folder; Folders returns them flat, parents first.
type Folder struct {
	ID        string // opaque, path-escaped by the client
	Path      string // full IMAP path, components joined by Separator
	Name      string // last component
	Separator string
	Role      string // INBOX, SENT, ... or ""
	ParentID  string // "" for root folders
	Total     int    // total_count when the API sends it, else -1
}

// Message is the listing view of one message.
type Message struct {
	UID       string // short IMAP UID, decimal, unique in its folder
	FolderID  string
	Subject   string
	Date      time.Time // internal (arrival) date, falling back to the Date: header
	SizeHint  int64     // the listed size: a hint, not a promise
	MessageID string
}

// Mail is the Infomaniak Mail contract.
type Mail interface {
	// Mailboxes lists every mailbox linked to the account.
	Mailboxes(ctx context.Context) ([]Mailbox, error)
	// Folders lists every folder of a mailbox, flat, parents before children,
	// hidden ".ik" folders left out.
	Folders(ctx context.Context, mailbox string) ([]Folder, error)
	// Messages lists every message of a folder (all batches fetched).
	// ErrNotFound if the folder is gone.
	Messages(ctx context.Context, mailbox, folderID string) ([]Message, error)
	// Raw downloads the RFC 5322 bytes of one message, whole.
	Raw(ctx context.Context, mailbox, folderID, uid string) ([]byte, error)
}

// Profile is the account behind the token (/2/profile).
type Profile struct {
	ID          int64
	Email       string
	DisplayName string
}

// TokenSource supplies the bearer token for API calls. auth implements it
// for OAuth (refreshing, persisted) and for personal API tokens.
type TokenSource interface {
	// Token returns a valid access token. When no valid token can be had
	// (refresh token revoked, nothing stored) it returns an error wrapping
	// ErrAuth whose message tells the user to run `infomaniakfs login`.
	Token(ctx context.Context) (string, error)
	// Invalidate reports that the server rejected token (HTTP 401): the
	// next Token call refreshes instead of returning it again. Concurrent
	// invalidations of one token cause one refresh.
	Invalidate(token string)
}
