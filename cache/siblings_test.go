package cache

import (
	"context"
	"sort"
	"testing"
	"time"

	"github.com/infomaniakfs/infomaniakfs/remote"
)

// Reading a directory's files one after another, in name order (cp -r),
// finds the next ones fetched ahead: 40 files at 20 ms each take far less
// than 40 round trips, and each is fetched once. One file read alone
// fetches nothing else.
func TestSiblingsFetchedAheadOfACopy(t *testing.T) {
	ctx := context.Background()
	f := newFakeDrives()
	f.addDir(1, 2)
	for id := int64(100); id < 140; id++ {
		f.addFile(2, id, 3000)
	}
	f.latency = 50 * time.Millisecond
	d := newTestDrives(t, f, Options{})
	list, err := d.List(ctx, 1, 2)
	if err != nil {
		t.Fatal(err)
	}
	sort.Slice(list, func(a, b int) bool { return list[a].Name < list[b].Name })
	buf := make([]byte, 8192)
	read := func(e remote.Entry) {
		t.Helper()
		n, err := d.ReadAt(ctx, e, buf, 0)
		if n != int(e.Size) || err == nil {
			t.Fatalf("ReadAt(%s) = %d, %v", e.Name, n, err)
		}
	}

	read(list[20])
	time.Sleep(60 * time.Millisecond)
	if n := f.opens(); n != 1 {
		t.Fatalf("one file read fetched %d files", n)
	}

	start := time.Now()
	for _, e := range list[:20] {
		read(e)
	}
	for _, e := range list[21:] {
		read(e)
	}
	took := time.Since(start)
	if serial := 39 * f.latency; took > serial/2 {
		t.Errorf("copying 39 files took %v; serially it would take %v", took, serial)
	}
	if n := f.opens(); n != 40 {
		t.Errorf("%d fetches for 40 files, want each once", n)
	}
}
