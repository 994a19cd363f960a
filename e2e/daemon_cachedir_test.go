package e2e

import (
	"path/filepath"
	"testing"

	"github.com/infomaniakfs/infomaniakfs/remote/emulator"
	"github.com/infomaniakfs/infomaniakfs/remote/emulator/dataset"
)

// TestDaemonCacheDirPerAccountAndHost: two services (two emulators, as a
// real and a test API would be) mounted in turn over one --cache-dir.
// Their ids coincide (drive 1, the same item ids), their bytes do not:
// each mount reads its own service's bytes, from a directory of its own
// (the third mount, on the first data at a new address, gets a third).
func TestDaemonCacheDirPerAccountAndHost(t *testing.T) {
	cacheDir := t.TempDir()
	for i, seed := range []int64{35, 36, 35} {
		data := dataset.Generate(faultSpec(seed, 3))
		srv := startLive(t, emulator.Options{Data: data})
		d := mount(t, srv, "--cache-dir", cacheDir)
		for _, f := range smallFiles(t, data) {
			checkFile(t, d.dir, f)
		}
		d.stop()
		dirs, _ := filepath.Glob(filepath.Join(cacheDir, "accounts", "*"))
		if len(dirs) != i+1 {
			t.Fatalf("after mount %d: %d account directories, want %d: %v", i+1, len(dirs), i+1, dirs)
		}
	}
}
