package main

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

func TestParseSize(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want int64
		err  bool
	}{
		{"100MiB", 100 << 20, false},
		{"1G", 1 << 30, false},
		{"64k", 64 << 10, false},
		{"512", 512, false},
		{"0", 0, false},
		{"1.5MB", 3 << 19, false},
		{"100MiB/s", 100 << 20, false},
		{"lots", 0, true},
		{"-1M", 0, true},
	} {
		got, err := parseSize(tc.in)
		if (err != nil) != tc.err || got != tc.want {
			t.Errorf("parseSize(%q) = %d, %v; want %d, err %v", tc.in, got, err, tc.want, tc.err)
		}
	}
}

func TestParseConfig(t *testing.T) {
	env := func(m map[string]string) func(string) string { return func(k string) string { return m[k] } }
	c, err := parseConfig(nil, env(map[string]string{"BENCH_QUICK": "1", "BENCH_LATENCY": "5ms", "BENCH_BANDWIDTH": "10MiB"}))
	if err != nil {
		t.Fatal(err)
	}
	if !c.Quick || c.Latency != 5*time.Millisecond || c.Bandwidth != 10<<20 || c.Runs != 1 || c.BigFile != 128<<20 ||
		c.Out != "bench/RESULTS-quick.md" {
		t.Errorf("quick config = %+v", c)
	}
	c, err = parseConfig([]string{"--latency", "1ms", "--runs", "5"}, env(nil))
	if err != nil {
		t.Fatal(err)
	}
	if c.Quick || c.Latency != time.Millisecond || c.Bandwidth != 100<<20 || c.Runs != 5 || c.BigFile != 1<<30 ||
		c.Spec.WideDirFiles != 10000 || c.Spec.SmallFiles != 1000 || c.Spec.BigFolderMessages != 10000 ||
		c.Out != "bench/RESULTS.md" {
		t.Errorf("full config = %+v", c)
	}
	// The nested tree alone must hold at least 10,000 entries.
	s := c.Spec
	dirs, level := 0, 1
	for i := 0; i < s.Depth; i++ {
		level *= s.DirsPerDir
		dirs += level
	}
	if nested := 2 * (dirs + (dirs+1)*s.FilesPerDir); nested < 10000 {
		t.Errorf("nested entries = %d, want ≥ 10000", nested)
	}
	if _, err := parseConfig([]string{"--latency", "soon"}, env(nil)); err == nil {
		t.Error("bad latency accepted")
	}
}

func TestParseVmHWM(t *testing.T) {
	st := []byte("Name:\tx\nVmPeak:\t  999 kB\nVmHWM:\t   2048 kB\nVmRSS:\t 100 kB\n")
	if got := parseVmHWM(st); got != 2048<<10 {
		t.Errorf("parseVmHWM = %d", got)
	}
	if parseVmHWM([]byte("Name: x\n")) != 0 {
		t.Error("missing VmHWM should be 0")
	}
	if vmHWM(os.Getpid()) <= 0 {
		t.Error("own VmHWM unreadable")
	}
}

func TestIsMounted(t *testing.T) {
	if !isMounted("/proc") || isMounted(t.TempDir()) {
		t.Error("isMounted")
	}
}

func TestTailBuffer(t *testing.T) {
	tb := &tailBuffer{max: 5}
	tb.Write([]byte("abc"))
	tb.Write([]byte("defg"))
	if tb.String() != "cdefg" {
		t.Errorf("tail = %q", tb.String())
	}
}

func TestParseFio(t *testing.T) {
	out := []byte(`note: both iodepth >= 1 and synchronous I/O engine are selected
{"jobs":[{"jobname":"randread","error":0,"read":{"io_bytes":4096000,"total_ios":1000,"runtime":2000,"iops":500.0}}]}`)
	s, err := parseFio(out)
	if err != nil || s.ios != 1000 || s.secs != 2 || perIOPS.value(s) != 500 {
		t.Errorf("parseFio = %+v, %v", s, err)
	}
	for _, bad := range []string{`{"jobs":[]}`, `nope`, `{"jobs":[{"error":5,"read":{"total_ios":1,"runtime":1}}]}`,
		`{"jobs":[{"read":{"total_ios":0,"runtime":1000}}]}`} {
		if _, err := parseFio([]byte(bad)); err == nil {
			t.Errorf("parseFio(%s) accepted", bad)
		}
	}
}

func TestRandLoop(t *testing.T) {
	var offs []int64
	s, err := randLoop(context.Background(), 1<<20, 30*time.Millisecond, func(buf []byte, off int64) error {
		offs = append(offs, off)
		return nil
	})
	if err != nil || s.ios == 0 || s.ios != int64(len(offs)) || s.bytes != 4096*s.ios {
		t.Fatalf("randLoop = %+v, %v", s, err)
	}
	for _, o := range offs {
		if o%4096 != 0 || o < 0 || o+4096 > 1<<20 {
			t.Fatalf("offset %d outside the file or unaligned", o)
		}
	}
	if _, err := randLoop(context.Background(), 100, time.Millisecond, nil); err == nil {
		t.Error("tiny file accepted")
	}
	want := errors.New("eio")
	if _, err := randLoop(context.Background(), 1<<20, time.Second, func([]byte, int64) error { return want }); !errors.Is(err, want) {
		t.Errorf("read error lost: %v", err)
	}
}

