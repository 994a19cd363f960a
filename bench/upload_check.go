package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/zeebo/xxh3"
)

// How the upload ops see their end and check their bytes: on the
// emulator's data directory, with no API request.

// logRequests prints the API requests made since before, by route: the
// analysis in RESULTS.md reads them.
func (b *bench) logRequests(before map[string]int64) {
	after := b.emu.Counts()
	keys := make([]string, 0, len(after))
	for k := range after {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	var parts []string
	for _, k := range keys {
		if n := after[k] - before[k]; n > 0 {
			parts = append(parts, fmt.Sprintf("%s %d", k, n))
		}
	}
	fmt.Fprintf(os.Stderr, "    requests: %s\n", strings.Join(parts, ", "))
}

// waitFile polls until path has size bytes; it returns how long it waited.
func waitFile(ctx context.Context, path string, size int64) (time.Duration, error) {
	t := time.Now()
	for {
		fi, err := os.Stat(path)
		if err == nil && fi.Size() == size {
			return time.Since(t), nil
		}
		select {
		case <-ctx.Done():
			got := "nothing"
			if err == nil {
				got = fmt.Sprintf("%d bytes", fi.Size())
			}
			return time.Since(t), fmt.Errorf("the server holds %s of %s, want %d bytes: %w", got, filepath.Base(path), size, ctx.Err())
		case <-time.After(pollEvery):
		}
	}
}

// waitTree polls until dir holds every file of want at its size. A poll
// reads the folder's names and stats only those not yet seen whole, so
// waiting on 1,000 files costs the machine little while they arrive.
func waitTree(ctx context.Context, dir string, want map[string]int64) error {
	left := make(map[string]int64, len(want))
	for k, v := range want {
		left[k] = v
	}
	for {
		names, _ := readNames(dir) // not there yet: nothing arrived
		for _, name := range names {
			size, ok := left[name]
			if !ok {
				continue
			}
			if fi, err := os.Stat(filepath.Join(dir, name)); err == nil && fi.Size() == size {
				delete(left, name)
			}
		}
		if len(left) == 0 {
			return nil
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("the server lacks %d of %d files: %w", len(left), len(want), ctx.Err())
		case <-time.After(2 * pollEvery):
		}
	}
}

// readNames lists the names in dir.
func readNames(dir string) ([]string, error) {
	f, err := os.Open(dir)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return f.Readdirnames(-1)
}

// fileSizes lists the regular files directly in dir with their sizes.
func fileSizes(dir string) (map[string]int64, int64, error) {
	ents, err := os.ReadDir(dir)
	if err != nil {
		return nil, 0, err
	}
	m := map[string]int64{}
	var total int64
	for _, e := range ents {
		if !e.Type().IsRegular() {
			continue
		}
		fi, err := e.Info()
		if err != nil {
			return nil, 0, err
		}
		m[e.Name()] = fi.Size()
		total += fi.Size()
	}
	return m, total, nil
}

// checkBig compares the server's copy of the big upload with the source.
func (b *bench) checkBig(server string) error {
	f, err := os.Open(server)
	if err != nil {
		return err
	}
	defer f.Close()
	h := xxh3.New()
	if _, err := io.Copy(h, f); err != nil {
		return err
	}
	if h.Sum64() != b.upSrcHash {
		return fmt.Errorf("WRONG BYTES: the server's %s differs from the source", filepath.Base(server))
	}
	return nil
}

// sameFiles compares every file of want in src and dst byte for byte.
func sameFiles(src, dst string, want map[string]int64) error {
	for name := range want {
		a, err := os.ReadFile(filepath.Join(src, name))
		if err != nil {
			return err
		}
		c, err := os.ReadFile(filepath.Join(dst, name))
		if err != nil {
			return err
		}
		if !bytes.Equal(a, c) {
			return fmt.Errorf("WRONG BYTES: the server's %s differs from the source", name)
		}
	}
	return nil
}
