package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"runtime/debug"
	"runtime/pprof"
	"syscall"
	"time"

	"github.com/hanwen/go-fuse/v2/fuse"
	"github.com/spf13/pflag"

	"github.com/infomaniakfs/infomaniakfs/auth"
	"github.com/infomaniakfs/infomaniakfs/cache"
	ifs "github.com/infomaniakfs/infomaniakfs/fs"
)

// mountOptions are the flags of `mount` (and `demo`) that belong to neither
// the cache nor the network.
type mountOptions struct {
	ReadOnly    bool
	AllowOther  bool
	UID, GID    uint32
	AttrTimeout time.Duration
	Debug       bool
	FuseDebug   bool
	CPUProfile  string
	System      systemOptions // status socket, metrics
	RW          rwOptions     // --read-write (readwrite.go)
}

func (o *mountOptions) AddFlags(fs *pflag.FlagSet) {
	fs.BoolVar(&o.ReadOnly, "read-only", true, "mount read-only (the default; --read-write lets kDrive be written)")
	fs.BoolVar(&o.AllowOther, "allow-other", false, "let other users see the mount (needs user_allow_other in /etc/fuse.conf)")
	fs.Uint32Var(&o.UID, "uid", uint32(os.Getuid()), "owner of every file and directory")
	fs.Uint32Var(&o.GID, "gid", uint32(os.Getgid()), "group of every file and directory")
	fs.DurationVar(&o.AttrTimeout, "attr-timeout", time.Minute, "how long the kernel may cache names and attributes")
	fs.BoolVar(&o.Debug, "debug", false, "log details (never tokens)")
	fs.BoolVar(&o.FuseDebug, "fuse-debug", false, "log every FUSE request (very verbose)")
	fs.StringVar(&o.CPUProfile, "cpu-profile", "", "write a CPU profile of the mount's life to this file (for `go tool pprof`)")
	o.System.AddFlags(fs)
	o.RW.AddFlags(fs)
}

func runMount(args []string, stdout, stderr io.Writer) int {
	flags := newFlagSet("mount", stderr)
	var cfg auth.Config
	cfg.AddFlags(flags)
	var no netOptions
	no.AddFlags(flags)
	var co cache.Options
	co.AddFlags(flags)
	var mo mountOptions
	mo.AddFlags(flags)
	if ok, code := parseFlags(flags, args); !ok {
		return code
	}
	if flags.NArg() != 1 {
		fmt.Fprintln(stderr, "usage: infomaniakfs mount MOUNTPOINT [flags]")
		return exitUsage
	}
	if !mo.ReadOnly && !mo.RW.ReadWrite {
		return fail(stderr, "--read-only=false: say --read-write to write to kDrive")
	}
	log := newLogger(stderr, mo.Debug)
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	hup := watchHangups(log)
	defer hup.stop()
	s, err := connect(ctx, &cfg, no, log, os.Getenv)
	if err != nil {
		return failStart(stderr, err, "mount")
	}
	hup.set(s.client.Options().Tokens)
	return serve(ctx, flags.Arg(0), s, co, mo, log, stderr)
}

