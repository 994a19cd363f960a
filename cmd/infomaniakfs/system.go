package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/spf13/pflag"

	"github.com/infomaniakfs/infomaniakfs/cache"
	"github.com/infomaniakfs/infomaniakfs/thumbs"
	"github.com/infomaniakfs/infomaniakfs/writeback"
)

// systemOptions are the flags of what a mount tells the rest of the machine.
type systemOptions struct {
	MetricsAddr        string
	MetricsAllowRemote bool
	Thumbnails         bool
	ThumbnailsPer      int
}

func (o *systemOptions) AddFlags(fs *pflag.FlagSet) {
	fs.StringVar(&o.MetricsAddr, "metrics-addr", "", "serve Prometheus metrics at http://HOST:PORT/metrics (e.g. 127.0.0.1:9150; off when empty)")
	fs.BoolVar(&o.MetricsAllowRemote, "metrics-allow-remote", false, "allow a --metrics-addr other than loopback")
	fs.BoolVar(&o.Thumbnails, "thumbnails", false, "write kDrive's own thumbnails of the images, videos and PDFs of each listed folder into $XDG_CACHE_HOME/thumbnails, so that file managers show them without downloading the files")
	fs.IntVar(&o.ThumbnailsPer, "thumbnails-per-folder", 500, "with --thumbnails, fetch at most this many thumbnails per folder listing (each is an API request)")
}

// thumbnailWriter starts the thumbnail writer of --thumbnails (nil when
// off); the caller closes it after the unmount.
func thumbnailWriter(o systemOptions, dir string, src thumbs.Source, getenv func(string) string, log *slog.Logger) (*thumbs.Writer, error) {
	if !o.Thumbnails {
		return nil, nil
	}
	if o.ThumbnailsPer <= 0 {
		return nil, fmt.Errorf("--thumbnails-per-folder %d: want at least 1", o.ThumbnailsPer)
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, err
	}
	home := getenv("XDG_CACHE_HOME")
	if home == "" || !filepath.IsAbs(home) {
		h, err := os.UserHomeDir()
		if err != nil {
			return nil, fmt.Errorf("--thumbnails: no $XDG_CACHE_HOME and no home directory: %w", err)
		}
		home = filepath.Join(h, ".cache")
	}
	return thumbs.New(src, thumbs.Options{
		MountPoint: abs, CacheHome: home, PerListing: o.ThumbnailsPer,
		Parallel: thumbnailParallel, Wait: thumbnailWait, Logger: log,
	}), nil
}

// A listing waits up to thumbnailWait for its thumbnails, fetched
// thumbnailParallel at a time: long enough for a folder of photos on a
// WAN link, short enough that a folder never seems to hang.
const (
	thumbnailParallel = 4
	thumbnailWait     = 5 * time.Second
)

// statusEvery is how often systemd's STATUS= line is refreshed.
const statusEvery = 15 * time.Second

// system is what a running mount tells the rest of the machine: systemd
// (readiness, status, stopping), `infomaniakfs status` through a unix
// socket, and /metrics. serve opens it before mounting (so that a bad
// --metrics-addr fails the mount), calls ready once the tree is served,
// and closes it on the way out.
type system struct {
	notify   *notifier
	log      *slog.Logger
	figs     figures
	diskDir  string
	servers  []*http.Server
	sockPath string
	wg       sync.WaitGroup
	stop     context.CancelFunc
	once     sync.Once

	mu      sync.Mutex
	dir     string    // GUARDED_BY(mu)
	account string    // GUARDED_BY(mu)
	started time.Time // GUARDED_BY(mu)
}

