package cache

import (
	"crypto/sha256"
	"encoding/json"
	"log/slog"
	"sync"
	"time"
)

// StateSaveInterval is how often a StateKeeper writes the state, when it
// changed: the feeds apply changes as they come, the file follows slowly
// (and at Close), so a busy drive costs no write per change.
const StateSaveInterval = 2 * time.Minute

// StateKeeper keeps the state file of one account's cache directory
// current with a Drives and a Mail: every interval (when it changed) and
// at Close. What the caches do not hold is kept from the state saved
// before (State.fillFrom). Close stops its goroutine and waits for it.
type StateKeeper struct {
	dir    string
	base   State // the account and hosts; the rest is read at each save
	drives *Drives
	mail   *Mail
	log    *slog.Logger

	mu   sync.Mutex // serialises saves
	last [sha256.Size]byte
	prev *State // saved before, of this account: what the caches lack is kept from it

	stop chan struct{}
	done chan struct{}
	once sync.Once
}

// KeepState starts keeping dir's state from drives and mail (either may be
// nil); base gives the profile and the API hosts.
func KeepState(dir string, base State, drives *Drives, mail *Mail, every time.Duration, log *slog.Logger) *StateKeeper {
	k := &StateKeeper{dir: dir, base: base, drives: drives, mail: mail, log: log,
		stop: make(chan struct{}), done: make(chan struct{})}
	if prev, err := LoadState(dir); err == nil && prev.Profile.ID == base.Profile.ID &&
		prev.APIURL == base.APIURL && prev.MailURL == base.MailURL {
		k.prev = prev
	}
	go k.run(every)
	return k
}

func (k *StateKeeper) run(every time.Duration) {
	defer close(k.done)
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-k.stop:
			return
		case <-t.C:
			k.save()
		}
	}
}

// Save writes the state now if it changed since the last save.
func (k *StateKeeper) Save() error {
	return k.save()
}

func (k *StateKeeper) save() error {
	k.mu.Lock()
	defer k.mu.Unlock()
	st := k.base
	if k.drives != nil {
		k.drives.saveState(&st)
	}
	if k.mail != nil {
		k.mail.saveState(&st)
	}
	st.fillFrom(k.prev)
	data, err := json.Marshal(&st)
	if err != nil {
		return err
	}
	sum := sha256.Sum256(data)
	if sum == k.last {
		return nil
	}
	st.Saved = time.Now()
	if err := SaveState(k.dir, &st); err != nil {
		k.log.Warn("cannot save the state for an offline start", "dir", k.dir, "err", err)
		return err
	}
	k.last = sum
	return nil
}

// Close stops the timer, waits for a save under way, and saves once more.
// Call it before closing the Drives and Mail.
func (k *StateKeeper) Close() error {
	var err error
	k.once.Do(func() {
		close(k.stop)
		<-k.done
		err = k.save()
	})
	return err
}

// RestoreState fills drives and mail (either may be nil) from st, for an
// offline start: everything is served as stale until the remote answers,
// and followed drives resume their change feeds from the saved cursors.
func RestoreState(st *State, drives *Drives, mail *Mail) {
	if drives != nil {
		drives.restoreState(st)
	}
	if mail != nil {
		mail.restoreState(st)
	}
}
