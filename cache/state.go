package cache

import (
	"encoding/json"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/infomaniakfs/infomaniakfs/remote"
)

// The state file is what a daemon needs to start without the network: the
// account, its drives and mailboxes, each drive's tree with the change
// feed's cursor, and the mail folder trees and listings with their
// signatures. It is JSON in the disk cache's block format (disk_file.go:
// a CRC-32C per piece), written to a temporary file and renamed (mode
// 0600), so a reader sees a whole, checked file or nothing usable.

// stateFile is the state's name in an account's cache directory (beside
// the Disk's "blocks").
const stateFile = "state"

// stateVersion changes when State changes incompatibly: an older file is
// then no state, never a misread one.
const stateVersion = 1

// State is what SaveState keeps and LoadState returns.
type State struct {
	Version   int
	Saved     time.Time
	APIURL    string // the hosts it was read from, checked on load
	MailURL   string
	Profile   remote.Profile
	Drives    []remote.DriveInfo
	Trees     []DriveTree
	Mailboxes []remote.Mailbox
	Folders   map[string][]remote.Folder // by mailbox UUID
	Listings  []FolderListing
}

// DriveTree is a drive's tree as cached: the children of every directory
// held, and the cursor of the change feed they are current to ("" when
// the drive is not followed).
type DriveTree struct {
	Drive  int64
	Cursor string
	Dirs   map[int64][]remote.Entry
	Items  []remote.Entry // stat'ed but in no listing held (the root)
}

// FolderListing is a mail folder's listing and the signature of its state
// ("" when unknown).
type FolderListing struct {
	Mailbox, Folder string
	Signature       string
	Messages        []remote.Message
}

// SaveState writes st as dir's state file, atomically (temp + rename),
// mode 0600, checksummed like the blocks.
func SaveState(dir string, st *State) error {
	st.Version = stateVersion
	data, err := json.Marshal(st)
	if err != nil {
		return err
	}
	if len(data) > math.MaxUint32 {
		return fmt.Errorf("state of %d bytes too large", len(data))
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return err
	}
	_, err = writeBlockFile(dir, filepath.Join(dir, stateFile), data)
	return err
}

// LoadState reads dir's state file. A missing, damaged (checksum, length),
// foreign or older-format file is an error: no state, never a partial one.
func LoadState(dir string) (*State, error) {
	data, err := readBlockFile(filepath.Join(dir, stateFile), 0, 0, -1)
	if err != nil {
		return nil, err
	}
	var st State
	if err := json.Unmarshal(data, &st); err != nil {
		return nil, fmt.Errorf("state: %w", err)
	}
	if st.Version != stateVersion {
		return nil, fmt.Errorf("state: format %d, want %d", st.Version, stateVersion)
	}
	return &st, nil
}

// FindState returns the newest state kept under the cache directory dir
// (as AccountDir lays it out) for the given API and mail hosts, and the
// account directory holding it: what an offline start uses, since the
// account cannot be asked. ok is false when there is none usable.
func FindState(dir, apiURL, mailURL string) (st *State, accountDir string, ok bool) {
	for _, p := range stateDirs(dir, apiURL, mailURL) {
		got, err := LoadState(p)
		if err != nil || got.APIURL != apiURL || got.MailURL != mailURL ||
			AccountDir(dir, apiURL, mailURL, got.Profile.ID) != p {
			continue
		}
		if st == nil || got.Saved.After(st.Saved) {
			st, accountDir = got, p
		}
	}
	return st, accountDir, st != nil
}

// HasState reports, without reading it, whether a state file of these
// hosts is kept under dir (FindState may still find it unusable).
func HasState(dir, apiURL, mailURL string) bool {
	for _, p := range stateDirs(dir, apiURL, mailURL) {
		if _, err := os.Stat(filepath.Join(p, stateFile)); err == nil {
			return true
		}
	}
	return false
}

// stateDirs lists the account directories under dir that may be of these
// hosts: AccountDir names are host-account-digest, the digest of both
// URLs.
func stateDirs(dir, apiURL, mailURL string) []string {
	probe := filepath.Base(AccountDir(dir, apiURL, mailURL, 0))
	cut := strings.LastIndex(probe, "-")
	prefix := probe[:strings.LastIndex(probe[:cut], "-")+1]
	suffix := probe[cut:]
	subs, err := os.ReadDir(filepath.Join(dir, accountsDir))
	if err != nil {
		return nil
	}
	var out []string
	for _, s := range subs {
		name := s.Name()
		if s.IsDir() && strings.HasPrefix(name, prefix) && strings.HasSuffix(name, suffix) {
			out = append(out, filepath.Join(dir, accountsDir, name))
		}
	}
	return out
}
