package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"syscall"
	"time"

	"github.com/infomaniakfs/infomaniakfs/cache"
	"github.com/infomaniakfs/infomaniakfs/remote"
	"github.com/infomaniakfs/infomaniakfs/writeback"
)

// figures is what a running mount counts, read by the status socket,
// systemd's STATUS= line and /metrics: the HTTP client's requests, the
// file cache's hits and feed, the mail cache's size corrections.
type figures interface {
	Snapshot() remote.StatsSnapshot
	CacheStats() cache.Stats
	MailSizeMismatches() int64
}

// mountFigures gathers the counters of a mount where they are kept.
type mountFigures struct {
	*remote.Stats
	drives *cache.Drives
	mail   *cache.Mail
	writes *writeback.Files // nil: read-only
}

// Uploads is the upload queue's state (nil on a read-only mount).
func (f mountFigures) Uploads() *writeback.Status {
	if f.writes == nil {
		return nil
	}
	st := f.writes.Status()
	return &st
}

func (f mountFigures) CacheStats() cache.Stats { return f.drives.Stats() }

func (f mountFigures) MailSizeMismatches() int64 { return f.mail.SizeMismatches() }

// mountStatus is what a mount's status socket answers (JSON).
type mountStatus struct {
	MountPoint    string
	Account       string
	PID           int
	Started       time.Time
	Requests      remote.StatsSnapshot
	MemoryBytes   uint64 // Go heap in use, content caches included
	DiskCacheDir  string `json:",omitempty"`
	DiskCacheUsed int64
	Cache         cache.Stats
	MailSizeFixes int64 // messages whose listed size was wrong
	// Uploads: pending and failed uploads of a read-write mount.
	Uploads *writeback.Status `json:",omitempty"`
	// Problem is set by `status` for a socket that answered wrongly.
	Problem string `json:"-"`
}

// runtimeDir is where the mounts of this user put their status sockets:
// $XDG_RUNTIME_DIR/infomaniakfs, else a private directory under /tmp.
// It is created 0700 and refused unless it is ours and private.
func runtimeDir(getenv func(string) string) (string, error) {
	base := getenv("XDG_RUNTIME_DIR")
	dir := filepath.Join(base, "infomaniakfs")
	if base == "" || !filepath.IsAbs(base) {
		dir = filepath.Join(os.TempDir(), fmt.Sprintf("infomaniakfs-%d", os.Geteuid()))
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return "", err
	}
	fi, err := os.Lstat(dir)
	if err != nil {
		return "", err
	}
	st, ok := fi.Sys().(*syscall.Stat_t)
	if !fi.IsDir() || !ok || int(st.Uid) != os.Geteuid() || fi.Mode().Perm()&0o077 != 0 {
		return "", fmt.Errorf("%s is not a private directory of this user", dir)
	}
	return dir, nil
}

// listenStatus opens this process's status socket (mode 0600).
func listenStatus(dir string) (net.Listener, string, error) {
	path := filepath.Join(dir, fmt.Sprintf("%d.sock", os.Getpid()))
	os.Remove(path) // a previous process with our pid is gone
	l, err := net.Listen("unix", path)
	if err != nil {
		return nil, "", err
	}
	if err := os.Chmod(path, 0o600); err != nil {
		l.Close()
		return nil, "", err
	}
	return l, path, nil
}

// diskUsed is the bytes of the files under dir (the disk cache is a few
// thousand blocks: walking it when asked is cheaper than another counter).
func diskUsed(dir string) int64 {
	var n int64
	filepath.WalkDir(dir, func(_ string, d fs.DirEntry, err error) error {
		if err == nil && d.Type().IsRegular() {
			if fi, err := d.Info(); err == nil {
				n += fi.Size()
			}
		}
		return nil
	})
	return n
}

func heapInUse() uint64 {
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapInuse
}

// statusHandler answers GET /status with st().
func statusHandler(st func() mountStatus) http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /status", func(w http.ResponseWriter, r *http.Request) {
		b, err := json.Marshal(st())
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		w.Write(b)
	})
	return mux
}

// runningMounts asks every status socket in dir; a socket nobody answers
// is a leftover of a killed mount and is removed.
func runningMounts(dir string) []mountStatus {
	socks, _ := filepath.Glob(filepath.Join(dir, "*.sock"))
	var out []mountStatus
	for _, sock := range socks {
		st, err := askStatus(sock)
		if errors.Is(err, syscall.ECONNREFUSED) || errors.Is(err, syscall.ENOENT) {
			os.Remove(sock)
			continue
		}
		if err != nil {
			st = mountStatus{MountPoint: sock, Problem: err.Error()}
		}
		out = append(out, st)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].MountPoint < out[j].MountPoint })
	return out
}

