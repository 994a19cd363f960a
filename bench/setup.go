package main

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"time"

	"github.com/infomaniakfs/infomaniakfs/remote/emulator"
	"github.com/infomaniakfs/infomaniakfs/remote/emulator/dataset"
)

// ensureTools installs rclone, fio and fuse3 with apt-get when missing;
// the benchmark goes on without whichever cannot be had, and says so.
func (b *bench) ensureTools(ctx context.Context) {
	missing := func() []string {
		var m []string
		for _, t := range []string{"rclone", "fio", "fusermount3"} {
			if _, err := exec.LookPath(t); err != nil {
				m = append(m, t)
			}
		}
		return m
	}
	if m := missing(); len(m) > 0 {
		fmt.Fprintf(os.Stderr, "bench: installing rclone fio fuse3 (missing: %s)\n", strings.Join(m, ", "))
		ictx, cancel := context.WithTimeout(ctx, 5*time.Minute)
		defer cancel()
		install := func() error {
			cmd := exec.CommandContext(ictx, "apt-get", "install", "-y", "-q", "rclone", "fio", "fuse3")
			cmd.Env = append(os.Environ(), "DEBIAN_FRONTEND=noninteractive")
			return cmd.Run()
		}
		if install() != nil {
			_ = exec.CommandContext(ictx, "apt-get", "update", "-q").Run()
			_ = install()
		}
	}
	if p, err := exec.LookPath("rclone"); err == nil {
		b.rclone = p
	} else {
		b.note("rclone is not installed and could not be: its rows are missing")
	}
	b.findRcloneKD()
	if p, err := exec.LookPath("fio"); err == nil {
		b.fio = p
	} else {
		b.note("fio is not installed: random reads use a Go pread loop")
	}
}

// makeData generates the data set on disk and loads it back: the emulator
// serves what Load reads, rclone serves the same files, so both offer
// identical names and bytes.
func (b *bench) makeData() error {
	b.data = filepath.Join(b.tmp, "data")
	t := time.Now()
	gen := dataset.Generate(b.cfg.Spec)
	if err := gen.WriteTo(b.data); err != nil {
		return fmt.Errorf("writing the data set: %w", err)
	}
	ds, err := dataset.Load(b.data)
	if err != nil {
		return fmt.Errorf("loading the data set: %w", err)
	}
	if err := b.useData(ds); err != nil {
		return err
	}
	fmt.Fprintf(os.Stderr, "bench: data set of %d drive entries written and loaded in %v\n", b.entries(), time.Since(t).Round(time.Millisecond))
	return nil
}

// useData takes ds as the data set and finds its landmarks.
func (b *bench) useData(ds *dataset.Dataset) error {
	b.ds = ds
	drives, boxes := ds.Drives(), ds.Mailboxes()
	if len(drives) == 0 {
		return errors.New("the data set has no drive")
	}
	drive := drives[0].Name
	b.rel = rel{
		drive: drive,
		big:   filepath.Join(drive, "Private", "big-1.bin"),
		wide:  filepath.Join(drive, "Private", "wide"),
		small: filepath.Join(drive, "Private", "small"),
	}
	if len(boxes) > 0 {
		b.rel.mail = filepath.Join(boxes[0].Email, filepath.FromSlash(dataset.BigFolderPath))
	}
	return nil
}

// entries counts the first drive's files and folders.
func (b *bench) entries() int {
	n := 0
	b.ds.Walk(b.ds.Drives()[0].ID, func(dataset.Node) bool { n++; return true })
	return n - 1 // not the root
}

// findNode is the first drive's node at path ("/Private/wide").
func (b *bench) findNode(path string) (dataset.Node, bool) {
	var found dataset.Node
	ok := false
	id := b.ds.Drives()[0].ID
	b.ds.Walk(id, func(n dataset.Node) bool {
		if b.ds.Path(id, n.ID) == path {
			found, ok = n, true
			return false
		}
		return true
	})
	return found, ok
}

