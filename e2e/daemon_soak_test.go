package e2e

import (
	"crypto/sha256"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/infomaniakfs/infomaniakfs/remote/emulator"
	"github.com/infomaniakfs/infomaniakfs/remote/emulator/dataset"
)

// TestFaultSoakOutages: the network goes away and comes back several
// times while readers go on and files change on the server. No read hangs
// past its bound, none returns wrong bytes (any version the file had is
// right; EIO is allowed while the service is away), the daemon's open
// files do not grow, and once the service is back every file reads right.
func TestFaultSoakOutages(t *testing.T) {
	const (
		timeout = 2 * time.Second
		cycles  = 4
		phase   = 3 * time.Second
		bound   = 4*timeout + 3*time.Second
	)
	data := dataset.Generate(faultSpec(37, 12, 5<<20))
	srv := startLive(t, emulator.Options{Data: data})
	d := mount(t, srv, "--dir-cache-time", "1s", "--attr-timeout", "1s", "--timeout", timeout.String())
	files := append(smallFiles(t, data), bigFiles(t, data)...)
	dr := data.Drives()[0]

	var mu sync.Mutex
	sums := map[string]map[[32]byte]bool{} // every version each file had
	for _, f := range files {
		sums[f.rel] = map[[32]byte]bool{f.sum: true}
	}
	readAllOnce(t, d.dir, files)
	fds0 := openFiles(t, d.cmd.Process.Pid)

	stop := make(chan struct{})
	var reads, failed atomic.Int64
	var wg sync.WaitGroup
	for r := range 4 {
		wg.Go(func() {
			rng := rand.New(rand.NewPCG(uint64(r), 37))
			for {
				select {
				case <-stop:
					return
				default:
				}
				f := files[rng.IntN(len(files))]
				took, err := timed(func() error {
					b, err := os.ReadFile(filepath.Join(d.dir, f.rel))
					if err != nil {
						return err
					}
					mu.Lock()
					ok := sums[f.rel][sha256.Sum256(b)]
					mu.Unlock()
					if !ok {
						t.Errorf("%s: wrong bytes (%d read)", f.rel, len(b))
					}
					return nil
				})
				reads.Add(1)
				if err != nil {
					failed.Add(1)
				}
				if err != nil && !isErrno(err, syscall.EIO) && !isErrno(err, syscall.ENOENT) {
					t.Errorf("%s: %v, want the bytes or EIO", f.rel, err)
				}
				if took > bound {
					t.Errorf("%s: read took %s (bound %s)", f.rel, took, bound)
				}
			}
		})
	}
	// The server changes one file a cycle, as a live drive would.
	for c := range cycles {
		time.Sleep(phase)
		f := files[c%len(files)]
		_, err := data.ModifyFile(dr.ID, f.node.ID, f.node.Size+int64(c+1))
		if err != nil {
			t.Fatal(err)
		}
		mu.Lock()
		sums[f.rel][sha256.Sum256(content(t, data, dr.ID, f.node.ID))] = true
		mu.Unlock()
		srv.down()
		time.Sleep(phase)
		srv.up()
	}
	close(stop)
	wg.Wait()
	t.Logf("%d reads across %d outages, %d failed", reads.Load(), cycles, failed.Load())
	if reads.Load()-failed.Load() < int64(cycles) {
		t.Errorf("%d reads succeeded of %d: the readers did not run", reads.Load()-failed.Load(), reads.Load())
	}

	// Back online: every file reads right, in its current version.
	deadline := time.Now().Add(15 * time.Second)
	for _, f := range files {
		want := sha256.Sum256(content(t, data, dr.ID, f.node.ID))
		for {
			b, err := os.ReadFile(filepath.Join(d.dir, f.rel))
			if err == nil && sha256.Sum256(b) == want {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("service back: %s: %v, or not its current bytes", f.rel, err)
			}
			time.Sleep(200 * time.Millisecond)
		}
	}
	// Idle connections come and go; a leak grows with every cycle.
	if fds := openFiles(t, d.cmd.Process.Pid); fds > fds0+8 {
		t.Errorf("the daemon holds %d open files after %d outages, %d before", fds, cycles, fds0)
	}
}

func readAllOnce(t *testing.T, mnt string, files []remoteFile) {
	t.Helper()
	for _, f := range files {
		checkFile(t, mnt, f)
	}
}

// openFiles counts the descriptors a process holds.
func openFiles(t *testing.T, pid int) int {
	t.Helper()
	des, err := os.ReadDir(filepath.Join("/proc", strconv.Itoa(pid), "fd"))
	if err != nil {
		t.Fatal(err)
	}
	return len(des)
}
