package emulator

import (
	"bytes"
	"image"
	"image/color"
	"image/png"
	"net/http"
	"strconv"
	"strings"
)

// EpThumbnail counts GET /2/drive/{d}/files/{f}/thumbnail.
const EpThumbnail = "thumbnail"

// thumbnailDefault is the edge of a thumbnail when width/height are absent
// (additions §2.1: the desktop app asks 256).
const thumbnailDefault = 256

// thumbnail serves a file's server-side thumbnail (additions §2): a PNG
// (the real format is unknown, clients sniff it) of at most width×height,
// drawn from the file's id and version, never from its content, so that a
// test can tell a thumbnail from a download. Images, videos and PDFs have
// one; directories and other files answer 404 object_not_found, which is
// what clients expect for "no thumbnail".
func (s *Server) thumbnail(w http.ResponseWriter, r *http.Request) {
	n, ok := s.node(w, r)
	if !ok {
		return
	}
	mt := mimeOf(n)
	if n.IsDir || !(strings.HasPrefix(mt, "image/") || strings.HasPrefix(mt, "video/") || mt == "application/pdf") {
		apiError(w, http.StatusNotFound, "object_not_found", "this file has no thumbnail")
		return
	}
	edge := func(name string) int {
		v, err := strconv.Atoi(r.URL.Query().Get(name))
		if err != nil || v <= 0 {
			return thumbnailDefault
		}
		return min(v, 1024)
	}
	wd, ht := edge("width"), edge("height")
	img := image.NewNRGBA(image.Rect(0, 0, wd, ht*3/4))
	c := color.NRGBA{R: uint8(n.ID * 37), G: uint8(n.Version * 91), B: uint8(n.DriveID * 53), A: 255}
	for y := img.Rect.Min.Y; y < img.Rect.Max.Y; y++ {
		for x := img.Rect.Min.X; x < img.Rect.Max.X; x++ {
			img.SetNRGBA(x, y, c)
		}
	}
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		apiError(w, http.StatusInternalServerError, "unexpected_error", err.Error())
		return
	}
	w.Header().Set("Content-Type", "image/png")
	w.Header().Set("Content-Length", strconv.Itoa(b.Len()))
	w.Write(b.Bytes())
}
