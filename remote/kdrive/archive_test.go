package kdrive

import (
	"archive/zip"
	"bytes"
	"errors"
	"io"
	"testing"

	"github.com/infomaniakfs/infomaniakfs/remote"
	"github.com/infomaniakfs/infomaniakfs/remote/emulator"
	"github.com/infomaniakfs/infomaniakfs/remote/emulator/dataset"
)

// An archive of a folder's files is two API requests and holds each
// file's bytes; a reset mid-body is resumed by Range into the same zip.
func TestArchiveThroughEmulator(t *testing.T) {
	s, c := startEmulator(t, dataset.Spec{SmallFiles: 40, SmallFileSize: 5000})
	d := s.Data().Drives()[0].ID
	priv := child(t, c, d, 1, "Private")
	small := child(t, c, d, priv.ID, "small")
	list, err := c.List(t.Context(), d, small.ID)
	if err != nil {
		t.Fatal(err)
	}
	ids := make([]int64, len(list))
	for i, e := range list {
		ids[i] = e.ID
	}
	for _, fault := range []bool{false, true} {
		s.ResetCounts()
		if fault {
			s.AddFault(emulator.Fault{Endpoint: emulator.EpArchiveDownload, Kind: emulator.FaultReset, Times: 1})
		}
		rc, err := c.Archive(t.Context(), d, ids)
		if err != nil {
			t.Fatal(err)
		}
		b, err := io.ReadAll(rc)
		rc.Close()
		if err != nil {
			t.Fatal(err)
		}
		zr, err := zip.NewReader(bytes.NewReader(b), int64(len(b)))
		if err != nil {
			t.Fatal(err)
		}
		if len(zr.File) != len(list) {
			t.Fatalf("%d entries for %d files", len(zr.File), len(list))
		}
		for i, f := range zr.File {
			r, _ := f.Open()
			got, err := io.ReadAll(r)
			if err != nil || f.Name != list[i].Name || int64(len(got)) != list[i].Size {
				t.Fatalf("entry %s: %d bytes, %v; want %s, %d", f.Name, len(got), err, list[i].Name, list[i].Size)
			}
		}
		want := int64(1)
		if fault {
			want = 2
		}
		if s.Count(emulator.EpArchiveBuild) != 1 || s.Count(emulator.EpArchiveDownload) != want {
			t.Errorf("fault %v: counters %v", fault, s.Counts())
		}
		s.ClearFaults()
	}
	_, err = c.Archive(t.Context(), d, []int64{ids[0], priv.ID})
	if !errors.Is(err, remote.ErrInvalid) {
		t.Errorf("ids of two parents: %v, want ErrInvalid", err)
	}
}
