package e2e

import (
	"crypto/sha256"
	"os"
	"path/filepath"
	"testing"

	"github.com/infomaniakfs/infomaniakfs/remote/emulator"
	"github.com/infomaniakfs/infomaniakfs/remote/emulator/dataset"
)

// apiRequests is every request the emulator served but the content
// downloads the API redirects to (those are no API calls), as the
// benchmark counts them.
func apiRequests(srv *emulator.Server) int64 {
	var n int64
	for k, v := range srv.Counts() {
		if k != emulator.EpContent {
			n += v
		}
	}
	return n
}

// copySmall copies Private/small out of the mount with cp -r and checks
// every file's bytes against the data set.
func copySmall(t *testing.T, data *dataset.Dataset, mnt string) {
	t.Helper()
	dr := data.Drives()[0]
	src := filepath.Join(mnt, "kDrive", dr.Name, "Private", "small")
	dst := filepath.Join(t.TempDir(), "copy")
	run(t, "cp", "-r", src, dst)
	files := smallFiles(t, data)
	for _, f := range files {
		got, err := os.ReadFile(filepath.Join(dst, f.node.Name))
		if err != nil {
			t.Fatal(err)
		}
		if sha256.Sum256(got) != f.sum || int64(len(got)) != f.node.Size {
			t.Fatalf("%s: %d bytes, not the remote's %d", f.rel, len(got), f.node.Size)
		}
	}
	if ents, _ := os.ReadDir(dst); len(ents) != len(files) {
		t.Fatalf("copied %d files, want %d", len(ents), len(files))
	}
}

// cp -r of a folder of small files costs a handful of API requests (its
// files come in one archive), and the bytes are the files' own. With the
// archive download cut mid-body for ever (it is resumed by Range, then
// given up) or failing outright (500), the copy is still exact: what the
// archive did not bring is fetched file by file.
func TestArchiveCopy(t *testing.T) {
	const n = 300
	for _, c := range []struct {
		name  string
		fault emulator.FaultKind
	}{{"archive", 0}, {"archive_cut", emulator.FaultReset}, {"archive_500", emulator.Fault500}} {
		t.Run(c.name, func(t *testing.T) {
			data := dataset.Generate(dataset.Spec{Seed: 11, Drives: 1, Depth: 1, DirsPerDir: 1, FilesPerDir: 2,
				SmallFiles: n, SmallFileSize: 16 << 10, Mailboxes: 1, MessagesPerFolder: 1})
			srv := serve(t, data)
			d := mount(t, srv)
			if c.fault != 0 {
				srv.AddFault(emulator.Fault{Endpoint: emulator.EpArchiveDownload, Kind: c.fault})
			}
			srv.ResetCounts()
			copySmall(t, data, d.dir)
			counts := srv.Counts()
			t.Logf("cp -r of %d × 16 KiB: %d API requests %v", n, apiRequests(srv), counts)
			if counts[emulator.EpArchiveBuild] == 0 {
				t.Errorf("no archive asked")
			}
			if got := apiRequests(srv); c.fault == 0 && got > 20 {
				t.Errorf("cp -r of %d small files cost %d API requests, want ≤ 20", n, got)
			}
		})
	}
}
