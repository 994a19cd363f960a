package fs

import (
	"strings"
	"testing"
	"unicode/utf8"
)

func TestSafeName(t *testing.T) {
	long := strings.Repeat("a", 300)
	tests := []struct {
		in, want string
	}{
		{"report.pdf", "report.pdf"},
		{"Common documents", "Common documents"},
		{"tab\tand\nnewline", "tab\tand\nnewline"}, // legal, kept
		{"a/b", "a／b"},
		{"/", "／"},
		{"nul\x00", "nul\uFFFD"},
		{"bad\xffname", "bad\uFFFDname"},
		{"\xc3", "\uFFFD"},           // a cut rune: one byte, one U+FFFD
		{"\xe2\x82", "\uFFFD\uFFFD"}, // two stray bytes
		{"", "_"},
		{".", "．"},
		{"..", "．．"},
		{"...", "..."},
		{".hidden", ".hidden"},
		{long, long[:255]},
		{long + ".txt", long[:251] + ".txt"},
		{long + "." + strings.Repeat("e", 40), (long + "." + strings.Repeat("e", 40))[:255]}, // no short ext
		{strings.Repeat("€", 100), strings.Repeat("€", 85)},                                  // 300 bytes → 255 on a rune boundary
		{strings.Repeat("€", 100) + ".md", strings.Repeat("€", 84) + ".md"},
		{"\uFFFD", "\uFFFD"},
	}
	for _, tc := range tests {
		if got := SafeName(tc.in); got != tc.want {
			t.Errorf("SafeName(%q) = %q (%d bytes), want %q", tc.in, got, len(got), tc.want)
		}
	}
}

// checkSafe fails unless name is servable: valid UTF-8, no '/', no NUL,
// not empty, ".", "..", at most 255 bytes, a fixed point of SafeName.
func checkSafe(t *testing.T, name, from string) {
	t.Helper()
	switch {
	case !utf8.ValidString(name):
		t.Fatalf("%q → %q: invalid UTF-8", from, name)
	case strings.ContainsAny(name, "/\x00"):
		t.Fatalf("%q → %q: contains / or NUL", from, name)
	case name == "" || name == "." || name == "..":
		t.Fatalf("%q → %q: reserved name", from, name)
	case len(name) > MaxNameLen:
		t.Fatalf("%q → %q: %d bytes", from, name, len(name))
	case SafeName(name) != name:
		t.Fatalf("%q → %q: not a fixed point (→ %q)", from, name, SafeName(name))
	}
}

func FuzzSafeName(f *testing.F) {
	for _, s := range []string{"", ".", "..", "a/b", "\x00", "\xff\xfe", strings.Repeat("é", 200) + ".txt", "x.y.z", "  "} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		out := SafeName(in)
		checkSafe(t, out, in)
		// A name that is already fine is kept as is.
		if utf8.ValidString(in) && !strings.ContainsAny(in, "/\x00") && len(in) <= MaxNameLen && in != "" && in != "." && in != ".." && out != in {
			t.Fatalf("SafeName(%q) = %q, want it unchanged", in, out)
		}
	})
}
