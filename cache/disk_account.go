package cache

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// accountsDir holds one directory per account and API hosts under the
// --cache-dir: entries are keyed by ids that are only unique within one
// account on one service (drive and item ids, mailbox folder ids, UIDs),
// so two accounts, or a real and an emulated API, never share them.
const accountsDir = "accounts"

// AccountDir is where the disk cache of account on the given API and mail
// hosts lives under dir (pass it to OpenDisk): a readable name for the
// user (host and account) and a digest of both URLs for uniqueness.
func AccountDir(dir, apiURL, mailURL string, account int64) string {
	host := apiURL
	if u, err := url.Parse(apiURL); err == nil && u.Host != "" {
		host = u.Host
	}
	host = strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '.' || r == '-' {
			return r
		}
		return '_'
	}, host)
	sum := sha256.Sum256([]byte(apiURL + "\n" + mailURL))
	name := host + "-" + strconv.FormatInt(account, 10) + "-" + hex.EncodeToString(sum[:4])
	return filepath.Join(dir, accountsDir, name)
}

// PurgeDisk deletes what the Disks under dir keep, every account's and
// the pre-account layout's (nothing cached is not an error); it fails with
// ErrDiskCacheBusy while a daemon uses one, after purging the others.
func PurgeDisk(dir string) error {
	err := purgeOne(dir)
	subs, rerr := os.ReadDir(filepath.Join(dir, accountsDir))
	if rerr != nil && !errors.Is(rerr, os.ErrNotExist) {
		return errors.Join(err, rerr)
	}
	for _, s := range subs {
		if s.IsDir() {
			sub := filepath.Join(dir, accountsDir, s.Name())
			if perr := purgeOne(sub); perr != nil {
				err = errors.Join(err, perr)
				continue
			}
			// The state for an offline start (state.go) names files and
			// messages: it goes with the cache.
			_ = os.Remove(filepath.Join(sub, stateFile))
			_ = os.Remove(sub) // empty now, unless something else lives there
		}
	}
	return err
}
