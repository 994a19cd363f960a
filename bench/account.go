package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"time"

	"github.com/infomaniakfs/infomaniakfs/remote/emulator/dataset"
)

// passAccount is the pass on a data set of a real account's size.
const passAccount = "account"

// accountSpec is a real account's size (issue 10): 100,000 kDrive entries
// with 20,000 small files, 50,000 messages in 19 folders (3 mailboxes of
// 6 folders and a 10,000-message folder); quick, a twentieth of it. Files
// are small (16 KiB small files, 4 KiB on average otherwise): the pass
// weighs requests, not bytes.
func accountSpec(quick bool) dataset.Spec {
	// 2 spaces × (5+25+125 folders, 224 files in each and at the top):
	// 69,888 files in 310 folders, with 10,000 in a wide folder and
	// 20,000 small ones: ~100,200 entries.
	s := dataset.Spec{Seed: 2, Drives: 1, Mailboxes: 3, Depth: 3, DirsPerDir: 5, FilesPerDir: 224,
		FileSize: 4 << 10, WideDirFiles: 10000, SmallFiles: 20000, SmallFileSize: 16 << 10,
		MessagesPerFolder: 2222, BigFolderMessages: 10000, BigFiles: []int64{1 << 20}}
	if quick {
		// 2 × (3+9 folders, 50 files each and at the top) = 1,300 files,
		// 200 wide, 500 small: ~2,000 entries; 1,220 messages. rclone
		// copies it in ~30 s.
		s.Depth, s.DirsPerDir, s.FilesPerDir = 2, 3, 50
		s.WideDirFiles, s.SmallFiles = 200, 500
		s.MessagesPerFolder, s.BigFolderMessages = 40, 500
	}
	return s
}

// accountOps are the account pass's ops: a whole-tree rsync, cold, of the
// drive (every contender that shows it) and of the mail.
func (b *bench) accountOps() []opDef {
	sp := b.cfg.Spec
	msgs := sp.Mailboxes*6*sp.MessagesPerFolder + sp.BigFolderMessages
	// Mail first: the drive's per-file clients run into their timeout.
	return []opDef{
		{key: "rsync-mail", steps: []step{{name: fmt.Sprintf("rsync -a Mail (%d messages, %d folders), cold", msgs, sp.Mailboxes*6+1), fs: opRsyncMail}},
			metric: perSecs, kind: onMail, heavy: true},
		{key: "rsync", steps: []step{{name: fmt.Sprintf("rsync -a kDrive (%d entries), cold", b.entries()), fs: opRsyncDrive}},
			metric: perSecs, kind: onDrive, heavy: true, optIn: true},
	}
}

// wantsAccount reports whether --ops leaves any of the account pass's ops.
func (c config) wantsAccount() bool {
	if !c.AccountPass {
		return false
	}
	if len(c.Ops) == 0 {
		return true
	}
	for _, k := range c.Ops {
		if k == "rsync" || k == "rsync-mail" {
			return true
		}
	}
	return false
}

