package e2e

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/infomaniakfs/infomaniakfs/remote/emulator/dataset"
)

// `infomaniakfs status` lists every running mount of the user, several
// accounts (config dirs) included, with its figures.
func TestStatusListsRunningMounts(t *testing.T) {
	srv := serve(t, dataset.Generate(dataset.Spec{Seed: 6, SmallFiles: 3}))
	runDir := t.TempDir()
	env := []string{"XDG_RUNTIME_DIR=" + runDir}
	a := mountWith(t, srv, mountSpec{env: env})
	b := mountWith(t, srv, mountSpec{env: env})
	if _, err := os.ReadDir(filepath.Join(a.dir, "kDrive")); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(binary, "status", "--config-dir", t.TempDir(),
		"--api-url", srv.URL(), "--mail-url", srv.URL(), "--login-url", srv.URL())
	cmd.Env = append(cleanEnv(), append(env, "INFOMANIAK_TOKEN="+srv.IssueToken())...)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("status: %v\n%s", err, out)
	}
	for _, want := range []string{"Mounts:    2 running", a.dir + " (", b.dir + " (", "online", "requests: "} {
		if !strings.Contains(string(out), want) {
			t.Errorf("status lacks %q:\n%s", want, out)
		}
	}
	if fi, err := os.Stat(filepath.Join(runDir, "infomaniakfs")); err != nil || fi.Mode().Perm() != 0o700 {
		t.Errorf("socket directory: %v %v", fi, err)
	}
	socks, _ := filepath.Glob(filepath.Join(runDir, "infomaniakfs", "*.sock"))
	for _, s := range socks {
		if fi, err := os.Stat(s); err != nil || fi.Mode().Perm() != 0o600 {
			t.Errorf("socket %s: %v %v", s, fi, err)
		}
	}
	a.stop()
	b.stop()
	if socks, _ := filepath.Glob(filepath.Join(runDir, "infomaniakfs", "*.sock")); len(socks) != 0 {
		t.Errorf("sockets left after unmount: %v", socks)
	}
}

func freePort(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}

// --metrics-addr serves the Prometheus text format; a non-loopback
// address is refused unless asked for.
func TestMetricsScrape(t *testing.T) {
	srv := serve(t, dataset.Generate(dataset.Spec{Seed: 7, SmallFiles: 3}))
	addr := freePort(t)
	d := mount(t, srv, "--metrics-addr", addr)
	if _, err := os.ReadDir(filepath.Join(d.dir, "kDrive")); err != nil {
		t.Fatal(err)
	}
	scrape := func() string {
		resp, err := http.Get("http://" + addr + "/metrics")
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 {
			t.Fatalf("scrape: %s\n%s", resp.Status, body)
		}
		return string(body)
	}
	memHits := func(body string) int {
		m := regexp.MustCompile(`(?m)^infomaniakfs_cache_hits_total\{tier="memory"\} (\d+)$`).FindStringSubmatch(body)
		if m == nil {
			t.Fatalf("no memory hits in:\n%s", body)
		}
		n, _ := strconv.Atoi(m[1])
		return n
	}
	// A re-read the page cache cannot answer (dropped) is a memory hit.
	file := firstFile(t, filepath.Join(d.dir, "kDrive"), "")
	readDropped(t, file)
	before := memHits(scrape())
	readDropped(t, file)
	body := scrape()
	if after := memHits(body); after <= before {
		t.Errorf("re-read of %s: memory hits %d → %d", file, before, after)
	}
	m := regexp.MustCompile(`(?m)^infomaniakfs_requests_total\{kind="api",status="2xx"\} (\d+)$`).FindStringSubmatch(body)
	if m == nil {
		t.Fatalf("scrape:\n%s", body)
	}
	if n, _ := strconv.Atoi(m[1]); n == 0 {
		t.Errorf("no API request counted:\n%s", body)
	}
	for _, want := range []string{"infomaniakfs_online 1", "infomaniakfs_fetched_bytes_total ", "process_resident_memory_bytes ",
		"infomaniakfs_content_fetched_bytes_total ", "infomaniakfs_read_duration_seconds_count ", `infomaniakfs_feed_lag_seconds{drive="`} {
		if !strings.Contains(body, want) {
			t.Errorf("metrics lack %q:\n%s", want, body)
		}
	}

	dir := filepath.Join(t.TempDir(), "mnt")
	os.Mkdir(dir, 0o755)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, binary, "mount", dir, "--config-dir", t.TempDir(), "--api-url", srv.URL(),
		"--mail-url", srv.URL(), "--login-url", srv.URL(), "--metrics-addr", fmt.Sprintf("0.0.0.0:%d", 0))
	cmd.Env = append(cleanEnv(), "INFOMANIAK_TOKEN="+srv.IssueToken(), "XDG_CACHE_HOME="+t.TempDir())
	out, err := cmd.CombinedOutput()
	if err == nil || !strings.Contains(string(out), "--metrics-allow-remote") || isMountPoint(dir) {
		t.Errorf("non-loopback metrics address: %v\n%s", err, out)
	}
}

// readDropped reads path whole, then drops it from the page cache, so
// that the next read reaches the daemon.
func readDropped(t *testing.T, path string) {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := io.Copy(io.Discard, f); err != nil {
		t.Fatal(err)
	}
	if err := unix.Fadvise(int(f.Fd()), 0, 0, unix.FADV_DONTNEED); err != nil {
		t.Fatal(err)
	}
}
