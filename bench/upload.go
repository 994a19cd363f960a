package main

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/zeebo/xxh3"
)

// The upload ops (issue 13): a big file, then a folder of small files,
// written into each contender's read-write mount and timed until the
// server holds them whole, against the same uploads in plain HTTP
// (upload_direct.go). The end is read in the emulator's data directory:
// the emulator writes an upload there (a temporary file renamed into
// place) before it answers the upload's last request, so a file of the
// full size there is one the server has acknowledged, whichever client
// sent it. Watching it costs no API request. The bytes are compared with
// the source afterwards, outside the time.

// upPrefix names everything the upload ops write, so one sweep removes it.
const upPrefix = "bench-up-"

// pollEvery is how often the server's disk is looked at.
const pollEvery = 10 * time.Millisecond

func (b *bench) uploadOps() []opDef {
	sp := b.cfg.Spec
	return []opDef{
		{key: "up1g", steps: []step{{name: fmt.Sprintf("upload a %s file (cp, sync, until on the server)", fmtBytes(b.cfg.UpSize)), fs: opUpBig}},
			metric: perMiBs, kind: onUpload, optIn: true, budget: b.cfg.UpBudget, interleave: true, after: (*bench).removeUploads,
			direct: func(ctx context.Context, d *direct, b *bench) (sample, error) { return b.directUpBig(ctx, d) }},
		{key: "upsmall", steps: []step{{name: fmt.Sprintf("upload %d × %s files (cp -r, until all on the server)", sp.SmallFiles, fmtBytes(sp.SmallFileSize)), fs: opUpSmall}},
			metric: perSecs, kind: onUpload, optIn: true, budget: b.cfg.UpBudget, interleave: true, after: (*bench).removeUploads,
			direct: func(ctx context.Context, d *direct, b *bench) (sample, error) { return b.directUpSmall(ctx, d) }},
	}
}

// hasUploadOps reports whether this run's ops include an upload op.
func (b *bench) hasUploadOps() bool {
	for _, o := range b.ops() {
		if o.kind == onUpload {
			return true
		}
	}
	return false
}

// wantsUploads reports whether --ops leaves an upload op.
func (c config) wantsUploads() bool {
	if len(c.Ops) == 0 {
		return true
	}
	for _, k := range c.Ops {
		if k == "up1g" || k == "upsmall" {
			return true
		}
	}
	return false
}

// upName is a fresh name for one run's upload.
func (b *bench) upName(ext string) string {
	b.upSeq++
	return fmt.Sprintf("%s%d%s", upPrefix, b.upSeq, ext)
}

// upServerDir is the drive's Private folder in the emulator's data directory.
func (b *bench) upServerDir() string {
	return filepath.Join(b.data, "kdrive", filepath.Dir(b.rel.big))
}

// smallSrc is the local folder of small files the uploads copy.
func (b *bench) smallSrc() string { return filepath.Join(b.data, "kdrive", b.rel.small) }

// makeUploadSource writes the big upload's source: UpSize pseudo-random
// bytes (incompressible, as photos and videos are), and keeps its hash.
func (b *bench) makeUploadSource() error {
	b.upSrc = filepath.Join(b.tmp, "upload-src.bin")
	f, err := os.Create(b.upSrc)
	if err != nil {
		return err
	}
	h := xxh3.New()
	rng := rand.NewChaCha8([32]byte{13})
	buf := make([]byte, 1<<20)
	for left := b.cfg.UpSize; left > 0 && err == nil; left -= int64(len(buf)) {
		p := buf[:min(int64(len(buf)), left)]
		_, _ = rng.Read(p)
		_, _ = h.Write(p)
		_, err = f.Write(p)
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	b.upSrcHash = h.Sum64()
	return err
}

// opUpBig copies the source into the mount's Private folder, fsyncs it
// (sync FILE: infomaniakfs answers once kDrive acknowledged the upload;
// rclone's VFS only flushes its cache file) and waits for the server.
func opUpBig(ctx context.Context, b *bench, p paths) (sample, error) {
	name := b.upName(".bin")
	dst := filepath.Join(filepath.Dir(p.big), name)
	server := filepath.Join(b.upServerDir(), name)
	defer b.logRequests(b.emu.Counts())
	var cp, sync, wait time.Duration
	s, err := timed(func() (sample, error) {
		t := time.Now()
		if _, err := runCmd(ctx, "cp", b.upSrc, dst); err != nil {
			return sample{}, err
		}
		cp = time.Since(t)
		if _, err := runCmd(ctx, "sync", dst); err != nil {
			return sample{}, err
		}
		sync = time.Since(t) - cp
		var err error
		wait, err = waitFile(ctx, server, b.cfg.UpSize)
		return sample{bytes: b.cfg.UpSize, count: 1}, err
	})
	// Where the time went: the analysis in RESULTS.md reads these lines.
	fmt.Fprintf(os.Stderr, "    cp %v, then sync %v, then on the server %v later\n",
		cp.Round(time.Millisecond), sync.Round(time.Millisecond), wait.Round(time.Millisecond))
	if err != nil {
		return s, err
	}
	return s, b.checkBig(server)
}

// opUpSmall copies the folder of small files into the mount's Private
// folder and waits until the server has every one.
func opUpSmall(ctx context.Context, b *bench, p paths) (sample, error) {
	name := b.upName("")
	dst := filepath.Join(filepath.Dir(p.big), name)
	server := filepath.Join(b.upServerDir(), name)
	want, total, err := fileSizes(b.smallSrc())
	if err != nil {
		return sample{}, err
	}
	defer b.logRequests(b.emu.Counts())
	var cp time.Duration
	s, err := timed(func() (sample, error) {
		t := time.Now()
		if _, err := runCmd(ctx, "cp", "-r", b.smallSrc(), dst); err != nil {
			return sample{}, err
		}
		cp = time.Since(t)
		return sample{count: int64(len(want)), bytes: total}, waitTree(ctx, server, want)
	})
	fmt.Fprintf(os.Stderr, "    cp -r %v, all on the server %v later\n", cp.Round(time.Millisecond), (time.Duration(s.secs*1e9) - cp).Round(time.Millisecond))
	if err != nil {
		return s, err
	}
	return s, sameFiles(b.smallSrc(), server, want)
}

// removeUploads deletes what the upload ops wrote, from the emulator's data
// set and its data directory, once the run's mount is gone: the next run
// and the other ops see the data set as generated.
func (b *bench) removeUploads() {
	drive := b.ds.Drives()[0].ID
	var errs []error
	if priv, ok := b.findNode("/Private"); ok {
		kids, _ := b.ds.Children(drive, priv.ID)
		for _, k := range kids {
			if strings.HasPrefix(k.Name, upPrefix) {
				errs = append(errs, b.ds.Delete(drive, k.ID))
			}
		}
	}
	left, _ := filepath.Glob(filepath.Join(b.upServerDir(), upPrefix+"*"))
	for _, p := range left {
		errs = append(errs, os.RemoveAll(p))
	}
	if err := errors.Join(errs...); err != nil {
		b.note("removing the uploads: " + err.Error())
	}
}
