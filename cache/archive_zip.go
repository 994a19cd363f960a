package cache

import (
	"bufio"
	"compress/flate"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
)

// An archive is read as it arrives, front to back, by its local file
// headers: archive/zip wants an io.ReaderAt (the central directory is at
// the end), which would hold every file back until the last byte came.
// Each entry's end is known from its header, from the end of its deflate
// stream (flate reads a bufio.Reader byte by byte, so not past it), or,
// for a stored entry whose sizes follow it in a data descriptor, from the
// size the listing gave: the descriptor then has to agree, else the
// stream is out of step and reading stops. Every entry's CRC-32 and size
// are checked before its bytes are used. Encrypted entries, methods other
// than store and deflate, and zip64 sizes in the header are skipped when
// their length is known, and end the reading when not.

const (
	zipLocalSig      = 0x04034b50
	zipCentralSig    = 0x02014b50
	zipEndSig        = 0x06054b50
	zipDescriptorSig = 0x08074b50
	zipFlagEncrypted = 0x1
	zipFlagDesc      = 0x8
	zipStore         = 0
	zipDeflate       = 8
)

// errZipFormat marks an archive whose zip could not be followed.
var errZipFormat = errors.New("archive: zip not understood")

// errZipEntry marks an entry that is not usable (wrong size, bad CRC,
// unknown method) after which the stream is still in step.
var errZipEntry = errors.New("archive entry unusable")

// zipStream reads one zip archive's entries in order.
type zipStream struct {
	r *bufio.Reader
}

// zipEntry is one local file header.
type zipEntry struct {
	name         string
	flags        uint16
	method       uint16
	crc          uint32
	csize, usize uint64
	zip64        bool // sizes in the descriptor are 8 bytes
}

func newZipStream(r io.Reader) *zipStream { return &zipStream{r: bufio.NewReaderSize(r, 64<<10)} }

// next reads the next local header; io.EOF once the central directory
// (or the end record) starts.
func (z *zipStream) next() (*zipEntry, error) {
	var h [30]byte
	if _, err := io.ReadFull(z.r, h[:4]); err != nil {
		return nil, fmt.Errorf("zip header: %w", unexpected(err))
	}
	switch binary.LittleEndian.Uint32(h[:4]) {
	case zipLocalSig:
	case zipCentralSig, zipEndSig:
		return nil, io.EOF
	default:
		return nil, fmt.Errorf("%w: no local header where one was due", errZipFormat)
	}
	if _, err := io.ReadFull(z.r, h[4:]); err != nil {
		return nil, fmt.Errorf("zip header: %w", unexpected(err))
	}
	le := binary.LittleEndian
	e := &zipEntry{flags: le.Uint16(h[6:]), method: le.Uint16(h[8:]), crc: le.Uint32(h[14:]),
		csize: uint64(le.Uint32(h[18:])), usize: uint64(le.Uint32(h[22:]))}
	rest := make([]byte, int(le.Uint16(h[26:]))+int(le.Uint16(h[28:])))
	if _, err := io.ReadFull(z.r, rest); err != nil {
		return nil, fmt.Errorf("zip header: %w", unexpected(err))
	}
	nameLen := int(le.Uint16(h[26:]))
	e.name = string(rest[:nameLen])
	for extra := rest[nameLen:]; len(extra) >= 4; {
		id, size := le.Uint16(extra), int(le.Uint16(extra[2:]))
		if 4+size > len(extra) {
			break
		}
		if id == 0x0001 { // zip64: sizes follow in 8 bytes each
			e.zip64 = true
			body := extra[4 : 4+size]
			if e.usize == 0xffffffff && len(body) >= 8 {
				e.usize, body = le.Uint64(body), body[8:]
			}
			if e.csize == 0xffffffff && len(body) >= 8 {
				e.csize = le.Uint64(body)
			}
		}
		extra = extra[4+size:]
	}
	return e, nil
}

