package e2e

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/infomaniakfs/infomaniakfs/remote/emulator"
	"github.com/infomaniakfs/infomaniakfs/remote/emulator/dataset"
)

// mailRequests sums the emulator's Mail API counters.
func mailRequests(srv *emulator.Server) int64 {
	var n int64
	for name, c := range srv.Counts() {
		if strings.HasPrefix(name, "mail.") {
			n += c
		}
	}
	return n
}

// `ls -l` of a folder costs its listing (one UID list, one request per 200
// messages) and no download: stat reports the listed size.
func TestMailListingBudget(t *testing.T) {
	const n = 1000
	data := dataset.Generate(dataset.Spec{Seed: 11, Drives: 1, Depth: 1, DirsPerDir: 1, FilesPerDir: 1,
		Mailboxes: 1, MessagesPerFolder: n})
	srv := serve(t, data)
	d := mount(t, srv, "--mail-poll", "0")
	mb := data.Mailboxes()[0]
	box := filepath.Join(d.dir, "Mail", mb.Email)
	if _, err := os.ReadDir(box); err != nil { // resolve the path first
		t.Fatal(err)
	}
	srv.ResetCounts()
	out := run(t, "ls", "-l", filepath.Join(box, "INBOX"))
	if got := strings.Count(out, ".eml\n"); got != n {
		t.Fatalf("ls -l shows %d messages, want %d", got, n)
	}
	want := int64(1 + (n+199)/200)
	if got := mailRequests(srv); got > want+2 {
		t.Errorf("ls -l of %d messages cost %d Mail API requests %v, want ≤ %d", n, got, srv.Counts(), want+2)
	}
	if got := srv.Count(emulator.EpMailRaw); got != 0 {
		t.Errorf("ls -l of %d messages downloaded %d of them, want 0", n, got)
	}
}

// inbox returns the INBOX of the first mailbox of a mount and its messages.
func inbox(t *testing.T, mnt string, data *dataset.Dataset) (string, map[string][]byte) {
	t.Helper()
	mb := data.Mailboxes()[0]
	folders, _ := data.Folders(mb.UUID)
	for _, f := range folders {
		if f.Path != "INBOX" {
			continue
		}
		dir := filepath.Join(mnt, "Mail", mb.Email, "INBOX")
		ents, err := os.ReadDir(dir)
		if err != nil {
			t.Fatal(err)
		}
		want := map[string][]byte{}
		for _, e := range ents {
			m := uidInName.FindStringSubmatch(e.Name())
			if m == nil {
				continue
			}
			uid, _ := strconv.ParseInt(m[1], 10, 64)
			raw, ok := data.Raw(mb.UUID, f.ID, uid)
			if !ok {
				t.Fatalf("%s: no such message", e.Name())
			}
			want[e.Name()] = raw
		}
		if len(want) == 0 {
			t.Fatal("INBOX shows no message")
		}
		return dir, want
	}
	t.Fatal("no INBOX")
	return "", nil
}

// Whatever the listed size says (the emulator's skew knob), reads are exact:
// cat and cp get the real bytes, and stat after a read tells the truth.
func TestMailSizeSkewReadsExact(t *testing.T) {
	for _, skew := range []int64{0, +17, -7} {
		t.Run("skew"+strconv.FormatInt(skew, 10), func(t *testing.T) {
			data := dataset.Generate(dataset.Spec{Seed: 12, Drives: 1, Depth: 1, DirsPerDir: 1, FilesPerDir: 1,
				Mailboxes: 1, MessagesPerFolder: 4})
			srv := serve(t, data)
			srv.SetMailSizeSkew(skew)
			d := mount(t, srv, "--mail-poll", "0")
			dir, want := inbox(t, d.dir, data)
			for name, raw := range want {
				p := filepath.Join(dir, name)
				fi, err := os.Stat(p)
				if err != nil {
					t.Fatal(err)
				}
				if fi.Size() != int64(len(raw))+skew {
					t.Errorf("%s: stat before a read %d, want the listed %d", name, fi.Size(), int64(len(raw))+skew)
				}
				if got := []byte(run(t, "cat", p)); !bytes.Equal(got, raw) {
					t.Errorf("%s: cat gave %d bytes, want %d exact", name, len(got), len(raw))
				}
				if fi, err = os.Stat(p); err != nil || fi.Size() != int64(len(raw)) {
					t.Errorf("%s: stat after the read %d (%v), want %d", name, fi.Size(), err, len(raw))
				}
			}
			if n := srv.Count(emulator.EpMailRaw); n != int64(len(want)) {
				t.Errorf("%d downloads for %d messages, want each once", n, len(want))
			}
		})
	}
}

