// Package dataset is the emulator's source of truth: the drives, files, mailboxes and messages
// it serves, either generated from a seed or loaded from a local directory. It knows nothing
// about HTTP; the emulator package turns it into Infomaniak's wire format.
package dataset

import (
	"time"
)

// Spec says what Generate makes. Zero fields take the defaults in brackets.
type Spec struct {
	Seed              int64   // [1] everything is a pure function of the seed
	Drives            int     // [2] drives; drive IDs 100001, 100002, ...; names "Drive 1", ...
	Depth             int     // [3] nesting depth of generated folders under Private/ and Common documents/
	DirsPerDir        int     // [3] sub-folders per folder
	FilesPerDir       int     // [5] files per folder
	FileSize          int64   // [64 KiB] mean size of ordinary files (sizes vary around it, some 0-byte)
	BigFiles          []int64 // [none] extra files "big-<n>.bin" of these sizes in drive 1's Private/
	WideDirFiles      int     // [0] if >0, drive 1 gets Private/wide/ holding this many files
	SmallFiles        int     // [0] if >0, drive 1 gets Private/small/ with this many files of SmallFileSize
	SmallFileSize     int64   // [64 KiB]
	Mailboxes         int     // [2] mailboxes
	MessagesPerFolder int     // [20] messages per ordinary folder
	BigFolderMessages int     // [0] if >0, mailbox 1 gets folder "Archives/Big" with this many messages
}

// Drive is one kDrive drive.
type Drive struct {
	ID          int64
	Name        string
	AccountID   int64
	AccountName string
	CreatedAt   int64
	Size        int64 // quota in bytes
	UsedSize    int64 // sum of file sizes
}

// Node is one file or directory of a drive, as the API describes it.
type Node struct {
	ID, ParentID, DriveID int64
	Name                  string
	IsDir                 bool
	Size                  int64 // files
	CreatedAt, AddedAt    int64 // unix seconds
	MTime                 int64 // unix seconds (last_modified_at)
	MimeType              string
	Visibility            string // "is_root", "is_private_space", "is_in_private_space", ... or ""
	Depth                 int    // root is 0
	Version               int64  // bumps on every content change
}

// Mailbox is one mailbox linked to the user.
type Mailbox struct {
	UUID, Email, Local string
	ID                 int64
	HostingID          int64
}

// MailFolder is one IMAP folder; ID follows the mail reference §4.2 scheme.
type MailFolder struct {
	ID, Path, Name, Separator, Role, ParentPath string
}

// MailMessage is one message's metadata; Raw gives its bytes.
type MailMessage struct {
	UID           int64 // short IMAP UID, 1.. per folder, strictly increasing, never reused
	FolderID      string
	InternalDate  time.Time
	Subject       string // decoded subject ("" allowed)
	From, To      string // addresses
	MessageID     string
	Size          int64 // exact length of Raw
	Seen, Flagged bool
}

// Change is one entry of a drive's change log.
type Change struct {
	Seq         int64
	Action      string // file_create, file_update, file_rename, file_move (moved in), file_move_out, file_trash, file_restore, file_delete
	Node        Node   // the node after the change (for delete: as it was)
	OldParentID int64
	// Path is the node's path after the change (for delete: as it was); OldPath, for moves,
	// its path before. Recorded when logged: parents may be renamed or gone later.
	Path, OldPath string
}

// Drive change actions, as the kDrive API names them.
const (
	ActionCreate  = "file_create"
	ActionUpdate  = "file_update"
	ActionRename  = "file_rename"
	ActionMoveIn  = "file_move"
	ActionMoveOut = "file_move_out"
	ActionDelete  = "file_delete"
	ActionTrash   = "file_trash"
	ActionRestore = "file_restore"
)

// MailChange is one entry of a mail folder's change log.
type MailChange struct {
	Seq  int64
	Kind string // added, deleted, flags
	UID  int64
}

// Mail change kinds.
const (
	MailAdded   = "added"
	MailDeleted = "deleted"
	MailFlags   = "flags"
)
