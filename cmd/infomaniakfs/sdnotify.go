package main

import (
	"net"
	"strings"
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
type notifier struct {
	addr string
}

func newNotifier(getenv func(string) string) notifier {
	return notifier{addr: getenv("NOTIFY_SOCKET")}
}

func (n notifier) enabled() bool { return n.addr != "" }

// send sends the given KEY=VALUE lines as one datagram.
func (n notifier) send(lines ...string) error {
	if n.addr == "" {
		return nil
	}
	conn, err := net.DialUnix("unixgram", nil, &net.UnixAddr{Name: n.addr, Net: "unixgram"})
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
