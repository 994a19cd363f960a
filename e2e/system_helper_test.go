package e2e

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/infomaniakfs/infomaniakfs/remote/emulator"
	"github.com/infomaniakfs/infomaniakfs/remote/emulator/dataset"
)

// runHelper calls the binary as mount(8) calls mount.infomaniakfs, with
// fstab options pointing it at srv.
func runHelper(t *testing.T, srv *emulator.Server, dir string, extra string) (string, error) {
	t.Helper()
	cmd := helperCmd(t, srv, dir, extra)
	out, err := cmd.CombinedOutput()
	return string(out), err
}

// helperCmd is the helper's command, not started.
func helperCmd(t *testing.T, srv *emulator.Server, dir string, extra string) *exec.Cmd {
	t.Helper()
	helper := filepath.Join(t.TempDir(), "mount.infomaniakfs")
	if err := os.Symlink(binary, helper); err != nil {
		t.Fatal(err)
	}
	cacheDir := t.TempDir()
	opts := "rw,nosuid,nodev,_netdev,noauto,x-systemd.automount,config_dir=" + t.TempDir() + ",cache_dir=" + cacheDir +
		",api_url=" + srv.URL() + ",mail_url=" + srv.URL() + ",login_url=" + srv.URL() + extra
	cmd := exec.Command(helper, "infomaniak", dir, "-n", "-o", opts)
	cmd.Env = append(cleanEnv(), "INFOMANIAK_TOKEN="+srv.IssueToken())
	t.Cleanup(func() { stopDaemonOn(t, dir) })
	return cmd
}

// daemonOn finds the background daemon serving dir (its command line
// names dir), 0 if none.
func daemonOn(dir string) int {
	procs, _ := filepath.Glob("/proc/[0-9]*/cmdline")
	for _, p := range procs {
		b, err := os.ReadFile(p)
		if err != nil {
			continue
		}
		args := strings.Split(string(b), "\x00")
		if len(args) > 2 && args[0] == binary && args[1] == "mount" && args[2] == dir {
			pid, _ := strconv.Atoi(filepath.Base(filepath.Dir(p)))
			return pid
		}
	}
	return 0
}

