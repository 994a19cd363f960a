package e2e

import (
	"bytes"
	"crypto/rand"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/infomaniakfs/infomaniakfs/remote/emulator"
)

// TestRWKill9MidUpload: the daemon is killed with -9 at several points of
// an upload (refused and retrying, mid-chunks, at the session's finish,
// mid direct upload); the server then holds the old version or the new
// one, never a torn file, and the next mount completes the upload.
func TestRWKill9MidUpload(t *testing.T) {
	for _, tc := range []struct {
		name     string
		endpoint string
		kind     emulator.FaultKind
		size     int
	}{
		{"retrying", emulator.EpUpload, emulator.Fault500, 1 << 20},
		{"direct", emulator.EpUpload, emulator.FaultStall, 1 << 20},
		{"chunks", emulator.EpSessionChunk, emulator.FaultStall, 40 << 20},
		{"finish", emulator.EpSessionFinish, emulator.FaultStall, 40 << 20},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newRW(t)
			old := []byte("the old version")
			if err := os.WriteFile(e.mnt("victim"), old, 0o644); err != nil {
				t.Fatal(err)
			}
			waitFile(t, e.server("victim"), old, 20*time.Second)
			e.srv.AddFault(emulator.Fault{Endpoint: tc.endpoint, Kind: tc.kind})
			e.srv.ResetCounts()
			fresh := make([]byte, tc.size)
			rand.Read(fresh)
			if err := os.WriteFile(e.mnt("victim"), fresh, 0o644); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(e.mnt("new"), fresh, 0o644); err != nil {
				t.Fatal(err)
			}
			deadline := time.Now().Add(20 * time.Second)
			for e.srv.Count(tc.endpoint) == 0 && time.Now().Before(deadline) {
				time.Sleep(10 * time.Millisecond)
			}
			if e.srv.Count(tc.endpoint) == 0 {
				t.Fatalf("the upload never reached %s", tc.endpoint)
			}
			e.d.kill9(t)
			got, err := os.ReadFile(e.server("victim"))
			if err != nil || !(bytes.Equal(got, old) || bytes.Equal(got, fresh)) {
				t.Fatalf("after kill -9 the server holds %d bytes of victim (%v): torn\n%s", len(got), err, e.d.log)
			}
			if got, err := os.ReadFile(e.server("new")); err == nil && !bytes.Equal(got, fresh) {
				t.Fatalf("after kill -9 the server holds a torn new file (%d bytes)", len(got))
			}
			e.srv.ClearFaults()
			e.d = e.mount(t) // resumes the journal
			waitFile(t, e.server("victim"), fresh, 60*time.Second)
			waitFile(t, e.server("new"), fresh, 60*time.Second)
			if got, _ := os.ReadFile(e.mnt("victim")); !bytes.Equal(got, fresh) {
				t.Fatal("the remount does not show the new version")
			}
			ents, _ := os.ReadDir(e.server())
			for _, d := range ents {
				if d.Name() != "victim" && d.Name() != "new" && bytes.Contains([]byte(d.Name()), []byte("conflict")) {
					t.Errorf("a conflict copy %q was made of our own upload", d.Name())
				}
			}
		})
	}
}

// TestRWUnmountLeavesQueue: with --unmount-wait 0 an unmount leaves what
// could not be uploaded for the next mount, which uploads it.
func TestRWUnmountLeavesQueue(t *testing.T) {
	e := newRW(t, "--unmount-wait", "0")
	e.srv.AddFault(emulator.Fault{Endpoint: emulator.EpUpload, Kind: emulator.Fault500})
	body := []byte("left for the next mount")
	if err := os.WriteFile(e.mnt("later.txt"), body, 0o644); err != nil {
		t.Fatal(err)
	}
	e.d.stop() // does not wait: the queue keeps it
	if !strings.Contains(e.d.log.String(), "uploads left for the next mount") {
		t.Errorf("the unmount does not say what it left:\n%s", e.d.log)
	}
	if _, err := os.Stat(e.server("later.txt")); err == nil {
		t.Fatal("uploaded despite the fault")
	}
	e.srv.ClearFaults()
	e.d = e.mount(t)
	waitFile(t, e.server("later.txt"), body, 30*time.Second)
}
