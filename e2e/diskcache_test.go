package e2e

import (
	"crypto/sha256"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/infomaniakfs/infomaniakfs/remote/emulator"
	"github.com/infomaniakfs/infomaniakfs/remote/emulator/dataset"
)

// TestDiskCacheAcrossRemount: what one mount read, the next mount reads
// from --cache-dir without a download, with the server gone even; a file
// changed in between is fetched anew, never served from its old blocks.
func TestDiskCacheAcrossRemount(t *testing.T) {
	data := dataset.Generate(faultSpec(21, 3, 3*4<<20+777))
	srv := startLive(t, emulator.Options{Data: data})
	cacheDir := t.TempDir()
	files := append(bigFiles(t, data), smallFiles(t, data)...)

	d := mount(t, srv, "--cache-dir", cacheDir)
	for _, f := range files {
		checkFile(t, d.dir, f)
	}
	mail := readMessages(t, d.dir)
	d.stop() // writes what is queued before it exits

	// Unchanged: every byte from the disk, none from the server.
	downloads := srv.Count("download")
	d = mount(t, srv, "--cache-dir", cacheDir, "--timeout", "3s")
	for _, f := range files { // names and sizes come from the API
		if _, err := os.Stat(filepath.Join(d.dir, f.rel)); err != nil {
			t.Fatal(err)
		}
	}
	raws := srv.Count(emulator.EpMailRaw)
	if again := readMessages(t, d.dir); !maps.Equal(again, mail) {
		t.Error("messages differ after a remount")
	}
	srv.down()
	for _, f := range files {
		checkFile(t, d.dir, f)
	}
	srv.up()
	if n := srv.Count("download") - downloads; n != 0 {
		t.Errorf("%d downloads after a remount over a full disk cache", n)
	}
	if n := srv.Count(emulator.EpMailRaw) - raws; n != 0 {
		t.Errorf("%d message downloads after a remount over a full disk cache", n)
	}
	d.stop()

	// Changed on the server: new bytes, not the cached ones.
	dr := data.Drives()[0]
	changed := []remoteFile{files[0], files[1]}
	for i, f := range changed {
		if _, err := data.ModifyFile(dr.ID, f.node.ID, f.node.Size-int64(i)); err != nil {
			t.Fatal(err)
		}
		f.node.Size -= int64(i)
		f.sum = sha256.Sum256(content(t, data, dr.ID, f.node.ID))
		changed[i] = f
	}
	d = mount(t, srv, "--cache-dir", cacheDir)
	for _, f := range changed {
		checkFile(t, d.dir, f)
	}
	// Every block file carries the user's bytes: private to the user. They
	// live in the account's own directory (host, account id).
	accounts, _ := filepath.Glob(filepath.Join(cacheDir, "accounts", "*", "blocks"))
	if len(accounts) != 1 {
		t.Fatalf("%d account directories with blocks in the cache dir, want 1: %v", len(accounts), accounts)
	}
	blocks := filepath.Join(cacheDir, "accounts")
	filepath.Walk(blocks, func(p string, info os.FileInfo, err error) error {
		if err == nil && info.Mode().Perm()&0o077 != 0 {
			t.Errorf("%s: mode %v", p, info.Mode())
		}
		return nil
	})
}

// readMessages lists every mail folder with sizes (ls -l) and reads every
// .eml, checking each size against its bytes; it returns their hashes.
func readMessages(t *testing.T, mnt string) map[string][32]byte {
	t.Helper()
	out := map[string][32]byte{}
	err := filepath.WalkDir(filepath.Join(mnt, "Mail"), func(p string, e fs.DirEntry, err error) error {
		if err != nil || e.IsDir() || !strings.HasSuffix(p, ".eml") {
			return err
		}
		info, err := e.Info()
		if err != nil {
			return err
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		if int64(len(b)) != info.Size() {
			t.Errorf("%s: stat says %d bytes, read %d", p, info.Size(), len(b))
		}
		out[strings.TrimPrefix(p, mnt)] = sha256.Sum256(b)
		return nil
	})
	if err != nil || len(out) == 0 {
		t.Fatalf("%d messages: %v", len(out), err)
	}
	return out
}
