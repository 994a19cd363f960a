package fs

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"

	gofs "github.com/hanwen/go-fuse/v2/fs"
	"github.com/hanwen/go-fuse/v2/fuse"
)

// MountOptions are the kernel-facing choices of a mount.
type MountOptions struct {
	// AllowOther lets other users see the mount (needs user_allow_other
	// in /etc/fuse.conf unless root).
	AllowOther bool
	// Debug logs every FUSE request, at debug level.
	Debug bool
	// ReadOnly also has the kernel refuse writes (mount flag ro), so they
	// never reach us. Without Options.Writes the nodes answer EROFS to
	// writes either way.
	ReadOnly bool
}

// The kernel caps both at what it supports (1 MiB reads on Linux >= 4.20).
const (
	maxReadAhead = 1 << 20
	maxWrite     = 1 << 20
)

// Mount checks dir, mounts root (from NewRoot) there and returns the
// running server; server.Unmount undoes it. o supplies the logger and the
// entry timeout (also used for negative lookups) when set; otherwise
// those of the Options given to NewRoot apply.
func Mount(dir string, root gofs.InodeEmbedder, o Options, mo MountOptions) (*fuse.Server, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, fmt.Errorf("mount point %s: %w", dir, err)
	}
	s := newFsys(o)
	if r, ok := root.(*dirNode); ok {
		s = r.s
	}
	log := s.log
	if o.Logger != nil {
		log = o.Logger
	}
	if err := repairDeadMount(abs, log); err != nil {
		return nil, err
	}
	if err := checkMountpoint(abs); err != nil {
		return nil, err
	}
	negative := s.entryTimeout
	if o.EntryTimeout != 0 {
		negative = timeoutOrDefault(o.EntryTimeout)
	}
	opts := []string{"default_permissions"}
	flags := uintptr(syscall.MS_NOSUID | syscall.MS_NODEV)
	if mo.ReadOnly {
		opts = append(opts, "ro")
		flags |= syscall.MS_RDONLY
	}
	server, err := gofs.Mount(abs, root, &gofs.Options{
		MountOptions: fuse.MountOptions{
			FsName:           "infomaniakfs",
			Name:             "infomaniakfs",
			Options:          opts,
			AllowOther:       mo.AllowOther,
			MaxReadAhead:     maxReadAhead,
			MaxWrite:         maxWrite,
			DirectMount:      true, // falls back to fusermount3 when not root
			DirectMountFlags: flags,
			DisableXAttrs:    false, // read-only, from memory: xattr.go
			Debug:            mo.Debug,
			Logger:           slog.NewLogLogger(log.Handler(), slog.LevelDebug),

			// Not IgnoreSecurityLabels: go-fuse would answer the ACL and
			// capability names ENODATA, which makes ls -l ask again for
			// every entry; the nodes answer ENOTSUP (xattr.go). Not
			// EnableAcl: the kernel would cache "no ACL", but drops that
			// cache on each READDIRPLUS, so a warm ls -lR still asks.
			IgnoreSecurityLabels: false,
		},
		// No EntryTimeout/AttrTimeout here: go-fuse would put them over
		// the zero attribute timeout a message's size hint needs.
		NegativeTimeout: &negative,
		Logger:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	})
	if err != nil {
		return nil, fmt.Errorf("mounting %s: %w", abs, err)
	}
	return server, nil
}

// checkMountpoint says clearly, naming the path, why dir cannot take a
// mount: missing, not a directory, a mount point already, or not empty.
func checkMountpoint(dir string) error {
	if autofsTrigger(dir) {
		return nil // the automount point the helper was asked to mount on
	}
	fi, err := os.Stat(dir)
	switch {
	case errors.Is(err, os.ErrNotExist):
		return fmt.Errorf("mount point %s does not exist; create it first (mkdir -p %s)", dir, dir)
	case errors.Is(err, syscall.ENOTCONN):
		return fmt.Errorf("mount point %s is a dead FUSE mount; unmount it first (fusermount3 -u %s)", dir, dir)
	case err != nil:
		return fmt.Errorf("mount point %s: %w", dir, err)
	case !fi.IsDir():
		return fmt.Errorf("mount point %s is not a directory", dir)
	}
	if mounted, err := isMountpoint(dir, fi); err != nil {
		return fmt.Errorf("mount point %s: %w", dir, err)
	} else if mounted {
		return fmt.Errorf("mount point %s is already a mount point; unmount it first (fusermount3 -u %s)", dir, dir)
	}
	f, err := os.Open(dir)
	if err != nil {
		return fmt.Errorf("mount point %s: %w", dir, err)
	}
	defer f.Close()
	names, err := f.Readdirnames(1)
	if err != nil && !errors.Is(err, io.EOF) {
		return fmt.Errorf("mount point %s: %w", dir, err)
	}
	if len(names) > 0 {
		return fmt.Errorf("mount point %s is not empty; mount on an empty directory", dir)
	}
	return nil
}

// isMountpoint reports whether something is mounted on dir: a device that
// differs from its parent's, or (bind mounts keep the device) an entry in
// /proc/self/mountinfo.
func isMountpoint(dir string, fi os.FileInfo) (bool, error) {
	if dir == "/" {
		return true, nil
	}
	parent, err := os.Stat(filepath.Dir(dir))
	if err != nil {
		return false, err
	}
	st, ok1 := fi.Sys().(*syscall.Stat_t)
	pst, ok2 := parent.Sys().(*syscall.Stat_t)
	if ok1 && ok2 && st.Dev != pst.Dev {
		return true, nil
	}
	return Mounted(dir), nil
}

// Mounted reports whether dir is listed as a mount point in
// /proc/self/mountinfo (false without procfs). It never touches dir
// itself, so it is safe on a mount whose daemon hangs or died.
func Mounted(dir string) bool {
	f, err := os.Open("/proc/self/mountinfo")
	if err != nil {
		return false
	}
	defer f.Close()
	return inMountinfo(f, dir)
}

// inMountinfo reports whether dir is a mount point listed in r, which has
// the format of /proc/self/mountinfo.
func inMountinfo(r io.Reader, dir string) bool {
	_, ok := mountType(r, dir)
	return ok
}

// mountType is the file system type of the topmost mount on dir listed in
// r (/proc/self/mountinfo format: the mount point is field 5,
// octal-escaped; the type follows the " - " separator).
func mountType(r io.Reader, dir string) (fstype string, ok bool) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		if len(fields) <= 4 || unescapeMountinfo(fields[4]) != dir {
			continue
		}
		ok, fstype = true, ""
		for i, f := range fields[5:] {
			if f == "-" && 5+i+1 < len(fields) {
				fstype = fields[5+i+1]
				break
			}
		}
	}
	return fstype, ok
}

// unescapeMountinfo undoes the kernel's \ooo escapes of space, tab,
// newline and backslash.
func unescapeMountinfo(s string) string {
	if !strings.Contains(s, `\`) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' && i+4 <= len(s) {
			if n, err := strconv.ParseUint(s[i+1:i+4], 8, 8); err == nil {
				b.WriteByte(byte(n))
				i += 3
				continue
			}
		}
		b.WriteByte(s[i])
	}
	return b.String()
}
