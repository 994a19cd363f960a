package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// fixture: infomaniakfs against rclone off, direct and local in one pass.
func fixture() *results {
	r := newResults()
	r.addPass("WAN")
	r.addPhase("ls cold", perSecs)
	r.addPhase("ls warm", perSecs)
	r.addPhase("read cold", perMiBs)
	r.addPhase("read warm", perMiBs)
	rec := func(phase, c string, s sample) { r.record("WAN", phase, c, s, nil, 4, 2) }
	rec("ls cold", cIFS, sample{secs: 1, count: 100})
	rec("ls cold", cRcloneOff, sample{secs: 3, count: 100})
	rec("ls cold", cLocal, sample{secs: 0.1, count: 100})
	rec("ls warm", cIFS, sample{secs: 0.1, count: 99})
	rec("ls warm", cRcloneOff, sample{secs: 0.2, count: 100})
	rec("ls warm", cLocal, sample{secs: 0.05, count: 100})
	rec("read cold", cIFS, sample{secs: 10, bytes: 950 << 20})
	rec("read cold", cDirect, sample{secs: 10, bytes: 1000 << 20})
	rec("read warm", cIFS, sample{secs: 1, bytes: 1000 << 20})
	rec("read warm", cLocal, sample{secs: 1, bytes: 1000 << 20})
	r.rss("WAN", "read cold", cIFS, 500<<20)
	return r
}

func TestRenderTable(t *testing.T) {
	r := fixture()
	r.record("WAN", "ls cold", cRcloneFul, sample{}, errFake("no | mount"), 0, 0)
	out := renderTable(r, "WAN")
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) != 2+11 {
		t.Fatalf("got %d lines, want header, rule and 11 rows:\n%s", len(lines), out)
	}
	cols := strings.Count(lines[0], "|")
	for i, l := range lines {
		if strings.Count(l, "|") != cols {
			t.Errorf("line %d has %d pipes, want %d: %s", i, strings.Count(l, "|"), cols, l)
		}
	}
	for _, want := range []string{
		"| ls cold | infomaniakfs | 1.00 s |  | 0.10 | 3.00 |", // × direct empty, × local 0.1, × rclone off 3
		"| read cold | infomaniakfs | 95 MiB/s | 0.95 |",
		"| 4 | 2 | 2s | 500 MiB |",
		"failed: no / mount",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("table lacks %q:\n%s", want, out)
		}
	}
}

type errFake string

func (e errFake) Error() string { return string(e) }

func TestCheckTargets(t *testing.T) {
	r := fixture()
	missed, met := checkTargets(r, []target{
		{"cold seq", "read cold", cDirect, 0.9},    // 0.95: met
		{"warm re-read", "read warm", cLocal, 0.8}, // 1.0: met
		{"cold ls", "ls cold", cRcloneOff, 2},      // 3.0: met
		{"warm ls", "ls warm", cRcloneOff, 5},      // 2.0: missed
		{"absent", "ls cold", cCeiling, 1},         // not measured
	})
	joined := strings.Join(missed, "\n")
	for _, want := range []string{"warm ls: 2.00×", "absent: not measured", "peak RSS of infomaniakfs: 500 MiB"} {
		if !strings.Contains(joined, want) {
			t.Errorf("missed lacks %q:\n%s", want, joined)
		}
	}
	if len(missed) != 3 || len(met) != 3 {
		t.Errorf("missed %d, met %d; want 3 and 3:\n%s\n--\n%s", len(missed), len(met), joined, strings.Join(met, "\n"))
	}
}

func TestCheckCounts(t *testing.T) {
	got := checkCounts(fixture())
	if len(got) != 1 || !strings.Contains(got[0], "ls warm, infomaniakfs: 99 entries") {
		t.Errorf("checkCounts = %q, want only the warm ls of infomaniakfs", got)
	}
}

func TestSpliceResultsKeepsAnalysis(t *testing.T) {
	fresh := spliceResults("", "table one")
	if !strings.Contains(fresh, markBegin+"\ntable one\n"+markEnd) || !strings.Contains(fresh, "## Analysis") {
		t.Fatalf("fresh file:\n%s", fresh)
	}
	edited := strings.Replace(fresh, "_To be written", "The lead wrote this. _To be written", 1)
	again := spliceResults(edited, "table two")
	if strings.Contains(again, "table one") || !strings.Contains(again, "table two") {
		t.Errorf("table not replaced:\n%s", again)
	}
	if !strings.Contains(again, "The lead wrote this.") || strings.Count(again, "## Analysis") != 1 {
		t.Errorf("analysis not kept:\n%s", again)
	}
	other := spliceResults("# Notes\nhand text\n", "t")
	if !strings.HasPrefix(other, "# Notes\nhand text\n\n"+markBegin) {
		t.Errorf("file without markers: %q", other)
	}
}

func TestWriteResults(t *testing.T) {
	p := filepath.Join(t.TempDir(), "RESULTS.md")
	if err := writeResults(p, "one"); err != nil {
		t.Fatal(err)
	}
	if err := writeResults(p, "two"); err != nil {
		t.Fatal(err)
	}
	b, _ := os.ReadFile(p)
	if strings.Contains(string(b), "one") || strings.Count(string(b), markBegin) != 1 {
		t.Errorf("second write:\n%s", b)
	}
}

func TestSplitPass(t *testing.T) {
	in, out := splitPass([]string{"[WAN] a", "[loopback] b", "[WAN] c"}, passWAN)
	if strings.Join(in, ",") != "[WAN] a,[WAN] c" || strings.Join(out, ",") != "[loopback] b" {
		t.Errorf("splitPass = %q, %q", in, out)
	}
}
