package main

import (
	"fmt"
	"slices"
	"sync"
)

// results collects every run's sample, keyed by pass, phase and contender,
// keeping the order in which passes and phases first appeared.
type results struct {
	mu      sync.Mutex
	passes  []string
	phases  []string
	metrics map[string]metric
	cells   map[cellKey]*cell
}

type cellKey struct{ pass, phase, contender string }

// cell is one table row's raw data.
type cell struct {
	samples []sample
	http    []int64
	api     []int64
	rss     int64
	errs    []string
}

func newResults() *results {
	return &results{metrics: map[string]metric{}, cells: map[cellKey]*cell{}}
}

func (r *results) addPass(pass string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if !slices.Contains(r.passes, pass) {
		r.passes = append(r.passes, pass)
	}
}

func (r *results) addPhase(phase string, m metric) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if _, ok := r.metrics[phase]; !ok {
		r.phases = append(r.phases, phase)
		r.metrics[phase] = m
	}
}

func (r *results) cell(pass, phase, contender string) *cell {
	k := cellKey{pass, phase, contender}
	c := r.cells[k]
	if c == nil {
		c = &cell{}
		r.cells[k] = c
	}
	return c
}

// record adds one run; a failed run keeps its error instead of a sample.
// http and api are the requests the run made, -1 when not applicable.
func (r *results) record(pass, phase, contender string, s sample, err error, http, api int64) {
	r.mu.Lock()
	defer r.mu.Unlock()
	c := r.cell(pass, phase, contender)
	if err != nil {
		c.errs = append(c.errs, err.Error())
		return
	}
	c.samples = append(c.samples, s)
	if http >= 0 { // below zero: the contender has no network to count
		c.http = append(c.http, http)
		c.api = append(c.api, api)
	}
}

// rss keeps the highest peak RSS seen for the row.
func (r *results) rss(pass, phase, contender string, rss int64) {
	r.mu.Lock()
	defer r.mu.Unlock()
	c := r.cell(pass, phase, contender)
	c.rss = max(c.rss, rss)
}

// get returns the row, or nil if it never ran.
func (r *results) get(pass, phase, contender string) *cell {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.cells[cellKey{pass, phase, contender}]
}

// value is the row's median in its metric; ok=false without a good run.
func (c *cell) value(m metric) (float64, bool) {
	if c == nil || len(c.samples) == 0 {
		return 0, false
	}
	vs := make([]float64, len(c.samples))
	for i, s := range c.samples {
		vs[i] = m.value(s)
	}
	return median(vs), true
}

// count is the median of the entries or files counted, to check agreement.
func (c *cell) count() int64 {
	var xs []int64
	for _, s := range c.samples {
		xs = append(xs, s.count)
	}
	return medianInt(xs)
}

func (c *cell) bytes() int64 {
	var xs []int64
	for _, s := range c.samples {
		xs = append(xs, s.bytes)
	}
	return medianInt(xs)
}

// median of xs (mean of the middle two for an even count); 0 for none.
func median(xs []float64) float64 {
	if len(xs) == 0 {
		return 0
	}
	s := slices.Clone(xs)
	slices.Sort(s)
	n := len(s)
	if n%2 == 1 {
		return s[n/2]
	}
	return (s[n/2-1] + s[n/2]) / 2
}

// medianInt is the lower median of xs: a count must stay a whole number.
func medianInt(xs []int64) int64 {
	if len(xs) == 0 {
		return 0
	}
	s := slices.Clone(xs)
	slices.Sort(s)
	return s[(len(s)-1)/2]
}

// higherBetter says whether a bigger number wins.
func (m metric) higherBetter() bool { return m != perSecs }

// speedup is how many times faster a is than b (above 1: a wins).
func (m metric) speedup(a, b float64) (float64, bool) {
	if a <= 0 || b <= 0 {
		return 0, false
	}
	if m.higherBetter() {
		return a / b, true
	}
	return b / a, true
}

func (m metric) format(v float64) string {
	switch m {
	case perMiBs:
		return fmt.Sprintf("%.0f MiB/s", v)
	case perIOPS:
		return fmt.Sprintf("%.0f IOPS", v)
	}
	switch {
	case v < 0.01:
		return fmt.Sprintf("%.1f ms", v*1000)
	case v < 1:
		return fmt.Sprintf("%.0f ms", v*1000)
	case v < 100:
		return fmt.Sprintf("%.2f s", v)
	}
	return fmt.Sprintf("%.0f s", v)
}
