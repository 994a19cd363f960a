package e2e

import (
	"os"
	"testing"
)

// TestRWFioVerify: fio writes at random offsets through the mount and
// verifies every block it reads back; after the unmount, fio verifies the
// server's copy of the file the same way.
func TestRWFioVerify(t *testing.T) {
	needTool(t, "fio")
	e := newRW(t)
	if err := os.Mkdir(e.mnt("fio"), 0o755); err != nil {
		t.Fatal(err)
	}
	args := func(file string) []string {
		return []string{"--name=verify", "--filename=" + file, "--rw=randwrite", "--bs=4k", "--size=8m",
			"--ioengine=psync", "--fallocate=none", "--verify=crc32c", "--verify_fatal=1",
			"--randseed=42", "--end_fsync=1"}
	}
	run(t, "fio", args(e.mnt("fio", "data"))...)
	e.d.stop()
	run(t, "fio", append(args(e.server("fio", "data")), "--verify_only")...)
}
