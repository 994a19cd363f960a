// Command photos writes a folder of JPEG photos for `make bench-desktop`:
// real JPEG images (so that thumbnailers decode them) padded after their
// end marker to the size of a camera's photo.
//
//	go run ./bench/desktop/photos DIR COUNT SIZE_BYTES
package main

import (
	"bytes"
	"fmt"
	"image"
	"image/color"
	"image/jpeg"
	"os"
	"path/filepath"
	"strconv"
)

func main() {
	if len(os.Args) != 4 {
		fmt.Fprintln(os.Stderr, "usage: photos DIR COUNT SIZE_BYTES")
		os.Exit(2)
	}
	dir := os.Args[1]
	n, err1 := strconv.Atoi(os.Args[2])
	size, err2 := strconv.Atoi(os.Args[3])
	if err1 != nil || err2 != nil || n <= 0 || size <= 0 {
		fmt.Fprintln(os.Stderr, "photos: COUNT and SIZE_BYTES must be positive integers")
		os.Exit(2)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	for i := range n {
		if err := os.WriteFile(filepath.Join(dir, fmt.Sprintf("IMG_%04d.jpg", i+1)), photo(i, size), 0o644); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
	}
}

// photo is a 1024×768 gradient, different for each i, padded to size.
func photo(i, size int) []byte {
	img := image.NewRGBA(image.Rect(0, 0, 1024, 768))
	for y := range 768 {
		for x := range 1024 {
			img.Set(x, y, color.RGBA{uint8(x/4 + i*13), uint8(y/3 + i*29), uint8((x + y + i*50) / 8), 255})
		}
	}
	var b bytes.Buffer
	jpeg.Encode(&b, img, &jpeg.Options{Quality: 90})
	out := b.Bytes()
	if len(out) < size {
		pad := make([]byte, size-len(out))
		for j := range pad {
			pad[j] = byte(j*31 + i) // after EOI: decoders stop before it
		}
		out = append(out, pad...)
	}
	return out
}
