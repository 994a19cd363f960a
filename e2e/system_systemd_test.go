package e2e

import (
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/infomaniakfs/infomaniakfs/remote/emulator/dataset"
)

// The shipped unit, pointed at the binary under test, passes
// systemd-analyze verify.
func TestSystemdUnitVerifies(t *testing.T) {
	analyze, err := exec.LookPath("systemd-analyze")
	if err != nil {
		t.Skip("systemd-analyze is not installed: the unit is not verified")
	}
	unit, err := os.ReadFile("../dist/systemd/infomaniakfs@.service")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(unit), "/usr/local/bin/infomaniakfs mount %f") {
		t.Fatalf("ExecStart changed; update this test and the Makefile's install sed")
	}
	dir := t.TempDir()
	// An instance, as systemd-escape --template would name it.
	path := filepath.Join(dir, "infomaniakfs@home-ana-Infomaniak.service")
	text := strings.ReplaceAll(string(unit), "/usr/local/bin/infomaniakfs", binary)
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(analyze, "verify", "--man=no", path).CombinedOutput()
	if err != nil || len(out) > 0 {
		t.Errorf("systemd-analyze verify: %v\n%s", err, out)
	}
}

// notifySocket listens where a fake systemd would, and returns the
// datagrams it receives.
func notifySocket(t *testing.T) (path string, msgs <-chan string) {
	t.Helper()
	path = filepath.Join(t.TempDir(), "notify")
	conn, err := net.ListenUnixgram("unixgram", &net.UnixAddr{Name: path, Net: "unixgram"})
	if err != nil {
		t.Fatal(err)
	}
	ch := make(chan string, 16)
	go func() {
		defer close(ch)
		buf := make([]byte, 4096)
		for {
			n, err := conn.Read(buf)
			if err != nil {
				return
			}
			ch <- string(buf[:n])
		}
	}()
	t.Cleanup(func() { conn.Close() })
	return path, ch
}

// waitNotify returns the first datagram holding want, failing after 20 s.
func waitNotify(t *testing.T, msgs <-chan string, want string) string {
	t.Helper()
	timeout := time.After(20 * time.Second)
	for {
		select {
		case m, ok := <-msgs:
			if !ok {
				t.Fatalf("notify socket closed before %q", want)
			}
			for _, line := range strings.Split(m, "\n") {
				if line == want {
					return m
				}
			}
		case <-timeout:
			t.Fatalf("no %q on NOTIFY_SOCKET within 20 s", want)
		}
	}
}

// Under Type=notify, READY=1 comes once the tree answers and STOPPING=1
// when SIGTERM starts the unmount.
func TestSystemdNotify(t *testing.T) {
	srv := serve(t, dataset.Generate(dataset.Spec{Seed: 3, SmallFiles: 5}))
	sock, msgs := notifySocket(t)
	d := mountWith(t, srv, mountSpec{env: []string{"NOTIFY_SOCKET=" + sock}})
	ready := waitNotify(t, msgs, "READY=1")
	if !strings.Contains(ready, "STATUS=") {
		t.Errorf("READY=1 without a STATUS= line: %q", ready)
	}
	if entries, err := os.ReadDir(d.dir); err != nil || len(entries) == 0 {
		t.Fatalf("ready, but the tree does not answer: %v %v", entries, err)
	}
	d.unmounted = true // stopped here, by SIGTERM as systemd does
	if err := d.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	waitNotify(t, msgs, "STOPPING=1")
	select {
	case err := <-d.done:
		if err != nil {
			t.Errorf("exit after SIGTERM: %v\n%s", err, d.log)
		}
	case <-time.After(30 * time.Second):
		d.cmd.Process.Kill()
		t.Fatalf("no exit 30 s after SIGTERM\n%s", d.log)
	}
	if isMountPoint(d.dir) {
		syscall.Unmount(d.dir, syscall.MNT_DETACH)
		t.Error("still mounted after SIGTERM")
	}
}
