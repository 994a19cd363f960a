package main

import (
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/pflag"

	"github.com/infomaniakfs/infomaniakfs/remote/emulator/dataset"
)

// config is one benchmark run's settings: sizes, network and repetitions.
type config struct {
	Quick         bool
	Latency       time.Duration
	Bandwidth     int64
	Runs          int           // repetitions of every op in the WAN pass (median reported)
	LoopbackRuns  int           // repetitions in the loopback pass
	HeavyRuns     int           // repetitions of the ops that cost minutes (mail copy)
	RandRuntime   time.Duration // random-read duration per run
	IdleTime      time.Duration // how long the idle row waits
	Changes       int           // server-side changes the change rows time
	ChangeTimeout time.Duration // a change not visible by then ends the op
	ChangeGap     time.Duration // pause between two changes
	OpTimeout     time.Duration
	Budget        time.Duration // runs starting after this are skipped (0 = none)
	Loopback      bool          // also run the unlimited loopback pass
	Out           string
	Contenders    []string // empty = all
	Ops           []string // empty = all
	Keep          bool     // keep the temp dir (debugging)
	Trace         bool     // print every request the WAN proxies see, with its times

	Spec    dataset.Spec
	BigFile int64
	// UpSize is the big upload's size (--up-size); UpParallel how many
	// requests the direct uploads keep in flight (chunks of the big file,
	// or small files); UpBudget the upload ops' own time budget, from
	// their first run, so the read ops' budget cannot squeeze them out.
	UpSize     int64
	UpChunk    int64 // the direct big upload's chunk size
	UpParallel int
	UpWithHash bool // the direct uploads ask for the file's hash in the answer, as remote/kdrive does
	// UpDirtySource (a diagnostic) has the direct big upload send a copy
	// of the source made just before, its pages still dirty.
	UpDirtySource bool
	UpBudget      time.Duration
	// AccountPass runs the pass on Account, a data set of a real
	// account's size (rsync of the whole drive and mail).
	AccountPass    bool
	Account        dataset.Spec
	AccountTimeout time.Duration // OpTimeout of the account pass
	AccountBudget  time.Duration // its own Budget, from its start
	// AccountOnDisk writes the account data set to disk, for rclone's
	// WebDAV server and the local floor (quick only: it takes minutes).
	AccountOnDisk bool
}

