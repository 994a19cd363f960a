package dataset

import (
	"encoding/base64"
	"hash/adler32"
	"strings"
)

// FolderID derives a folder's opaque ID from its IMAP path the way Infomaniak's look:
// base64(zlib(path)) with "+/=" mapped to "._-" (mail reference §4.2), so INBOX gives
// "eJzz9HPyjwAABGYBgQ--".
//
// Go's compress/zlib cannot produce that: it ends every stream with an empty stored block,
// so it yields "eJzy9HPyjwAEAAD__wRmAYE-" for INBOX. zlibLike reproduces what C zlib (the
// server's PHP) emits at the default level for the short strings folder paths are.
func FolderID(path string) string {
	return folderIDReplacer.Replace(base64.StdEncoding.EncodeToString(zlibLike([]byte(path))))
}

var folderIDReplacer = strings.NewReplacer("+", ".", "/", "_", "=", "-")

// zlibLike compresses data into one final deflate block, fixed-Huffman or stored, whichever
// C zlib's level 6 would pick between those two, after the same lazy LZ77 parse. It never
// emits dynamic-Huffman blocks, which C zlib may choose for long or repetitive inputs; the
// stream then differs from zlib's but still decodes to data.
func zlibLike(data []byte) []byte {
	toks := lz77(data)
	fixedBits := 7 // end of block
	for _, t := range toks {
		fixedBits += t.fixedBits()
	}
	var w bitWriter
	w.out = []byte{0x78, 0x9c}
	if len(data) <= 0xffff && len(data)+4 <= (fixedBits+3+7)>>3 {
		w.bits(1, 3) // final, stored
		w.flush()
		n := len(data)
		w.out = append(w.out, byte(n), byte(n>>8), ^byte(n), ^byte(n>>8))
		w.out = append(w.out, data...)
	} else {
		w.bits(1|1<<1, 3) // final, fixed Huffman
		for _, t := range toks {
			t.write(&w)
		}
		w.litLen(256)
		w.flush()
	}
	a := adler32.Checksum(data)
	return append(w.out, byte(a>>24), byte(a>>16), byte(a>>8), byte(a))
}

// zlib's deflate_slow parameters for level 6.
const (
	minMatch   = 3
	maxMatch   = 258
	goodLength = 8
	maxLazy    = 16
	niceLength = 128
	maxChain   = 128
	tooFar     = 4096
	maxDist    = 32768 - maxMatch - minMatch - 1
)

type token struct {
	lit        byte
	length     int // 0 for a literal
	dist       int
	lengthCode int
	distCode   int
}

// lz77 mirrors zlib's deflate_slow: 3-byte hash chains, lazy evaluation, and the same
// tie-breaking (the most recent of equally long matches). Like zlib, it never matches
// against position 0, which zlib's chains use as their nil.
func lz77(data []byte) []token {
	n := len(data)
	head := make(map[uint32]int)
	prev := make([]int, n)
	insert := func(pos int) int {
		h := (uint32(data[pos])<<10 ^ uint32(data[pos+1])<<5 ^ uint32(data[pos+2])) & 0x7fff
		old, ok := head[h]
		if !ok {
			old = -1
		}
		prev[pos] = old
		head[h] = pos
		return old
	}
	longest := func(s, cur, prevLength int) (int, int) {
		chain := maxChain
		if prevLength >= goodLength {
			chain >>= 2
		}
		nice := min(niceLength, n-s)
		best, start := prevLength, -1
		for ; cur > 0 && s-cur <= maxDist; cur = prev[cur] {
			l := 0
			for s+l < n && l < maxMatch && data[cur+l] == data[s+l] {
				l++
			}
			if l > best {
				best, start = l, cur
				if l >= nice {
					break
				}
			}
			if chain--; chain == 0 {
				break
			}
		}
		return best, start
	}

	var toks []token
	s, matchLength, matchStart, available := 0, minMatch-1, 0, false
	for s < n {
		hashHead := -1
		if n-s >= minMatch {
			hashHead = insert(s)
		}
		prevLength, prevMatch := matchLength, matchStart
		matchLength = minMatch - 1
		if hashHead > 0 && prevLength < maxLazy && s-hashHead <= maxDist {
			l, start := longest(s, hashHead, prevLength)
			matchLength = l
			if start >= 0 {
				matchStart = start
			}
			if matchLength == minMatch && s-matchStart > tooFar {
				matchLength = minMatch - 1
			}
		}
		switch {
		case prevLength >= minMatch && matchLength <= prevLength:
			toks = append(toks, newMatch(prevLength, s-1-prevMatch))
			end := s - 1 + prevLength
			for p := s + 1; p < end; p++ {
				if p+minMatch <= n {
					insert(p)
				}
			}
			s = end
			available, matchLength = false, minMatch-1
		case available:
			toks = append(toks, token{lit: data[s-1]})
			s++
		default:
			available = true
			s++
		}
	}
	if available {
		toks = append(toks, token{lit: data[s-1]})
	}
	return toks
}