// serve checks the account, mounts, and blocks until a signal or an
// external unmount; it unmounts on the way out.
func serve(ctx context.Context, dir string, s *services, co cache.Options, mo mountOptions, log *slog.Logger, stderr io.Writer) int {
	p, saved, err := s.account(ctx, co, log)
	if err != nil {
		return failStart(stderr, err, "cannot mount")
	}
	co.Logger = log
	co.Online = s.client.Online // offline, expired metadata is served as it was
	// Entries from List and Stat alone can carry the content hash in
	// their Version; a snapshot's cannot, and one item must have one
	// Version whichever call saw it.
	s.drives.SetContentHash(!co.UsesSnapshots())
	kernelTTL := mo.AttrTimeout
	if kernelTTL == 0 {
		kernelTTL = -1 // fs reads 0 as "default"; the user asked for no kernel caching
	}
	limitMemory(co.CacheSize, log)
	upDir := ""
	if co.DiskDir != "" {
		upDir = uploadsDir(co.DiskDir, s.cfg.APIURL, s.cfg.MailURL, p.ID)
	}
	// One --cache-size for the whole daemon: files get three quarters, mail
	// (small, whole messages) the rest.
	mo2 := co
	if co.CacheSize > 0 {
		mo2.CacheSize = co.CacheSize / 4
		co.CacheSize -= mo2.CacheSize
	}
	if co.DiskDir != "" && co.DiskCacheSize > 0 {
		co.DiskDir = cache.AccountDir(co.DiskDir, s.cfg.APIURL, s.cfg.MailURL, p.ID)
		disk, err := cache.OpenDisk(co.DiskDir, co.DiskCacheSize, log)
		if err != nil {
			log.Warn("no disk cache; content is cached in memory only", "err", err)
		} else {
			// Deferred first, so it runs last: after the decorators stop
			// their fetches, it writes what is queued.
			defer disk.Close()
			co.Disk, mo2.Disk = disk, disk
			log.Debug("disk cache", "dir", co.DiskDir, "budget", co.DiskCacheSize)
		}
	}
	drives := cache.NewDrives(s.drives, co)
	defer drives.Close()
	mailbox := cache.NewMail(s.mail, mo2)
	defer mailbox.Close()
	if saved != nil {
		cache.RestoreState(saved, drives, mailbox)
	}
	if co.Disk != nil {
		// Deferred after the decorators, so it saves before they close.
		base := cache.State{APIURL: s.cfg.APIURL, MailURL: s.cfg.MailURL, Profile: p}
		defer cache.KeepState(co.DiskDir, base, drives, mailbox, cache.StateSaveInterval, log).Close()
	}
	opts := ifs.Options{
		Drives: drives, Mail: mailbox,
		UID: mo.UID, GID: mo.GID,
		EntryTimeout: kernelTTL, AttrTimeout: kernelTTL,
		Logger: log,
	}
	if mo.RW.ReadWrite {
		w, err := openWrites(upDir, s.drives.Client, drives, log)
		if err != nil {
			return fail(stderr, "%v", err)
		}
		defer closeWrites(w, mo.RW.UnmountWait, log) // after the unmount, before the caches close
		opts.Writes = w
	}
	tw, err := thumbnailWriter(mo.System, dir, s.drives, os.Getenv, log)
	if err != nil {
		return fail(stderr, "%v", err)
	}
	if tw != nil {
		defer tw.Close()
		opts.Listings = tw
	}
	sys, err := newSystem(mo.System, mountFigures{Stats: s.client.Stats(), drives: drives, mail: mailbox, writes: opts.Writes}, co, log)
	if err != nil {
		return fail(stderr, "%v", err)
	}
	defer sys.Close()
	server, err := ifs.Mount(dir, ifs.NewRoot(opts), opts, ifs.MountOptions{
		AllowOther: mo.AllowOther, Debug: mo.FuseDebug, ReadOnly: !mo.RW.ReadWrite,
	})
	if err != nil {
		return fail(stderr, "%v", err)
	}
	log.Info("mounted", "mountpoint", dir, "account", p.Email)
	sys.ready(ctx, dir, p.Email)
	if mo.CPUProfile != "" {
		stop, err := startCPUProfile(mo.CPUProfile)
		if err != nil {
			log.Warn("no CPU profile", "err", err)
		} else {
			defer stop()
		}
	}
	done := make(chan struct{})
	go func() { server.Wait(); close(done) }()
	select {
	case <-done:
		log.Info("unmounted from outside", "mountpoint", dir)
		return exitOK
	case <-ctx.Done():
	}
	return unmount(server, dir, done, log, stderr)
}

// unmount tries a clean unmount for a few seconds; a mount still busy then
// is reported and detached lazily, so it never stays half-dead.
func unmount(server *fuse.Server, dir string, done <-chan struct{}, log *slog.Logger, stderr io.Writer) int {
	deadline := time.Now().Add(5 * time.Second)
	for {
		err := server.Unmount()
		if err == nil {
			break
		}
		if time.Now().After(deadline) {
			fmt.Fprintf(stderr, "infomaniakfs: %s is busy (a program still uses it: see `fuser -vm %s`); detaching it lazily\n", dir, dir)
			if derr := syscall.Unmount(dir, syscall.MNT_DETACH); derr != nil {
				return fail(stderr, "unmounting %s: %v; run `fusermount3 -u %s`", dir, err, dir)
			}
			break
		}
		time.Sleep(200 * time.Millisecond)
	}
	select {
	case <-done:
	case <-time.After(10 * time.Second):
	}
	log.Info("unmounted", "mountpoint", dir)
	return exitOK
}

// limitMemory sets Go's soft memory limit to the cache budget plus room
// for everything else, so that the garbage collector reclaims evicted
// blocks before the heap doubles: without it, reading a large file peaked
// at nearly twice the budget. GOMEMLIMIT, when set, wins.
func limitMemory(cacheSize int64, log *slog.Logger) {
	if os.Getenv("GOMEMLIMIT") != "" || cacheSize <= 0 {
		return
	}
	limit := cacheSize + 80<<20
	debug.SetMemoryLimit(limit)
	log.Debug("memory limit", "bytes", limit)
}

// startCPUProfile profiles until the returned stop is called (at unmount).
func startCPUProfile(path string) (stop func(), err error) {
	f, err := os.Create(path)
	if err != nil {
		return nil, err
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		f.Close()
		return nil, err
	}
	return func() { pprof.StopCPUProfile(); f.Close() }, nil
}
