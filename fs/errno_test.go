package fs

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"syscall"
	"testing"

	"github.com/infomaniakfs/infomaniakfs/remote"
	"github.com/infomaniakfs/infomaniakfs/writeback"
)

func TestErrno(t *testing.T) {
	wrap := func(err error) error { return fmt.Errorf("list drive 7: %w", err) }
	tests := []struct {
		err  error
		want syscall.Errno
	}{
		{nil, 0},
		{remote.ErrNotFound, syscall.ENOENT},
		{wrap(remote.ErrNotFound), syscall.ENOENT},
		{&remote.APIError{Status: 404, Code: "object_not_found", Kind: remote.ErrNotFound}, syscall.ENOENT},
		{wrap(remote.ErrAuth), syscall.EACCES},
		{wrap(remote.ErrPermission), syscall.EACCES},
		{wrap(context.Canceled), syscall.EINTR},
		{wrap(context.DeadlineExceeded), syscall.EIO},
		{wrap(remote.ErrRateLimited), syscall.EIO},
		{wrap(remote.ErrUnavailable), syscall.EIO},
		{wrap(remote.ErrChanged), syscall.EIO},
		{wrap(remote.ErrInvalid), syscall.EIO},
		{errors.New("something odd"), syscall.EIO},
		{wrap(syscall.ECONNRESET), syscall.EIO}, // a raw errno from below is not passed through
		// Writes: a full drive answers 403, which is also ErrPermission.
		{fmt.Errorf("upload: %w: %w", remote.ErrNoSpace, &remote.APIError{Status: 403, Code: "quota_exceeded_error", Kind: remote.ErrPermission}), syscall.ENOSPC},
		{wrap(remote.ErrInvalidName), syscall.EINVAL},
		{wrap(remote.ErrExists), syscall.EEXIST},
		{wrap(writeback.ErrNotEmpty), syscall.ENOTEMPTY},
	}
	for _, tc := range tests {
		if got := errno(tc.err); got != tc.want {
			t.Errorf("errno(%v) = %v, want %v", tc.err, got, tc.want)
		}
	}
}

func TestErrLogSaysThingsOnce(t *testing.T) {
	var buf bytes.Buffer
	l := newErrLog(slog.New(slog.NewTextHandler(&buf, nil)))
	for range 3 {
		l.fail("read", "/a", fmt.Errorf("x: %w", remote.ErrAuth))
		l.fail("read", "/b", errors.New("odd failure"))
		l.fail("read", "/c", remote.ErrUnavailable) // debug level: not shown
	}
	out := buf.String()
	if n := strings.Count(out, "infomaniakfs login"); n != 1 {
		t.Errorf("auth failure logged %d times, want once:\n%s", n, out)
	}
	if n := strings.Count(out, "odd failure"); n != 1 {
		t.Errorf("unexpected failure logged %d times, want once:\n%s", n, out)
	}
	if strings.Contains(out, "service unavailable") {
		t.Errorf("an expected failure was logged above debug:\n%s", out)
	}
}
