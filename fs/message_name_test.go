package fs

import (
	"regexp"
	"strings"
	"testing"
	"time"
	"unicode"

	"github.com/infomaniakfs/infomaniakfs/remote"
)

func TestMessageName(t *testing.T) {
	d := time.Date(2026, 11, 20, 9, 15, 59, 0, time.UTC)
	zurich := time.FixedZone("CET", 3600)
	tests := []struct {
		name string
		m    remote.Message
		want string
	}{
		{"plain", remote.Message{UID: "4711", Subject: "Quarterly report", Date: d}, "2026-11-20 0915 Quarterly report (4711).eml"},
		{"UTC", remote.Message{UID: "1", Subject: "x", Date: time.Date(2026, 1, 1, 0, 30, 0, 0, zurich)}, "2025-12-31 2330 x (1).eml"},
		{"no subject", remote.Message{UID: "2", Date: d}, "2026-11-20 0915 (no subject) (2).eml"},
		{"blank subject", remote.Message{UID: "2", Subject: " \t\r\n ", Date: d}, "2026-11-20 0915 (no subject) (2).eml"},
		{"no date", remote.Message{UID: "3", Subject: "s"}, "0000-00-00 0000 s (3).eml"},
		{"year 10000", remote.Message{UID: "3", Subject: "s", Date: time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC)}, "0000-00-00 0000 s (3).eml"},
		{"folded header", remote.Message{UID: "4", Subject: "Re:\r\n  long\tsubject  ", Date: d}, "2026-11-20 0915 Re: long subject (4).eml"},
		{"slash and NUL", remote.Message{UID: "5", Subject: "a/b\x00c", Date: d}, "2026-11-20 0915 a／b c (5).eml"},
		{"invalid UTF-8", remote.Message{UID: "6", Subject: "caf\xe9", Date: d}, "2026-11-20 0915 caf\uFFFD (6).eml"},
		{"unicode", remote.Message{UID: "7", Subject: "Übersicht 📈", Date: d}, "2026-11-20 0915 Übersicht 📈 (7).eml"},
		{"long", remote.Message{UID: "8", Subject: strings.Repeat("é", 200), Date: d},
			"2026-11-20 0915 " + strings.Repeat("é", 115) + " (8).eml"},
		{"long, cut before a space", remote.Message{UID: "9", Subject: strings.Repeat("a", 230) + " tail" + strings.Repeat("b", 50), Date: d},
			"2026-11-20 0915 " + strings.Repeat("a", 230) + " (9).eml"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := MessageName(tc.m)
			if got != tc.want {
				t.Errorf("MessageName = %q (%d bytes), want %q", got, len(got), tc.want)
			}
			checkSafe(t, got, tc.m.Subject)
		})
	}
}

var messageNameRE = regexp.MustCompile(`^(\d{4}-\d{2}-\d{2} \d{4}) (.+) \((.+)\)\.eml$`)

func FuzzMessageName(f *testing.F) {
	f.Add("Quarterly report", "4711", int64(1795165200))
	f.Add("", "", int64(0))
	f.Add(strings.Repeat("/\x00\xff", 200), strings.Repeat("9", 100), int64(-62135596800))
	f.Fuzz(func(t *testing.T, subject, uid string, unix int64) {
		m := remote.Message{UID: uid, Subject: subject, Date: time.Unix(unix, 0)}
		got := MessageName(m)
		checkSafe(t, got, subject)
		if strings.IndexFunc(got, unicode.IsControl) >= 0 {
			t.Fatalf("%q has a control character", got)
		}
		parts := messageNameRE.FindStringSubmatch(got)
		if parts == nil {
			t.Fatalf("%q does not look like DATE SUBJECT (UID).eml", got)
		}
		if d := m.Date.UTC(); d.Year() >= 0 && d.Year() <= 9999 && !m.Date.IsZero() && parts[1] != d.Format(dateLayout) {
			t.Fatalf("%q: date part %q, want %q", got, parts[1], d.Format(dateLayout))
		}
		if MessageName(m) != got {
			t.Fatal("not deterministic")
		}
	})
}
