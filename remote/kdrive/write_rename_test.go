package kdrive

import "testing"

// The names the service gives a new file that clashes with a folder
// (additions §5.2; the emulator's freeName), and names it does not.
func TestRenamedByServer(t *testing.T) {
	for _, tc := range []struct {
		asked, got string
		want       bool
	}{
		{"a.txt", "a(1).txt", true},
		{"a.txt", "a(12).txt", true},
		{"sub", "sub(3)", true},
		{".bashrc", ".bashrc(1)", true},
		{"a.tar.gz", "a.tar(1).gz", true},
		{"a.txt", "a.txt", false},
		{"a.txt", "a().txt", false},
		{"a.txt", "a(x).txt", false},
		{"a.txt", "b(1).txt", false},
		{"a.txt", "a(1).md", false},
		{"café", "café", false}, // a normalised name is not a rename
	} {
		if got := renamedByServer(tc.asked, tc.got); got != tc.want {
			t.Errorf("renamedByServer(%q, %q) = %v, want %v", tc.asked, tc.got, got, tc.want)
		}
	}
}