// runAccount runs the account pass: its own data set, emulator and
// WebDAV server, no simulated latency (rclone's thousands of requests
// would take hours at 20 ms each; the 60 req/min column is what counts).
func (b *bench) runAccount(ctx context.Context, res *results) error {
	a := &bench{cfg: b.cfg, start: b.start, cl: b.cl, ifsBin: b.ifsBin, ifsConfig: b.ifsConfig,
		rclone: b.rclone, rcloneKD: b.rcloneKD, fio: b.fio, account: true}
	a.cfg.Spec = b.cfg.Account
	if len(a.cfg.Contenders) == 0 {
		// rclone's full cache changes nothing in a cold copy.
		a.cfg.Contenders = []string{"ifs", "rclone-off", "rclone-kdrive", "local"}
	}
	// A client paying a request per file needs far longer than this for
	// the whole drive (rclone: ~15 ms a file on loopback): its row then
	// says how many requests it had made by the timeout, and the whole
	// bench stays within its time.
	a.cfg.OpTimeout = b.cfg.AccountTimeout
	a.start, a.cfg.Budget = time.Now(), b.cfg.AccountBudget
	a.tmp = filepath.Join(b.tmp, passAccount)
	if err := os.Mkdir(a.tmp, 0o755); err != nil {
		return err
	}
	// Registered before its mounts, so it runs after they are gone.
	b.cl.add(func() { removeTemp(a.tmp) })
	defer func() {
		for _, n := range a.notes {
			b.note(n)
		}
	}()
	t := time.Now()
	if b.cfg.AccountOnDisk {
		if err := a.makeData(); err != nil {
			return err
		}
	} else {
		// In memory only: writing 150,000 files takes minutes here.
		if err := a.useData(dataset.Generate(a.cfg.Spec)); err != nil {
			return err
		}
		b.note("account pass: the data set is served from memory, not written to disk (that takes ~6 min for 150,000 files on this machine), so rclone over WebDAV and local files have no rows there; `make bench-quick` has them on a smaller account")
	}
	if err := a.startServers(ctx); err != nil {
		return err
	}
	a.emuWAN.Set(0, 0)
	if a.rcWAN != nil {
		a.rcWAN.Set(0, 0)
	}
	b.accountInfo = fmt.Sprintf("%d drive entries (%d small files of %s), %d messages; generated and served in %v",
		a.entries(), a.cfg.Spec.SmallFiles, fmtBytes(a.cfg.Spec.SmallFileSize),
		a.cfg.Spec.Mailboxes*6*a.cfg.Spec.MessagesPerFolder+a.cfg.Spec.BigFolderMessages, time.Since(t).Round(time.Second))
	return a.runPass(ctx, passAccount, res)
}

// rsyncOp copies a tree with rsync -a into a fresh temp dir and counts
// what arrived.
func rsyncOp(src func(paths) string) fsOp {
	return func(ctx context.Context, b *bench, p paths) (sample, error) {
		if src(p) == "" {
			return sample{}, fmt.Errorf("no tree to copy")
		}
		dst, err := os.MkdirTemp(b.tmp, "rsync-")
		if err != nil {
			return sample{}, err
		}
		defer os.RemoveAll(dst)
		s, err := runCmd(ctx, "rsync", "-a", src(p)+"/", dst+"/")
		if err != nil {
			files, _, _ := treeTotals(dst)
			return s, fmt.Errorf("%d files copied: %w", files, err)
		}
		s.count, s.bytes, err = treeTotals(dst)
		return s, err
	}
}

var (
	opRsyncDrive = rsyncOp(func(p paths) string { return p.drive })
	opRsyncMail  = rsyncOp(func(p paths) string { return p.mailRoot })
)

// opTarSmall archives the small-files folder with tar (to a pipe: GNU tar
// skips reading the files when the archive is /dev/null).
func opTarSmall(ctx context.Context, _ *bench, p paths) (sample, error) {
	return timed(func() (sample, error) {
		cmd := exec.CommandContext(ctx, "tar", "-c", "-f", "-", "-C", filepath.Dir(p.small), filepath.Base(p.small))
		cmd.WaitDelay = 5 * time.Second
		var errb tailBuffer
		errb.max = 4 << 10
		cmd.Stderr = &errb
		out, err := cmd.StdoutPipe()
		if err != nil {
			return sample{}, err
		}
		if err := cmd.Start(); err != nil {
			return sample{}, err
		}
		n, cerr := io.Copy(io.Discard, out)
		if err := cmd.Wait(); err != nil {
			return sample{}, fmt.Errorf("tar: %v: %s", err, firstLine(errb.String()))
		}
		files, err := os.ReadDir(p.small)
		return sample{bytes: n, count: int64(len(files))}, errors.Join(cerr, err)
	})
}
