package fs

import (
	"context"
	"strconv"
	"strings"
	"syscall"

	gofs "github.com/hanwen/go-fuse/v2/fs"
)

// Extended attributes: read-only metadata the listing already holds, so
// answering them never costs a request (ls -l, cp -a and rsync -X ask for
// every file). Names follow freedesktop's "Common Extended Attributes"
// where one exists, user.infomaniak.* otherwise.

// xattr is one extended attribute.
type xattr struct{ name, value string }

// webURL is the kDrive web app's link to a file or folder: the private
// link Infomaniak's desktop client copies ("/app/drive/{d}/redirect/{id}"),
// which opens the item for whoever may see it and creates no share.
const webURL = "https://kdrive.infomaniak.com/app/drive/"

// xattrsOf is the attributes of an item, in listing order; nil for the
// synthetic directories (root, kDrive/, Mail/, mailboxes, mail folders).
// remote.Message carries no From, so messages have no
// user.xdg.origin.email.from.
func xattrsOf(it item) []xattr {
	var out []xattr
	add := func(name, value string) {
		if value != "" {
			out = append(out, xattr{name, value})
		}
	}
	switch t := it.(type) {
	case driveEntry:
		d, id := strconv.FormatInt(t.e.DriveID, 10), strconv.FormatInt(t.e.ID, 10)
		add("user.infomaniak.id", id)
		add("user.infomaniak.drive_id", d)
		add("user.xdg.origin.url", webURL+d+"/redirect/"+id)
		add("user.mime_type", t.e.MimeType)
	case driveDir:
		d, id := strconv.FormatInt(t.d.ID, 10), strconv.FormatInt(kdriveRootID, 10)
		add("user.infomaniak.id", id)
		add("user.infomaniak.drive_id", d)
		add("user.xdg.origin.url", webURL+d+"/redirect/"+id)
	case messageItem:
		add("user.infomaniak.uid", t.m.UID)
		add("user.mail.message_id", t.m.MessageID)
		add("user.xdg.origin.email.subject", oneLine(t.m.Subject))
		add("user.mime_type", "message/rfc822")
	}
	return out
}

// oneLine folds a header value's line breaks, which no reader of an
// attribute expects.
func oneLine(s string) string {
	return strings.Join(strings.Fields(s), " ")
}

// userNamespace is the only namespace served. The kernel passes every
// getxattr to the daemon and caches no answer (not even POSIX ACLs, which
// it caches only with FUSE_POSIX_ACL, and then forgets on every READDIRPLUS
// of the folder), so ls -l's two lookups per entry, system.posix_acl_access
// and security.selinux, were two round trips per entry. Answering ENOTSUP
// for the other namespaces, as a file system without handlers for them
// does, lets ls (coreutils' per-device cache) and other ACL and label
// readers stop asking after the first entry; ENODATA told them to go on.
const userNamespace = "user."

// getXattr copies the value of name into dest, or says its size when
// dest is empty (getxattr(2)'s size query).
func getXattr(attrs []xattr, name string, dest []byte) (uint32, syscall.Errno) {
	if !strings.HasPrefix(name, userNamespace) {
		return 0, syscall.ENOTSUP
	}
	for _, a := range attrs {
		if a.name == name {
			return copyOut(dest, a.value)
		}
	}
	return 0, syscall.ENODATA
}

// listXattr writes the names, each NUL-terminated.
func listXattr(attrs []xattr, dest []byte) (uint32, syscall.Errno) {
	var b strings.Builder
	for _, a := range attrs {
		b.WriteString(a.name)
		b.WriteByte(0)
	}
	return copyOut(dest, b.String())
}

func copyOut(dest []byte, v string) (uint32, syscall.Errno) {
	if len(dest) == 0 {
		return uint32(len(v)), 0
	}
	if len(dest) < len(v) {
		return uint32(len(v)), syscall.ERANGE
	}
	return uint32(copy(dest, v)), 0
}

// changeXattr answers setxattr and removexattr: ours are read-only
// (EPERM), and no other can be stored (ENOTSUP).
func changeXattr(attrs []xattr, name string) syscall.Errno {
	for _, a := range attrs {
		if a.name == name {
			return syscall.EPERM
		}
	}
	return syscall.ENOTSUP
}

// The nodes: directories answer for their source item, files for their
// entry or message.

func (d *dirNode) xattrs() []xattr { return xattrsOf(d.source()) }
func (f *driveFile) xattrs() []xattr {
	e := f.entry()
	return xattrsOf(newDriveEntry(e.DriveID, e))
}
func (f *messageFile) xattrs() []xattr { return xattrsOf(f.item()) }

func (d *dirNode) Getxattr(_ context.Context, name string, dest []byte) (uint32, syscall.Errno) {
	return getXattr(d.xattrs(), name, dest)
}
func (d *dirNode) Listxattr(_ context.Context, dest []byte) (uint32, syscall.Errno) {
	return listXattr(d.xattrs(), dest)
}
func (d *dirNode) Setxattr(_ context.Context, name string, _ []byte, _ uint32) syscall.Errno {
	return changeXattr(d.xattrs(), name)
}
func (d *dirNode) Removexattr(_ context.Context, name string) syscall.Errno {
	return changeXattr(d.xattrs(), name)
}

func (f *driveFile) Getxattr(_ context.Context, name string, dest []byte) (uint32, syscall.Errno) {
	return getXattr(f.xattrs(), name, dest)
}
func (f *driveFile) Listxattr(_ context.Context, dest []byte) (uint32, syscall.Errno) {
	return listXattr(f.xattrs(), dest)
}
func (f *driveFile) Setxattr(_ context.Context, name string, _ []byte, _ uint32) syscall.Errno {
	return changeXattr(f.xattrs(), name)
}
func (f *driveFile) Removexattr(_ context.Context, name string) syscall.Errno {
	return changeXattr(f.xattrs(), name)
}

func (f *messageFile) Getxattr(_ context.Context, name string, dest []byte) (uint32, syscall.Errno) {
	return getXattr(f.xattrs(), name, dest)
}
func (f *messageFile) Listxattr(_ context.Context, dest []byte) (uint32, syscall.Errno) {
	return listXattr(f.xattrs(), dest)
}
func (f *messageFile) Setxattr(_ context.Context, name string, _ []byte, _ uint32) syscall.Errno {
	return changeXattr(f.xattrs(), name)
}
func (f *messageFile) Removexattr(_ context.Context, name string) syscall.Errno {
	return changeXattr(f.xattrs(), name)
}

var (
	_ gofs.NodeGetxattrer    = (*dirNode)(nil)
	_ gofs.NodeListxattrer   = (*driveFile)(nil)
	_ gofs.NodeSetxattrer    = (*messageFile)(nil)
	_ gofs.NodeRemovexattrer = (*dirNode)(nil)
)
