package e2e

import (
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/infomaniakfs/infomaniakfs/remote/emulator"
	"github.com/infomaniakfs/infomaniakfs/remote/emulator/dataset"
)

const blockSize = 4 << 20 // cache.Options default; the request counts below depend on it

// bigFile finds the generated big-*.bin of the given size in drive 1.
func bigFile(t *testing.T, d *dataset.Dataset, size int64) (dataset.Node, string) {
	t.Helper()
	dr := d.Drives()[0]
	var found dataset.Node
	d.Walk(dr.ID, func(n dataset.Node) bool {
		if !n.IsDir && strings.HasPrefix(n.Name, "big-") && n.Size == size {
			found = n
			return false
		}
		return true
	})
	if found.ID == 0 {
		t.Fatalf("no big file of %d bytes", size)
	}
	return found, filepath.Join("kDrive", dr.Name, d.Path(dr.ID, found.ID))
}

func TestRequestBudget(t *testing.T) {
	data := dataset.Generate(dataset.Spec{Seed: 3, Drives: 1, Depth: 1, DirsPerDir: 1, FilesPerDir: 2,
		WideDirFiles: 10000, SmallFiles: 1000, SmallFileSize: 1024,
		BigFiles: []int64{256 << 20, 32<<20 + 5}, Mailboxes: 1, MessagesPerFolder: 3})
	srv := serve(t, data)
	// Per-directory listing, as the issue counts it; the snapshot is
	// measured by TestSnapshotBudget.
	d := mount(t, srv, "--no-snapshot")
	priv := filepath.Join(d.dir, "kDrive", data.Drives()[0].Name, "Private")
	if _, err := os.ReadDir(priv); err != nil { // resolve the path first
		t.Fatal(err)
	}

	srv.ResetCounts()
	ents, err := os.ReadDir(filepath.Join(priv, "wide"))
	if err != nil {
		t.Fatal(err)
	}
	if len(ents) != 10000 {
		t.Fatalf("wide/ shows %d entries, want 10000", len(ents))
	}
	if n := srv.Count("list"); n != 10 {
		t.Errorf("listing 10,000 entries cost %d list calls, want 10", n)
	}
	srv.ResetCounts()
	if _, err := os.ReadDir(filepath.Join(priv, "wide")); err != nil {
		t.Fatal(err)
	}
	run(t, "ls", "-l", filepath.Join(priv, "wide"))
	if n := srv.Count("list"); n != 0 {
		t.Errorf("second listing within the TTL cost %d list calls, want 0", n)
	}

	srv.ResetCounts()
	small, err := os.ReadDir(filepath.Join(priv, "small"))
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range small {
		if _, err := os.Stat(filepath.Join(priv, "small", e.Name())); err != nil {
			t.Fatal(err)
		}
	}
	if len(small) != 1000 {
		t.Errorf("small/ shows %d files, want 1000", len(small))
	}
	if n := srv.Count("download") + srv.Count("content"); n != 0 {
		t.Errorf("stat of 1,000 files downloaded %d times, want 0", n)
	}
	if n := srv.Count("stat"); n != 0 {
		t.Errorf("stat of 1,000 listed files cost %d stat calls, want 0", n)
	}

	node, rel := bigFile(t, data, 256<<20)
	srv.ResetCounts()
	f, err := os.Open(filepath.Join(d.dir, rel))
	if err != nil {
		t.Fatal(err)
	}
	n, err := io.Copy(io.Discard, f)
	f.Close()
	if err != nil || n != node.Size {
		t.Fatalf("read %d bytes (%v), want %d", n, err, node.Size)
	}
	// One per block, plus the first read's small range: a program that
	// only sniffs a file's start must not cost a whole block and more.
	blocks := (node.Size+blockSize-1)/blockSize + 1
	if got := srv.Count("content"); got != blocks {
		t.Errorf("reading %d MiB cost %d range requests, want %d (one per %d MiB block, and the first read's)", node.Size>>20, got, blocks, blockSize>>20)
	}
	// The blocks share one pre-signed content URL: one API call in all,
	// however many fetches start at once.
	if got := srv.Count("download"); got != 1 {
		t.Errorf("reading %d MiB cost %d API download calls, want 1", node.Size>>20, got)
	}

	node, rel = bigFile(t, data, 32<<20+5)
	srv.ResetCounts()
	var wg sync.WaitGroup
	errs := make(chan error, 32)
	for i := 0; i < 32; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			b, err := os.ReadFile(filepath.Join(d.dir, rel))
			if err == nil && int64(len(b)) != node.Size {
				err = fmt.Errorf("read %d bytes, want %d", len(b), node.Size)
			}
			errs <- err
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	blocks = (node.Size+blockSize-1)/blockSize + 1
	if got := srv.Count("content"); got != blocks {
		t.Errorf("32 concurrent readers cost %d range requests, want %d (each block once, and the first read's)", got, blocks)
	}
	if got := srv.Count("download"); got != 1 {
		t.Errorf("32 concurrent readers cost %d API download calls, want 1", got)
	}
}

