package e2e

import (
	"net/http"
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

// TestDaemonRetryAfterZero: the API answers every request with 429 and
// "Retry-After: 0" (or a reset time already past). The daemon must slow
// down, not spin: a few requests a second at most, whatever the hint. When
// the API accepts again, the reads complete with the right bytes.
func TestDaemonRetryAfterZero(t *testing.T) {
	data := dataset.Generate(faultSpec(31, 6))
	srv := startLive(t, emulator.Options{Data: data})
	d := mount(t, srv)
	files := smallFiles(t, data)
	if _, err := os.ReadDir(filepath.Join(d.dir, filepath.Dir(files[0].rel))); err != nil {
		t.Fatal(err)
	}
	var refused atomic.Int64
	srv.setHooks(nil, func(w http.ResponseWriter, r *http.Request) bool {
		if !isAPI(r.URL.Path) {
			return false
		}
		if refused.Add(1)%2 == 0 {
			w.Header().Set("Retry-After", "0")
		} else {
			w.Header().Set("X-RateLimit-Reset", strconv.FormatInt(time.Now().Unix()-10, 10))
		}
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusTooManyRequests)
		_, _ = w.Write([]byte(`{"result":"error","error":{"code":"too_many_requests","description":"slow down"}}`))
		return true
	})
	var wg sync.WaitGroup
	for _, f := range files[:3] {
		wg.Go(func() {
			b, err := os.ReadFile(filepath.Join(d.dir, f.rel))
			if err != nil && !isErrno(err, syscall.EIO) {
				t.Errorf("%s: %v, want the bytes or EIO", f.rel, err)
			} else if err == nil && int64(len(b)) != f.node.Size {
				t.Errorf("%s: wrong size %d", f.rel, len(b))
			}
		})
	}
	const window = 4 * time.Second
	time.Sleep(window)
	n := refused.Load()
	srv.setHooks(nil, nil)
	wg.Wait()
	t.Logf("%d requests refused with a zero wait in %s", n, window)
	// Three reads in parallel; each 429 holds every caller back at least
	// a second: about one request a second, never a loop.
	if limit := int64(3 * (window/time.Second + 1)); n > limit {
		t.Errorf("%d requests in %s answered 429 Retry-After 0: the daemon spins (limit %d)", n, window, limit)
	}
	if n == 0 {
		t.Error("no request reached the 429 hook: the test tests nothing")
	}
	for _, f := range files[:3] {
		checkFile(t, d.dir, f)
	}
}