// parseConfig reads flags, with BENCH_* environment variables as defaults
// so `make bench-quick` needs no flags.
func parseConfig(args []string, getenv func(string) string) (config, error) {
	var c config
	quick := envBool(getenv("BENCH_QUICK"))
	fs := pflag.NewFlagSet("bench", pflag.ContinueOnError)
	fs.BoolVar(&c.Quick, "quick", quick, "small data set, one run per op (env BENCH_QUICK=1)")
	lat := fs.String("latency", envOr(getenv("BENCH_LATENCY"), "20ms"), "simulated round trip per request (env BENCH_LATENCY)")
	bw := fs.String("bandwidth", envOr(getenv("BENCH_BANDWIDTH"), "100MiB"), "simulated bandwidth per second, 0 = unlimited (env BENCH_BANDWIDTH)")
	fs.IntVar(&c.Runs, "runs", 0, "runs per op (default 3, quick 1; env BENCH_RUNS)")
	fs.BoolVar(&c.Loopback, "loopback", true, "also run the pass without latency or bandwidth cap")
	fs.BoolVar(&c.AccountPass, "account", true, "also run the pass on a data set of a real account's size (rsync of drive and mail)")
	fs.IntVar(&c.LoopbackRuns, "loopback-runs", 1, "runs per op in the loopback pass (at most --runs)")
	fs.StringVar(&c.Out, "out", "bench/RESULTS.md", "results file (the table goes between its bench markers; quick default bench/RESULTS-quick.md)")
	fs.StringSliceVar(&c.Contenders, "contenders", nil, "only these contenders (default all)")
	fs.StringSliceVar(&c.Ops, "ops", nil, "only these ops, by key (default all)")
	fs.BoolVar(&c.Keep, "keep", false, "keep the generated data set and temp dirs")
	fs.BoolVar(&c.Trace, "trace", envBool(getenv("BENCH_TRACE")), "print each request the WAN proxies pass, when it came and when it was answered (env BENCH_TRACE)")
	upSize := fs.String("up-size", envOr(getenv("BENCH_UP_SIZE"), ""), "size of the big upload (default 1GiB, quick 128MiB; env BENCH_UP_SIZE)")
	upChunk := fs.String("up-chunk", "8MiB", "chunk size of the direct big upload's session (infomaniakfs uses 8 MiB)")
	fs.BoolVar(&c.UpWithHash, "up-with-hash", true, "the direct uploads ask for the new file's hash in the answer (with=hash), as infomaniakfs does")
	fs.BoolVar(&c.UpDirtySource, "up-dirty-source", false, "diagnostic: the direct big upload sends a copy of the source made just before (dirty pages, as a mount's staging file)")
	fs.IntVar(&c.UpParallel, "up-parallel", 4, "requests the direct uploads keep in flight (chunks of the big file, small files)")
	budget := fs.Duration("budget", -1, "skip the runs of the WAN and loopback passes that would start after this long (default 14m, quick 2m10s; 0 = no limit); the account pass has its own (7m, quick 1m)")
	if err := fs.Parse(args); err != nil {
		return c, err
	}
	var err error
	if c.Latency, err = time.ParseDuration(*lat); err != nil {
		return c, fmt.Errorf("--latency: %w", err)
	}
	if c.Bandwidth, err = parseSize(*bw); err != nil {
		return c, fmt.Errorf("--bandwidth: %w", err)
	}
	if c.Runs == 0 {
		if n, err := strconv.Atoi(getenv("BENCH_RUNS")); err == nil && n > 0 {
			c.Runs = n
		}
	}
	c.applySizes()
	if *upSize != "" {
		if c.UpSize, err = parseSize(*upSize); err != nil || c.UpSize <= 0 {
			return c, fmt.Errorf("--up-size: want a positive size, got %q", *upSize)
		}
	}
	if c.UpChunk, err = parseSize(*upChunk); err != nil || c.UpChunk <= 0 {
		return c, fmt.Errorf("--up-chunk: want a positive size, got %q", *upChunk)
	}
	if c.UpParallel < 1 {
		return c, fmt.Errorf("--up-parallel: want at least 1, got %d", c.UpParallel)
	}
	if c.Quick && !fs.Changed("out") {
		// A quick run's small data set must never replace the full table.
		c.Out = "bench/RESULTS-quick.md"
	}
	if *budget >= 0 {
		c.Budget = *budget
	}
	return c, nil
}

