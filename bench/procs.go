package main

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	ifs "github.com/infomaniakfs/infomaniakfs/fs"
)

// cleanups run in reverse order on every way out (normal end, error,
// SIGINT), so no daemon or mount outlives the benchmark.
type cleanups struct {
	mu  sync.Mutex
	fns []func()
}

func (c *cleanups) add(fn func()) {
	c.mu.Lock()
	c.fns = append(c.fns, fn)
	c.mu.Unlock()
}

func (c *cleanups) run() {
	c.mu.Lock()
	fns := c.fns
	c.fns = nil
	c.mu.Unlock()
	for i := len(fns) - 1; i >= 0; i-- {
		fns[i]()
	}
}

// daemon is a foreground subprocess: a FUSE mount or a server.
type daemon struct {
	name   string
	cmd    *exec.Cmd
	out    *tailBuffer
	done   chan struct{}
	mount  string // mount point it serves, "" for servers
	waitMu sync.Mutex
	err    error
}

// startDaemon starts argv with extra environment; stdout and stderr keep a
// tail for error messages. The process gets its own process group so a
// terminal ^C reaches only the bench, which then stops it in order.
func startDaemon(name string, env []string, argv ...string) (*daemon, error) {
	cmd := exec.Command(argv[0], argv[1:]...)
	cmd.Env = append(os.Environ(), env...)
	out := &tailBuffer{max: 8 << 10}
	cmd.Stdout, cmd.Stderr = out, out
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	d := &daemon{name: name, cmd: cmd, out: out, done: make(chan struct{})}
	go func() {
		err := cmd.Wait()
		d.waitMu.Lock()
		d.err = err
		d.waitMu.Unlock()
		close(d.done)
	}()
	return d, nil
}

func (d *daemon) exited() bool {
	select {
	case <-d.done:
		return true
	default:
		return false
	}
}

// failure describes an early exit with the tail of its output.
func (d *daemon) failure() error {
	d.waitMu.Lock()
	defer d.waitMu.Unlock()
	return fmt.Errorf("%s exited (%v): %s", d.name, d.err, strings.TrimSpace(d.out.String()))
}

// peakRSS is VmHWM of the process in bytes, 0 if unknown.
func (d *daemon) peakRSS() int64 { return vmHWM(d.cmd.Process.Pid) }

// stop asks politely (SIGINT unmounts both infomaniakfs and rclone), then
// unmounts from outside, then kills.
func (d *daemon) stop() {
	if d.exited() {
		unmount(d.mount)
		return
	}
	_ = d.cmd.Process.Signal(os.Interrupt)
	select {
	case <-d.done:
	case <-time.After(10 * time.Second):
		unmount(d.mount)
		select {
		case <-d.done:
		case <-time.After(5 * time.Second):
			_ = d.cmd.Process.Kill()
			<-d.done
		}
	}
	unmount(d.mount)
}

// vmHWM reads the peak resident set size of pid from /proc.
func vmHWM(pid int) int64 {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/status")
	if err != nil {
		return 0
	}
	return parseVmHWM(b)
}

func parseVmHWM(status []byte) int64 {
	sc := bufio.NewScanner(bytes.NewReader(status))
	for sc.Scan() {
		k, v, ok := strings.Cut(sc.Text(), ":")
		if !ok || k != "VmHWM" {
			continue
		}
		f := strings.Fields(v)
		if len(f) == 0 {
			return 0
		}
		n, err := strconv.ParseInt(f[0], 10, 64)
		if err != nil {
			return 0
		}
		return n << 10 // reported in kB
	}
	return 0
}

// isMounted reports whether dir is a mount point in this namespace,
// without touching dir (a dead FUSE mount would hang a stat).
func isMounted(dir string) bool { return ifs.Mounted(dir) }

// unmount detaches dir if it is still mounted: fusermount3 -u, then a lazy
// umount that always succeeds even with a hung daemon.
func unmount(dir string) {
	if dir == "" || !isMounted(dir) {
		return
	}
	_ = exec.Command("fusermount3", "-u", dir).Run()
	if isMounted(dir) {
		_ = exec.Command("umount", "-l", dir).Run()
	}
}

// waitMounted polls until dir is a mount and probe (a path inside it)
// answers stat, the daemon dies, or the deadline passes.
func waitMounted(ctx context.Context, d *daemon, dir, probe string, timeout time.Duration) error {
	deadline := time.Now().Add(timeout)
	for {
		if d != nil && d.exited() {
			return d.failure()
		}
		if isMounted(dir) {
			if _, err := os.Stat(probe); err == nil {
				return nil
			}
		}
		if time.Now().After(deadline) {
			msg := ""
			if d != nil {
				msg = ": " + strings.TrimSpace(d.out.String())
			}
			return fmt.Errorf("%s not mounted after %v%s", dir, timeout, msg)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(50 * time.Millisecond):
		}
	}
}

// tailBuffer keeps the last max bytes written to it.
type tailBuffer struct {
	mu  sync.Mutex
	buf []byte
	max int
}

func (t *tailBuffer) Write(p []byte) (int, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.buf = append(t.buf, p...)
	if over := len(t.buf) - t.max; over > 0 {
		t.buf = append(t.buf[:0], t.buf[over:]...)
	}
	return len(p), nil
}

func (t *tailBuffer) String() string {
	t.mu.Lock()
	defer t.mu.Unlock()
	return string(t.buf)
}

// dropCaches empties the page, dentry and inode caches so a cold run is
// cold for the local floor and the servers' disks alike (root only).
func dropCaches() error {
	syscall.Sync()
	err := os.WriteFile("/proc/sys/vm/drop_caches", []byte("3"), 0)
	if err != nil {
		return errors.New("cannot drop page caches (not root?): local cold runs may be warm")
	}
	return nil
}
