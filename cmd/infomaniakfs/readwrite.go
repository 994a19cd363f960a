package main

import (
	"context"
	"errors"
	"log/slog"
	"path/filepath"
	"time"

	"github.com/spf13/pflag"

	"github.com/infomaniakfs/infomaniakfs/cache"
	"github.com/infomaniakfs/infomaniakfs/writeback"
)

// rwOptions are the flags of the read-write mount.
type rwOptions struct {
	ReadWrite   bool
	UnmountWait time.Duration
}

func (o *rwOptions) AddFlags(fs *pflag.FlagSet) {
	fs.BoolVar(&o.ReadWrite, "read-write", false, "let programs write to kDrive (Mail stays read-only); uploads go through a crash-safe queue in --cache-dir")
	fs.DurationVar(&o.UnmountWait, "unmount-wait", 10*time.Minute, "with --read-write, how long unmounting waits for pending uploads (0: leave them for the next mount, which resumes them)")
}

// uploadsDir is where an account's staging files and upload journal live:
// beside the disk cache, not in it, so purging the cache never drops a
// pending upload.
func uploadsDir(cacheDir, apiURL, mailURL string, account int64) string {
	return cache.AccountDir(filepath.Join(cacheDir, "uploads"), apiURL, mailURL, account)
}

// openWrites opens the upload queue of the account (resuming what the last
// mount left) over the kDrive client r; inv is the metadata cache.
func openWrites(dir string, r writeback.Remote, inv writeback.Invalidator, log *slog.Logger) (*writeback.Files, error) {
	if dir == "" {
		return nil, errors.New("--read-write needs a --cache-dir for its upload queue")
	}
	return writeback.NewFiles(writeback.Options{Dir: dir, Remote: r, Logger: log}.Defaults(), inv)
}

// closeWrites waits up to wait for the queue (progress logged), then stops
// it; what is left stays in the journal for the next mount.
func closeWrites(f *writeback.Files, wait time.Duration, log *slog.Logger) {
	ctx, cancel := context.WithTimeout(context.Background(), max(wait, 0))
	defer cancel()
	if err := f.Close(ctx, wait > 0); err != nil {
		log.Warn("closing the upload queue", "err", err)
	}
	if st := f.Status(); st.Pending > 0 {
		log.Warn("uploads left for the next mount", "pending", st.Pending)
	}
}
