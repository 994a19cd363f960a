package fs

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// run execs a tool the way a user would. The working directory is never
// on the mount (go-fuse's fork/exec deadlock note).
func run(t *testing.T, name string, args ...string) string {
	t.Helper()
	path, err := exec.LookPath(name)
	if err != nil {
		t.Skipf("%s is not installed", name)
	}
	cmd := exec.Command(path, args...)
	cmd.Dir = os.TempDir()
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("%s %q: %v\n%s", name, args, err, stderr.String())
	}
	if stderr.Len() > 0 {
		t.Errorf("%s %q wrote to stderr:\n%s", name, args, stderr.String())
	}
	return string(out)
}

func TestToolsSeeTheTree(t *testing.T) {
	fx := newFixture()
	mnt := mountFixture(t, fx, MountOptions{ReadOnly: true})

	t.Run("ls -lR", func(t *testing.T) {
		out := run(t, "ls", "-lRn", "--time-style=+%s", mnt)
		for rel, f := range fx.files {
			name := filepath.Base(rel)
			line := strconv.Itoa(len(f.data)) + " " + strconv.FormatInt(wantMtime(f.mtime).Unix(), 10) + " " + name
			if !strings.Contains(out, line) {
				t.Errorf("ls -lR has no line ending in %q", line)
			}
		}
		if strings.Contains(out, "?????????") {
			t.Errorf("ls -lR could not stat something:\n%s", out)
		}
	})

	t.Run("ls -a", func(t *testing.T) {
		out := run(t, "ls", "-a1", filepath.Join(mnt, "kDrive"))
		if want := ".\n..\nSolo\nTeam (101)\nTeam (202)\n"; out != want {
			t.Errorf("ls -a kDrive:\n%s\nwant:\n%s", out, want)
		}
	})

	t.Run("find", func(t *testing.T) {
		out := run(t, "find", mnt, "-type", "f", "-printf", "%P\\0%s\\0")
		parts := strings.Split(strings.TrimSuffix(out, "\x00"), "\x00")
		got := map[string]string{}
		for i := 0; i+1 < len(parts); i += 2 {
			got[parts[i]] = parts[i+1]
		}
		if len(got) != len(fx.files) {
			t.Errorf("find saw %d files, want %d", len(got), len(fx.files))
		}
		for rel, f := range fx.files {
			if got[rel] != strconv.Itoa(len(f.data)) {
				t.Errorf("find: %q size %q, want %d", rel, got[rel], len(f.data))
			}
		}
	})

	t.Run("cp -r", func(t *testing.T) {
		dst := filepath.Join(t.TempDir(), "copy")
		run(t, "cp", "-r", mnt, dst)
		checkCopy(t, fx, dst, false)
	})

	t.Run("rsync -a", func(t *testing.T) {
		dst := filepath.Join(t.TempDir(), "rsync")
		run(t, "rsync", "-a", mnt+"/", dst+"/")
		checkCopy(t, fx, dst, true)
		// A second run over unchanged data must find nothing to transfer:
		// sizes and mtimes are stable.
		out := run(t, "rsync", "-ai", mnt+"/", dst+"/")
		if strings.TrimSpace(out) != "" {
			t.Errorf("second rsync transferred:\n%s", out)
		}
	})
}

// checkCopy compares a copy of the mount with the fixture.
func checkCopy(t *testing.T, fx *fixture, dst string, mtimes bool) {
	t.Helper()
	t.Cleanup(func() { makeWritable(dst) })
	w := walkTree(t, dst)
	if len(w.files) != len(fx.files) {
		t.Errorf("copy has %d files, want %d", len(w.files), len(fx.files))
	}
	for rel, f := range fx.files {
		got, err := os.ReadFile(filepath.Join(dst, rel))
		if err != nil {
			t.Errorf("copy: %v", err)
			continue
		}
		if !bytes.Equal(got, f.data) {
			t.Errorf("copy of %q: %d bytes differ from the %d expected", rel, len(got), len(f.data))
		}
		if mtimes && !w.files[rel].ModTime().Equal(wantMtime(f.mtime)) {
			t.Errorf("copy of %q: mtime %v, want %v", rel, w.files[rel].ModTime(), wantMtime(f.mtime))
		}
	}
}

// makeWritable undoes the 0555 directories a copy keeps, so the test's
// temporary directory can be removed by any user.
func makeWritable(root string) {
	_ = filepath.Walk(root, func(p string, fi os.FileInfo, err error) error {
		if err == nil && fi.IsDir() {
			_ = os.Chmod(p, 0o755)
		}
		return nil
	})
}