// read returns the content of e, which the caller expects to be want
// bytes long (-1: not expected, skip it). An entry that is not want bytes
// or fails its CRC is errZipEntry, the stream still in step; any other
// error means the stream cannot go on. max bounds what is read to find a
// deflated entry's end.
func (z *zipStream) read(e *zipEntry, want, max int64) ([]byte, error) {
	desc := e.flags&zipFlagDesc != 0
	if e.flags&zipFlagEncrypted != 0 || (e.method != zipStore && e.method != zipDeflate) {
		if desc {
			return nil, fmt.Errorf("%w: entry %q cannot be skipped (method %d, flags %#x)", errZipFormat, e.name, e.method, e.flags)
		}
		return nil, z.skip(e)
	}
	var data []byte
	switch {
	case e.method == zipStore && !desc:
		if want < 0 || e.csize != uint64(want) || e.usize != uint64(want) {
			return nil, z.skip(e)
		}
		data = make([]byte, want)
		if _, err := io.ReadFull(z.r, data); err != nil {
			return nil, unexpected(err)
		}
	case e.method == zipStore:
		// Only the listing says where it ends.
		if want < 0 {
			return nil, fmt.Errorf("%w: stored entry %q of unknown length", errZipFormat, e.name)
		}
		data = make([]byte, want)
		if _, err := io.ReadFull(z.r, data); err != nil {
			return nil, unexpected(err)
		}
	default:
		fr := flate.NewReader(z.r)
		var err error
		data, err = io.ReadAll(io.LimitReader(fr, max+1))
		fr.Close()
		var corrupt flate.CorruptInputError
		if errors.As(err, &corrupt) {
			return nil, fmt.Errorf("%w: entry %q: %w", errZipFormat, e.name, err)
		}
		if err != nil {
			return nil, unexpected(err)
		}
		if int64(len(data)) > max {
			return nil, fmt.Errorf("%w: entry %q is over %d bytes", errZipFormat, e.name, max)
		}
	}
	if desc {
		if err := z.descriptor(e); err != nil {
			return nil, err
		}
		if e.method == zipStore && (e.csize != uint64(want) || e.usize != uint64(want)) {
			return nil, fmt.Errorf("%w: stored entry %q is %d bytes, not %d: out of step", errZipFormat, e.name, e.usize, want)
		}
	}
	if want < 0 || int64(len(data)) != want || e.usize != uint64(len(data)) || crc32.ChecksumIEEE(data) != e.crc {
		return nil, errZipEntry
	}
	return data, nil
}

// descriptor reads the data descriptor after an entry into e: an optional
// signature, the CRC-32, then both sizes (8 bytes each for zip64).
func (z *zipStream) descriptor(e *zipEntry) error {
	var b [24]byte
	if _, err := io.ReadFull(z.r, b[:4]); err != nil {
		return unexpected(err)
	}
	le := binary.LittleEndian
	crc := le.Uint32(b[:])
	if crc == zipDescriptorSig {
		if _, err := io.ReadFull(z.r, b[:4]); err != nil {
			return unexpected(err)
		}
		crc = le.Uint32(b[:])
	}
	e.crc = crc
	if e.zip64 {
		if _, err := io.ReadFull(z.r, b[:16]); err != nil {
			return unexpected(err)
		}
		e.csize, e.usize = le.Uint64(b[:]), le.Uint64(b[8:])
		return nil
	}
	if _, err := io.ReadFull(z.r, b[:8]); err != nil {
		return unexpected(err)
	}
	e.csize, e.usize = uint64(le.Uint32(b[:])), uint64(le.Uint32(b[4:]))
	return nil
}

// skip passes over an entry whose compressed size the header gives.
func (z *zipStream) skip(e *zipEntry) error {
	if _, err := io.CopyN(io.Discard, z.r, int64(e.csize)); err != nil {
		return unexpected(err)
	}
	return errZipEntry
}

func unexpected(err error) error {
	if err == io.EOF {
		return io.ErrUnexpectedEOF
	}
	return err
}
