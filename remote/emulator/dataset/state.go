package dataset

import (
	"sync"
)

// Dataset holds everything the emulator serves. It is safe for concurrent use: one RWMutex
// guards the maps, and content readers never hold it while producing bytes.
type Dataset struct {
	mu        sync.RWMutex
	seed      int64
	drives    []*driveState
	driveByID map[int64]*driveState
	mboxes    []*mailboxState
	mboxByID  map[string]*mailboxState
}

type driveState struct {
	info    Drive
	nodes   map[int64]*nodeState
	trash   map[int64]*nodeState // trashed subtrees, out of nodes
	nextID  int64
	seq     int64
	changes []Change
	// wake is closed and replaced on every change so WaitDrive callers need no polling.
	wake chan struct{}
}

type nodeState struct {
	Node
	children []int64 // sorted by ID
	// src is the file on disk that holds a loaded file's bytes; raw holds uploaded bytes; with
	// neither, the content is generated.
	src string
	raw []byte
}

type mailboxState struct {
	info     Mailbox
	folders  []*folderState // parents first
	folderBy map[string]*folderState
}

type folderState struct {
	info    MailFolder
	msgs    []*msgState // newest first (InternalDate desc, UID desc)
	byUID   map[int64]*msgState
	nextUID int64
	seq     int64
	changes []MailChange
}

type msgState struct {
	MailMessage
	raw []byte // stored bytes (added messages); nil when gen or src produce them
	src string // loaded .eml on disk
	gen *genMsg
}

func newDataset(seed int64) *Dataset {
	return &Dataset{seed: seed, driveByID: map[int64]*driveState{}, mboxByID: map[string]*mailboxState{}}
}
