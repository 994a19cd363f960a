package main

import (
	"errors"
	"math"
	"strings"
	"testing"
	"time"
)

func TestMedian(t *testing.T) {
	for _, tc := range []struct {
		in   []float64
		want float64
	}{
		{nil, 0},
		{[]float64{3}, 3},
		{[]float64{5, 1, 3}, 3},
		{[]float64{4, 1, 3, 2}, 2.5},
		{[]float64{9, 9, 1}, 9},
	} {
		if got := median(tc.in); got != tc.want {
			t.Errorf("median(%v) = %v, want %v", tc.in, got, tc.want)
		}
	}
	in := []float64{3, 1, 2}
	median(in)
	if in[0] != 3 {
		t.Error("median sorted its argument in place")
	}
	for _, tc := range []struct {
		in   []int64
		want int64
	}{{nil, 0}, {[]int64{7}, 7}, {[]int64{4, 1, 3, 2}, 2}, {[]int64{10, 30, 20}, 20}} {
		if got := medianInt(tc.in); got != tc.want {
			t.Errorf("medianInt(%v) = %v, want %v", tc.in, got, tc.want)
		}
	}
}

func TestMetricValueAndSpeedup(t *testing.T) {
	s := sample{secs: 2, bytes: 200 << 20, ios: 500}
	for _, tc := range []struct {
		m    metric
		want float64
	}{{perSecs, 2}, {perMiBs, 100}, {perIOPS, 250}} {
		if got := tc.m.value(s); got != tc.want {
			t.Errorf("metric %d value = %v, want %v", tc.m, got, tc.want)
		}
	}
	for _, tc := range []struct {
		m    metric
		a, b float64
		want float64
		ok   bool
	}{
		{perSecs, 1, 4, 4, true},    // 1 s vs 4 s: 4× faster
		{perSecs, 4, 1, 0.25, true}, // slower
		{perMiBs, 90, 100, 0.9, true},
		{perIOPS, 200, 100, 2, true},
		{perSecs, 0, 1, 0, false},
	} {
		got, ok := tc.m.speedup(tc.a, tc.b)
		if ok != tc.ok || math.Abs(got-tc.want) > 1e-9 {
			t.Errorf("speedup(%d, %v, %v) = %v, %v; want %v, %v", tc.m, tc.a, tc.b, got, ok, tc.want, tc.ok)
		}
	}
}

func TestMetricFormat(t *testing.T) {
	for _, tc := range []struct {
		m    metric
		v    float64
		want string
	}{
		{perSecs, 0.0042, "4.2 ms"},
		{perSecs, 0.25, "250 ms"},
		{perSecs, 12.345, "12.35 s"},
		{perSecs, 321, "321 s"},
		{perMiBs, 97.6, "98 MiB/s"},
		{perIOPS, 1234.4, "1234 IOPS"},
	} {
		if got := tc.m.format(tc.v); got != tc.want {
			t.Errorf("format(%d, %v) = %q, want %q", tc.m, tc.v, got, tc.want)
		}
	}
}

func TestResultsRecordKeepsErrorsAndPeakRSS(t *testing.T) {
	r := newResults()
	r.addPass("WAN")
	r.addPhase("op", perSecs)
	r.addPhase("op", perMiBs) // first registration wins
	r.record("WAN", "op", cIFS, sample{secs: 1}, nil, 3, 2)
	r.record("WAN", "op", cIFS, sample{}, errors.New("boom"), 9, 9)
	r.record("WAN", "op", cIFS, sample{secs: 3}, nil, 5, 4)
	r.rss("WAN", "op", cIFS, 10<<20)
	r.rss("WAN", "op", cIFS, 5<<20)
	c := r.get("WAN", "op", cIFS)
	if v, ok := c.value(r.metrics["op"]); !ok || v != 2 {
		t.Errorf("value = %v, %v; want 2 (median of the good runs)", v, ok)
	}
	if len(c.errs) != 1 || c.rss != 10<<20 || medianInt(c.http) != 3 {
		t.Errorf("cell = %+v", c)
	}
	if r.get("WAN", "op", cLocal) != nil {
		t.Error("a row that never ran exists")
	}
	if _, ok := (*cell)(nil).value(perSecs); ok {
		t.Error("nil cell has a value")
	}
}

func TestBudgetCell(t *testing.T) {
	if got := budgetCell([]int64{90}); got != (90 * time.Second).String() {
		t.Errorf("budgetCell(90) = %q", got)
	}
	if budgetCell(nil) != "" || budgetCell([]int64{0}) != "0 s" {
		t.Error("budgetCell of none / zero")
	}
	if !strings.Contains(rssCell(300<<20), "300 MiB") || rssCell(0) != "" {
		t.Error("rssCell")
	}
}
