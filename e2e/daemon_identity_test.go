package e2e

import (
	"fmt"
	"maps"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/infomaniakfs/infomaniakfs/remote/emulator"
	"github.com/infomaniakfs/infomaniakfs/remote/emulator/dataset"
)

// TestDaemonMessageIdentityAcrossRemount: the same account on the same
// host, but its mail folders now hold other messages under the same folder
// ids and UIDs (as after a folder is deleted and recreated: UIDs start
// again). A remount over the old disk cache must read the new messages,
// never the cached bytes of the old ones.
func TestDaemonMessageIdentityAcrossRemount(t *testing.T) {
	cacheDir := t.TempDir()
	before := startLive(t, emulator.Options{Data: mailTree(t, "old")})
	d := mount(t, before, "--cache-dir", cacheDir)
	old := readMessages(t, d.dir)
	d.stop()
	before.down()

	after := startLiveAt(t, emulator.Options{Data: mailTree(t, "new")}, before.addr)
	d = mount(t, after, "--cache-dir", cacheDir)
	got := readMessages(t, d.dir)
	d.stop()
	d = mount(t, after, "--cache-dir", t.TempDir())
	want := readMessages(t, d.dir)
	if len(want) == 0 || maps.Equal(old, want) {
		t.Fatal("the two data sets have the same messages: the test tests nothing")
	}
	for p, sum := range want {
		if got[p] != sum {
			t.Errorf("%s: the bytes of the message cached before, not this one's", strings.TrimPrefix(p, d.dir))
		}
	}
}

// mailTree is a data set of one drive with one file and one mailbox whose
// INBOX holds UIDs 1 to 3, each message saying which generation it is of
// (same sizes for "old" and "new", other Message-IDs).
func mailTree(t *testing.T, gen string) *dataset.Dataset {
	t.Helper()
	dir := t.TempDir()
	inbox := filepath.Join(dir, "mail", "me@example.ch", "INBOX")
	drive := filepath.Join(dir, "kdrive", "Drive")
	for _, p := range []string{inbox, drive} {
		if err := os.MkdirAll(p, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.WriteFile(filepath.Join(drive, "a.txt"), []byte("a"), 0o644); err != nil {
		t.Fatal(err)
	}
	when := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	for uid := 1; uid <= 3; uid++ {
		raw := fmt.Sprintf("From: a@example.org\r\nSubject: message %d\r\nMessage-ID: <%d.%s@example.org>\r\n"+
			"Date: Fri, 2 Jan 2026 03:04:05 +0000\r\n\r\nthe %s body of message %d\r\n", uid, uid, gen, gen, uid)
		p := filepath.Join(inbox, fmt.Sprintf("%d.eml", uid))
		if err := os.WriteFile(p, []byte(raw), 0o644); err != nil {
			t.Fatal(err)
		}
		if err := os.Chtimes(p, when, when); err != nil {
			t.Fatal(err)
		}
	}
	data, err := dataset.Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// startLiveAt is startLive on a given address (one a stopped liveServer
// held), so a new data set answers where the old one did.
func startLiveAt(t *testing.T, o emulator.Options, addr string) *liveServer {
	t.Helper()
	l := &liveServer{Server: emulator.New(o), t: t, addr: addr, statuses: map[int]int64{}}
	var ln net.Listener
	var err error
	for range 50 {
		if ln, err = net.Listen("tcp", addr); err == nil {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	if err != nil {
		t.Fatal(err)
	}
	l.serve(ln)
	t.Cleanup(func() {
		l.down()
		l.Server.Close()
	})
	return l
}
