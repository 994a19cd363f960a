package cache

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestAccountDirSeparates(t *testing.T) {
	base := AccountDir("/c", "https://api.infomaniak.com", "https://mail.infomaniak.com", 42)
	if !strings.HasPrefix(base, "/c/accounts/api.infomaniak.com-42-") {
		t.Fatalf("AccountDir = %s: want the host and account readable", base)
	}
	others := map[string]string{
		"another account":  AccountDir("/c", "https://api.infomaniak.com", "https://mail.infomaniak.com", 43),
		"another API host": AccountDir("/c", "http://127.0.0.1:8080", "https://mail.infomaniak.com", 42),
		"another port":     AccountDir("/c", "http://127.0.0.1:8081", "https://mail.infomaniak.com", 42),
		"another mail":     AccountDir("/c", "https://api.infomaniak.com", "http://127.0.0.1:9", 42),
	}
	seen := map[string]string{base: "base"}
	for name, dir := range others {
		if prev, dup := seen[dir]; dup {
			t.Errorf("%s shares %s with %s", name, dir, prev)
		}
		seen[dir] = name
		if filepath.Dir(dir) != "/c/accounts" {
			t.Errorf("%s: %s escapes the accounts directory", name, dir)
		}
	}
	if d := AccountDir("/c", "http://../../etc:1", "", 1); filepath.Dir(d) != "/c/accounts" {
		t.Errorf("a hostile host escapes: %s", d)
	}
}

// TestPurgeDiskEveryAccount: logout empties every account's disk cache and
// the old single one, and leaves a busy one (a mount running) in place.
func TestPurgeDiskEveryAccount(t *testing.T) {
	dir := t.TempDir()
	a := AccountDir(dir, "https://api.infomaniak.com", "", 1)
	b := AccountDir(dir, "https://api.infomaniak.com", "", 2)
	for _, d := range []string{a, b, dir} {
		if err := os.MkdirAll(filepath.Join(d, "blocks", "ab"), 0o700); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(d, "blocks", "ab", "x"), []byte("x"), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	busy, err := OpenDisk(b, 1<<20, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer busy.Close()
	if err := PurgeDisk(dir); !errors.Is(err, ErrDiskCacheBusy) {
		t.Fatalf("PurgeDisk with a mount on b: %v, want ErrDiskCacheBusy", err)
	}
	for _, gone := range []string{filepath.Join(dir, "blocks"), a} {
		if _, err := os.Stat(gone); !errors.Is(err, os.ErrNotExist) {
			t.Errorf("%s survived the purge: %v", gone, err)
		}
	}
	if _, err := os.Stat(filepath.Join(b, "blocks")); err != nil {
		t.Errorf("the busy cache was removed: %v", err)
	}
}
