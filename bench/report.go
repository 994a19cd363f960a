package main

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"strings"
	"time"
)

const (
	markBegin = "<!-- bench:begin -->"
	markEnd   = "<!-- bench:end -->"
	// cacheBudget is the --cache-size infomaniakfs gets (its default).
	cacheBudget = 256 << 20
	// rssTarget is the peak RSS an infomaniakfs mount may reach.
	rssTarget = 100<<20 + cacheBudget
)

// tableOrder is the contenders' column and row order.
var tableOrder = []string{cIFS, cRcloneOff, cRcloneFul, cRcloneKD, cRcloneKDW, cDirect, cLocal, cCeiling}

// renderTable is one pass's Markdown table.
func renderTable(r *results, pass string) string {
	var b strings.Builder
	b.WriteString("| Operation | Contender | Median | × direct | × local | × rclone off | × rclone full | HTTP req | API req | at 60 req/min | Peak RSS |\n")
	b.WriteString("|---|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|\n")
	for _, phase := range r.phases {
		m := r.metrics[phase]
		for _, name := range tableOrder {
			c := r.get(pass, phase, name)
			if c == nil {
				continue
			}
			v, ok := c.value(m)
			row := []string{phase, name}
			if !ok {
				row = append(row, "failed: "+shortErr(c.errs), "", "", "", "", "", "", "", "")
			} else {
				row = append(row, m.format(v))
				for _, other := range []string{cDirect, cLocal, cRcloneOff, cRcloneFul} {
					row = append(row, ratioCell(r, pass, phase, m, v, other))
				}
				row = append(row, reqCell(c.http), reqCell(c.api), budgetCell(c.api), rssCell(c.rss))
			}
			b.WriteString("| " + strings.Join(row, " | ") + " |\n")
		}
	}
	return b.String()
}

func ratioCell(r *results, pass, phase string, m metric, v float64, other string) string {
	ov, ok := r.get(pass, phase, other).value(m)
	if !ok {
		return ""
	}
	x, ok := m.speedup(v, ov)
	if !ok {
		return ""
	}
	return fmt.Sprintf("%.2f", x)
}

func reqCell(xs []int64) string {
	if len(xs) == 0 {
		return ""
	}
	return fmt.Sprint(medianInt(xs))
}

// budgetCell is how long the requests would take under Infomaniak's
// documented 60 requests per minute.
func budgetCell(api []int64) string {
	if len(api) == 0 {
		return ""
	}
	n := medianInt(api)
	if n == 0 {
		return "0 s"
	}
	return (time.Duration(n) * time.Second).String()
}

func rssCell(n int64) string {
	if n == 0 {
		return ""
	}
	return fmt.Sprintf("%.0f MiB", float64(n)/(1<<20))
}

func shortErr(errs []string) string {
	if len(errs) == 0 {
		return "no run"
	}
	e := strings.ReplaceAll(errs[0], "|", "/")
	e = strings.ReplaceAll(e, "\n", " ")
	if len(e) > 120 {
		e = e[:120] + "…"
	}
	return e
}

// target is one goal infomaniakfs must meet.
type target struct {
	what    string
	phase   string  // phase name
	against string  // contender compared with
	min     float64 // minimum speed-up over it
}

// checkTargets lists, per pass, every target infomaniakfs misses (or
// could not be measured), and the ones it meets.
func checkTargets(r *results, ts []target) (missed, met []string) {
	for _, pass := range r.passes {
		for _, t := range ts {
			if r.get(pass, t.phase, cIFS) == nil && r.get(pass, t.phase, t.against) == nil {
				continue // not an op of this pass
			}
			m := r.metrics[t.phase]
			v, ok1 := r.get(pass, t.phase, cIFS).value(m)
			ov, ok2 := r.get(pass, t.phase, t.against).value(m)
			x, ok3 := m.speedup(v, ov)
			switch {
			case !ok1 || !ok2 || !ok3:
				missed = append(missed, fmt.Sprintf("[%s] %s: not measured (needs %s and %s)", pass, t.what, cIFS, t.against))
			case x < t.min:
				missed = append(missed, fmt.Sprintf("[%s] %s: %.2f× %s (target ≥ %g×)", pass, t.what, x, t.against, t.min))
			default:
				met = append(met, fmt.Sprintf("[%s] %s: %.2f× %s (target ≥ %g×)", pass, t.what, x, t.against, t.min))
			}
		}
		peak := int64(0)
		for _, phase := range r.phases {
			if c := r.get(pass, phase, cIFS); c != nil {
				peak = max(peak, c.rss)
			}
		}
		line := fmt.Sprintf("[%s] peak RSS of infomaniakfs: %s (target ≤ %s = 100 MiB + %s cache)", pass, rssCell(peak), rssCell(rssTarget), rssCell(cacheBudget))
		switch {
		case peak == 0:
			if r.get(pass, phaseMount, cIFS) != nil {
				missed = append(missed, fmt.Sprintf("[%s] peak RSS of infomaniakfs: not measured", pass))
			}
		case peak > rssTarget:
			missed = append(missed, line)
		default:
			met = append(met, line)
		}
	}
	return missed, met
}

// checkCounts flags rows whose entry, file or byte counts differ from the
// local floor's: a contender that lists or copies less is not faster, it
// is wrong.
func checkCounts(r *results) []string {
	var out []string
	for _, pass := range r.passes {
		for _, phase := range r.phases {
			ref := r.get(pass, phase, cLocal)
			// Random reads do as many reads as time allows: nothing to compare.
			if phase == phaseMount || r.metrics[phase] == perIOPS || ref == nil || len(ref.samples) == 0 {
				continue
			}
			for _, name := range tableOrder {
				c := r.get(pass, phase, name)
				if name == cLocal || name == cDirect || name == cCeiling || c == nil || len(c.samples) == 0 {
					continue
				}
				if c.count() != ref.count() || c.bytes() != ref.bytes() {
					out = append(out, fmt.Sprintf("[%s] %s, %s: %d entries / %d bytes, local %d / %d",
						pass, phase, name, c.count(), c.bytes(), ref.count(), ref.bytes()))
				}
			}
		}
	}
	return out
}

// failures lists every failed run, so a "median" over fewer runs is visible.
func failures(r *results) []string {
	var out []string
	for _, pass := range r.passes {
		for _, phase := range r.phases {
			for _, name := range tableOrder {
				if c := r.get(pass, phase, name); c != nil {
					for _, e := range c.errs {
						out = append(out, fmt.Sprintf("[%s] %s, %s: %s", pass, phase, name, shortErr([]string{e})))
					}
				}
			}
		}
	}
	return out
}

// writeResults puts body between the markers of path, keeping whatever
// the file holds outside them (the hand-written analysis).
func writeResults(path, body string) error {
	old, err := os.ReadFile(path)
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	return os.WriteFile(path, []byte(spliceResults(string(old), body)), 0o644)
}

func spliceResults(old, body string) string {
	block := markBegin + "\n" + strings.TrimSpace(body) + "\n" + markEnd
	i := strings.Index(old, markBegin)
	j := strings.Index(old, markEnd)
	if i >= 0 && j > i {
		return old[:i] + block + old[j+len(markEnd):]
	}
	if strings.TrimSpace(old) == "" {
		return "# infomaniakfs benchmark results\n\n" + block +
			"\n\n## Analysis\n\n_To be written by hand: what the numbers mean, what to fix next. `go run ./bench` keeps this section._\n"
	}
	return strings.TrimRight(old, "\n") + "\n\n" + block + "\n"
}