// A copy made before anything was read: cp, tar and rsync stat first (the
// listed size), then open and fstat; the open corrects the size, so each
// copies the exact bytes and tar says nothing. (Without the correction tar
// pads with zeros, "File shrank by 17 bytes", and rsync fails.)
func TestMailSizeSkewCopies(t *testing.T) {
	for _, skew := range []int64{0, +17, -7} {
		t.Run("skew"+strconv.FormatInt(skew, 10), func(t *testing.T) {
			data := dataset.Generate(dataset.Spec{Seed: 13, Drives: 1, Depth: 1, DirsPerDir: 1, FilesPerDir: 1,
				Mailboxes: 1, MessagesPerFolder: 4})
			srv := serve(t, data)
			srv.SetMailSizeSkew(skew)

			d := mount(t, srv, "--mail-poll", "0")
			dir, want := inbox(t, d.dir, data)
			run(t, "ls", "-l", dir) // the kernel holds every listed size
			dst := t.TempDir()
			run(t, "cp", "-r", dir, dst)
			checkCopy(t, filepath.Join(dst, "INBOX"), want)

			d = mount(t, srv, "--mail-poll", "0")
			dir, _ = inbox(t, d.dir, data)
			run(t, "ls", "-l", dir)
			archive := filepath.Join(t.TempDir(), "inbox.tar")
			tarOut, err := exec.Command("tar", "-cf", archive, "-C", filepath.Dir(dir), "INBOX").CombinedOutput()
			if err != nil || len(tarOut) != 0 {
				t.Errorf("tar of INBOX: %v, said %q; want silence", err, tarOut)
			}
			dst = t.TempDir()
			run(t, "tar", "-xf", archive, "-C", dst)
			checkCopy(t, filepath.Join(dst, "INBOX"), want)

			if _, err := exec.LookPath("rsync"); err == nil {
				d = mount(t, srv, "--mail-poll", "0")
				dir, _ = inbox(t, d.dir, data)
				run(t, "ls", "-l", dir)
				dst = t.TempDir()
				run(t, "rsync", "-a", dir, dst+"/")
				checkCopy(t, filepath.Join(dst, "INBOX"), want)
			} else {
				t.Log("rsync not installed: rsync check skipped")
			}
			if wrong := strings.Contains(d.log.String(), "listed size was wrong"); wrong != (skew != 0) {
				t.Errorf("skew %d: the daemon logged wrong listed sizes: %v\n%s", skew, wrong, d.log)
			}
		})
	}
}

func checkCopy(t *testing.T, dir string, want map[string][]byte) {
	t.Helper()
	for name, raw := range want {
		got, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil || !bytes.Equal(got, raw) {
			t.Errorf("%s: copied %d bytes (%v), want %d exact", name, len(got), err, len(raw))
		}
	}
}

// --exact-mail-sizes: stat is exact before any read, whatever the listing
// says (one download per message stat'ed).
func TestExactMailSizes(t *testing.T) {
	data := dataset.Generate(smallSpec())
	srv := serve(t, data)
	srv.SetMailSizeSkew(+17)
	d := mount(t, srv, "--exact-mail-sizes", "--mail-poll", "0")
	if n := checkMail(t, d.dir, data, true); n == 0 {
		t.Fatal("no message checked")
	}
}
