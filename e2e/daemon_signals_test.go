package e2e

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/infomaniakfs/infomaniakfs/remote/emulator/dataset"
)

// TestDaemonSurvivesSIGHUP: closing the terminal of a foreground mount
// sends SIGHUP. The daemon logs it and keeps serving; SIGINT still
// unmounts cleanly (d.stop checks).
func TestDaemonSurvivesSIGHUP(t *testing.T) {
	data := dataset.Generate(faultSpec(32, 2))
	srv := serve(t, data)
	d := mount(t, srv)
	files := smallFiles(t, data)
	checkFile(t, d.dir, files[0])
	for range 2 {
		if err := d.cmd.Process.Signal(syscall.SIGHUP); err != nil {
			t.Fatal(err)
		}
	}
	deadline := time.Now().Add(10 * time.Second)
	for !strings.Contains(d.log.String(), "SIGHUP") {
		select {
		case err := <-d.done:
			d.unmounted = true
			_ = syscall.Unmount(d.dir, syscall.MNT_DETACH)
			t.Fatalf("the daemon exited on SIGHUP: %v\n%s", err, d.log)
		case <-time.After(50 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			t.Fatalf("no SIGHUP in the log\n%s", d.log)
		}
	}
	select {
	case err := <-d.done:
		d.unmounted = true
		_ = syscall.Unmount(d.dir, syscall.MNT_DETACH)
		t.Fatalf("the daemon exited after SIGHUP: %v\n%s", err, d.log)
	case <-time.After(300 * time.Millisecond):
	}
	checkFile(t, d.dir, files[1])
}

// TestDaemonRepairsDeadMount: a daemon killed with SIGKILL leaves a dead
// mount ("Transport endpoint is not connected"); the next mount on the
// same directory detaches it and serves.
func TestDaemonRepairsDeadMount(t *testing.T) {
	data := dataset.Generate(faultSpec(33, 2))
	srv := serve(t, data)
	d := mount(t, srv)
	files := smallFiles(t, data)
	checkFile(t, d.dir, files[0])
	d.unmounted = true // killed below; no clean stop to check
	if err := d.cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	<-d.done
	t.Cleanup(func() { _ = syscall.Unmount(d.dir, syscall.MNT_DETACH) })
	if _, err := os.ReadDir(d.dir); !errors.Is(err, syscall.ENOTCONN) {
		t.Fatalf("after kill -9, listing the mount point: %v, want ENOTCONN (the state to repair)", err)
	}
	// mountAt returns at once: the dead mount already looks mounted. The
	// new one serves once the listing works.
	d2 := mountAt(t, srv, d.dir)
	deadline := time.Now().Add(20 * time.Second)
	for {
		// Between the detach and the mount, the empty directory shows.
		des, err := os.ReadDir(d2.dir)
		if err == nil && len(des) > 0 {
			break
		}
		select {
		case werr := <-d2.done:
			d2.unmounted = true
			t.Fatalf("mount on the dead mount point exited: %v\n%s", werr, d2.log)
		case <-time.After(50 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			t.Fatalf("the mount point still fails: %v\n%s", err, d2.log)
		}
	}
	if !strings.Contains(d2.log.String(), "dead mount") {
		t.Errorf("the repair was not logged\n%s", d2.log)
	}
	for _, f := range files {
		checkFile(t, d2.dir, f)
	}
	if _, err := os.ReadDir(filepath.Join(d2.dir, "kDrive")); err != nil {
		t.Fatal(err)
	}
}
