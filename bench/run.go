package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"time"
)

// opKind says which contenders an op applies to.
type opKind int

const (
	onDrive  opKind = iota // mounts, local, direct where it has an equivalent
	onReads                // also the FUSE ceiling
	onMail                 // infomaniakfs and local only (rclone has no mail)
	onUpload               // contenders that can write to the emulator, through contender.upload
)

// opDef is one benchmark operation: its first step runs cold on a fresh
// mount after the page cache is dropped; the next steps follow on the same
// mount (a warm repeat, or the copy after a listing).
type opDef struct {
	key    string
	steps  []step
	metric metric
	kind   opKind
	heavy  bool // minutes per run: HeavyRuns repetitions
	optIn  bool // opt-in contenders (rclone's kDrive backend) run it too
	direct func(ctx context.Context, d *direct, b *bench) (sample, error)
	// after runs once each run is over and its mount stopped, outside
	// the measures (the upload ops remove what they wrote).
	after func(b *bench)
	// budget, when set, replaces cfg.Budget for this op, counted from its
	// first run.
	budget time.Duration
	// interleave runs the contenders in turn rather than each in a row.
	interleave bool
}

// step is one measured phase of an op; name is its row in the table.
type step struct {
	name string
	fs   fsOp
	prep fsOp // run before the step, outside its time and request counts
}

func coldWarm(name string, fs fsOp) []step {
	return []step{{name: name + ", cold", fs: fs}, {name: name + ", warm", fs: fs}}
}

func (b *bench) ops() []opDef {
	big := fmtBytes(b.cfg.BigFile)
	sp := b.cfg.Spec
	mail := fmt.Sprintf("%d-message folder", sp.BigFolderMessages)
	all := []opDef{
		// find -ls follows on the mount ls -lR warmed: cold, it would repeat
		// ls -lR's traversal (ls -l stats every entry too) for minutes of budget.
		{key: "lsr", steps: append(coldWarm("ls -lR drive", opLsR), step{name: "find -ls drive (after ls -lR)", fs: opFind}),
			metric: perSecs, kind: onDrive,
			direct: func(ctx context.Context, d *direct, _ *bench) (sample, error) { return d.listAll(ctx) }},
		{key: "wide", steps: coldWarm(fmt.Sprintf("ls -l %d-entry dir", sp.WideDirFiles), opLsWide), metric: perSecs, kind: onDrive,
			direct: func(ctx context.Context, d *direct, _ *bench) (sample, error) { return d.listWide(ctx) }},
		{key: "seq", steps: []step{{name: "read " + big + " file, cold", fs: opRead}, {name: "re-read " + big + " file, warm", fs: opRead}},
			metric: perMiBs, kind: onReads,
			direct: func(ctx context.Context, d *direct, _ *bench) (sample, error) { return d.read(ctx) }},
		{key: "par8", steps: []step{{name: fmt.Sprintf("8 readers × %s of the %s file, cold", fmtBytes(parChunk(b.cfg.BigFile)), big), fs: opPar8}}, metric: perMiBs, kind: onReads,
			direct: func(ctx context.Context, d *direct, _ *bench) (sample, error) { return d.par8(ctx) }},
		{key: "rand", steps: []step{{name: "random 4 KiB reads, cold", fs: opRand}}, metric: perIOPS, kind: onReads,
			direct: func(ctx context.Context, d *direct, b *bench) (sample, error) { return d.rand(ctx, b.cfg.RandRuntime) }},
		{key: "cp", steps: []step{{name: fmt.Sprintf("cp -r %d × %s files, cold", sp.SmallFiles, fmtBytes(sp.SmallFileSize)), fs: opCpSmall}},
			metric: perSecs, kind: onDrive},
		{key: "tar", steps: []step{{name: fmt.Sprintf("tar -c folder of %d × %s files, cold", sp.SmallFiles, fmtBytes(sp.SmallFileSize)), fs: opTarSmall}},
			metric: perSecs, kind: onDrive},
		// One mount for the listing and the copy: copying 10,000 messages
		// costs minutes at 20 ms a request, listing them again would double it.
		{key: "mail", steps: append(coldWarm("ls -l "+mail, opLsMail), step{name: "cp -r " + mail + " (after ls)", fs: opCpMail}),
			metric: perSecs, kind: onMail, heavy: true},
		// Last: the changes give a small file new sizes on both servers.
		{key: "fresh", steps: []step{
			{name: fmt.Sprintf("idle %v after ls -lR of the mount, mail included (requests to stay fresh)", b.cfg.IdleTime), fs: opIdle, prep: opLsAll},
			{name: fmt.Sprintf("server change → visible to stat, median of %d, %v apart", b.cfg.Changes, b.cfg.ChangeGap), fs: opChanges},
			{name: fmt.Sprintf("server change → visible to stat, worst of %d, %v apart", b.cfg.Changes, b.cfg.ChangeGap), fs: opWorstChange},
		}, metric: perSecs, kind: onDrive, heavy: true},
	}
	all = append(all, b.uploadOps()...)
	if b.account {
		all = b.accountOps()
	}
	if len(b.cfg.Ops) == 0 {
		return all
	}
	var keep []opDef
	for _, o := range all {
		for _, k := range b.cfg.Ops {
			if k == o.key {
				keep = append(keep, o)
			}
		}
	}
	return keep
}

func (o opDef) appliesTo(c *contender) bool {
	switch {
	case c.optIn && !o.optIn:
		return false
	case c.direct != nil:
		return o.direct != nil
	case o.kind == onUpload:
		return c.upload != nil
	case c.upload != nil && c.mount == nil:
		return false // an upload-only contender
	case o.kind == onMail:
		return c.mail
	case o.kind == onDrive:
		return c.drive
	}
	return c.readsOK
}

