// Package thumbs writes server-side thumbnails of kDrive files into the
// freedesktop.org thumbnail cache ($XDG_CACHE_HOME/thumbnails), where
// file managers (Nautilus, Thunar's tumblerd, PCManFM) look before they
// run a thumbnailer, which would read (download) the whole file. See the
// Thumbnail Managing Standard:
// https://specifications.freedesktop.org/thumbnail-spec/latest/
package thumbs

import (
	"crypto/md5"
	"encoding/hex"
	"path/filepath"
	"strings"
)

// Sizes of the standard's directories: the longest edge of a thumbnail.
const (
	NormalSize = 128
	LargeSize  = 256
)

// FileURI is the URI a file manager computes for an absolute path, as
// GLib's g_filename_to_uri writes it (the thumbnail's name is the MD5 of
// this exact string, so it must match byte for byte): "file://" and the
// path with every byte outside A-Z a-z 0-9 and !$&'()*+,-./:=@_~ written
// %XX (upper-case hex).
func FileURI(abs string) string {
	const hex = "0123456789ABCDEF"
	var b strings.Builder
	b.WriteString("file://")
	for i := 0; i < len(abs); i++ {
		c := abs[i]
		if uriSafe(c) {
			b.WriteByte(c)
			continue
		}
		b.WriteByte('%')
		b.WriteByte(hex[c>>4])
		b.WriteByte(hex[c&15])
	}
	return b.String()
}

func uriSafe(c byte) bool {
	switch {
	case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9':
		return true
	}
	return strings.IndexByte("!$&'()*+,-./:=@_~", c) >= 0
}

// Path is where the thumbnail of uri goes in the cache under cacheHome
// ($XDG_CACHE_HOME): thumbnails/{normal,large}/<md5 of uri>.png.
func Path(cacheHome, uri string, size int) string {
	dir := "normal"
	if size > NormalSize {
		dir = "large"
	}
	sum := md5.Sum([]byte(uri))
	return filepath.Join(cacheHome, "thumbnails", dir, hex.EncodeToString(sum[:])+".png")
}

// Qualifies reports whether a file of this MIME type (or, without one,
// name) has a server thumbnail worth fetching: images, videos and PDFs,
// the types kDrive's apps show thumbnails for (additions §2.3).
func Qualifies(mimeType, name string) bool {
	if mimeType == "" || mimeType == "application/octet-stream" {
		switch strings.ToLower(filepath.Ext(name)) {
		case ".jpg", ".jpeg", ".png", ".gif", ".webp", ".heic", ".tif", ".tiff", ".bmp",
			".mp4", ".mov", ".mkv", ".webm", ".avi", ".pdf":
			return true
		}
		return false
	}
	return strings.HasPrefix(mimeType, "image/") || strings.HasPrefix(mimeType, "video/") || mimeType == "application/pdf"
}
