package thumbs

import (
	"bytes"
	"encoding/binary"
	"errors"
	"hash/crc32"
	"image"
	"image/draw"
	"image/png"
	"io"
	"strconv"

	_ "image/gif"  // server thumbnails may come in any of these
	_ "image/jpeg" //
)

// Meta is what the standard asks a thumbnail to say of its file: the
// file manager takes a thumbnail as current only if URI and MTime match.
type Meta struct {
	URI      string
	MTime    int64 // seconds, as stat reports the file's mtime
	Size     int64 // bytes of the file
	MimeType string
}

// Encode scales img to fit size×size (never up) and writes it as a PNG
// whose tEXt chunks carry m (Thumb::URI, Thumb::MTime, Thumb::Size,
// Thumb::Mimetype, Software).
func Encode(img image.Image, size int, m Meta) ([]byte, error) {
	var b bytes.Buffer
	if err := png.Encode(&b, fit(img, size)); err != nil {
		return nil, err
	}
	text := [][2]string{
		{"Thumb::URI", m.URI},
		{"Thumb::MTime", itoa(m.MTime)},
		{"Thumb::Size", itoa(m.Size)},
		{"Software", "infomaniakfs"},
	}
	if m.MimeType != "" {
		text = append(text, [2]string{"Thumb::Mimetype", m.MimeType})
	}
	return insertText(b.Bytes(), text)
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

// fit scales img down (box filter) so that its longest edge is at most
// size.
func fit(img image.Image, size int) image.Image {
	b := img.Bounds()
	w, h := b.Dx(), b.Dy()
	if w <= size && h <= size || w == 0 || h == 0 {
		return img
	}
	nw, nh := size, max(1, h*size/w)
	if h > w {
		nw, nh = max(1, w*size/h), size
	}
	src := image.NewNRGBA(image.Rect(0, 0, w, h))
	draw.Draw(src, src.Rect, img, b.Min, draw.Src)
	dst := image.NewNRGBA(image.Rect(0, 0, nw, nh))
	for y := range nh {
		y0, y1 := y*h/nh, max((y+1)*h/nh, y*h/nh+1)
		for x := range nw {
			x0, x1 := x*w/nw, max((x+1)*w/nw, x*w/nw+1)
			var r, g, bl, a, n uint32
			for sy := y0; sy < y1; sy++ {
				for sx := x0; sx < x1; sx++ {
					o := src.PixOffset(sx, sy)
					r += uint32(src.Pix[o])
					g += uint32(src.Pix[o+1])
					bl += uint32(src.Pix[o+2])
					a += uint32(src.Pix[o+3])
					n++
				}
			}
			o := dst.PixOffset(x, y)
			dst.Pix[o], dst.Pix[o+1], dst.Pix[o+2], dst.Pix[o+3] = uint8(r/n), uint8(g/n), uint8(bl/n), uint8(a/n)
		}
	}
	return dst
}

var pngMagic = []byte("\x89PNG\r\n\x1a\n")

// insertText adds tEXt chunks right after IHDR (the first chunk).
func insertText(p []byte, text [][2]string) ([]byte, error) {
	if !bytes.HasPrefix(p, pngMagic) || len(p) < 8+8+13+4 {
		return nil, errors.New("thumbs: not a PNG")
	}
	ihdrEnd := 8 + 8 + 13 + 4
	var out bytes.Buffer
	out.Write(p[:ihdrEnd])
	for _, kv := range text {
		data := append([]byte(kv[0]), 0)
		data = append(data, kv[1]...)
		writeChunk(&out, "tEXt", data)
	}
	out.Write(p[ihdrEnd:])
	return out.Bytes(), nil
}

func writeChunk(w io.Writer, typ string, data []byte) {
	var hdr [8]byte
	binary.BigEndian.PutUint32(hdr[:4], uint32(len(data)))
	copy(hdr[4:], typ)
	w.Write(hdr[:])
	w.Write(data)
	crc := crc32.NewIEEE()
	crc.Write(hdr[4:])
	crc.Write(data)
	var sum [4]byte
	binary.BigEndian.PutUint32(sum[:], crc.Sum32())
	w.Write(sum[:])
}

// Text returns the tEXt chunks of a PNG, keyword → text.
func Text(p []byte) (map[string]string, error) {
	if !bytes.HasPrefix(p, pngMagic) {
		return nil, errors.New("thumbs: not a PNG")
	}
	out := map[string]string{}
	for i := 8; i+12 <= len(p); {
		n := int(binary.BigEndian.Uint32(p[i:]))
		typ := string(p[i+4 : i+8])
		if i+12+n > len(p) {
			return nil, errors.New("thumbs: truncated PNG")
		}
		if typ == "tEXt" {
			k, v, _ := bytes.Cut(p[i+8:i+8+n], []byte{0})
			out[string(k)] = string(v)
		}
		if typ == "IEND" {
			break
		}
		i += 12 + n
	}
	return out, nil
}
