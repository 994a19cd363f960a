package e2e

import (
	"crypto/sha256"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/infomaniakfs/infomaniakfs/remote/emulator"
	"github.com/infomaniakfs/infomaniakfs/remote/emulator/dataset"
)

// readAll reads every file concurrently through the mount and checks the
// bytes of each.
func readAll(t *testing.T, mnt string, files []remoteFile) {
	t.Helper()
	var wg sync.WaitGroup
	for _, f := range files {
		wg.Go(func() { checkFile(t, mnt, f) })
	}
	wg.Wait()
}

// TestFault429Storm: 60 files read at once against an API that accepts 20
// requests a second. The daemon paces itself just under that limit: every
// read completes with the right bytes, the emulator never accepted more
// than its limit, and the daemon did not hammer it with rejected requests.
func TestFault429Storm(t *testing.T) {
	const perSec, burst = 20, 5
	data := dataset.Generate(faultSpec(11, 60))
	srv := startLive(t, emulator.Options{Data: data})
	srv.SetRate(perSec, burst)
	// --archive-max 0: one download per file, else the files come in one
	// archive and there is no storm to pace.
	d := mount(t, srv, "--rate", "18", "--burst", "5", "--archive-max", "0")
	files := smallFiles(t, data)
	if _, err := os.ReadDir(filepath.Join(d.dir, filepath.Dir(files[0].rel))); err != nil {
		t.Fatal(err)
	}
	before := srv.status(http.StatusTooManyRequests)
	srv.ResetCounts()
	took, _ := timed(func() error { readAll(t, d.dir, files); return nil })

	total := int64(0)
	for _, n := range srv.Counts() {
		total += n
	}
	rejected := srv.status(http.StatusTooManyRequests) - before
	api := total - srv.Count("content")
	t.Logf("%d files in %s: %d requests (%d API: %d download), %d answered 429 (%d during mount)",
		len(files), took, total, api, srv.Count("download"), rejected, before)
	// The emulator's own bucket is the limit; measured over whole seconds
	// it admits at most perSec per second plus the burst.
	for _, w := range []time.Duration{time.Second, 2 * time.Second} {
		if got, limit := srv.maxAccepted(w), int(w.Seconds())*perSec+burst; got > limit {
			t.Errorf("%d API requests accepted within %s, limit %d", got, w, limit)
		}
	}
	// Not spinning: each file costs one download and one content request;
	// 429s, if any, stay a small fraction.
	if n := srv.Count("download"); n > int64(len(files))+rejected {
		t.Errorf("%d download requests for %d files and %d 429s", n, len(files), rejected)
	}
	// The client's pace and the server's bucket are not in phase, so a few
	// 429s are expected; each pauses every caller for its Retry-After.
	if rejected > int64(len(files))/2 {
		t.Errorf("%d requests answered 429 while the daemon paced itself", rejected)
	}
	if ideal := time.Duration(float64(api) / perSec * float64(time.Second)); took > 2*ideal+2*time.Second {
		t.Errorf("the reads took %s; %d API requests at %d/s need %s", took, api, perSec, ideal)
	}
}

// TestFault429StormUnpaced: the same storm without --rate. The daemon only
// learns the limit from 429s; reads must still come out right or fail
// cleanly, and the 429s stay bounded by the retry budget.
func TestFault429StormUnpaced(t *testing.T) {
	const perSec, burst = 20, 5
	data := dataset.Generate(faultSpec(12, 60))
	srv := startLive(t, emulator.Options{Data: data})
	d := mount(t, srv, "--archive-max", "0") // one download per file: a storm
	files := smallFiles(t, data)
	if _, err := os.ReadDir(filepath.Join(d.dir, filepath.Dir(files[0].rel))); err != nil {
		t.Fatal(err)
	}
	srv.SetRate(perSec, burst)
	var mu sync.Mutex
	var failed []string
	var wg sync.WaitGroup
	for _, f := range files {
		wg.Go(func() {
			b, err := os.ReadFile(filepath.Join(d.dir, f.rel))
			switch {
			case err != nil && !isErrno(err, syscall.EIO):
				t.Errorf("%s: %v, want the bytes or EIO", f.rel, err)
			case err != nil:
				mu.Lock()
				failed = append(failed, f.rel)
				mu.Unlock()
			case int64(len(b)) != f.node.Size || sha256.Sum256(b) != f.sum:
				t.Errorf("%s: wrong bytes", f.rel)
			}
		})
	}
	wg.Wait()
	rejected := srv.status(http.StatusTooManyRequests)
	t.Logf("unpaced: %d of %d reads failed with EIO; %d answered 429, %d downloads", len(failed), len(files), rejected, srv.Count("download"))
	// Six attempts per request at most, and the backoff is shared.
	if limit := int64(6 * len(files)); rejected > limit {
		t.Errorf("%d 429s for %d files: the daemon spins", rejected, len(files))
	}
	if len(failed) > 0 {
		// A 429 asks the caller to wait, not to give up.
		t.Errorf("%d of %d reads failed with EIO (e.g. %s)",
			len(failed), len(files), failed[0])
	}
}

