package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"time"
)

// opRand measures random 4 KiB reads of the big file: fio when present,
// else a Go loop of preads at random offsets.
func opRand(ctx context.Context, b *bench, p paths) (sample, error) {
	if b.fio != "" {
		return fioRand(ctx, b, p.big)
	}
	f, err := os.Open(p.big)
	if err != nil {
		return sample{}, err
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return sample{}, err
	}
	return randLoop(ctx, fi.Size(), b.cfg.RandRuntime, func(buf []byte, off int64) error {
		_, err := f.ReadAt(buf, off)
		return err
	})
}

// randLoop calls read at random 4 KiB-aligned offsets for d.
func randLoop(ctx context.Context, size int64, d time.Duration, read func(buf []byte, off int64) error) (sample, error) {
	buf := make([]byte, 4096)
	blocks := size / 4096
	if blocks < 1 {
		return sample{}, errors.New("file smaller than 4 KiB")
	}
	r := rand.New(rand.NewPCG(1, 2))
	start := time.Now()
	var s sample
	for time.Since(start) < d {
		if err := ctx.Err(); err != nil {
			return s, err
		}
		if err := read(buf, r.Int64N(blocks)*4096); err != nil {
			return s, err
		}
		s.ios++
		s.bytes += 4096
	}
	s.secs = time.Since(start).Seconds()
	return s, nil
}

func fioRand(ctx context.Context, b *bench, file string) (sample, error) {
	secs := int(b.cfg.RandRuntime / time.Second)
	out, err := exec.CommandContext(ctx, b.fio, "--name=randread", "--filename="+file, "--readonly",
		"--rw=randread", "--bs=4k", "--ioengine=psync", "--direct=0", "--numjobs=1",
		fmt.Sprintf("--runtime=%d", max(secs, 1)), "--time_based", "--norandommap",
		"--output-format=json").Output()
	if err != nil {
		return sample{}, fmt.Errorf("fio: %v", err)
	}
	return parseFio(out)
}

// parseFio reads the first job's random-read totals from fio's JSON output.
func parseFio(out []byte) (sample, error) {
	// fio may print notes before the JSON document.
	if i := bytes.IndexByte(out, '{'); i > 0 {
		out = out[i:]
	}
	var r struct {
		Jobs []struct {
			Read struct {
				IOBytes int64   `json:"io_bytes"`
				TotalIO int64   `json:"total_ios"`
				RunTime int64   `json:"runtime"` // ms
				IOPS    float64 `json:"iops"`
			} `json:"read"`
			Error int `json:"error"`
		} `json:"jobs"`
	}
	if err := json.Unmarshal(out, &r); err != nil {
		return sample{}, fmt.Errorf("fio output: %w", err)
	}
	if len(r.Jobs) == 0 {
		return sample{}, errors.New("fio: no job in output")
	}
	j := r.Jobs[0]
	if j.Error != 0 {
		return sample{}, fmt.Errorf("fio: job error %d", j.Error)
	}
	if j.Read.RunTime <= 0 || j.Read.TotalIO == 0 {
		return sample{}, errors.New("fio: no reads done")
	}
	return sample{secs: float64(j.Read.RunTime) / 1000, bytes: j.Read.IOBytes, ios: j.Read.TotalIO}, nil
}