// runPass runs every op for every contender under one network setting.
// Once cfg.Budget is spent the ops left are skipped, but for those with a
// budget of their own.
func (b *bench) runPass(ctx context.Context, pass string, res *results) error {
	res.addPass(pass)
	res.addPhase(phaseMount, perSecs)
	spent := false
	for _, o := range b.ops() {
		for _, st := range o.steps {
			res.addPhase(st.name, o.metric)
		}
		start, budget := b.start, b.cfg.Budget
		if o.budget > 0 {
			start, budget = time.Now(), o.budget
		} else if spent {
			continue
		}
		for _, r := range b.schedule(o, pass) {
			if err := ctx.Err(); err != nil {
				return err
			}
			if budget > 0 && time.Since(start) > budget {
				b.note(fmt.Sprintf("time budget of %v reached during [%s] %s: the runs after it were skipped", budget, pass, o.steps[0].name))
				spent = spent || o.budget == 0
				break
			}
			b.runOne(ctx, pass, o, r.c, r.i, r.runs, res)
		}
	}
	return nil
}

// slot is one run of an op: contender c's run i of runs.
type slot struct {
	c       *contender
	i, runs int
}

// schedule orders op o's runs: each contender's in a row, or with
// o.interleave round-robin (run 1 of each, then run 2 of each...), so a
// machine whose load drifts over minutes weighs on every contender alike.
func (b *bench) schedule(o opDef, pass string) []slot { return b.scheduleOf(o, pass, b.contenders()) }

func (b *bench) scheduleOf(o opDef, pass string, all []*contender) []slot {
	var cs []*contender
	for _, c := range all {
		if o.appliesTo(c) {
			cs = append(cs, c)
		}
	}
	runs := b.cfg.Runs
	if pass != passWAN {
		runs = min(runs, b.cfg.LoopbackRuns)
	}
	if o.heavy {
		runs = min(runs, b.cfg.HeavyRuns)
	}
	var out []slot
	if o.interleave {
		for i := 0; i < runs; i++ {
			for _, c := range cs {
				out = append(out, slot{c, i, runs})
			}
		}
		return out
	}
	for _, c := range cs {
		for i := 0; i < runs; i++ {
			out = append(out, slot{c, i, runs})
		}
	}
	return out
}

// runOne is one cold run (fresh mount, dropped caches) and the steps after it.
func (b *bench) runOne(ctx context.Context, pass string, o opDef, c *contender, i, runs int, res *results) {
	octx, cancel := context.WithTimeout(ctx, b.cfg.OpTimeout)
	defer cancel()
	if o.after != nil {
		defer o.after(b) // deferred first: runs after the mount stopped
	}
	if err := dropCaches(); err != nil {
		b.note(err.Error())
	}
	progress := func(phase string, s sample, err error) {
		if err != nil {
			slog.Warn("run failed", "pass", pass, "op", phase, "contender", c.name, "run", i+1, "err", err)
			return
		}
		fmt.Fprintf(os.Stderr, "  %5.0fs [%s] %-40s %-20s run %d/%d: %s\n", time.Since(b.start).Seconds(), pass, phase, c.name, i+1, runs, o.metric.format(o.metric.value(s)))
	}
	cold := o.steps[0].name
	if c.direct != nil {
		h0, a0 := c.http(), c.api()
		s, err := o.direct(octx, c.direct, b)
		err = timeoutErr(octx, err)
		res.record(pass, cold, c.name, s, err, c.http()-h0, c.api()-a0)
		progress(cold, s, err)
		return
	}
	// since is the requests made after a counter reading; -1 without a network.
	since := func(h0, a0 int64) (int64, int64) {
		if c.http == nil {
			return -1, -1
		}
		return c.http() - h0, c.api() - a0
	}
	counters := func() (int64, int64) {
		if c.http == nil {
			return 0, 0
		}
		return c.http(), c.api()
	}
	h0, a0 := counters()
	t := time.Now()
	mount := c.mount
	if o.kind == onUpload {
		mount = c.upload
	}
	sess, err := mount(octx)
	// A read-write mount is another configuration: not in the mount row.
	if c.http != nil && o.kind != onUpload {
		dh, da := since(h0, a0)
		res.record(pass, phaseMount, c.name, sample{secs: time.Since(t).Seconds()}, err, dh, da)
	}
	if err != nil {
		res.record(pass, cold, c.name, sample{}, err, 0, 0)
		progress(cold, sample{}, err)
		return
	}
	defer func() {
		rss := sess.stop()
		for _, st := range o.steps {
			res.rss(pass, st.name, c.name, rss)
		}
	}()
	for _, st := range o.steps {
		if st.prep != nil {
			if _, err := st.prep(octx, b, sess.p); err != nil {
				res.record(pass, st.name, c.name, sample{}, err, 0, 0)
				progress(st.name, sample{}, err)
				return
			}
		}
		h0, a0 := counters()
		s, err := st.fs(octx, b, sess.p)
		err = timeoutErr(octx, err)
		dh, da := since(h0, a0)
		if err != nil && octx.Err() != nil && da >= 0 {
			// What it cost until then is the row's answer.
			err = fmt.Errorf("stopped after %v: %d API requests by then (%s at 60 req/min); %w",
				b.cfg.OpTimeout, da, budgetCell([]int64{da}), err)
		}
		res.record(pass, st.name, c.name, s, err, dh, da)
		progress(st.name, s, err)
		if err != nil {
			return
		}
	}
}

func timeoutErr(ctx context.Context, err error) error {
	if err != nil && errors.Is(ctx.Err(), context.DeadlineExceeded) {
		return fmt.Errorf("timed out: %w", err)
	}
	return err
}

const phaseMount = "mount until the tree shows"