func TestParallelRangesCoversFile(t *testing.T) {
	const size = 1000003
	var mu sync.Mutex
	seen := map[int64]int64{}
	s, err := parallelRanges(context.Background(), size, 8, func(off, n int64) (int64, error) {
		mu.Lock()
		seen[off] = n
		mu.Unlock()
		return n, nil
	})
	if err != nil || s.bytes != size || len(seen) != 8 {
		t.Fatalf("parallelRanges = %+v, %v, %d ranges", s, err, len(seen))
	}
	for off := int64(0); off < size; {
		n, ok := seen[off]
		if !ok || n <= 0 {
			t.Fatalf("no range starts at %d: %v", off, seen)
		}
		off += n
	}
	want := errors.New("short")
	if _, err := parallelRanges(context.Background(), 80, 8, func(off, n int64) (int64, error) {
		if off == 40 {
			return 0, want
		}
		return n, nil
	}); !errors.Is(err, want) {
		t.Errorf("error of one reader lost: %v", err)
	}
}

func TestCeilSlice(t *testing.T) {
	size := int64(3*ceilPeriod + 100)
	full := make([]byte, 0, size)
	for off := int64(0); off < size; {
		b := ceilSlice(off, 1<<20, size)
		if len(b) == 0 {
			t.Fatalf("empty read at %d", off)
		}
		full = append(full, b...)
		off += int64(len(b))
	}
	if int64(len(full)) != size {
		t.Fatalf("read %d bytes, want %d", len(full), size)
	}
	// Unaligned reads must see the same bytes as the aligned walk.
	if got := ceilSlice(ceilPeriod-10, 4096, size); !bytes.Equal(got, full[ceilPeriod-10:ceilPeriod-10+4096]) {
		t.Error("unaligned read differs")
	}
	if ceilSlice(size, 10, size) != nil || len(ceilSlice(size-5, 10, size)) != 5 {
		t.Error("reads at or near EOF")
	}
}

func TestTreeTotalsAndCopyOp(t *testing.T) {
	dir := t.TempDir()
	src := filepath.Join(dir, "src")
	os.MkdirAll(filepath.Join(src, "sub"), 0o755)
	os.WriteFile(filepath.Join(src, "a"), []byte("12345"), 0o644)
	os.WriteFile(filepath.Join(src, "sub", "b"), []byte("678"), 0o644)
	b := &bench{tmp: dir}
	s, err := opCpSmall(context.Background(), b, paths{small: src})
	if err != nil || s.count != 2 || s.bytes != 8 {
		t.Errorf("copy = %+v, %v", s, err)
	}
	if _, err := opCpSmall(context.Background(), b, paths{small: filepath.Join(dir, "missing")}); err == nil ||
		!strings.Contains(err.Error(), "cp") {
		t.Errorf("missing source: %v", err)
	}
	ls, err := opLsR(context.Background(), b, paths{drive: src})
	if err != nil || ls.count < 4 {
		t.Errorf("ls -lR = %+v, %v", ls, err)
	}
}

func TestCleanupsRunInReverse(t *testing.T) {
	var order []int
	c := &cleanups{}
	for i := 1; i <= 3; i++ {
		c.add(func() { order = append(order, i) })
	}
	c.run()
	c.run() // a second run does nothing
	if len(order) != 3 || order[0] != 3 || order[2] != 1 {
		t.Errorf("order = %v", order)
	}
}

func TestOpsAndContenders(t *testing.T) {
	cfg, err := parseConfig(nil, func(string) string { return "" })
	if err != nil {
		t.Fatal(err)
	}
	b := &bench{cfg: cfg}
	keys := map[string]bool{}
	names := map[string]bool{}
	for _, o := range b.ops() {
		if keys[o.key] || len(o.steps) == 0 {
			t.Errorf("op %q duplicated or without steps", o.key)
		}
		keys[o.key] = true
		for _, st := range o.steps {
			if names[st.name] || st.fs == nil {
				t.Errorf("step %q duplicated or without a function", st.name)
			}
			names[st.name] = true
		}
	}
	for _, want := range []string{"lsr", "wide", "seq", "par8", "rand", "cp", "mail"} {
		if !keys[want] {
			t.Errorf("op %q missing", want)
		}
	}
	ifs := &contender{name: cIFS, mail: true, drive: true, readsOK: true}
	rclone := &contender{name: cRcloneOff, drive: true, readsOK: true}
	dc := &contender{name: cDirect, direct: &direct{}, drive: true, readsOK: true}
	ceiling := &contender{name: cCeiling, readsOK: true}
	for _, tc := range []struct {
		op   string
		c    *contender
		want bool
	}{
		{"mail", ifs, true}, {"mail", rclone, false}, {"mail", dc, false},
		{"lsr", ceiling, false}, {"seq", ceiling, true}, {"lsr", dc, true}, {"cp", dc, false},
	} {
		for _, o := range b.ops() {
			if o.key == tc.op && o.appliesTo(tc.c) != tc.want {
				t.Errorf("%s applies to %s = %v, want %v", tc.op, tc.c.name, !tc.want, tc.want)
			}
		}
	}
	b.cfg.Ops = []string{"seq", "mail"}
	if got := b.ops(); len(got) != 2 || got[0].key != "seq" {
		t.Errorf("--ops filter: %d ops", len(got))
	}
}