// applySizes picks the data set and repetitions for the full or quick run,
// sized so the full run stays under 25 minutes on 2 cores and quick under 4,
// plus the upload ops' own budgets (about 10 minutes full, 3 quick).
func (c *config) applySizes() {
	if c.Quick {
		// 2 spaces × (3+9+27 folders, 24 files in each and at the top): ~2,000 nested entries.
		c.Spec = dataset.Spec{Seed: 1, Drives: 1, Mailboxes: 1, Depth: 3, DirsPerDir: 3, FilesPerDir: 24,
			FileSize: 16 << 10, WideDirFiles: 2000, SmallFiles: 200, MessagesPerFolder: 5, BigFolderMessages: 1000}
		c.BigFile = 128 << 20
		c.RandRuntime = 2 * time.Second
		c.IdleTime = 20 * time.Second
		c.Changes = 5
		c.ChangeTimeout = 20 * time.Second
		c.ChangeGap = 4 * time.Second
		c.OpTimeout = 90 * time.Second
		c.Budget = 130 * time.Second
		c.UpSize, c.UpBudget = 128<<20, 2*time.Minute
		if c.Runs == 0 {
			c.Runs = 1
		}
	} else {
		// 2 spaces × (5+25+125 folders, 34 files in each and at the top): ~10,900 nested
		// entries in 310 folders (every folder listed costs a round trip); with the
		// 10,000-entry directory and the 1,000 small files, ~21,900 in the drive.
		c.Spec = dataset.Spec{Seed: 1, Drives: 1, Mailboxes: 1, Depth: 3, DirsPerDir: 5, FilesPerDir: 34,
			FileSize: 16 << 10, WideDirFiles: 10000, SmallFiles: 1000, MessagesPerFolder: 20, BigFolderMessages: 10000}
		c.BigFile = 1 << 30
		c.RandRuntime = 3 * time.Second
		c.IdleTime = time.Minute
		c.Changes = 20
		c.ChangeTimeout = time.Minute
		c.ChangeGap = 4 * time.Second
		c.OpTimeout = 3 * time.Minute
		c.Budget = 14 * time.Minute
		c.UpSize, c.UpBudget = 1<<30, 8*time.Minute
		if c.Runs == 0 {
			c.Runs = 3
		}
	}
	c.Spec.SmallFileSize = 64 << 10
	c.Spec.BigFiles = []int64{c.BigFile}
	c.HeavyRuns = 1
	c.Account = accountSpec(c.Quick)
	// The account pass: ~7 min full (the drive copies by rclone's kDrive
	// backend stop at the timeout), ~1.5 min quick.
	c.AccountTimeout, c.AccountBudget = 3*time.Minute, 7*time.Minute
	if c.Quick {
		c.AccountTimeout, c.AccountBudget, c.AccountOnDisk = 45*time.Second, time.Minute, true
	}
}

func envBool(s string) bool {
	b, err := strconv.ParseBool(strings.TrimSpace(s))
	return err == nil && b
}

func envOr(v, def string) string {
	if strings.TrimSpace(v) == "" {
		return def
	}
	return v
}

// parseSize reads "100MiB", "1G", "64k", "512" (bytes). K/M/G/T and their
// KiB/KB forms are all powers of 1024: these are buffer and file sizes.
func parseSize(s string) (int64, error) {
	t := strings.ToLower(strings.TrimSpace(s))
	t = strings.TrimSuffix(strings.TrimSuffix(t, "/s"), "b")
	t = strings.TrimSuffix(t, "i")
	mult := int64(1)
	if n := len(t); n > 0 {
		switch t[n-1] {
		case 'k':
			mult = 1 << 10
		case 'm':
			mult = 1 << 20
		case 'g':
			mult = 1 << 30
		case 't':
			mult = 1 << 40
		}
		if mult > 1 {
			t = t[:n-1]
		}
	}
	f, err := strconv.ParseFloat(strings.TrimSpace(t), 64)
	if err != nil || f < 0 {
		return 0, fmt.Errorf("bad size %q (want e.g. 100MiB, 1G, 64k)", s)
	}
	return int64(f * float64(mult)), nil
}

func fmtBytes(n int64) string {
	switch {
	case n >= 1<<30 && n%(1<<30) == 0:
		return fmt.Sprintf("%d GiB", n>>30)
	case n >= 1<<20:
		return fmt.Sprintf("%.0f MiB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%.0f KiB", float64(n)/(1<<10))
	}
	return fmt.Sprintf("%d B", n)
}

func hostInfo() (nproc int, model, kernel string) {
	nproc = numCPU()
	if b, err := os.ReadFile("/proc/cpuinfo"); err == nil {
		for _, l := range strings.Split(string(b), "\n") {
			if k, v, ok := strings.Cut(l, ":"); ok && strings.TrimSpace(k) == "model name" {
				model = strings.TrimSpace(v)
				break
			}
		}
	}
	if b, err := os.ReadFile("/proc/sys/kernel/osrelease"); err == nil {
		kernel = strings.TrimSpace(string(b))
	}
	return nproc, model, kernel
}
