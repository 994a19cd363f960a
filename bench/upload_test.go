package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestWaitFile(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "f")
	go func() {
		time.Sleep(30 * time.Millisecond)
		_ = os.WriteFile(p+".tmp", make([]byte, 100), 0o644)
		_ = os.Rename(p+".tmp", p)
	}()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if _, err := waitFile(ctx, p, 100); err != nil {
		t.Fatalf("waitFile: %v", err)
	}
	// A file short of its size never counts as there.
	short, cancel2 := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel2()
	if _, err := waitFile(short, p, 101); err == nil || !strings.Contains(err.Error(), "100 bytes") {
		t.Errorf("waitFile on a short file: %v, want a timeout naming the 100 bytes held", err)
	}
}

func TestWaitTreeAndSameFiles(t *testing.T) {
	src, dst := t.TempDir(), t.TempDir()
	for _, n := range []string{"a", "b"} {
		if err := os.WriteFile(filepath.Join(src, n), []byte("content "+n), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, total, err := fileSizes(src)
	if err != nil || len(want) != 2 || total != 18 {
		t.Fatalf("fileSizes: %v %d %v", want, total, err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	os.WriteFile(filepath.Join(dst, "a"), []byte("content a"), 0o644)
	if err := waitTree(ctx, dst, want); err == nil || !strings.Contains(err.Error(), "lacks 1 of 2") {
		t.Errorf("waitTree with b missing: %v", err)
	}
	os.WriteFile(filepath.Join(dst, "b"), []byte("content X"), 0o644) // right size, wrong bytes
	if err := waitTree(context.Background(), dst, want); err != nil {
		t.Errorf("waitTree: %v", err)
	}
	if err := sameFiles(src, dst, want); err == nil || !strings.Contains(err.Error(), "WRONG BYTES") {
		t.Errorf("sameFiles with different bytes: %v", err)
	}
	os.WriteFile(filepath.Join(dst, "b"), []byte("content b"), 0o644)
	if err := sameFiles(src, dst, want); err != nil {
		t.Errorf("sameFiles: %v", err)
	}
}

func TestUploadSourceAndCheck(t *testing.T) {
	b := &bench{tmp: t.TempDir(), cfg: config{UpSize: 3<<20 + 5}}
	if err := b.makeUploadSource(); err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(b.upSrc)
	if err != nil || fi.Size() != b.cfg.UpSize {
		t.Fatalf("source: %v, %v", fi, err)
	}
	if err := b.checkBig(b.upSrc); err != nil {
		t.Errorf("the source checks against itself: %v", err)
	}
	raw, _ := os.ReadFile(b.upSrc)
	raw[len(raw)/2] ^= 1
	bad := filepath.Join(b.tmp, "bad")
	os.WriteFile(bad, raw, 0o644)
	if err := b.checkBig(bad); err == nil {
		t.Error("a flipped bit went unnoticed")
	}
}

func TestUploadConfig(t *testing.T) {
	env := func(string) string { return "" }
	c, err := parseConfig([]string{"--quick"}, env)
	if err != nil || c.UpSize != 128<<20 || c.UpChunk != 8<<20 || c.UpParallel != 4 || c.UpBudget == 0 {
		t.Errorf("quick defaults: %+v %v", c, err)
	}
	c, err = parseConfig([]string{"--up-size", "1GiB", "--up-chunk", "20MiB", "--up-parallel", "2"}, env)
	if err != nil || c.UpSize != 1<<30 || c.UpChunk != 20<<20 || c.UpParallel != 2 {
		t.Errorf("flags: %+v %v", c, err)
	}
	for _, bad := range [][]string{{"--up-size", "0"}, {"--up-chunk", "x"}, {"--up-parallel", "0"}} {
		if _, err := parseConfig(bad, env); err == nil {
			t.Errorf("%v accepted", bad)
		}
	}
	if !(config{}).wantsUploads() || (config{Ops: []string{"seq"}}).wantsUploads() || !(config{Ops: []string{"upsmall"}}).wantsUploads() {
		t.Error("wantsUploads")
	}
}

func TestUploadOpsApply(t *testing.T) {
	cfg, err := parseConfig(nil, func(string) string { return "" })
	if err != nil {
		t.Fatal(err)
	}
	b := &bench{cfg: cfg}
	noop := func(context.Context) (*session, error) { return nil, nil }
	ifs := &contender{name: cIFS, mount: noop, upload: noop, drive: true, readsOK: true}
	kdRead := &contender{name: cRcloneKD, mount: noop, drive: true, readsOK: true, optIn: true}
	kdWrite := &contender{name: cRcloneKDW, upload: noop, optIn: true}
	webdav := &contender{name: cRcloneOff, mount: noop, drive: true, readsOK: true}
	dc := &contender{name: cDirect, direct: &direct{}, drive: true, readsOK: true}
	ceiling := &contender{name: cCeiling, mount: noop, readsOK: true}
	for _, tc := range []struct {
		op   string
		c    *contender
		want bool
	}{
		{"up1g", ifs, true}, {"up1g", kdWrite, true}, {"up1g", dc, true}, {"upsmall", kdWrite, true},
		{"up1g", kdRead, false}, {"up1g", webdav, false}, {"up1g", ceiling, false},
		{"lsr", kdWrite, false}, {"seq", kdWrite, false}, {"lsr", ifs, true},
	} {
		found := false
		for _, o := range b.ops() {
			if o.key == tc.op {
				found = true
				if o.appliesTo(tc.c) != tc.want {
					t.Errorf("%s applies to %s = %v, want %v", tc.op, tc.c.name, !tc.want, tc.want)
				}
			}
		}
		if !found {
			t.Errorf("no op %q", tc.op)
		}
	}
}

func TestScheduleInterleaves(t *testing.T) {
	b := &bench{cfg: config{Runs: 2, LoopbackRuns: 1, HeavyRuns: 1}}
	a := &contender{name: "a", direct: &direct{}}
	c := &contender{name: "c", direct: &direct{}}
	order := func(o opDef, pass string) string {
		var s []string
		for _, r := range b.scheduleOf(o, pass, []*contender{a, c}) {
			s = append(s, fmt.Sprintf("%s%d/%d", r.c.name, r.i+1, r.runs))
		}
		return strings.Join(s, " ")
	}
	d := func(context.Context, *direct, *bench) (sample, error) { return sample{}, nil }
	for _, tc := range []struct {
		o    opDef
		pass string
		want string
	}{
		{opDef{direct: d}, passWAN, "a1/2 a2/2 c1/2 c2/2"},
		{opDef{direct: d, interleave: true}, passWAN, "a1/2 c1/2 a2/2 c2/2"},
		{opDef{direct: d, interleave: true}, passLoopback, "a1/1 c1/1"},
		{opDef{direct: d, heavy: true}, passWAN, "a1/1 c1/1"},
	} {
		if got := order(tc.o, tc.pass); got != tc.want {
			t.Errorf("%+v in %s: %s, want %s", tc.o, tc.pass, got, tc.want)
		}
	}
}