func askStatus(sock string) (mountStatus, error) {
	c := &http.Client{Timeout: 3 * time.Second, Transport: &http.Transport{
		DialContext: func(ctx context.Context, _, _ string) (net.Conn, error) {
			return (&net.Dialer{}).DialContext(ctx, "unix", sock)
		},
	}}
	defer c.CloseIdleConnections()
	var st mountStatus
	resp, err := c.Get("http://mount/status")
	if err != nil {
		return st, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return st, fmt.Errorf("%s: %s", sock, resp.Status)
	}
	return st, json.NewDecoder(resp.Body).Decode(&st)
}

// printMounts writes the running mounts section of `status`.
func printMounts(w io.Writer, mounts []mountStatus, now time.Time) {
	if len(mounts) == 0 {
		fmt.Fprintln(w, "Mounts:    none running")
		return
	}
	fmt.Fprintf(w, "Mounts:    %d running\n", len(mounts))
	for _, m := range mounts {
		if m.Problem != "" {
			fmt.Fprintf(w, "  %s: no status (%s)\n", m.MountPoint, m.Problem)
			continue
		}
		r := m.Requests
		state := "online"
		if !r.Online {
			state = "OFFLINE (Infomaniak does not answer)"
		}
		fmt.Fprintf(w, "  %s (%s), pid %d, up %s, %s\n", m.MountPoint, m.Account, m.PID,
			now.Sub(m.Started).Round(time.Second), state)
		fmt.Fprintf(w, "    requests: %d, %d in the last minute, %d rate-limited (429); %s fetched\n",
			r.Total, r.LastMinute, r.Throttled, humanBytes(r.BytesFetched))
		fmt.Fprintf(w, "    budget: %s\n", budgetLine(r.Budget, now))
		disk := "no disk cache"
		if m.DiskCacheDir != "" {
			disk = humanBytes(m.DiskCacheUsed) + " on disk in " + m.DiskCacheDir
		}
		fmt.Fprintf(w, "    cache: %s in memory, %s\n", humanBytes(int64(m.MemoryBytes)), disk)
		printCache(w, m, now)
		for _, e := range r.Errors {
			fmt.Fprintf(w, "    error %s: %s\n", e.Time.Local().Format("2006-01-02 15:04:05"), e.Message)
		}
	}
}

// statusLine is systemd's STATUS= text: state, traffic, last error.
func statusLine(r remote.StatsSnapshot) string {
	state := "online"
	if !r.Online {
		state = "offline"
	}
	s := fmt.Sprintf("%s; %d requests (%d in the last minute, %d rate-limited)", state, r.Total, r.LastMinute, r.Throttled)
	if n := len(r.Errors); n > 0 {
		e := r.Errors[n-1]
		s += fmt.Sprintf("; last error %s %s", e.Time.Local().Format("15:04:05"), strings.TrimSpace(e.Message))
	}
	return s
}

// budgetLine says how many API requests may go now and at what pace.
func budgetLine(b remote.Budget, now time.Time) string {
	var s string
	if b.Rate <= 0 {
		s = "not paced (--rate 0): requests wait only when Infomaniak answers 429"
	} else {
		s = fmt.Sprintf("%d of %d requests may go now, then %s", b.Left, b.Burst, remote.Rate(b.Rate))
		if b.Waiting > 0 {
			s += fmt.Sprintf("; %d waiting for a slot", b.Waiting)
		}
	}
	if d := b.PausedUntil.Sub(now); d > 0 {
		s += fmt.Sprintf("; paused by a 429 for %s more", d.Round(time.Second))
	}
	return s
}

// printCache writes the cache's hit rates, read latency and freshness.
func printCache(w io.Writer, m mountStatus, now time.Time) {
	c := m.Cache
	fmt.Fprintf(w, "    reads: %d, %s; memory %d hits / %d misses", c.Reads, meanRead(c), c.MemoryHits, c.MemoryMisses)
	if m.DiskCacheDir != "" {
		fmt.Fprintf(w, ", disk %d hits / %d misses", c.DiskHits, c.DiskMisses)
	}
	fmt.Fprintf(w, "; %s of file content fetched\n", humanBytes(c.FetchedBytes))
	for _, f := range c.Feeds {
		fmt.Fprintf(w, "    drive %d: current as of %s ago (%s)\n", f.Drive, now.Sub(f.LastOK).Round(time.Second), f.Mode)
	}
	if m.MailSizeFixes > 0 {
		fmt.Fprintf(w, "    mail: %d listed message sizes were wrong (corrected)\n", m.MailSizeFixes)
	}
	if u := m.Uploads; u != nil {
		fmt.Fprintf(w, "    uploads: %d pending, %d failed (retried), %d conflict copies\n", u.Pending, len(u.Failed), u.Conflicts)
		for _, f := range u.Failed {
			fmt.Fprintf(w, "      %s: %s (%d attempts)\n", f.Name, f.Err, f.Attempts)
		}
	}
}

func meanRead(c cache.Stats) string {
	if c.Reads == 0 {
		return "none yet"
	}
	return fmt.Sprintf("%s on average", (c.ReadTime / time.Duration(c.Reads)).Round(time.Microsecond))
}
