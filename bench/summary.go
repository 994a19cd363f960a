package main

import (
	"fmt"
	"os"
	"os/exec"
	"runtime"
	"strings"
	"time"
)

// report is the generated part of RESULTS.md: context, tables, verdicts.
func (b *bench) report(r *results) string {
	var s strings.Builder
	nproc, model, kernel := hostInfo()
	fmt.Fprintf(&s, "Generated %s by `%s`.\n\n", time.Now().UTC().Format("2006-01-02 15:04 MST"), commandLine())
	fmt.Fprintf(&s, "- Machine: %d CPUs, %s, Linux %s, %s; %s; %s\n", nproc, orUnknown(model), orUnknown(kernel),
		runtime.Version(), toolVersion(b.rclone, "version"), toolVersion(b.fio, "--version"))
	bw := "unlimited"
	if b.cfg.Bandwidth > 0 {
		bw = fmtBytes(b.cfg.Bandwidth) + "/s"
	}
	fmt.Fprintf(&s, "- WAN pass: %v added before each request, %s shared by response bodies and as much again by request bodies (uploads) (one proxy per server, same code). Loopback pass: %s.\n",
		b.cfg.Latency, bw, map[bool]string{true: "same proxies, no latency, no cap (FUSE overhead alone)", false: "not run"}[b.cfg.Loopback])
	sp := b.cfg.Spec
	fmt.Fprintf(&s, "- Data set (seed %d): %d entries in drive %q (folders %d deep, %d sub-folders and %d files each), a %d-entry directory, %d × %s files, a %s file; a %d-message mail folder.\n",
		sp.Seed, b.entries(), b.rel.drive, sp.Depth, sp.DirsPerDir, sp.FilesPerDir, sp.WideDirFiles, sp.SmallFiles,
		fmtBytes(sp.SmallFileSize), fmtBytes(b.cfg.BigFile), sp.BigFolderMessages)
	if b.accountInfo != "" {
		fmt.Fprintf(&s, "- Account pass: a real account's size, %s; no simulated latency (a client paying a request per file would need hours at 20 ms each: its cost is the API req and 60 req/min columns); one cold run each; rclone's kDrive backend (PR #8941, %s) mounts the drive with its cache off.\n",
			b.accountInfo, orUnknown(b.rcloneKD))
	}
	s.WriteString("- infomaniakfs runs with --rate=0 (unpaced) so rows measure the work; by default it paces itself at 50 API requests a minute after a burst of 10, so a row of N API requests would take at least (N−10)×1.2 s.\n")
	fmt.Fprintf(&s, "- Runs: median of %d in the WAN pass, %d in the loopback pass; mail %d. Cold = fresh mount after dropping the page cache; the later steps of an op run on that same mount (warm = the same again; find -ls after ls -lR; the mail copy after the mail listing). infomaniakfs: --cache-size %s; rclone: --dir-cache-time 5m, --vfs-cache-mode off or full, --read-only.\n",
		b.cfg.Runs, min(b.cfg.Runs, b.cfg.LoopbackRuns), min(b.cfg.Runs, b.cfg.HeavyRuns), fmtBytes(cacheBudget))
	s.WriteString("- Columns: × X = how many times faster than X (above 1 wins); HTTP req = requests at the WAN proxy (content downloads included); API req = emulator API calls (rclone: its WebDAV requests); at 60 req/min = that many API calls at Infomaniak's documented rate; Peak RSS = VmHWM of the mount daemon. 8 readers read the same big file at 8 offsets (the start of each eighth, up to 32 MiB each); random reads: fio psync, one job, for a fixed time. The mount row counts the start-up (profile, drives) until the tree shows.\n")
	if b.hasUploadOps() {
		fmt.Fprintf(&s, "- Uploads: timed from the start of cp until the emulator's data directory holds the whole file (it writes it there before answering the upload's last request; bytes checked after, outside the time); the big file is fsynced with `sync FILE` after cp. infomaniakfs: --read-write; rclone's kDrive backend: --vfs-cache-mode writes --vfs-write-back 0s; direct HTTP: upload session of %s chunks, %d in flight, or one direct upload per small file, %d at a time. The contenders take turns run by run.\n",
			fmtBytes(b.cfg.UpChunk), b.cfg.UpParallel, b.cfg.UpParallel)
	}
	for _, pass := range r.passes {
		fmt.Fprintf(&s, "\n### %s\n\n%s", pass, renderTable(r, pass))
	}
	missed, met := checkTargets(r, b.targets())
	// The targets are set for the WAN; the loopback pass only shows what
	// FUSE itself costs, so its verdicts are listed apart, for reference.
	missed, otherMissed := splitPass(missed, passWAN)
	met, otherMet := splitPass(met, passWAN)
	s.WriteString("\n### Targets missed\n\n")
	writeList(&s, missed, "None.")
	s.WriteString("\n### Targets met\n\n")
	writeList(&s, met, "None.")
	if len(otherMissed)+len(otherMet) > 0 {
		s.WriteString("\n### The same targets on loopback, for reference (they are set for the WAN)\n\n")
		for i := range otherMissed {
			otherMissed[i] = "below: " + otherMissed[i]
		}
		writeList(&s, append(otherMissed, otherMet...), "")
	}
	s.WriteString("\n### Request budgets (issue 10)\n\n")
	writeList(&s, b.requestBudgets(r), "Not measured.")
	if counts := checkCounts(r); len(counts) > 0 {
		s.WriteString("\n### Disagreements with the local files\n\n")
		writeList(&s, counts, "")
	}
	if fails := failures(r); len(fails) > 0 || len(b.notes) > 0 {
		s.WriteString("\n### Notes and failed runs\n\n")
		writeList(&s, append(append([]string(nil), b.notes...), fails...), "")
	}
	return s.String()
}

