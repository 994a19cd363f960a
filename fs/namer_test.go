package fs

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
)

type namerIn struct {
	name, id string
	dir      bool
}

func names(in []namerIn) []string {
	var n Namer
	for _, e := range in {
		n.Add(e.name, e.id, e.dir)
	}
	return n.Names()
}

func TestNamer(t *testing.T) {
	long := strings.Repeat("x", 300)
	tests := []struct {
		name string
		in   []namerIn
		want []string
	}{
		{"no collision", []namerIn{{"a", "1", false}, {"b", "2", false}}, []string{"a", "b"}},
		{"all colliders suffixed", []namerIn{{"r.pdf", "42", false}, {"r.pdf", "57", false}}, []string{"r (42).pdf", "r (57).pdf"}},
		{"dirs suffixed at the end", []namerIn{{"Team", "7", true}, {"Team", "9", true}}, []string{"Team (7)", "Team (9)"}},
		{"collide after SafeName", []namerIn{{"a/b", "1", false}, {"a／b", "2", false}}, []string{"a／b (1)", "a／b (2)"}},
		{"suffix taken by a real name", []namerIn{{"d.txt", "5", false}, {"d.txt", "6", false}, {"d (5).txt", "9", false}},
			[]string{"d (5-2).txt", "d (6).txt", "d (5).txt"}},
		{"long names stay within 255", []namerIn{{long, "1", false}, {long, "2", false}},
			[]string{long[:251] + " (1)", long[:251] + " (2)"}},
		{"hostile id", []namerIn{{"z", "a/b\x00", false}, {"z", "c", false}}, []string{"z (a／b\uFFFD)", "z (c)"}},
		{"dots", []namerIn{{".", "1", false}, {"..", "2", false}, {"．", "3", false}}, []string{"． (1)", "．．", "． (3)"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := names(tc.in)
			if !slices.Equal(got, tc.want) {
				t.Errorf("got %q, want %q", got, tc.want)
			}
			rev := slices.Clone(tc.in)
			slices.Reverse(rev)
			gotRev := names(rev)
			slices.Reverse(gotRev)
			if !slices.Equal(gotRev, got) {
				t.Errorf("reversed input gives %q, want %q", gotRev, got)
			}
		})
	}
}

// FuzzNamer decodes data as entries whose names are drawn from a tiny
// alphabet (so they collide often) and checks: every name is safe and
// unique, a unique safe name is kept, and the result does not depend on
// the order of Add.
func FuzzNamer(f *testing.F) {
	f.Add([]byte("a\x00b\x00a\x00a.txt\x00a.txt\x00a (1).txt"), uint64(1))
	f.Add([]byte("\x00\x00.\x00..\x00/\x00\xff"), uint64(2))
	f.Add(bytes.Repeat([]byte("x"), 600), uint64(3))
	f.Fuzz(func(t *testing.T, data []byte, seed uint64) {
		parts := bytes.Split(data, []byte{0})
		if len(parts) > 64 {
			parts = parts[:64]
		}
		in := make([]namerIn, len(parts))
		for i, p := range parts {
			id := fmt.Sprint(i + 1)
			if len(p) >= 2 { // let ids collide with names' digits too
				id = fmt.Sprint(binary.BigEndian.Uint16(p[:2])%7 + uint16(i)*7)
			}
			in[i] = namerIn{name: string(p), id: id, dir: len(p)%3 == 0}
		}
		got := names(in)
		seen := map[string]int{}
		count := map[string]int{}
		for _, e := range in {
			count[SafeName(e.name)]++
		}
		for i, n := range got {
			checkSafe(t, n, in[i].name)
			if j, dup := seen[n]; dup {
				t.Fatalf("entries %d and %d both named %q", j, i, n)
			}
			seen[n] = i
			if s := SafeName(in[i].name); count[s] == 1 && n != s {
				t.Fatalf("unique %q renamed %q", s, n)
			}
		}
		keys := map[namerIn]bool{}
		for _, e := range in {
			k := namerIn{SafeName(e.name), e.id, e.dir}
			if keys[k] {
				return // indistinguishable twins may swap names
			}
			keys[k] = true
		}
		perm := rand.New(rand.NewPCG(seed, seed)).Perm(len(in))
		shuffled := make([]namerIn, len(in))
		for i, p := range perm {
			shuffled[i] = in[p]
		}
		gotShuffled := names(shuffled)
		for i, p := range perm {
			if gotShuffled[i] != got[p] {
				t.Fatalf("order changed entry %d's name: %q vs %q", p, gotShuffled[i], got[p])
			}
		}
	})
}
