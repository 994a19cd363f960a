// Package e2e runs the real binary against the emulator, as a user would:
// `infomaniakfs mount` in a subprocess over a real FUSE mount, and plain
// programs (ls, find, cp, rsync) on the tree.
package e2e

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/infomaniakfs/infomaniakfs/remote/emulator"
	"github.com/infomaniakfs/infomaniakfs/remote/emulator/dataset"
)

var (
	binary   string // the infomaniakfs binary built once by TestMain
	buildDir string // where TestMain builds binaries; removed at the end
)

func TestMain(m *testing.M) {
	if _, err := os.Stat("/dev/fuse"); err != nil {
		fmt.Println("e2e: /dev/fuse is absent; FUSE mount tests cannot run here")
		if os.Getenv("CI") != "" {
			// In CI a skipped suite would pass while testing nothing.
			fmt.Println("e2e: CI is set: failing instead of skipping")
			os.Exit(1)
		}
		os.Exit(0)
	}
	dir, err := os.MkdirTemp("", "infomaniakfs-e2e-")
	if err != nil {
		panic(err)
	}
	buildDir = dir
	binary = filepath.Join(dir, "infomaniakfs")
	build := exec.Command("go", "build", "-o", binary, "../cmd/infomaniakfs")
	build.Stdout, build.Stderr = os.Stdout, os.Stderr
	if err := build.Run(); err != nil {
		fmt.Println("e2e: building infomaniakfs:", err)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

var (
	raceOnce   sync.Once
	raceBin    string
	raceErr    error
	raceOutput []byte
)

// raceBinary builds, once and only when a test asks, infomaniakfs with the
// race detector: a data race makes that daemon exit 66, which stop reports.
func raceBinary(t *testing.T) string {
	t.Helper()
	raceOnce.Do(func() {
		raceBin = filepath.Join(buildDir, "infomaniakfs-race")
		raceOutput, raceErr = exec.Command("go", "build", "-race", "-o", raceBin, "../cmd/infomaniakfs").CombinedOutput()
	})
	if raceErr != nil {
		t.Fatalf("building infomaniakfs -race: %v\n%s", raceErr, raceOutput)
	}
	return raceBin
}

// apiServer is what a daemon is pointed at: the emulator itself, or a
// wrapper serving it (see liveServer).
type apiServer interface {
	URL() string
	IssueToken(scopes ...string) string
}

// syncBuffer collects the daemon's output; tests read it while the daemon
// still writes.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// daemon is one running `infomaniakfs mount`.
type daemon struct {
	t         *testing.T
	dir       string
	cmd       *exec.Cmd
	log       *syncBuffer
	done      chan error
	unmounted bool
}

// mountSpec varies how mountWith starts the daemon; the zero value is
// what mount does.
type mountSpec struct {
	dir       string   // mountpoint; default a fresh one
	binary    string   // default the one TestMain built
	configDir string   // default a fresh t.TempDir()
	noToken   bool     // no INFOMANIAK_TOKEN: the OAuth token in configDir is used
	env       []string // added to the clean environment
	args      []string // extra flags
	// paced keeps the daemon's default pace (--rate 50/min, burst 10).
	// Other tests mount with --rate=0 so that they take seconds, not the
	// minutes a paced walk of their data set would; their args may set a
	// rate of their own.
	paced bool
}

// mount starts the daemon on a fresh mountpoint against srv with a personal
// token, and waits until the mount answers.
// serve starts the emulator on data until the test (and its mounts,
// unmounted first) ends.
func serve(t *testing.T, data *dataset.Dataset) *emulator.Server {
	t.Helper()
	srv, err := emulator.Start(emulator.Options{Data: data})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(srv.Close)
	return srv
}

func mount(t *testing.T, srv apiServer, extra ...string) *daemon {
	t.Helper()
	return mountWith(t, srv, mountSpec{args: extra})
}

func mountAt(t *testing.T, srv apiServer, dir string, extra ...string) *daemon {
	t.Helper()
	return mountWith(t, srv, mountSpec{dir: dir, args: extra})
}

func mountWith(t *testing.T, srv apiServer, sp mountSpec) *daemon {
	t.Helper()
	dir := sp.dir
	if dir == "" {
		dir = filepath.Join(t.TempDir(), "mnt")
		if err := os.Mkdir(dir, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	if sp.binary == "" {
		sp.binary = binary
	}
	if sp.configDir == "" {
		sp.configDir = t.TempDir()
	}
	args := []string{"mount", dir,
		"--config-dir", sp.configDir,
		"--api-url", srv.URL(), "--mail-url", srv.URL(), "--login-url", srv.URL(),
	}
	if !sp.paced {
		args = append(args, "--rate=0")
	}
	args = append(args, sp.args...)
	cmd := exec.Command(sp.binary, args...)
	// A fresh disk cache: every mount starts cold, as the budgets expect.
	cmd.Env = append(cleanEnv(), "XDG_CACHE_HOME="+t.TempDir())
	cmd.Env = append(cmd.Env, sp.env...)
	if !sp.noToken {
		cmd.Env = append(cmd.Env, "INFOMANIAK_TOKEN="+srv.IssueToken())
	}
	d := &daemon{t: t, dir: dir, cmd: cmd, log: &syncBuffer{}, done: make(chan error, 1)}
	cmd.Stdout, cmd.Stderr = d.log, d.log
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { d.done <- cmd.Wait() }()
	t.Cleanup(d.stop)
	deadline := time.Now().Add(20 * time.Second)
	for !isMountPoint(dir) {
		select {
		case err := <-d.done:
			t.Fatalf("infomaniakfs mount exited early: %v\n%s", err, d.log)
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("mount did not appear in 20 s\n%s", d.log)
		}
		time.Sleep(50 * time.Millisecond)
	}
	return d
}

// stop sends SIGINT and checks a clean exit and no mount left behind.
func (d *daemon) stop() {
	if d.unmounted {
		return
	}
	d.unmounted = true
	_ = d.cmd.Process.Signal(syscall.SIGINT)
	select {
	case err := <-d.done:
		if err != nil {
			d.t.Errorf("infomaniakfs mount exited with %v after SIGINT\n%s", err, d.log)
		}
	case <-time.After(30 * time.Second):
		_ = d.cmd.Process.Kill()
		_ = syscall.Unmount(d.dir, syscall.MNT_DETACH)
		d.t.Errorf("infomaniakfs mount did not exit 30 s after SIGINT\n%s", d.log)
	}
	if isMountPoint(d.dir) {
		_ = syscall.Unmount(d.dir, syscall.MNT_DETACH)
		d.t.Errorf("%s still mounted after the daemon exited", d.dir)
	}
}

func isMountPoint(dir string) bool {
	var a, b syscall.Stat_t
	if syscall.Stat(dir, &a) != nil || syscall.Stat(filepath.Dir(dir), &b) != nil {
		return false
	}
	return a.Dev != b.Dev
}

// cleanEnv keeps the user's real configuration and tokens out of the test.
func cleanEnv() []string {
	var env []string
	for _, kv := range os.Environ() {
		if strings.HasPrefix(kv, "INFOMANIAK_") || strings.HasPrefix(kv, "XDG_CONFIG_HOME=") {
			continue
		}
		env = append(env, kv)
	}
	return append(env, "XDG_CONFIG_HOME=/nonexistent-infomaniakfs-test")
}

// run executes a program with a timeout and fails the test on error.
func run(t *testing.T, name string, args ...string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	out, err := exec.CommandContext(ctx, name, args...).CombinedOutput()
	if err != nil {
		t.Fatalf("%s %s: %v\n%s", name, strings.Join(args, " "), err, out)
	}
	return string(out)
}

// needTool skips t without the program name, or fails it when CI is set:
// .ci/run installs it there, and a skipped check would pass while testing
// nothing.
func needTool(t *testing.T, name string) {
	t.Helper()
	if _, err := exec.LookPath(name); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("%s is not installed (.ci/run installs it)", name)
		}
		t.Skipf("%s is not installed", name)
	}
}