// TestFault5xxAndResets: 500 bursts and connections cut mid-body, on the
// content host and the API; every read comes out exact, and a cut body is
// resumed from the byte where it broke, not from the start.
func TestFault5xxAndResets(t *testing.T) {
	const size = 5<<20 + 12345 // two blocks: 4 MiB and the rest
	data := dataset.Generate(faultSpec(13, 0, size, size+1, size+2, size+3, size+4))
	srv := startLive(t, emulator.Options{Data: data})
	var ranges rangeLog
	srv.setHooks(ranges.add, nil)
	d := mount(t, srv)
	big := bigFiles(t, data)
	if len(big) != 5 {
		t.Fatalf("%d big files", len(big))
	}
	cases := []struct {
		name   string
		faults []emulator.Fault
		resume bool // a cut body must be resumed mid-block
	}{
		{"500 on content", []emulator.Fault{{Endpoint: "content", Kind: emulator.Fault500, Times: 3}}, false},
		{"500 on download", []emulator.Fault{{Endpoint: "download", Kind: emulator.Fault500, Times: 3}}, false},
		{"reset on content", []emulator.Fault{{Endpoint: "content", Kind: emulator.FaultReset, Times: 2}}, true},
		{"reset after 500", []emulator.Fault{
			{Endpoint: "content", Kind: emulator.Fault500, Times: 1},
			{Endpoint: "content", Kind: emulator.FaultReset, Skip: 1, Times: 2},
		}, true},
		{"reset on download", []emulator.Fault{{Endpoint: "download", Kind: emulator.FaultReset, Times: 2}}, false},
	}
	for i, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			f := big[i]
			srv.ClearFaults()
			srv.ResetCounts()
			ranges.reset()
			for _, fl := range c.faults {
				srv.AddFault(fl)
			}
			checkFile(t, d.dir, f)
			srv.ClearFaults()
			t.Logf("content requests %d, download %d, ranges %v", srv.Count("content"), srv.Count("download"), ranges.get())
			if srv.Count("content")+srv.Count("download") <= 4 {
				t.Errorf("the faults did not fire (%v)", srv.Counts())
			}
			if c.resume && !ranges.resumedMidBlock(4<<20) {
				t.Errorf("no request resumed inside a block after a cut: ranges %v", ranges.get())
			}
		})
	}
}

// rangeLog records the Range header of every content request.
type rangeLog struct {
	mu     sync.Mutex
	ranges []string
}

func (r *rangeLog) add(req *http.Request) {
	r.mu.Lock()
	r.ranges = append(r.ranges, req.Header.Get("Range"))
	r.mu.Unlock()
}

func (r *rangeLog) reset() { r.mu.Lock(); r.ranges = nil; r.mu.Unlock() }

func (r *rangeLog) get() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]string(nil), r.ranges...)
}

// resumedMidBlock: some request started at an offset that is not a block
// boundary, which only a resumption asks for.
func (r *rangeLog) resumedMidBlock(block int64) bool {
	for _, v := range r.get() {
		a, _, _ := strings.Cut(strings.TrimPrefix(v, "bytes="), "-")
		if off, err := strconv.ParseInt(a, 10, 64); err == nil && off%block != 0 {
			return true
		}
	}
	return false
}
