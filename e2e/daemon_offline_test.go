package e2e

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/infomaniakfs/infomaniakfs/remote/emulator"
	"github.com/infomaniakfs/infomaniakfs/remote/emulator/dataset"
)

// TestDaemonOutagePastTTL: Infomaniak goes away for longer than the
// listing and attribute TTLs. What was seen stays usable: the folder
// listed before still lists, the file read before still reads (right
// bytes), df answers at once with the last known quota; a file never read
// fails with EIO within --timeout. The log says "offline" once, then
// "online again" once the service is back, and the mount revalidates by
// itself (a file added meanwhile shows up).
func TestDaemonOutagePastTTL(t *testing.T) {
	const timeout = 3 * time.Second
	data := dataset.Generate(faultSpec(34, 4))
	srv := startLive(t, emulator.Options{Data: data})
	d := mount(t, srv, "--dir-cache-time", "1s", "--attr-timeout", "1s", "--timeout", timeout.String())
	small := smallFiles(t, data)
	seen, cold := small[0], small[1]
	dir := filepath.Join(d.dir, filepath.Dir(seen.rel))
	before, err := names(dir)
	if err != nil {
		t.Fatal(err)
	}
	checkFile(t, d.dir, seen)
	var fs0 syscall.Statfs_t
	if err := syscall.Statfs(d.dir, &fs0); err != nil || fs0.Blocks == 0 {
		t.Fatalf("statfs before the outage: %v, %d blocks", err, fs0.Blocks)
	}

	srv.down()
	time.Sleep(1500 * time.Millisecond) // every TTL has passed
	ops := []struct {
		name string
		op   func() error
	}{
		{"listing", func() error {
			got, err := names(dir)
			if err == nil && !slices.Equal(got, before) {
				t.Errorf("stale listing %v, want %v", got, before)
			}
			return err
		}},
		{"stat", func() error { _, err := os.Stat(filepath.Join(d.dir, seen.rel)); return err }},
		{"read of a cached file", func() error { checkFile(t, d.dir, seen); return nil }},
		{"df", func() error {
			var st syscall.Statfs_t
			err := syscall.Statfs(d.dir, &st)
			if err == nil && st.Blocks != fs0.Blocks {
				t.Errorf("df during the outage: %d blocks, want the last known %d", st.Blocks, fs0.Blocks)
			}
			return err
		}},
	}
	for round := range 2 { // the first round finds the outage, the second knows it
		for _, o := range ops {
			took, err := timed(o.op)
			if err != nil {
				t.Errorf("offline, round %d: %s: %v, want it served from the cache", round, o.name, err)
			}
			if round == 1 && took > time.Second {
				t.Errorf("offline: %s took %s, want it at once", o.name, took)
			}
		}
	}
	took, err := timed(func() error { _, err := os.ReadFile(filepath.Join(d.dir, cold.rel)); return err })
	t.Logf("offline: uncached read failed after %s: %v", took, err)
	if !isErrno(err, syscall.EIO) {
		t.Errorf("offline: uncached read: %v, want EIO", err)
	}
	if took > timeout+2*time.Second {
		t.Errorf("offline: uncached read took %s to fail (--timeout %s)", took, timeout)
	}
	if n := strings.Count(d.log.String(), "offline: serving cached data since"); n != 1 {
		t.Errorf("%d offline lines in the log, want 1\n%s", n, d.log)
	}

	added, err := data.AddFile(data.Drives()[0].ID, seen.node.ParentID, "during-outage.txt", 10)
	if err != nil {
		t.Fatal(err)
	}
	srv.up()
	deadline := time.Now().Add(15 * time.Second)
	for {
		got, err := names(dir)
		if err == nil && slices.Contains(got, added.Name) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("service back: the listing did not revalidate: %v, %v\n%s", got, err, d.log)
		}
		time.Sleep(200 * time.Millisecond)
	}
	checkFile(t, d.dir, cold)
	if n := strings.Count(d.log.String(), "online again"); n != 1 {
		t.Errorf("%d online lines in the log, want 1\n%s", n, d.log)
	}
}

func names(dir string) ([]string, error) {
	des, err := os.ReadDir(dir)
	var out []string
	for _, de := range des {
		out = append(out, de.Name())
	}
	return out, err
}
