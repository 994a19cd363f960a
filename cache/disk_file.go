package cache

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"hash/crc32"
	"os"
	"path/filepath"
)

// A disk cache file is a 16-byte header (magic, data length, piece size,
// all little-endian), one CRC-32C per piece of data, then the data.

// diskPiece is the unit a disk block is checked in: a reader verifies only
// the pieces it reads. It equals subBlock, so a random reader's sub-block
// is exactly one piece.
const diskPiece = subBlock

var (
	diskMagic  = [8]byte{'I', 'K', 'F', 'S', 'B', 'L', 'K', '1'}
	castagnoli = crc32.MakeTable(crc32.Castagnoli)
)

// blockName is the file name of block idx of version version of an item.
func blockName(fk fileKey, idx int64) string {
	sum := sha256.Sum256(fmt.Appendf(nil, "%d/%d/%d/%s", fk.drive, fk.id, idx, fk.version))
	return hex.EncodeToString(sum[:])
}

// messageName is the file name of one message: its place (mailbox,
// folder, UID) and its identity in the listing (ident), since a folder
// recreated under the same path starts its UIDs again.
func messageName(k msgKey, ident string) string {
	sum := sha256.Sum256([]byte("mail\x00" + k.mailbox + "\x00" + k.folder + "\x00" + k.uid + "\x00" + ident))
	return hex.EncodeToString(sum[:])
}

// The typed entry points below are what the decorators call; on a nil
// Disk (no disk tier) they find nothing and store nothing.

// loadBlock returns bytes [off, off+n) of block idx of fk, whose length is
// blockLen, if the disk holds it.
func (d *Disk) loadBlock(fk fileKey, idx, off, n, blockLen int64) ([]byte, bool) {
	if d == nil {
		return nil, false
	}
	return d.read(blockName(fk, idx), off, n, blockLen)
}

// storeBlock queues the whole block idx of fk for writing.
func (d *Disk) storeBlock(fk fileKey, idx int64, data []byte) {
	if d != nil {
		d.write(blockName(fk, idx), data)
	}
}

// loadMessage returns the bytes of message k with identity ident if the
// disk holds them.
func (d *Disk) loadMessage(k msgKey, ident string) ([]byte, bool) {
	if d == nil {
		return nil, false
	}
	return d.read(messageName(k, ident), 0, 0, -1)
}

// messageLen returns the length of message k (identity ident) if the disk holds it,
// reading only its header: stat of a message on disk costs no download and
// no read of its bytes. A file whose length disagrees with its header is a
// miss (the read that follows drops it).
func (d *Disk) messageLen(k msgKey, ident string) (int64, bool) {
	if d == nil {
		return 0, false
	}
	name := messageName(k, ident)
	d.mu.Lock()
	_, ok := d.files[name]
	d.mu.Unlock()
	if !ok {
		return 0, false
	}
	f, err := os.Open(d.path(name))
	if err != nil {
		return 0, false
	}
	defer f.Close()
	var h [16]byte
	if _, err := f.ReadAt(h[:], 0); err != nil ||
		[8]byte(h[:8]) != diskMagic || binary.LittleEndian.Uint32(h[12:]) != diskPiece {
		return 0, false
	}
	info, err := f.Stat()
	if err != nil {
		return 0, false
	}
	n := int64(binary.LittleEndian.Uint32(h[8:]))
	if info.Size() != 16+4*((n+diskPiece-1)/diskPiece)+n {
		return 0, false
	}
	return n, true
}

// storeMessage queues message k with identity ident for writing.
func (d *Disk) storeMessage(k msgKey, ident string, data []byte) {
	if d != nil {
		d.write(messageName(k, ident), data)
	}
}

func readBlockFile(path string, off, n, blockLen int64) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	if blockLen < 0 {
		var h [16]byte
		if _, err := f.ReadAt(h[:], 0); err != nil {
			return nil, err
		}
		blockLen = int64(binary.LittleEndian.Uint32(h[8:]))
		off, n = 0, blockLen
	}
	pieces := (blockLen + diskPiece - 1) / diskPiece
	// The length is checked against the file before anything is
	// allocated from it: a damaged header must not cost gigabytes.
	if info, err := f.Stat(); err != nil || info.Size() != 16+4*pieces+blockLen {
		return nil, errors.New("file length does not match its header")
	}
	head := make([]byte, 16+4*pieces)
	if _, err := f.ReadAt(head, 0); err != nil {
		return nil, err
	}
	if [8]byte(head[:8]) != diskMagic || int64(binary.LittleEndian.Uint32(head[8:])) != blockLen ||
		binary.LittleEndian.Uint32(head[12:]) != diskPiece {
		return nil, errors.New("header does not match the block")
	}
	if blockLen == 0 {
		return []byte{}, nil
	}
	if off%diskPiece != 0 || n <= 0 || off+n > blockLen {
		return nil, fmt.Errorf("range %d+%d outside the block", off, n)
	}
	first, last := off/diskPiece, (off+n-1)/diskPiece
	end := min((last+1)*diskPiece, blockLen)
	buf := make([]byte, end-off)
	if _, err := f.ReadAt(buf, int64(len(head))+off); err != nil {
		return nil, err
	}
	for p := first; p <= last; p++ {
		lo := p*diskPiece - off
		piece := buf[lo:min(lo+diskPiece, int64(len(buf)))]
		if crc32.Checksum(piece, castagnoli) != binary.LittleEndian.Uint32(head[16+4*p:]) {
			return nil, fmt.Errorf("piece %d fails its checksum", p)
		}
	}
	return buf[:n], nil
}

// writeBlockFile writes data with its header to a temporary file and
// renames it into place, so a reader sees a whole file or none.
func writeBlockFile(dir, path string, data []byte) (int64, error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return 0, err
	}
	pieces := (int64(len(data)) + diskPiece - 1) / diskPiece
	head := make([]byte, 16+4*pieces)
	copy(head, diskMagic[:])
	binary.LittleEndian.PutUint32(head[8:], uint32(len(data)))
	binary.LittleEndian.PutUint32(head[12:], diskPiece)
	for p := range pieces {
		piece := data[p*diskPiece : min((p+1)*diskPiece, int64(len(data)))]
		binary.LittleEndian.PutUint32(head[16+4*p:], crc32.Checksum(piece, castagnoli))
	}
	f, err := os.CreateTemp(dir, "tmp-")
	if err != nil {
		return 0, err
	}
	_, err = f.Write(head)
	if err == nil {
		_, err = f.Write(data)
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(f.Name(), path)
	}
	if err != nil {
		os.Remove(f.Name())
		return 0, err
	}
	return int64(len(head) + len(data)), nil
}
