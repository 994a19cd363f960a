package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"
)

// The freshness ops: what following the account costs while nothing
// happens (the idle row), and how long a change made on the server takes
// to show in a mount (the change rows).

// freshFile is the file the change rows modify: the first small file, the
// same bytes on the emulator and in the tree rclone serves.
const freshFile = "small-000001.bin"

// opLsAll lists everything a contender shows, mail included: the idle
// row's prep, so every folder counts as looked at.
func opLsAll(ctx context.Context, _ *bench, p paths) (sample, error) {
	argv := []string{"ls", "-lR", p.drive}
	if p.mailRoot != "" {
		argv = append(argv, p.mailRoot)
	}
	return runCmd(ctx, argv...)
}

// opIdle waits while the mount sits idle after a full listing (its prep):
// the requests it makes meanwhile are the price of staying fresh.
func opIdle(ctx context.Context, b *bench, _ paths) (sample, error) {
	return timed(func() (sample, error) {
		select {
		case <-time.After(b.cfg.IdleTime):
			return sample{}, nil
		case <-ctx.Done():
			return sample{}, ctx.Err()
		}
	})
}

// opChanges makes b.cfg.Changes changes to one file on the server side
// (the emulator's data set and the files rclone serves) and times each
// until stat in the mount shows it. The sample is the median; the worst
// is kept for opWorstChange, the next step. A change not seen within
// ChangeTimeout ends the op: the mount does not follow changes.
func opChanges(ctx context.Context, b *bench, p paths) (sample, error) {
	rel := strings.TrimPrefix(filepath.ToSlash(filepath.Join(b.rel.small, freshFile)), b.rel.drive)
	node, ok := b.findNode(rel)
	if !ok {
		return sample{}, fmt.Errorf("no %s in the data set", freshFile)
	}
	disk := filepath.Join(b.data, "kdrive", b.rel.small, freshFile)
	seen := filepath.Join(p.small, freshFile)
	driveID := b.ds.Drives()[0].ID
	var lat []float64
	b.worst = sample{}
	for i := 0; i < b.cfg.Changes; i++ {
		if i > 0 {
			// Changes a few seconds apart, as people make them: a stream
			// of changes is read on a pause instead (the budget), which
			// the worst case of a burst shows, not each change.
			select {
			case <-time.After(b.cfg.ChangeGap):
			case <-ctx.Done():
				return sample{}, ctx.Err()
			}
		}
		size := b.cfg.Spec.SmallFileSize + int64(b.freshSeq) + 1
		b.freshSeq++
		if _, err := os.Stat(seen); err != nil {
			return sample{}, err
		}
		t := time.Now()
		if _, err := b.ds.ModifyFile(driveID, node.ID, size); err != nil {
			return sample{}, err
		}
		if err := os.Truncate(disk, size); err != nil {
			return sample{}, err
		}
		if err := waitSize(ctx, seen, size, b.cfg.ChangeTimeout); err != nil {
			b.worst = sample{secs: b.cfg.ChangeTimeout.Seconds()}
			return b.worst, fmt.Errorf("change %d: %w", i+1, err)
		}
		lat = append(lat, time.Since(t).Seconds())
	}
	slices.Sort(lat)
	b.worst = sample{secs: lat[len(lat)-1], count: int64(len(lat))}
	return sample{secs: lat[len(lat)/2], count: int64(len(lat))}, nil
}

// opWorstChange reports the worst latency of the changes opChanges timed.
func opWorstChange(_ context.Context, b *bench, _ paths) (sample, error) {
	if b.worst.secs > 0 {
		return b.worst, nil
	}
	return sample{}, fmt.Errorf("no change was timed")
}

// waitSize polls stat until path has size, as a user's `ls -l` would.
func waitSize(ctx context.Context, path string, size int64, limit time.Duration) error {
	deadline := time.Now().Add(limit)
	for {
		fi, err := os.Stat(path)
		if err == nil && fi.Size() == size {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("not visible after %v (size %d, want %d)", limit, sizeOf(fi), size)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(50 * time.Millisecond):
		}
	}
}

func sizeOf(fi os.FileInfo) int64 {
	if fi == nil {
		return -1
	}
	return fi.Size()
}
