package emulator

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"hash/crc32"
	"io"
	"math"
	"time"

	"github.com/infomaniakfs/infomaniakfs/remote/emulator/dataset"
)

// The archive's zip (the layout is UNKNOWN in the reference; see the
// package documentation for the one assumed): one entry per file, named by
// its path relative to the common parent ("a.txt", "sub/b.txt"), UTF-8,
// directories recursed with an entry "sub/" of their own, in the order the
// items were asked (children in id order), stored (no compression), each
// file's CRC-32 and sizes in a data descriptor after its bytes, with the
// file's last_modified_at. Written by hand rather than with archive/zip so
// its length is known before any byte is made: the first download streams
// as the files are read (with a Content-Length, which the fault knobs need)
// instead of waiting for the whole zip. No zip64: an archive of 4 GiB or
// more is refused when built.

// zipItem is one entry of an archive.
type zipItem struct {
	name   string
	dir    bool
	mod    time.Time
	ra     io.ReaderAt
	size   int64
	offset int64 // of its local header
}

// zipPlan is an archive's entries and total length.
type zipPlan struct {
	items []zipItem
	size  int64
	etag  string // changes with any file's version
}

const (
	zipLocalLen   = 30
	zipDescLen    = 16
	zipCentralLen = 46
	zipEndLen     = 22
	zipFlagUTF8   = 0x800
	zipFlagDesc   = 0x8
)

// planZip lays out the archive of j from the data set as it is now.
func (s *Server) planZip(j *archiveJob) *zipPlan {
	p := &zipPlan{}
	h := crc32.NewIEEE()
	for _, it := range j.items {
		s.planAdd(p, h, j.drive, "", it)
	}
	var cd int64
	for _, it := range p.items {
		cd += zipCentralLen + int64(len(it.name))
	}
	p.size += cd + zipEndLen
	p.etag = fmt.Sprintf("archive-%08x", h.Sum32())
	return p
}

func (s *Server) planAdd(p *zipPlan, h io.Writer, drive int64, prefix string, n dataset.Node) {
	it := zipItem{name: prefix + n.Name, dir: n.IsDir, mod: time.Unix(n.MTime, 0).UTC(), offset: p.size}
	if n.IsDir {
		it.name += "/"
	} else {
		ra, size, version, ok := s.data.Content(drive, n.ID)
		if !ok {
			return // gone since the archive was asked: left out
		}
		it.ra, it.size = ra, size
		binary.Write(h, binary.LittleEndian, [2]int64{n.ID, version})
	}
	p.items = append(p.items, it)
	p.size += zipLocalLen + int64(len(it.name))
	if !it.dir {
		p.size += it.size + zipDescLen
	}
	if n.IsDir {
		kids, _ := s.data.Children(drive, n.ID)
		for _, k := range kids {
			s.planAdd(p, h, drive, it.name, k)
		}
	}
}

// fits reports whether the plan needs no zip64.
func (p *zipPlan) fits() bool { return p.size < math.MaxUint32 && len(p.items) < math.MaxUint16 }

// write writes the whole zip to w. Safe for concurrent use.
func (p *zipPlan) write(w io.Writer) error {
	le := binary.LittleEndian
	crcs := make([]uint32, len(p.items))
	for i := range p.items {
		it := &p.items[i]
		flags := uint16(zipFlagUTF8)
		if !it.dir {
			flags |= zipFlagDesc
		}
		t, d := dosTime(it.mod)
		h := le.AppendUint32(nil, 0x04034b50)
		h = le.AppendUint16(h, 20)
		h = le.AppendUint16(h, flags)
		h = le.AppendUint16(h, 0) // stored
		h = le.AppendUint16(h, t)
		h = le.AppendUint16(h, d)
		h = append(h, make([]byte, 12)...) // CRC and sizes: in the descriptor
		h = le.AppendUint16(h, uint16(len(it.name)))
		h = le.AppendUint16(h, 0)
		h = append(h, it.name...)
		if _, err := w.Write(h); err != nil {
			return err
		}
		if it.dir {
			continue
		}
		c := crc32.NewIEEE()
		if _, err := io.Copy(io.MultiWriter(w, c), io.NewSectionReader(it.ra, 0, it.size)); err != nil {
			return err
		}
		crcs[i] = c.Sum32()
		desc := le.AppendUint32(nil, 0x08074b50)
		desc = le.AppendUint32(desc, crcs[i])
		desc = le.AppendUint32(desc, uint32(it.size))
		desc = le.AppendUint32(desc, uint32(it.size))
		if _, err := w.Write(desc); err != nil {
			return err
		}
	}
	return p.writeCentral(w, crcs)
}

// writeCentral writes the central directory and its end record.
func (p *zipPlan) writeCentral(w io.Writer, crcs []uint32) error {
	le := binary.LittleEndian
	var b []byte
	var start int64 = p.size - zipEndLen
	for _, it := range p.items {
		start -= zipCentralLen + int64(len(it.name))
	}
	for i, it := range p.items {
		flags, ext := uint16(zipFlagUTF8), uint32(0o100644<<16)
		if !it.dir {
			flags |= zipFlagDesc
		} else {
			ext = 0o40755<<16 | 0x10
		}
		t, d := dosTime(it.mod)
		b = le.AppendUint32(b, 0x02014b50)
		b = le.AppendUint16(b, 3<<8|20) // made by Unix, 2.0
		b = le.AppendUint16(b, 20)
		b = le.AppendUint16(b, flags)
		b = le.AppendUint16(b, 0)
		b = le.AppendUint16(b, t)
		b = le.AppendUint16(b, d)
		b = le.AppendUint32(b, crcs[i])
		b = le.AppendUint32(b, uint32(it.size))
		b = le.AppendUint32(b, uint32(it.size))
		b = le.AppendUint16(b, uint16(len(it.name)))
		b = append(b, make([]byte, 8)...) // extra and comment lengths, disk, internal attributes
		b = le.AppendUint32(b, ext)
		b = le.AppendUint32(b, uint32(it.offset))
		b = append(b, it.name...)
	}
	b = le.AppendUint32(b, 0x06054b50)
	b = le.AppendUint32(b, 0) // disk numbers
	b = le.AppendUint16(b, uint16(len(p.items)))
	b = le.AppendUint16(b, uint16(len(p.items)))
	b = le.AppendUint32(b, uint32(p.size-zipEndLen-start))
	b = le.AppendUint32(b, uint32(start))
	b = le.AppendUint16(b, 0)
	_, err := w.Write(b)
	return err
}

// bytes is the whole zip in memory (for ranged downloads).
func (p *zipPlan) bytes() []byte {
	var buf bytes.Buffer
	buf.Grow(int(p.size))
	p.write(&buf)
	return buf.Bytes()
}

// dosTime is t in MS-DOS time and date fields (two-second resolution).
func dosTime(t time.Time) (tm, dt uint16) {
	if t.Year() < 1980 {
		t = time.Date(1980, 1, 1, 0, 0, 0, 0, time.UTC)
	}
	return uint16(t.Hour()<<11 | t.Minute()<<5 | t.Second()/2),
		uint16((t.Year()-1980)<<9 | int(t.Month())<<5 | t.Day())
}
