// Command bench compares infomaniakfs with rclone over WebDAV, direct HTTP
// (the ceiling), local files (the floor) and a memory-backed FUSE file
// (what FUSE itself allows) on one generated data set, behind one
// simulated network. Run it as root from the module root: `go run ./bench`
// (BENCH_QUICK=1 for a small run). It prints a Markdown table and writes
// it into bench/RESULTS.md between the bench markers.
//
// Flags (env defaults in brackets): --quick [BENCH_QUICK], --latency
// [BENCH_LATENCY, 20ms], --bandwidth [BENCH_BANDWIDTH, 100MiB], --runs
// [BENCH_RUNS; 3, quick 1], --loopback=false, --loopback-runs N, --budget D,
// --ops lsr,wide,seq,par8,rand,cp,tar,mail,fresh,up1g,upsmall, --contenders
// ifs,rclone-off,rclone-full,rclone-kdrive,rclone-kdrive-writes,direct,local,ceiling,
// --up-size, --up-chunk, --up-parallel, --out FILE, --keep.
package main

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"path/filepath"
	"runtime"
	"syscall"
	"time"

	"github.com/infomaniakfs/infomaniakfs/remote/emulator"
	"github.com/infomaniakfs/infomaniakfs/remote/emulator/dataset"
)

// bench is one benchmark run's shared state.
type bench struct {
	cfg   config
	start time.Time
	cl    *cleanups
	tmp   string
	data  string // generated data set
	ds    *dataset.Dataset
	emu   *emulator.Server
	token string
	rel   rel
	seq   int

	emuWAN, rcWAN   *wan
	emuBase, rcBase string
	direct          *direct

	ifsBin, ifsConfig  string
	rclone, rcloneConf string
	rcloneKD, kdToken  string // rclone's kDrive backend, and the token obscured for it
	fio                string
	notes              []string

	account     bool   // this is the account pass's bench: its ops are accountOps
	accountInfo string // what the account pass ran on, for the report

	freshSeq int    // changes made so far: each gives the file a new size
	worst    sample // the slowest change of the last opChanges

	upSrc     string // the big upload's source file
	upSrcHash uint64 // its xxh3
	upSeq     int    // uploads named so far
}

func main() {
	slog.SetDefault(slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelInfo})))
	os.Exit(run())
}

func run() int {
	cfg, err := parseConfig(os.Args[1:], os.Getenv)
	if err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		return 2
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	b := &bench{cfg: cfg, cl: &cleanups{}, start: time.Now()}
	defer b.cl.run()
	// A panic must not leave mounts behind either.
	defer func() {
		if p := recover(); p != nil {
			b.cl.run()
			panic(p)
		}
	}()
	if err := b.setup(ctx); err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		return 1
	}
	res := newResults()
	passes := []pass{{passWAN, cfg.Latency, cfg.Bandwidth}}
	if cfg.Loopback {
		passes = append(passes, pass{passLoopback, 0, 0})
	}
	for _, p := range passes {
		fmt.Fprintf(os.Stderr, "bench: pass %s\n", p.name)
		b.emuWAN.Set(p.latency, p.bandwidth)
		if b.rcWAN != nil {
			b.rcWAN.Set(p.latency, p.bandwidth)
		}
		if err := b.runPass(ctx, p.name, res); err != nil {
			fmt.Fprintln(os.Stderr, "bench: interrupted:", err)
			break
		}
	}
	// Last, with a time budget of its own: the other passes' budget
	// cannot squeeze it out.
	if cfg.wantsAccount() && ctx.Err() == nil {
		fmt.Fprintf(os.Stderr, "bench: pass %s\n", passAccount)
		if err := b.runAccount(ctx, res); err != nil {
			b.note("account pass not run: " + err.Error())
		}
	}
	body := b.report(res)
	fmt.Println(body)
	if ctx.Err() != nil {
		fmt.Fprintln(os.Stderr, "bench: interrupted; results file left unchanged")
		return 130
	}
	if err := writeResults(cfg.Out, body); err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		return 1
	}
	fmt.Fprintln(os.Stderr, "bench: wrote", cfg.Out)
	return 0
}

// setup makes the data set, the servers, the proxies and the binaries.
func (b *bench) setup(ctx context.Context) error {
	var err error
	if b.tmp, err = os.MkdirTemp("", "infomaniakfs-bench-"); err != nil {
		return err
	}
	if !b.cfg.Keep {
		// Registered first, so it runs last: after every unmount.
		b.cl.add(func() { removeTemp(b.tmp) })
	} else {
		fmt.Fprintln(os.Stderr, "bench: keeping", b.tmp)
	}
	b.ensureTools(ctx)
	if err := b.makeData(); err != nil {
		return err
	}
	if err := b.startServers(ctx); err != nil {
		return err
	}
	if b.cfg.wantsUploads() {
		if err := b.makeUploadSource(); err != nil {
			return fmt.Errorf("the upload source: %w", err)
		}
	}
	b.buildIFS(ctx)
	return nil
}

func (b *bench) note(s string) {
	for _, n := range b.notes {
		if n == s {
			return
		}
	}
	b.notes = append(b.notes, s)
}

// The passes' names, as the report heads them.
const (
	passWAN      = "WAN"
	passLoopback = "loopback"
)

// pass is one network setting every op runs under.
type pass struct {
	name      string
	latency   time.Duration
	bandwidth int64
}

func numCPU() int { return runtime.NumCPU() }

// removeTemp deletes the temp dir, first detaching any mount left in it:
// RemoveAll must never walk into a live mount.
func removeTemp(dir string) {
	if ents, err := os.ReadDir(dir); err == nil {
		for _, e := range ents {
			unmount(filepath.Join(dir, e.Name()))
		}
	}
	_ = os.RemoveAll(dir)
}