// With the drive snapshot (the default), `ls -lR` over every drive costs one
// request per drive, however many directories they hold.
func TestSnapshotBudget(t *testing.T) {
	data := dataset.Generate(dataset.Spec{Seed: 4, Drives: 2, Depth: 3, DirsPerDir: 3, FilesPerDir: 4,
		WideDirFiles: 3000, Mailboxes: 1, MessagesPerFolder: 2})
	srv := serve(t, data)
	d := mount(t, srv)
	srv.ResetCounts()
	run(t, "ls", "-lR", filepath.Join(d.dir, "kDrive"))
	dirs := 0
	for _, dr := range data.Drives() {
		data.Walk(dr.ID, func(n dataset.Node) bool {
			if n.IsDir {
				dirs++
			}
			return true
		})
	}
	full, list, stat := srv.Count("listing.full"), srv.Count("list"), srv.Count("stat")
	t.Logf("ls -lR over %d directories: %d snapshot, %d list, %d stat requests", dirs, full, list, stat)
	// The snapshot leaves out each drive's root, whose attributes take
	// one stat per drive.
	if n := int64(len(data.Drives())); full != n || list != 0 || stat > n {
		t.Errorf("ls -lR cost %d snapshot + %d list + %d stat requests, want %d + 0 + ≤%d", full, list, stat, n, n)
	}
	checkDriveTree(t, d.dir, driveTruth(t, data), true)
}

// TestColdReadThroughput compares a cold sequential read through the mount
// with one direct HTTP download of the same file from the same emulator,
// under a simulated WAN. The ratio is logged; the strict comparison is the
// benchmark's job (make bench), not a timing assertion on a shared machine.
func TestColdReadThroughput(t *testing.T) {
	if testing.Short() {
		t.Skip("throughput comparison skipped in -short mode")
	}
	data := dataset.Generate(dataset.Spec{Seed: 5, Drives: 1, Depth: 1, DirsPerDir: 1, FilesPerDir: 1,
		BigFiles: []int64{256 << 20}, Mailboxes: 1, MessagesPerFolder: 1})
	srv, err := emulator.Start(emulator.Options{Data: data, Latency: 20 * time.Millisecond, Bandwidth: 100 << 20})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	node, rel := bigFile(t, data, 256<<20)

	tok := srv.IssueToken()
	start := time.Now()
	req, _ := http.NewRequest("GET", fmt.Sprintf("%s/2/drive/%d/files/%d/download", srv.URL(), node.DriveID, node.ID), nil)
	req.Header.Set("Authorization", "Bearer "+tok)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	n, err := io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	direct := time.Since(start)
	if err != nil || n != node.Size {
		t.Fatalf("direct download: %d bytes, %v", n, err)
	}

	d := mount(t, srv)
	start = time.Now()
	f, err := os.Open(filepath.Join(d.dir, rel))
	if err != nil {
		t.Fatal(err)
	}
	n, err = io.Copy(io.Discard, f)
	f.Close()
	viaMount := time.Since(start)
	if err != nil || n != node.Size {
		t.Fatalf("read through the mount: %d bytes, %v", n, err)
	}
	ratio := direct.Seconds() / viaMount.Seconds()
	t.Logf("cold sequential read of 256 MiB at 20 ms / 100 MiB/s: direct %v, mount %v, throughput ratio %.2f (target ≥ 0.8)", direct, viaMount, ratio)
}