func (b *bench) targets() []target {
	var seq, lsr, cp, up opDef
	for _, o := range b.ops() {
		switch o.key {
		case "up1g":
			up = o
		case "seq":
			seq = o
		case "lsr":
			lsr = o
		case "cp":
			cp = o
		}
	}
	var ts []target
	if seq.key != "" {
		ts = append(ts, target{"cold sequential read", seq.steps[0].name, cDirect, 0.9},
			target{"warm re-read", seq.steps[1].name, cLocal, 0.8})
	}
	if lsr.key != "" && b.rclone != "" {
		ts = append(ts, target{"cold ls -lR", lsr.steps[0].name, cRcloneOff, 2},
			target{"warm ls -lR", lsr.steps[1].name, cRcloneOff, 5})
	}
	if up.key != "" {
		ts = append(ts, target{"upload of one big file through the mount (issue 13)", up.steps[0].name, cDirect, 0.9})
	}
	if cp.key != "" && b.rclone != "" {
		ts = append(ts, target{"cold cp -r of the small files (issue 10)", cp.steps[0].name, cRcloneOff, 10})
	}
	return ts
}

// requestBudgets checks infomaniakfs's API requests against issue 10:
// cp -r of 1,000 small files in ≤ 20, ls -l of a 10,000-message folder in
// ≤ 60 (a smaller data set keeps the same limits; a larger one scales them).
func (b *bench) requestBudgets(r *results) []string {
	sp := b.cfg.Spec
	checks := []struct {
		phase string
		limit int64
	}{
		{fmt.Sprintf("cp -r %d × %s files, cold", sp.SmallFiles, fmtBytes(sp.SmallFileSize)), 20 * int64(max(sp.SmallFiles, 1000)) / 1000},
		{fmt.Sprintf("ls -l %d-message folder, cold", sp.BigFolderMessages), 60 * int64(max(sp.BigFolderMessages, 10000)) / 10000},
	}
	var out []string
	for _, pass := range r.passes {
		for _, c := range checks {
			cell := r.get(pass, c.phase, cIFS)
			if cell == nil || len(cell.api) == 0 {
				continue
			}
			n := medianInt(cell.api)
			verdict := "met"
			if n > c.limit {
				verdict = "MISSED"
			}
			out = append(out, fmt.Sprintf("[%s] %s: %d API requests (%s at 60 req/min), target ≤ %d: %s",
				pass, c.phase, n, budgetCell(cell.api), c.limit, verdict))
		}
	}
	return out
}

// splitPass separates the verdicts of pass (they start "[pass]") from the
// others'.
func splitPass(lines []string, pass string) (in, out []string) {
	for _, l := range lines {
		if strings.HasPrefix(l, "["+pass+"]") {
			in = append(in, l)
		} else {
			out = append(out, l)
		}
	}
	return in, out
}

func writeList(s *strings.Builder, items []string, empty string) {
	if len(items) == 0 {
		s.WriteString(empty + "\n")
		return
	}
	for _, it := range items {
		s.WriteString("- " + it + "\n")
	}
}

// commandLine is how this run was started, with its BENCH_* settings.
func commandLine() string {
	var parts []string
	for _, kv := range os.Environ() {
		if strings.HasPrefix(kv, "BENCH_") {
			parts = append(parts, kv)
		}
	}
	parts = append(parts, "go run ./bench")
	parts = append(parts, os.Args[1:]...)
	return strings.Join(parts, " ")
}

func toolVersion(bin, flag string) string {
	if bin == "" {
		return "not installed"
	}
	out, err := exec.Command(bin, flag).Output()
	if err != nil {
		return bin
	}
	return firstLine(strings.TrimSpace(string(out)))
}

func orUnknown(s string) string {
	if s == "" {
		return "unknown"
	}
	return s
}