// stopDaemonOn unmounts dir as umount(8) would and checks that the daemon
// then exits by itself.
func stopDaemonOn(t *testing.T, dir string) {
	if isMountPoint(dir) {
		if err := syscall.Unmount(dir, 0); err != nil {
			syscall.Unmount(dir, syscall.MNT_DETACH)
		}
	}
	deadline := time.Now().Add(15 * time.Second)
	for pid := daemonOn(dir); pid != 0; pid = daemonOn(dir) {
		if time.Now().After(deadline) {
			syscall.Kill(pid, syscall.SIGKILL)
			t.Errorf("daemon %d still running 15 s after the unmount", pid)
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// The helper returns 0 only once the tree is served, and the daemon runs
// on in the background.
func TestMountHelper(t *testing.T) {
	srv := serve(t, dataset.Generate(dataset.Spec{Seed: 4, SmallFiles: 5}))
	dir := filepath.Join(t.TempDir(), "mnt")
	os.Mkdir(dir, 0o755)
	out, err := runHelper(t, srv, dir, "")
	if err != nil {
		t.Fatalf("mount.infomaniakfs: %v\n%s", err, out)
	}
	// No waiting: the helper returned, so the tree answers now.
	entries, err := os.ReadDir(filepath.Join(dir, "kDrive"))
	if err != nil || len(entries) == 0 {
		t.Fatalf("ls after the helper returned: %v %v", entries, err)
	}
	pid := daemonOn(dir)
	if pid == 0 {
		t.Fatal("no daemon in the background")
	}
	// It keeps the caller's process group (no setsid): an automounter
	// lets its own group through the mount point, and a daemon in another
	// group would wait on the mount it is making (goofys PR #369).
	if pgid, err := syscall.Getpgid(pid); err != nil || pgid != syscall.Getpgrp() {
		t.Errorf("daemon's process group %d (%v), want the caller's %d", pgid, err, syscall.Getpgrp())
	}
	stopDaemonOn(t, dir)
	if isMountPoint(dir) {
		t.Error("still mounted")
	}
}

// A mount that fails makes the helper fail with the daemon's message.
func TestMountHelperFails(t *testing.T) {
	srv := serve(t, dataset.Generate(dataset.Spec{Seed: 4, SmallFiles: 1}))
	tests := []struct {
		name, extra, want string
		code              int
	}{
		{"not empty", "", "is not empty", 1},
		{"unknown option", ",bogus=1", `unknown option "bogus=1"`, 2},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			os.WriteFile(filepath.Join(dir, "file"), nil, 0o600)
			out, err := runHelper(t, srv, dir, tc.extra)
			ee, ok := err.(*exec.ExitError)
			if !ok || ee.ExitCode() != tc.code || !strings.Contains(out, tc.want) {
				t.Errorf("got %v, %q; want exit %d and %q", err, out, tc.code, tc.want)
			}
		})
	}
}

// Run by a systemd .mount unit (stderr is the journal stream), the
// daemon logs to that stream, with journal priorities.
func TestMountHelperUnderSystemd(t *testing.T) {
	srv := serve(t, dataset.Generate(dataset.Spec{Seed: 4, SmallFiles: 2}))
	dir := filepath.Join(t.TempDir(), "mnt")
	os.Mkdir(dir, 0o755)
	journal, err := os.Create(filepath.Join(t.TempDir(), "journal"))
	if err != nil {
		t.Fatal(err)
	}
	defer journal.Close()
	var st syscall.Stat_t
	if err := syscall.Fstat(int(journal.Fd()), &st); err != nil {
		t.Fatal(err)
	}
	cmd := helperCmd(t, srv, dir, "")
	cmd.Env = append(cmd.Env, fmt.Sprintf("JOURNAL_STREAM=%d:%d", st.Dev, st.Ino))
	cmd.Stdout, cmd.Stderr = journal, journal
	if err := cmd.Run(); err != nil {
		b, _ := os.ReadFile(journal.Name())
		t.Fatalf("helper: %v\n%s", err, b)
	}
	if _, err := os.ReadDir(filepath.Join(dir, "kDrive")); err != nil {
		t.Fatal(err)
	}
	b, _ := os.ReadFile(journal.Name())
	if !strings.Contains(string(b), "<6>level=INFO msg=mounted") {
		t.Errorf("journal: %q", b)
	}
}

// An automount point (what x-systemd.automount leaves in fstab's place)
// is accepted as the mount point: the helper mounts over it. The autofs
// mount here is made by the test, as systemd or automount(8) would, with
// the test's process group as the automounter's (which the helper and
// its daemon inherit, so the kernel never makes them wait).
func TestMountHelperOnAutofs(t *testing.T) {
	srv := serve(t, dataset.Generate(dataset.Spec{Seed: 4, SmallFiles: 2}))
	dir := filepath.Join(t.TempDir(), "mnt")
	os.Mkdir(dir, 0o755)
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	defer w.Close()
	opts := fmt.Sprintf("fd=%d,pgrp=%d,minproto=5,maxproto=5,direct", w.Fd(), syscall.Getpgrp())
	if err := syscall.Mount("infomaniakfs-test", dir, "autofs", 0, opts); err != nil {
		t.Skipf("cannot make an autofs mount here: %v", err)
	}
	t.Cleanup(func() { syscall.Unmount(dir, syscall.MNT_DETACH) }) // the autofs, after the FUSE mount
	out, err := runHelper(t, srv, dir, "")
	if err != nil {
		t.Fatalf("mount.infomaniakfs over autofs: %v\n%s", err, out)
	}
	if entries, err := os.ReadDir(filepath.Join(dir, "kDrive")); err != nil || len(entries) == 0 {
		t.Fatalf("ls: %v %v", entries, err)
	}
	stopDaemonOn(t, dir)
}
