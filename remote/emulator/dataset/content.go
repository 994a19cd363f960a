package dataset

import (
	"encoding/binary"
	"io"
	"os"
)

// mix is splitmix64's finaliser: a cheap, well-distributed hash of one word. Generated content is
// mix(key ^ wordIndex) per 8-byte word, so any range can be computed without the bytes before it.
func mix(x uint64) uint64 {
	x += 0x9e3779b97f4a7c15
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9
	x = (x ^ (x >> 27)) * 0x94d049bb133111eb
	return x ^ (x >> 31)
}

// contentKey identifies one version of one generated file's bytes.
func contentKey(seed, driveID, id, version int64) uint64 {
	k := mix(uint64(seed))
	k = mix(k ^ uint64(driveID))
	k = mix(k ^ uint64(id))
	return mix(k ^ uint64(version))
}

// genReader serves computed bytes of a file of the given size.
type genReader struct {
	key  uint64
	size int64
}

func (g genReader) ReadAt(p []byte, off int64) (int, error) {
	if off < 0 {
		return 0, os.ErrInvalid
	}
	if off >= g.size {
		return 0, io.EOF
	}
	n := len(p)
	if rem := g.size - off; int64(n) > rem {
		n = int(rem)
	}
	fill(g.key, p[:n], off)
	if n < len(p) {
		return n, io.EOF
	}
	return n, nil
}

// fill writes the bytes at [off, off+len(p)) of the stream named by key.
func fill(key uint64, p []byte, off int64) {
	w := uint64(off / 8)
	var buf [8]byte
	if skip := int(off % 8); skip != 0 {
		binary.LittleEndian.PutUint64(buf[:], mix(key^w))
		c := copy(p, buf[skip:])
		p = p[c:]
		w++
	}
	full := len(p) &^ 7
	for i := 0; i < full; i += 8 {
		binary.LittleEndian.PutUint64(p[i:i+8], mix(key^w))
		w++
	}
	p = p[full:]
	if len(p) > 0 {
		binary.LittleEndian.PutUint64(buf[:], mix(key^w))
		copy(p, buf[:])
	}
}

// fileReader serves a loaded file from disk. It opens the file per call because the caller
// gets no Close; the recorded size bounds reads so a served file never grows under a client.
type fileReader struct {
	path string
	size int64
}

func (f fileReader) ReadAt(p []byte, off int64) (int, error) {
	if off < 0 {
		return 0, os.ErrInvalid
	}
	if off >= f.size {
		return 0, io.EOF
	}
	short := false
	if rem := f.size - off; int64(len(p)) > rem {
		p = p[:rem]
		short = true
	}
	fh, err := os.Open(f.path)
	if err != nil {
		return 0, err
	}
	defer fh.Close()
	n, err := fh.ReadAt(p, off)
	if err == nil && short {
		err = io.EOF
	}
	if err == io.EOF && n == len(p) && !short {
		err = nil
	}
	return n, err
}

// rng is a deterministic splitmix64 sequence; all generated data comes from one of these.
type rng struct{ s uint64 }

func newRNG(parts ...int64) *rng {
	s := uint64(0x5eed)
	for _, p := range parts {
		s = mix(s ^ uint64(p))
	}
	return &rng{s: s}
}

func (r *rng) next() uint64 {
	r.s += 0x9e3779b97f4a7c15
	z := r.s
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9
	z = (z ^ (z >> 27)) * 0x94d049bb133111eb
	return z ^ (z >> 31)
}

// intn returns a value in [0, n); n must be > 0.
func (r *rng) intn(n int) int { return int(r.next() % uint64(n)) }

// int63n returns a value in [0, n); n must be > 0.
func (r *rng) int63n(n int64) int64 { return int64(r.next() % uint64(n)) }
