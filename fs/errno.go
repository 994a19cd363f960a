package fs

import (
	"context"
	"errors"
	"log/slog"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"golang.org/x/time/rate"

	"github.com/infomaniakfs/infomaniakfs/remote"
	"github.com/infomaniakfs/infomaniakfs/writeback"
)

// errno is the only mapping from the contracts' errors to what a FUSE
// operation answers. It unwraps (errors.Is), unlike go-fuse's ToErrno,
// which answers ENOSYS for any error it does not know. A raw errno leaking
// from below (a socket's ECONNRESET) becomes EIO too: cat has no use for it.
func errno(err error) syscall.Errno {
	switch {
	case err == nil:
		return 0
	// The write sentinels first: kDrive says "full" with a 403, which is
	// also ErrPermission.
	case errors.Is(err, remote.ErrNoSpace):
		return syscall.ENOSPC
	case errors.Is(err, remote.ErrInvalidName):
		return syscall.EINVAL
	case errors.Is(err, remote.ErrExists):
		return syscall.EEXIST
	case errors.Is(err, writeback.ErrNotEmpty):
		return syscall.ENOTEMPTY
	case errors.Is(err, remote.ErrNotFound):
		return syscall.ENOENT
	case errors.Is(err, remote.ErrAuth), errors.Is(err, remote.ErrPermission):
		return syscall.EACCES
	case errors.Is(err, context.Canceled):
		return syscall.EINTR
	}
	return syscall.EIO
}

// known reports whether err is one of the expected failures, which need
// no log line beyond debug level: the sources log their own retries.
func known(err error) bool {
	for _, s := range []error{
		remote.ErrNotFound, remote.ErrPermission, remote.ErrRateLimited,
		remote.ErrUnavailable, remote.ErrChanged, remote.ErrInvalid,
		context.Canceled, context.DeadlineExceeded,
		remote.ErrNoSpace, remote.ErrExists, writeback.ErrNotEmpty,
	} {
		if errors.Is(err, s) {
			return true
		}
	}
	return false
}

// errLog reports failures without flooding the log: an auth failure once
// for the life of the mount, any unexpected cause once per distinct
// message (the set is bounded) and at most a few per second overall.
type errLog struct {
	log      *slog.Logger
	authOnce atomic.Bool
	limit    *rate.Limiter

	mu   sync.Mutex
	seen map[string]bool // GUARDED_BY(mu)
}

const maxSeenErrors = 1024

func newErrLog(log *slog.Logger) *errLog {
	return &errLog{
		log:   log,
		limit: rate.NewLimiter(rate.Every(time.Second), 5),
		seen:  make(map[string]bool),
	}
}

// fail maps err to an errno and logs it as described on errLog. op and
// path say what was being done; they never hold a secret.
func (l *errLog) fail(op, path string, err error) syscall.Errno {
	code := errno(err)
	switch {
	case errors.Is(err, remote.ErrAuth):
		if l.authOnce.CompareAndSwap(false, true) {
			l.log.Error("Infomaniak no longer accepts our credentials; run `infomaniakfs login` again, then retry",
				"op", op, "path", path, "err", err)
		}
	case errors.Is(err, remote.ErrInvalidName):
		l.log.Warn("kDrive refuses this name: at most 255 bytes, no '/' or NUL, not '.' or '..'",
			"op", op, "path", path, "err", err)
	case known(err):
		l.log.Debug("operation failed", "op", op, "path", path, "errno", code, "err", err)
	default:
		if l.firstTime(err.Error()) {
			l.log.Warn("unexpected failure, answering EIO", "op", op, "path", path, "err", err)
		}
	}
	return code
}

func (l *errLog) firstTime(msg string) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.seen[msg] {
		return false
	}
	if len(l.seen) >= maxSeenErrors {
		clear(l.seen)
	}
	l.seen[msg] = true
	return l.limit.Allow()
}
