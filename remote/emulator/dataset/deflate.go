package dataset

// Deflate tables (RFC 1951 §3.2.5).
var (
	lengthBase  = [29]int{3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 15, 17, 19, 23, 27, 31, 35, 43, 51, 59, 67, 83, 99, 115, 131, 163, 195, 227, 258}
	lengthExtra = [29]uint{0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0}
	distBase    = [30]int{1, 2, 3, 4, 5, 7, 9, 13, 17, 25, 33, 49, 65, 97, 129, 193, 257, 385, 513, 769, 1025, 1537, 2049, 3073, 4097, 6145, 8193, 12289, 16385, 24577}
	distExtra   = [30]uint{0, 0, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7, 8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 13, 13}
)

func newMatch(length, dist int) token {
	t := token{length: length, dist: dist}
	for t.lengthCode = 28; lengthBase[t.lengthCode] > length; t.lengthCode-- {
	}
	for t.distCode = 29; distBase[t.distCode] > dist; t.distCode-- {
	}
	return t
}

// fixedBits is the token's size in a fixed-Huffman block.
func (t token) fixedBits() int {
	if t.length == 0 {
		return fixedLitLenBits(int(t.lit))
	}
	return fixedLitLenBits(257+t.lengthCode) + int(lengthExtra[t.lengthCode]) + 5 + int(distExtra[t.distCode])
}

func (t token) write(w *bitWriter) {
	if t.length == 0 {
		w.litLen(int(t.lit))
		return
	}
	w.litLen(257 + t.lengthCode)
	w.bits(uint32(t.length-lengthBase[t.lengthCode]), lengthExtra[t.lengthCode])
	w.huff(uint32(t.distCode), 5)
	w.bits(uint32(t.dist-distBase[t.distCode]), distExtra[t.distCode])
}

func fixedLitLenBits(v int) int {
	switch {
	case v < 144:
		return 8
	case v < 256:
		return 9
	case v < 280:
		return 7
	}
	return 8
}

// bitWriter packs deflate's LSB-first bit stream.
type bitWriter struct {
	out   []byte
	acc   uint32
	nbits uint
}

func (w *bitWriter) bits(v uint32, n uint) {
	w.acc |= v << w.nbits
	w.nbits += n
	for w.nbits >= 8 {
		w.out = append(w.out, byte(w.acc))
		w.acc >>= 8
		w.nbits -= 8
	}
}

// huff writes a Huffman code, which deflate stores most significant bit first.
func (w *bitWriter) huff(code uint32, n uint) {
	var r uint32
	for i := uint(0); i < n; i++ {
		r = r<<1 | (code>>i)&1
	}
	w.bits(r, n)
}

// litLen writes a literal/length symbol with the fixed code.
func (w *bitWriter) litLen(v int) {
	switch {
	case v < 144:
		w.huff(uint32(0x30+v), 8)
	case v < 256:
		w.huff(uint32(0x190+v-144), 9)
	case v < 280:
		w.huff(uint32(v-256), 7)
	default:
		w.huff(uint32(0xc0+v-280), 8)
	}
}

func (w *bitWriter) flush() {
	if w.nbits > 0 {
		w.out = append(w.out, byte(w.acc))
		w.acc, w.nbits = 0, 0
	}
}