func newSystem(o systemOptions, figs figures, co cache.Options, log *slog.Logger) (*system, error) {
	s := &system{notify: newNotifier(os.Getenv), log: log, figs: figs, stop: func() {}}
	if co.Disk != nil {
		s.diskDir = co.DiskDir
	}
	var listeners []net.Listener
	var handlers []http.Handler
	if o.MetricsAddr != "" {
		if err := checkMetricsAddr(o.MetricsAddr, o.MetricsAllowRemote); err != nil {
			return nil, err
		}
		l, err := net.Listen("tcp", o.MetricsAddr)
		if err != nil {
			return nil, fmt.Errorf("--metrics-addr: %w", err)
		}
		listeners, handlers = append(listeners, l), append(handlers, metricsHandler(s.status))
	}
	// The status socket is a convenience: without one, the mount still runs.
	if dir, err := runtimeDir(os.Getenv); err != nil {
		log.Warn("no status socket: infomaniakfs status will not list this mount", "err", err)
	} else if l, path, err := listenStatus(dir); err != nil {
		log.Warn("no status socket: infomaniakfs status will not list this mount", "err", err)
	} else {
		s.sockPath = path
		listeners, handlers = append(listeners, l), append(handlers, statusHandler(s.status))
	}
	for i, l := range listeners {
		srv := &http.Server{Handler: handlers[i], ReadHeaderTimeout: 10 * time.Second}
		s.servers = append(s.servers, srv)
		s.wg.Add(1)
		go func() {
			defer s.wg.Done()
			if err := srv.Serve(l); !errors.Is(err, http.ErrServerClosed) {
				log.Warn("status or metrics server stopped", "err", err)
			}
		}()
	}
	return s, nil
}

// status is the mount's figures now.
func (s *system) status() mountStatus {
	s.mu.Lock()
	st := mountStatus{MountPoint: s.dir, Account: s.account, PID: os.Getpid(), Started: s.started}
	s.mu.Unlock()
	st.Requests = s.figs.Snapshot()
	st.Cache = s.figs.CacheStats()
	st.MailSizeFixes = s.figs.MailSizeMismatches()
	if u, ok := s.figs.(interface{ Uploads() *writeback.Status }); ok {
		st.Uploads = u.Uploads()
	}
	st.MemoryBytes = heapInUse()
	if s.diskDir != "" {
		st.DiskCacheDir = s.diskDir
		st.DiskCacheUsed = diskUsed(filepath.Join(s.diskDir, "blocks"))
	}
	return st
}

// ready is called once the mount answers: ifs.Mount returns only after
// go-fuse's WaitMount, which has opened a file in the mount's root, so
// the tree is served. It sends READY=1, then STATUS= every statusEvery,
// and STOPPING=1 as soon as ctx ends (the signal that starts the unmount).
func (s *system) ready(ctx context.Context, dir, account string) {
	if abs, err := filepath.Abs(dir); err == nil {
		dir = abs
	}
	s.mu.Lock()
	s.dir, s.account, s.started = dir, account, time.Now()
	s.mu.Unlock()
	s.send("READY=1", status("serving "+account+" on "+dir))
	ctx, s.stop = context.WithCancel(ctx)
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		t := time.NewTicker(statusEvery)
		defer t.Stop()
		last := ""
		for {
			select {
			case <-ctx.Done():
				s.stopping()
				return
			case <-t.C:
				if line := statusLine(s.figs.Snapshot()); line != last {
					s.send(status(line))
					last = line
				}
			}
		}
	}()
}

func (s *system) send(lines ...string) {
	if err := s.notify.send(lines...); err != nil {
		s.log.Warn("cannot notify systemd", "err", err)
	}
}

// stopping sends STOPPING=1, once.
func (s *system) stopping() {
	s.once.Do(func() { s.send("STOPPING=1", status("unmounting")) })
}

// Close says the mount is stopping (if it was ready and did not say so
// yet), and stops and waits for the servers and the status updates.
func (s *system) Close() {
	s.stop()
	for _, srv := range s.servers {
		srv.Close()
	}
	s.wg.Wait()
	if s.sockPath != "" {
		os.Remove(s.sockPath)
	}
}
