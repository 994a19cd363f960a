package main

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"
)

// helperWait bounds how long the helper waits for the mount to be served:
// mount's own first requests are bounded by a minute.
const helperWait = 2 * time.Minute

// runMountHelper answers mount(8): it starts `infomaniakfs mount` in the
// background and returns 0 once the tree is served, or non-zero with the
// daemon's own error.
func runMountHelper(args []string, stdout, stderr io.Writer) int {
	h, err := parseHelperArgs(args)
	if err != nil {
		fmt.Fprintf(stderr, "mount.infomaniakfs: %v\nusage: mount.infomaniakfs SOURCE MOUNTPOINT [-o OPTIONS]\n", err)
		return exitUsage
	}
	mountFlags := commandFlags(command{name: "mount", run: runMount})
	flags, err := mapOptions(h.options, mountFlags)
	if err == nil {
		err = mountFlags.Parse(append(flags, h.mountpoint))
	}
	if err != nil {
		fmt.Fprintf(stderr, "mount.infomaniakfs: %v\n", err)
		return exitUsage
	}
	if h.fake {
		return exitOK
	}
	mountArgs := append([]string{"mount", h.mountpoint}, flags...)
	if stderrIsJournal(os.Getenv("JOURNAL_STREAM")) {
		// Run by systemd (a .mount unit): the daemon logs to the unit's
		// journal, errors included, with levels.
		return daemonize(mountArgs, "", os.Stderr, stderr)
	}
	logPath := ""
	if dir := mountFlags.Lookup("cache-dir").Value.String(); dir != "" {
		logPath = filepath.Join(dir, "mount.log")
	}
	return daemonize(mountArgs, logPath, nil, stderr)
}

// daemonize runs this binary with args in the background and waits for
// it to say READY=1 on a notify socket of ours (the same message systemd
// gets), or to exit. Its standard error is journal when set, else
// logPath (created 0600 in a 0700 directory; /dev/null when empty), whose
// new part is shown when it fails.
//
// The child keeps our process group (no setsid), as rclone's does: the
// kernel's automounter lets its own process group through an autofs
// mount point, and a daemon that setsid()s waits on the mount it is making
// (goofys PR #369 found it so under x-systemd.automount). Once mount(8)
// has returned, the group has no terminal left.
func daemonize(args []string, logPath string, journal *os.File, stderr io.Writer) int {
	exe, err := os.Executable()
	if err != nil {
		return fail(stderr, "%v", err)
	}
	dir, err := os.MkdirTemp("", "infomaniakfs-helper-")
	if err != nil {
		return fail(stderr, "%v", err)
	}
	defer os.RemoveAll(dir)
	sock := filepath.Join(dir, "notify")
	conn, err := net.ListenUnixgram("unixgram", &net.UnixAddr{Name: sock, Net: "unixgram"})
	if err != nil {
		return fail(stderr, "%v", err)
	}
	defer conn.Close()
	cmd := exec.Command(exe, args...)
	cmd.Env = append(withoutEnv(os.Environ(), "NOTIFY_SOCKET"), "NOTIFY_SOCKET="+sock)
	var offset int64
	if journal != nil {
		cmd.Stderr = journal
	} else {
		logf, off, err := openLog(logPath)
		if err != nil {
			return fail(stderr, "log file: %v", err)
		}
		defer logf.Close()
		cmd.Env = withoutEnv(cmd.Env, "JOURNAL_STREAM")
		cmd.Stderr, offset = logf, off // stdin and stdout: /dev/null
	}
	if err := cmd.Start(); err != nil {
		return fail(stderr, "starting %s: %v", exe, err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	ready := make(chan struct{})
	go waitReady(conn, ready)

	select {
	case <-ready:
		return exitOK
	case err := <-exited:
		fmt.Fprint(stderr, logSince(logPath, offset))
		if err == nil {
			err = errors.New("exited before the mount was ready")
		}
		return fail(stderr, "mount failed: %v", err)
	case <-time.After(helperWait):
		cmd.Process.Kill()
		<-exited
		fmt.Fprint(stderr, logSince(logPath, offset))
		return fail(stderr, "the mount was not ready after %v; gave up", helperWait)
	}
}

// waitReady closes ready when a datagram holds READY=1; it returns when
// conn is closed.
func waitReady(conn *net.UnixConn, ready chan<- struct{}) {
	buf := make([]byte, 4096)
	for {
		n, err := conn.Read(buf)
		if err != nil {
			return
		}
		for _, line := range strings.Split(string(buf[:n]), "\n") {
			if line == "READY=1" {
				close(ready)
				return
			}
		}
	}
}

// maxLog is the size past which the log file starts again empty.
const maxLog = 8 << 20

func openLog(path string) (f *os.File, offset int64, err error) {
	if path == "" {
		f, err = os.OpenFile(os.DevNull, os.O_WRONLY, 0)
		return f, 0, err
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, 0, err
	}
	if fi, err := os.Stat(path); err == nil && fi.Size() > maxLog {
		os.Truncate(path, 0)
	}
	f, err = os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_APPEND, 0o600)
	if err != nil {
		return nil, 0, err
	}
	offset, err = f.Seek(0, io.SeekEnd)
	return f, offset, err
}

// logSince is what the child wrote to the log after offset.
func logSince(path string, offset int64) string {
	if path == "" {
		return ""
	}
	b, err := os.ReadFile(path)
	if err != nil || int64(len(b)) < offset {
		return ""
	}
	return string(bytes.TrimLeft(b[offset:], "\n"))
}

func withoutEnv(env []string, names ...string) []string {
	var out []string
outer:
	for _, kv := range env {
		for _, n := range names {
			if strings.HasPrefix(kv, n+"=") {
				continue outer
			}
		}
		out = append(out, kv)
	}
	return out
}
