package main

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"time"
)

// paths are where one contender shows the benchmark's data.
type paths struct {
	drive string // the kDrive tree (all drives)
	big   string // the big file
	wide  string // the wide directory
	small string // the directory of small files
	mail  string // the big mail folder ("" = no mail)
	// mailRoot holds every mailbox ("" = no mail).
	mailRoot string
}

// sample is one measured run.
type sample struct {
	secs  float64
	bytes int64 // bytes read or copied
	ios   int64 // random reads done
	count int64 // entries listed or files copied, to check contenders agree
}

// metric says what a phase's number is.
type metric int

const (
	perSecs metric = iota // lower is better: wall time
	perMiBs               // higher is better: throughput
	perIOPS               // higher is better: random reads per second
)

func (m metric) value(s sample) float64 {
	switch m {
	case perMiBs:
		if s.secs <= 0 {
			return 0
		}
		return float64(s.bytes) / (1 << 20) / s.secs
	case perIOPS:
		if s.secs <= 0 {
			return 0
		}
		return float64(s.ios) / s.secs
	}
	return s.secs
}

// fsOp runs one operation against a mounted (or local) tree.
type fsOp func(ctx context.Context, b *bench, p paths) (sample, error)

// timed measures fn's wall time.
func timed(fn func() (sample, error)) (sample, error) {
	t := time.Now()
	s, err := fn()
	s.secs = time.Since(t).Seconds()
	return s, err
}

// runCmd runs argv and counts the lines it prints (ls, find), discarding them.
func runCmd(ctx context.Context, argv ...string) (sample, error) {
	return timed(func() (sample, error) {
		cmd := exec.CommandContext(ctx, argv[0], argv[1:]...)
		cmd.WaitDelay = 5 * time.Second
		var errb tailBuffer
		errb.max = 4 << 10
		cmd.Stderr = &errb
		lines := &lineCounter{}
		cmd.Stdout = lines
		if err := cmd.Run(); err != nil {
			return sample{}, fmt.Errorf("%s: %v: %s", argv[0], err, firstLine(errb.String()))
		}
		return sample{count: lines.n}, nil
	})
}

func firstLine(s string) string {
	if i := bytes.IndexByte([]byte(s), '\n'); i >= 0 {
		return s[:i]
	}
	return s
}

type lineCounter struct{ n int64 }

func (l *lineCounter) Write(p []byte) (int, error) {
	l.n += int64(bytes.Count(p, []byte{'\n'}))
	return len(p), nil
}

func opLsR(ctx context.Context, _ *bench, p paths) (sample, error) {
	return runCmd(ctx, "ls", "-lR", p.drive)
}

func opLsWide(ctx context.Context, _ *bench, p paths) (sample, error) {
	return runCmd(ctx, "ls", "-l", p.wide)
}

func opFind(ctx context.Context, _ *bench, p paths) (sample, error) {
	return runCmd(ctx, "find", p.drive, "-ls")
}

func opLsMail(ctx context.Context, _ *bench, p paths) (sample, error) {
	return runCmd(ctx, "ls", "-l", p.mail)
}

// opRead reads the big file sequentially with 1 MiB reads, as cp or cat would.
func opRead(ctx context.Context, _ *bench, p paths) (sample, error) {
	return timed(func() (sample, error) {
		f, err := os.Open(p.big)
		if err != nil {
			return sample{}, err
		}
		defer f.Close()
		n, err := io.CopyBuffer(io.Discard, ctxReader{ctx, f}, make([]byte, 1<<20))
		return sample{bytes: n}, err
	})
}

// opPar8 runs 8 concurrent sequential readers of the big file, each from
// its own eighth (the same file at 8 offsets), each reading parChunk bytes.
func opPar8(ctx context.Context, _ *bench, p paths) (sample, error) {
	fi, err := os.Stat(p.big)
	if err != nil {
		return sample{}, err
	}
	return timed(func() (sample, error) {
		return parallelRanges(ctx, fi.Size(), 8, func(off, n int64) (int64, error) {
			f, err := os.Open(p.big)
			if err != nil {
				return 0, err
			}
			defer f.Close()
			sr := io.NewSectionReader(f, off, parChunk(fi.Size()))
			return io.CopyBuffer(io.Discard, ctxReader{ctx, sr}, make([]byte, 1<<20))
		})
	})
}

// parChunk is what each of the 8 readers reads: its eighth of the file, at
// most 32 MiB, so the op costs seconds, not a second full read of 1 GiB.
func parChunk(size int64) int64 { return min(size/8, 32<<20) }

// parallelRanges splits [0,size) into k ranges and reads each in its own goroutine.
func parallelRanges(ctx context.Context, size int64, k int, read func(off, n int64) (int64, error)) (sample, error) {
	var wg sync.WaitGroup
	got := make([]int64, k)
	errs := make([]error, k)
	part := size / int64(k)
	for i := 0; i < k; i++ {
		off, n := int64(i)*part, part
		if i == k-1 {
			n = size - off
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			got[i], errs[i] = read(off, n)
		}()
	}
	wg.Wait()
	var s sample
	for _, g := range got {
		s.bytes += g
	}
	return s, errors.Join(errs...)
}

// copyOp copies a directory with cp -r into a fresh temp dir and checks
// what arrived, so a truncated or missing file shows in the report.
func copyOp(src func(paths) string) fsOp {
	return func(ctx context.Context, b *bench, p paths) (sample, error) {
		dst, err := os.MkdirTemp(b.tmp, "cp-")
		if err != nil {
			return sample{}, err
		}
		defer os.RemoveAll(dst)
		s, err := runCmd(ctx, "cp", "-r", src(p), dst)
		if err != nil {
			return s, err
		}
		s.count, s.bytes, err = treeTotals(dst)
		return s, err
	}
}

var (
	opCpSmall = copyOp(func(p paths) string { return p.small })
	opCpMail  = copyOp(func(p paths) string { return p.mail })
)

// treeTotals counts the regular files under dir and their bytes.
func treeTotals(dir string) (files, size int64, err error) {
	err = filepath.WalkDir(dir, func(_ string, d fs.DirEntry, err error) error {
		if err != nil || !d.Type().IsRegular() {
			return err
		}
		fi, err := d.Info()
		if err != nil {
			return err
		}
		files++
		size += fi.Size()
		return nil
	})
	return files, size, err
}

// ctxReader stops a long read when the op's deadline passes.
type ctxReader struct {
	ctx context.Context
	r   io.Reader
}

func (c ctxReader) Read(p []byte) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, err
	}
	return c.r.Read(p)
}

// countLines counts newline-terminated lines of r.
func countLines(r io.Reader) (int64, error) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	var n int64
	for sc.Scan() {
		n++
	}
	return n, sc.Err()
}
