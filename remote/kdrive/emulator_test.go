package kdrive

import (
	"bytes"
	"context"
	"errors"
	"io"
	"testing"
	"time"

	"github.com/infomaniakfs/infomaniakfs/remote"
	"github.com/infomaniakfs/infomaniakfs/remote/emulator"
	"github.com/infomaniakfs/infomaniakfs/remote/emulator/dataset"
)

type staticToken string

func (s staticToken) Token(context.Context) (string, error) { return string(s), nil }
func (staticToken) Invalidate(string)                       {}

func startEmulator(t *testing.T, spec dataset.Spec) (*emulator.Server, *Client) {
	t.Helper()
	return startEmulatorTimeout(t, spec, 20*time.Second)
}

func startEmulatorTimeout(t *testing.T, spec dataset.Spec, timeout time.Duration, tune ...func(*remote.ClientOptions)) (*emulator.Server, *Client) {
	t.Helper()
	s, err := emulator.Start(emulator.Options{Data: dataset.Generate(spec)})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Close)
	o := remote.ClientOptions{Tokens: staticToken(s.IssueToken()),
		MinBackoff: time.Millisecond, MaxBackoff: 5 * time.Millisecond, Timeout: timeout}
	for _, f := range tune {
		f(&o)
	}
	return s, New(remote.NewClient(o), s.URL())
}

