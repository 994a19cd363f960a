package main

import (
	"errors"
	"net"
	"strings"
	"sync/atomic"
	"syscall"
)

// notifier speaks systemd's notify protocol: one datagram of
// newline-separated KEY=VALUE to the unix socket named by $NOTIFY_SOCKET
// (abstract when it starts with @, which net handles). It is written out
// rather than taken from coreos/go-systemd because it is this one call
// and the protocol is stable (sd_notify(3) lists standalone
// implementations as supported); go-systemd's daemon package is the same
// dial and write.
//
// A zero notifier (no $NOTIFY_SOCKET: not under systemd) does nothing.
// Errors are returned for logging only: a mount never fails because its
// supervisor could not be told (rclone PR #1840).
//
// A socket that has gone away (the mount helper that started us waited
// only for READY=1) ends the notifications, silently.
type notifier struct {
	addr string
	gone atomic.Bool
}

func newNotifier(getenv func(string) string) *notifier {
	return &notifier{addr: getenv("NOTIFY_SOCKET")}
}

// send sends the given KEY=VALUE lines as one datagram.
func (n *notifier) send(lines ...string) error {
	if n.addr == "" || n.gone.Load() {
		return nil
	}
	conn, err := net.DialUnix("unixgram", nil, &net.UnixAddr{Name: n.addr, Net: "unixgram"})
	if errors.Is(err, syscall.ENOENT) || errors.Is(err, syscall.ECONNREFUSED) {
		n.gone.Store(true)
		return nil
	}
	if err != nil {
		return err
	}
	defer conn.Close()
	_, err = conn.Write([]byte(strings.Join(lines, "\n")))
	return err
}

// status is a STATUS= line: one line, as systemctl status shows it.
func status(s string) string {
	return "STATUS=" + strings.NewReplacer("\n", " ", "\r", " ").Replace(s)
}
