package fs

import (
	"strings"
	"unicode/utf8"
)

// MaxNameLen is the longest file name, in bytes, that Linux accepts
// (NAME_MAX).
const MaxNameLen = 255

// maxExtLen bounds what counts as an extension worth keeping when a name
// must be cut: ".pdf" survives, a 200-byte "extension" does not.
const maxExtLen = 32

// Replacements for what a remote name may hold but a Linux name may not.
// Look-alike characters keep names readable; U+FFFD marks lost bytes.
const (
	slashSub   = "\uFF0F" // FULLWIDTH SOLIDUS for '/'
	dotSub     = "\uFF0E" // FULLWIDTH FULL STOP for the names "." and ".."
	invalidSub = "\uFFFD" // REPLACEMENT CHARACTER for NUL and invalid UTF-8
	emptyName  = "_"      // an empty name
)

// SafeName turns a remote name into a name Linux can serve:
//   - '/' becomes U+FF0F (／); NUL and every byte that is not valid UTF-8
//     become U+FFFD (�), one per byte. Other characters, controls included,
//     are kept: they are legal and a user may have chosen them.
//   - "" becomes "_", "." and ".." become "．" and "．．".
//   - the result is at most 255 bytes, cut on a rune boundary; a short
//     extension (".pdf") is kept and the stem is cut instead.
//
// SafeName is idempotent: SafeName(SafeName(s)) == SafeName(s). Different
// names may give the same safe name; Namer keeps such entries apart.
func SafeName(name string) string {
	s := replaceUnsafe(name)
	s = cutName(s, MaxNameLen)
	switch s {
	case "":
		return emptyName
	case ".":
		return dotSub
	case "..":
		return dotSub + dotSub
	}
	return s
}

// replaceUnsafe maps '/', NUL and invalid UTF-8 bytes; a name without any
// is returned as is, without allocating.
func replaceUnsafe(name string) string {
	if utf8.ValidString(name) && !strings.ContainsAny(name, "/\x00") {
		return name
	}
	var b strings.Builder
	b.Grow(len(name) + 8)
	for i := 0; i < len(name); {
		r, size := utf8.DecodeRuneInString(name[i:])
		switch {
		case r == utf8.RuneError && size <= 1:
			b.WriteString(invalidSub)
		case r == '/':
			b.WriteString(slashSub)
		case r == 0:
			b.WriteString(invalidSub)
		default:
			b.WriteString(name[i : i+size])
		}
		i += size
	}
	return b.String()
}

// cutName shortens valid UTF-8 s to at most max bytes, keeping a short
// extension when there is room for something before it.
func cutName(s string, max int) string {
	if len(s) <= max {
		return s
	}
	stem, ext := splitExt(s)
	if len(ext) >= max/2 {
		stem, ext = s, ""
	}
	return cutRunes(stem, max-len(ext)) + ext
}

// splitExt splits name before its last '.', when what follows is a short
// extension and something precedes it (".bashrc" has no extension).
func splitExt(name string) (stem, ext string) {
	i := strings.LastIndexByte(name, '.')
	if i <= 0 || len(name)-i > maxExtLen || strings.ContainsRune(name[i:], ' ') {
		return name, ""
	}
	return name[:i], name[i:]
}

// cutRunes returns the longest prefix of valid UTF-8 s that is at most max
// bytes and ends on a rune boundary.
func cutRunes(s string, max int) string {
	if max <= 0 {
		return ""
	}
	if len(s) <= max {
		return s
	}
	for max > 0 && !utf8.RuneStart(s[max]) {
		max--
	}
	return s[:max]
}
