package e2e

import (
	"errors"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/infomaniakfs/infomaniakfs/remote/emulator/dataset"
)

// firstFile is the first regular file under root whose name has suffix.
func firstFile(t *testing.T, root, suffix string) string {
	t.Helper()
	found := ""
	filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err == nil && d.Type().IsRegular() && strings.HasSuffix(p, suffix) {
			found = p
			return fs.SkipAll
		}
		return nil
	})
	if found == "" {
		t.Fatalf("no file *%s under %s", suffix, root)
	}
	return found
}

func listXattrs(t *testing.T, path string) []string {
	t.Helper()
	buf := make([]byte, 4096)
	n, err := syscall.Listxattr(path, buf)
	if err != nil {
		t.Fatalf("listxattr %s: %v", path, err)
	}
	return strings.Split(strings.TrimSuffix(string(buf[:n]), "\x00"), "\x00")
}

func getXattr(t *testing.T, path, name string) string {
	t.Helper()
	buf := make([]byte, 4096)
	n, err := syscall.Getxattr(path, name, buf)
	if err != nil {
		t.Fatalf("getxattr %s %s: %v", path, name, err)
	}
	return string(buf[:n])
}

// Files and messages carry their metadata as read-only extended
// attributes, answered without a request.
func TestXattrs(t *testing.T) {
	srv := serve(t, dataset.Generate(dataset.Spec{Seed: 5, SmallFiles: 5}))
	d := mount(t, srv)
	file := firstFile(t, filepath.Join(d.dir, "kDrive"), "")
	msg := firstFile(t, filepath.Join(d.dir, "Mail"), ".eml")
	// A message's exact size is learned once (stat downloads it); the
	// kernel's permission checks would ask for it otherwise.
	for _, p := range []string{file, msg} {
		if _, err := os.Stat(p); err != nil {
			t.Fatal(err)
		}
	}
	srv.ResetCounts()

	got := listXattrs(t, file)
	for _, want := range []string{"user.infomaniak.id", "user.infomaniak.drive_id", "user.xdg.origin.url"} {
		if !contains(got, want) {
			t.Errorf("%s lists %q, lacks %s", file, got, want)
		}
	}
	id, drive := getXattr(t, file, "user.infomaniak.id"), getXattr(t, file, "user.infomaniak.drive_id")
	if url := getXattr(t, file, "user.xdg.origin.url"); url != "https://kdrive.infomaniak.com/app/drive/"+drive+"/redirect/"+id {
		t.Errorf("origin url %q (drive %s, id %s)", url, drive, id)
	}
	for _, name := range []string{"user.infomaniak.uid", "user.mail.message_id", "user.xdg.origin.email.subject"} {
		if v := getXattr(t, msg, name); v == "" {
			t.Errorf("%s: empty %s", msg, name)
		}
	}
	if !strings.HasSuffix(msg, "("+getXattr(t, msg, "user.infomaniak.uid")+").eml") {
		t.Errorf("%s: uid %q is not the one in its name", msg, getXattr(t, msg, "user.infomaniak.uid"))
	}
	if _, err := syscall.Getxattr(file, "user.nothing", make([]byte, 64)); !errors.Is(err, syscall.ENODATA) {
		t.Errorf("missing attribute: %v, want ENODATA", err)
	}
	// Only user.* is served: ACLs and security labels are not supported
	// (ENOTSUP), so ls -l asks once per run, not twice per entry.
	for _, name := range []string{"security.selinux", "system.posix_acl_access"} {
		if _, err := syscall.Getxattr(file, name, make([]byte, 64)); !errors.Is(err, syscall.ENOTSUP) {
			t.Errorf("getxattr %s: %v, want ENOTSUP", name, err)
		}
	}
	t.Run("getfattr -d", func(t *testing.T) {
		getfattr, err := exec.LookPath("getfattr")
		if err != nil {
			t.Skip("getfattr (package attr) is not installed")
		}
		out, err := exec.Command(getfattr, "-d", file, msg).CombinedOutput()
		if err != nil {
			t.Fatalf("getfattr -d: %v\n%s", err, out)
		}
		for _, want := range []string{
			`user.infomaniak.id="` + id + `"`, `user.infomaniak.drive_id="` + drive + `"`,
			`user.infomaniak.uid="` + getXattr(t, msg, "user.infomaniak.uid") + `"`, `user.mime_type="message/rfc822"`,
		} {
			if !strings.Contains(string(out), want) {
				t.Errorf("getfattr -d lacks %s:\n%s", want, out)
			}
		}
	})
	// The mount is read-only: the kernel refuses before asking us (EROFS);
	// the nodes would answer EPERM or ENOTSUP (fs unit tests).
	if err := syscall.Setxattr(file, "user.infomaniak.id", []byte("1"), 0); err == nil {
		t.Error("setxattr succeeded")
	}
	if err := syscall.Removexattr(msg, "user.infomaniak.uid"); err == nil {
		t.Error("removexattr succeeded")
	}
	if c := srv.Counts(); len(c) > 0 {
		t.Errorf("extended attributes cost requests: %v", c)
	}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