// startServers starts the emulator and rclone's WebDAV server, each
// behind its own WAN proxy.
func (b *bench) startServers(ctx context.Context) error {
	emu, err := emulator.Start(emulator.Options{Data: b.ds})
	if err != nil {
		return fmt.Errorf("emulator: %w", err)
	}
	b.emu = emu
	b.cl.add(emu.Close)
	b.token = emu.IssueToken()
	if b.emuBase, err = b.proxy(emu.URL(), &b.emuWAN); err != nil {
		return err
	}
	big, ok1 := b.findNode("/Private/big-1.bin")
	wide, ok2 := b.findNode("/Private/wide")
	if !ok1 || !ok2 {
		return errors.New("the loaded data set lacks Private/big-1.bin or Private/wide")
	}
	b.direct = newDirect(b.emuBase, b.token, b.ds.Drives()[0].ID, big.ID, big.Size, wide.ID)

	if b.rclone == "" {
		return nil
	}
	b.rcloneConf = filepath.Join(b.tmp, "rclone.conf")
	if err := os.WriteFile(b.rcloneConf, nil, 0o600); err != nil {
		return err
	}
	b.obscureToken(ctx)
	if b.data == "" {
		return nil // nothing on disk for WebDAV to serve
	}
	addr, err := freeAddr()
	if err != nil {
		return err
	}
	d, err := startDaemon("rclone serve webdav", []string{"RCLONE_CONFIG=" + b.rcloneConf},
		b.rclone, "serve", "webdav", filepath.Join(b.data, "kdrive"), "--addr", addr, "--read-only")
	if err != nil {
		b.note("rclone serve webdav did not start: rclone rows are missing (" + err.Error() + ")")
		b.rclone = ""
		return nil
	}
	b.cl.add(d.stop)
	if err := waitTCP(ctx, d, addr, 30*time.Second); err != nil {
		b.note("rclone serve webdav did not start: rclone rows are missing (" + err.Error() + ")")
		b.rclone = ""
		return nil
	}
	b.rcBase, err = b.proxy("http://"+addr, &b.rcWAN)
	return err
}

// findRcloneKD looks for rclone's kDrive backend where
// ../shared/peers/build.sh puts it (or BENCH_RCLONE_KDRIVE); without it its
// rows are missing and the notes say why.
func (b *bench) findRcloneKD() {
	p := envOr(os.Getenv("BENCH_RCLONE_KDRIVE"), "/tmp/peers/bin/rclone-kdrive")
	if fi, err := os.Stat(p); err != nil || fi.Mode()&0o111 == 0 {
		b.note("rclone's kDrive backend is not built (" + p + ", see ../shared/peers/build.sh): its rows are missing")
		return
	}
	b.rcloneKD = p
}

// obscureToken writes the emulator's token in rclone's obscured form
// (what its access_token option takes), with the installed rclone.
func (b *bench) obscureToken(ctx context.Context) {
	if b.rcloneKD == "" {
		return
	}
	out, err := exec.CommandContext(ctx, b.rclone, "obscure", b.token).Output()
	if err != nil {
		b.note("rclone obscure failed, so rclone's kDrive backend cannot log in: its rows are missing")
		return
	}
	b.kdToken = strings.TrimSpace(string(out))
}

func (b *bench) proxy(target string, w **wan) (string, error) {
	u, err := url.Parse(target)
	if err != nil {
		return "", err
	}
	*w = newWAN(u, b.cfg.Latency, b.cfg.Bandwidth)
	if b.cfg.Trace {
		(*w).trace = os.Stderr
	}
	base, err := (*w).Start()
	if err != nil {
		return "", fmt.Errorf("WAN proxy: %w", err)
	}
	b.cl.add((*w).Close)
	return base, nil
}

func freeAddr() (string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer ln.Close()
	return ln.Addr().String(), nil
}

func waitTCP(ctx context.Context, d *daemon, addr string, timeout time.Duration) error {
	deadline := time.Now().Add(timeout)
	for {
		if d.exited() {
			return d.failure()
		}
		if c, err := net.DialTimeout("tcp", addr, time.Second); err == nil {
			c.Close()
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("%s not listening after %v", addr, timeout)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(100 * time.Millisecond):
		}
	}
}

// buildIFS builds cmd/infomaniakfs into the temp dir; without it the
// benchmark still compares the others.
func (b *bench) buildIFS(ctx context.Context) {
	root, err := moduleRoot()
	if err != nil {
		b.note("infomaniakfs not benchmarked: " + err.Error())
		return
	}
	bin := filepath.Join(b.tmp, "bin", "infomaniakfs")
	goBin := filepath.Join(runtime.GOROOT(), "bin", "go")
	if _, err := os.Stat(goBin); err != nil {
		goBin = "go"
	}
	cmd := exec.CommandContext(ctx, goBin, "build", "-o", bin, "./cmd/infomaniakfs")
	cmd.Dir = root
	if out, err := cmd.CombinedOutput(); err != nil {
		b.note("infomaniakfs not benchmarked: it does not build: " + firstLine(strings.TrimSpace(string(out))))
		return
	}
	b.ifsConfig = filepath.Join(b.tmp, "ifs-config")
	if err := os.MkdirAll(b.ifsConfig, 0o700); err != nil {
		b.note("infomaniakfs not benchmarked: " + err.Error())
		return
	}
	b.ifsBin = bin
}

// moduleRoot is the nearest directory above the working directory holding go.mod.
func moduleRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("no go.mod above the working directory: run from the module")
		}
		dir = parent
	}
}
