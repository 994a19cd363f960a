package fs

import (
	"errors"
	"fmt"
	"log/slog"
	"os"
	"os/exec"
	"syscall"
)

// fsType is how the kernel lists our mounts in /proc/self/mountinfo.
const fsType = "fuse.infomaniakfs"

// repairDeadMount detaches what a daemon that died (kill -9, a crash) left
// on dir: a FUSE mount whose connection is gone, which answers every
// access with ENOTCONN ("Transport endpoint is not connected") until
// someone unmounts it. Only our own mounts are touched; anything else on
// dir is left to checkMountpoint to report.
func repairDeadMount(dir string, log *slog.Logger) error {
	// statfs always reaches the daemon, where stat may be answered from
	// the kernel's attribute cache even on a dead mount.
	var st syscall.Statfs_t
	if err := syscall.Statfs(dir, &st); !errors.Is(err, syscall.ENOTCONN) {
		return nil
	}
	f, err := os.Open("/proc/self/mountinfo")
	if err != nil {
		return nil
	}
	fstype, listed := mountType(f, dir)
	f.Close()
	if !listed || fstype != fsType {
		return nil
	}
	if err := detach(dir); err != nil {
		return fmt.Errorf("mount point %s is a dead infomaniakfs mount and detaching it failed (%v); run `fusermount3 -uz %s`", dir, err, dir)
	}
	log.Warn("detached a dead mount left by an earlier daemon", "mountpoint", dir)
	return nil
}

// detach unmounts dir lazily: directly as root, else through the setuid
// fusermount3 (or the older fusermount), which may unmount what the user
// mounted.
func detach(dir string) error {
	err := syscall.Unmount(dir, syscall.MNT_DETACH)
	if err == nil {
		return nil
	}
	for _, tool := range []string{"fusermount3", "fusermount"} {
		path, lerr := exec.LookPath(tool)
		if lerr != nil {
			continue
		}
		out, terr := exec.Command(path, "-u", "-z", dir).CombinedOutput()
		if terr == nil {
			return nil
		}
		err = fmt.Errorf("%s: %v: %s", tool, terr, out)
	}
	return err
}
