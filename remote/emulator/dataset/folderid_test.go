package dataset

import (
	"bytes"
	"compress/zlib"
	"encoding/base64"
	"io"
	"strings"
	"testing"
)

// Expected IDs computed with C zlib (Python's zlib.compress) and the "+/=" → "._-" mapping;
// INBOX's is the one Infomaniak's Android app hard-codes.
var folderIDs = []struct{ path, id string }{
	{"INBOX", "eJzz9HPyjwAABGYBgQ--"},
	{"Sent", "eJwLTs0rAQADzwGb"},
	{"Drafts", "eJxzKUpMKykGAAfpAmU-"},
	{"Trash", "eJwLKUoszgAABeICAw--"},
	{"Spam", "eJwLLkjMBQADzwGS"},
	{"Archives", "eJxzLErOyCxLLQYADcsDNg--"},
	{"Archives/2025", "eJxzLErOyCxLLdY3MjAyBQAgtQQu"},
	{"Archives/Big", "eJxzLErOyCxLLdZ3ykwHAB1eBHc-"},
	{"INBOX/Factures", "eJzz9HPyj9B3S0wuKS1KLQYAIWoE7Q--"},
	{"Projekte/Übersicht", "eJwLKMrPSs0uSdU_PCcptag4MzmjBABQWQgn"},
	{"日本語/メール", "eJwBEwDs_.aXpeacrOiqni_jg6Hjg7zjg6uDqQzq"}, // stored block
	{"Archives/Archives/Archives", "eJxzLErOyCxLLdZ3RGcAAITvCf4-"},
	{"INBOX/INBOX/INBOX/INBOX", "eJzz9HPyj9D3RCcBTjcGjg--"},
	{"//a//a/b", "eJzT10_UB6IkAAiZAhA-"}, // zlib never matches against position 0
	{"Réunions/2025/Q1 Réunions", "eJwLOryyNC8zP69Y38jAyFQ_0FAhCCYCAJTnCn4-"},
	{"Clients/Müller AG/Rechnungen 2024", "eJxzzslMzSsp1vc9vCcnJ7VIwdFdPyg1OSOvNC89NU_ByMDIBADnpwxJ"},
	{"a", "eJxLBAAAYgBi"},
	{"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", "eJxLTCQMAPx.DaU-"},
	{"Holiday 🌴/Photos", "eJzzyM_JTEmsVPgwv2eLfkBGfkl.MQBScAhm"},
	{"Notes.old/x.y.z", "eJzzyy9JLdbLz0nRr9Cr1KsCACx.BW0-"},
}

func TestFolderIDMatchesZlib(t *testing.T) {
	for _, tc := range folderIDs {
		if got := FolderID(tc.path); got != tc.id {
			t.Errorf("FolderID(%q) = %s, want %s", tc.path, got, tc.id)
		}
	}
}

// Whatever block type is chosen, an ID must decode back to its path.
func TestFolderIDDecodes(t *testing.T) {
	paths := []string{"", "x", strings.Repeat("abc/", 200), strings.Repeat("z", 70000), "a\x00b/../é"}
	for _, tc := range folderIDs {
		paths = append(paths, tc.path)
	}
	for i := 0; i < 300; i++ {
		r := newRNG(int64(i))
		b := make([]byte, r.intn(120))
		for j := range b {
			b[j] = "ab/c.Ü"[r.intn(6)]
		}
		paths = append(paths, string(b))
	}
	unmap := strings.NewReplacer(".", "+", "_", "/", "-", "=")
	for _, p := range paths {
		id := FolderID(p)
		raw, err := base64.StdEncoding.DecodeString(unmap.Replace(id))
		if err != nil {
			t.Fatalf("%q: %v", p, err)
		}
		zr, err := zlib.NewReader(bytes.NewReader(raw))
		if err != nil {
			t.Fatalf("%q: %v", p, err)
		}
		got, err := io.ReadAll(zr)
		if err != nil || string(got) != p {
			t.Fatalf("%.40q: decoded %.40q, %v", p, got, err)
		}
	}
}