// child finds a child by name through the client.
func child(t *testing.T, c *Client, drive, dir int64, name string) remote.Entry {
	t.Helper()
	list, err := c.List(t.Context(), drive, dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range list {
		if e.Name == name {
			return e
		}
	}
	t.Fatalf("no %q in %d", name, dir)
	return remote.Entry{}
}

func TestEmulatorDrivesAndTree(t *testing.T) {
	s, c := startEmulator(t, dataset.Spec{WideDirFiles: 10_000})
	drives, err := c.Drives(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	want := s.Data().Drives()
	if len(drives) != len(want) || drives[0].ID != want[0].ID || drives[0].Name != want[0].Name || drives[0].AccountName == "" {
		t.Fatalf("drives %+v, want %+v", drives, want)
	}
	d := drives[0].ID
	priv := child(t, c, d, 1, "Private")
	wide := child(t, c, d, priv.ID, "wide")
	s.ResetCounts()
	list, err := c.List(t.Context(), d, wide.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(list) != 10_000 || s.Count("list") != 10 {
		t.Fatalf("%d entries in %d list calls, want 10000 in 10", len(list), s.Count("list"))
	}
	st, err := c.Stat(t.Context(), d, list[1234].ID)
	if err != nil || st != list[1234] {
		t.Fatalf("stat %+v %v, listed %+v", st, err, list[1234])
	}
	n, _ := s.Data().Item(d, st.ID)
	if st.Size != n.Size || st.MTime.Unix() != n.MTime || st.Name != n.Name || st.ParentID != wide.ID {
		t.Fatalf("stat %+v vs dataset %+v", st, n)
	}
	if _, err := c.Stat(t.Context(), d, 999_999_999); !errors.Is(err, remote.ErrNotFound) {
		t.Fatalf("missing item: %v", err)
	}
	if _, err := c.List(t.Context(), d, 999_999_999); !errors.Is(err, remote.ErrNotFound) {
		t.Fatalf("missing dir: %v", err)
	}
}

func bigFile(t *testing.T, s *emulator.Server, c *Client) (remote.Entry, []byte) {
	t.Helper()
	d := s.Data().Drives()[0].ID
	e := child(t, c, d, child(t, c, d, 1, "Private").ID, "big-1.bin")
	ra, size, _, ok := s.Data().Content(d, e.ID)
	if !ok || size != e.Size {
		t.Fatalf("content of %+v: %v %d", e, ok, size)
	}
	want := make([]byte, size)
	if _, err := ra.ReadAt(want, 0); err != nil && err != io.EOF {
		t.Fatal(err)
	}
	return e, want
}

func TestEmulatorOpen(t *testing.T) {
	const size = 3 << 20
	// A short stall guard, for the stall case; 1 s stays far above the
	// emulator's answer times even under -race.
	// Every range asks the API here, so that faults on download apply
	// (TestContentURLReused covers the reuse).
	s, c := startEmulatorTimeout(t, dataset.Spec{BigFiles: []int64{size}}, time.Second,
		func(o *remote.ClientOptions) { o.ContentURLTTL = -1 })
	e, want := bigFile(t, s, c)
	tests := []struct {
		name        string
		off, length int64
		fault       *emulator.Fault
	}{
		{"whole", 0, -1, nil},
		{"range", 1 << 20, 4096, nil},
		{"tail past end", size - 100, 1000, nil},
		{"reset mid-body", 12345, -1, &emulator.Fault{Endpoint: "content", Kind: emulator.FaultReset, Times: 1}},
		{"stall mid-body", 0, -1, &emulator.Fault{Endpoint: "content", Kind: emulator.FaultStall, Times: 1}},
		{"500 on download", 0, 1000, &emulator.Fault{Endpoint: "download", Kind: emulator.Fault500, Times: 2}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s.ClearFaults()
			if tc.fault != nil {
				s.AddFault(*tc.fault)
			}
			s.ResetCounts()
			rc, err := c.Open(t.Context(), e, tc.off, tc.length)
			if err != nil {
				t.Fatal(err)
			}
			got, err := io.ReadAll(rc)
			rc.Close()
			end := int64(size)
			if tc.length >= 0 {
				end = min(end, tc.off+tc.length)
			}
			if err != nil || !bytes.Equal(got, want[tc.off:end]) {
				t.Fatalf("read %d bytes (want %d), err %v", len(got), end-tc.off, err)
			}
			if tc.fault != nil && tc.fault.Kind != emulator.Fault500 && s.Count("content") != 2 {
				t.Fatalf("%d content requests, want 2 (one resumption)", s.Count("content"))
			}
			if tc.fault != nil && tc.fault.Endpoint == "download" && s.Count("download") != 3 {
				t.Fatalf("%d download requests, want 3 (two 500s, then the redirect)", s.Count("download"))
			}
		})
	}
	rc, err := c.Open(t.Context(), e, size, -1)
	if err != nil {
		t.Fatal(err)
	}
	if b, err := io.ReadAll(rc); len(b) != 0 || err != nil {
		t.Fatalf("read at EOF: %d bytes, %v", len(b), err)
	}
}

func TestEmulatorOpenDetectsChange(t *testing.T) {
	s, c := startEmulator(t, dataset.Spec{BigFiles: []int64{2 << 20}})
	e, old := bigFile(t, s, c)
	d := e.DriveID

	// Changed before the read: the first response already disagrees.
	if _, err := s.Data().ModifyFile(d, e.ID, e.Size); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Open(t.Context(), e, 0, -1); !errors.Is(err, remote.ErrChanged) {
		t.Fatalf("stale entry opened: %v", err)
	}

	// Changed during the read: the body breaks, the resumption finds the
	// new version and the reader stops, having given only old bytes.
	e, old = bigFile(t, s, c)
	s.AddFault(emulator.Fault{Endpoint: "content", Kind: emulator.FaultReset, Times: 1})
	rc, err := c.Open(t.Context(), e, 0, -1)
	if err != nil {
		t.Fatal(err)
	}
	defer rc.Close()
	if _, err := s.Data().ModifyFile(d, e.ID, e.Size); err != nil {
		t.Fatal(err)
	}
	got, err := io.ReadAll(rc)
	if !errors.Is(err, remote.ErrChanged) {
		t.Fatalf("err %v after %d bytes, want ErrChanged", err, len(got))
	}
	if !bytes.Equal(got, old[:len(got)]) {
		t.Fatal("bytes of two versions mixed")
	}
}

func TestEmulatorSnapshotAndChanges(t *testing.T) {
	s, c := startEmulator(t, dataset.Spec{})
	d := s.Data().Drives()[0].ID
	entries, cursor, err := c.FullListing(t.Context(), d)
	if err != nil {
		t.Fatal(err)
	}
	var want int
	s.Data().Walk(d, func(dataset.Node) bool { want++; return true })
	if len(entries) != want-1 || cursor == "" { // the root is not listed
		t.Fatalf("%d entries (want %d), cursor %q", len(entries), want-1, cursor)
	}
	changes, next, err := c.Changes(t.Context(), d, cursor)
	if err != nil || len(changes) != 0 || next == "" {
		t.Fatalf("no-op changes: %v %q %v", changes, next, err)
	}
	ctx, cancel := context.WithTimeout(t.Context(), 300*time.Millisecond)
	changed, err := c.LongPoll(ctx, d, next)
	cancel()
	if changed || !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("long poll without change: %v %v", changed, err)
	}
	priv := child(t, c, d, 1, "Private")
	go func() {
		time.Sleep(100 * time.Millisecond)
		_, _ = s.Data().AddFile(d, priv.ID, "new.txt", 10)
	}()
	t0 := time.Now()
	changed, err = c.LongPoll(t.Context(), d, next)
	if err != nil || !changed || time.Since(t0) > 5*time.Second {
		t.Fatalf("long poll: %v %v after %v", changed, err, time.Since(t0))
	}
	changes, _, err = c.Changes(t.Context(), d, next)
	if err != nil || len(changes) != 1 || changes[0].Action != "file_create" || changes[0].ParentID != priv.ID ||
		changes[0].Size != 10 || changes[0].IsDir {
		t.Fatalf("changes %+v, %v", changes, err)
	}
	if _, _, err := c.Changes(t.Context(), d, "garbage"); err == nil {
		t.Fatal("a garbage cursor was accepted")
	}
}

// One item must carry the same Version whichever call saw it, or the
// caches would take the snapshot's entries for changed files.
func TestSnapshotAndListingAgreeOnVersions(t *testing.T) {
	s, c := startEmulator(t, dataset.Spec{Depth: 2, FilesPerDir: 4})
	drive := s.Data().Drives()[0].ID
	snap, _, err := c.FullListing(t.Context(), drive)
	if err != nil {
		t.Fatal(err)
	}
	byID := map[int64]remote.Entry{}
	for _, e := range snap {
		byID[e.ID] = e
	}
	checked := 0
	var walk func(dir int64)
	walk = func(dir int64) {
		list, err := c.List(t.Context(), drive, dir)
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range list {
			got, ok := byID[e.ID]
			if !ok || got.Version != e.Version || got.Size != e.Size || !got.MTime.Equal(e.MTime) || got.Name != e.Name {
				t.Errorf("item %d: listing %+v, snapshot %+v", e.ID, e, got)
			}
			checked++
			if e.IsDir {
				walk(e.ID)
			}
		}
	}
	walk(1)
	if _, hasRoot := byID[1]; hasRoot {
		checked++
	}
	if checked == 0 || checked != len(snap) {
		t.Errorf("compared %d items, snapshot has %d", checked, len(snap))
	}
}

// TestContentURLReused: the ranges of one file cost one API call between
// them (the API allows about 60 a minute); a content URL that expired costs
// one more, and the read goes on.
func TestContentURLReused(t *testing.T) {
	const size = 3 << 20
	s, c := startEmulator(t, dataset.Spec{BigFiles: []int64{size}})
	e, want := bigFile(t, s, c)
	read := func(off int64) {
		t.Helper()
		rc, err := c.Open(t.Context(), e, off, 1<<20)
		if err != nil {
			t.Fatal(err)
		}
		defer rc.Close()
		got, err := io.ReadAll(rc)
		if err != nil || !bytes.Equal(got, want[off:off+1<<20]) {
			t.Fatalf("range at %d: %d bytes, %v", off, len(got), err)
		}
	}
	// URLs live 1 to 2 s (the emulator signs whole seconds).
	s.SetContentURLTTL(time.Second)
	s.ResetCounts()
	for off := int64(0); off < size; off += 1 << 20 {
		read(off)
	}
	if d, n := s.Count("download"), s.Count("content"); d != 1 || n != 3 {
		t.Errorf("3 ranges: %d API downloads, %d content requests; want 1 and 3", d, n)
	}
	time.Sleep(2100 * time.Millisecond)
	read(1 << 20) // the expired URL gets 403, then the API signs a new one
	read(2 << 20)
	if d, n := s.Count("download"), s.Count("content"); d != 2 || n != 6 {
		t.Errorf("after the URL expired: %d API downloads, %d content requests; want 2 and 6", d, n)
	}
}
