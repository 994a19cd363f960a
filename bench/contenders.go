package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// Contender names, in table order.
const (
	cIFS       = "infomaniakfs"
	cRcloneOff = "rclone (cache off)"
	cRcloneFul = "rclone (cache full)"
	cRcloneKD  = "rclone kDrive backend (cache off)"
	cRcloneKDW = "rclone kDrive backend (cache writes)"
	cDirect    = "direct HTTP"
	cLocal     = "local files"
	cCeiling   = "FUSE ceiling"
)

// contender is one way of reaching the data.
type contender struct {
	name    string
	mount   func(ctx context.Context) (*session, error) // nil for direct
	upload  func(ctx context.Context) (*session, error) // its read-write mount, for the upload ops; nil = none
	direct  *direct
	http    func() int64 // HTTP requests at its WAN proxy; nil = no network
	api     func() int64 // API requests (emulator counters); nil = n/a
	mail    bool         // shows mail
	drive   bool         // shows the drive tree
	readsOK bool         // can serve the big-file read ops
	optIn   bool         // only in the ops that name it (opDef.optIn)
}

// session is one mount (or the local tree) ready for ops.
type session struct {
	p    paths
	stop func() (peakRSS int64)
}

// rel are the data set's paths relative to a drive tree or mail root.
type rel struct {
	drive, big, wide, small string // under the kDrive root, "Drive 1/Private/..."
	mail                    string // under the mail root, "<address>/Archives/Big"
}

// inDrive is r under the root of its drive (a client that mounts one
// drive, as rclone's kDrive backend does).
func (r rel) inDrive(root string) paths {
	in := func(p string) string {
		return filepath.Join(root, strings.TrimPrefix(p, r.drive+string(filepath.Separator)))
	}
	return paths{drive: root, big: in(r.big), wide: in(r.wide), small: in(r.small)}
}

func (r rel) under(driveRoot, mailRoot string) paths {
	p := paths{
		drive: driveRoot,
		big:   filepath.Join(driveRoot, r.big),
		wide:  filepath.Join(driveRoot, r.wide),
		small: filepath.Join(driveRoot, r.small),
	}
	if mailRoot != "" && r.mail != "" {
		p.mail = filepath.Join(mailRoot, r.mail)
		p.mailRoot = mailRoot
	}
	return p
}

// mountpoint makes a fresh, empty directory for one mount.
func (b *bench) mountpoint(tag string) (string, error) {
	b.seq++
	dir := filepath.Join(b.tmp, fmt.Sprintf("mnt-%s-%d", tag, b.seq))
	return dir, os.Mkdir(dir, 0o755)
}

func (b *bench) contenders() []*contender {
	var cs []*contender
	if b.ifsBin != "" {
		cs = append(cs, &contender{name: cIFS, mount: b.mountIFS, upload: b.mountIFSWrites, http: b.emuWAN.Requests, api: b.apiCount,
			mail: true, drive: true, readsOK: true})
	}
	if b.rclone != "" && b.rcBase != "" {
		cs = append(cs,
			&contender{name: cRcloneOff, mount: b.rcloneMount(false), http: b.rcWAN.Requests, api: b.rcWAN.Requests, drive: true, readsOK: true},
			&contender{name: cRcloneFul, mount: b.rcloneMount(true), http: b.rcWAN.Requests, api: b.rcWAN.Requests, drive: true, readsOK: true})
	}
	if b.rcloneKD != "" && b.kdToken != "" {
		cs = append(cs, &contender{name: cRcloneKD, mount: b.rcloneKDMount, http: b.emuWAN.Requests, api: b.apiCount,
			drive: true, readsOK: true, optIn: true},
			&contender{name: cRcloneKDW, upload: b.rcloneKDWrites, http: b.emuWAN.Requests, api: b.apiCount, optIn: true})
	}
	cs = append(cs,
		&contender{name: cDirect, direct: b.direct, http: b.emuWAN.Requests, api: b.apiCount, drive: true, readsOK: true},
		&contender{name: cCeiling, mount: b.ceilingMount, readsOK: true})
	if b.data != "" { // the generated tree on disk
		cs = append(cs, &contender{name: cLocal, mount: b.localTree, mail: true, drive: true, readsOK: true})
	}
	if len(b.cfg.Contenders) == 0 {
		return cs
	}
	var keep []*contender
	for _, c := range cs {
		for _, want := range b.cfg.Contenders {
			if want == c.name || want == shortName(c.name) {
				keep = append(keep, c)
			}
		}
	}
	return keep
}

// shortName is the contender's --contenders key: ifs, rclone-off, rclone-full, rclone-kdrive,
// rclone-kdrive-writes, direct, local, ceiling.
func shortName(name string) string {
	return map[string]string{cIFS: "ifs", cRcloneOff: "rclone-off", cRcloneFul: "rclone-full", cRcloneKD: "rclone-kdrive",
		cRcloneKDW: "rclone-kdrive-writes", cDirect: "direct", cLocal: "local", cCeiling: "ceiling"}[name]
}

// apiCount is every API request the emulator served, without the content
// downloads the API redirects to (those are not API calls).
func (b *bench) apiCount() int64 {
	var n int64
	for k, v := range b.emu.Counts() {
		if k != "content" {
			n += v
		}
	}
	return n
}

func (b *bench) localTree(context.Context) (*session, error) {
	return &session{p: b.rel.under(filepath.Join(b.data, "kdrive"), filepath.Join(b.data, "mail")), stop: func() int64 { return 0 }}, nil
}

func (b *bench) mountIFS(ctx context.Context) (*session, error) { return b.mountIFSWith(ctx) }

// mountIFSWrites is the --read-write mount the upload ops use.
func (b *bench) mountIFSWrites(ctx context.Context) (*session, error) {
	return b.mountIFSWith(ctx, "--read-write")
}

// mountIFSWith mounts infomaniakfs with extra flags.
func (b *bench) mountIFSWith(ctx context.Context, extra ...string) (*session, error) {
	mp, err := b.mountpoint("ifs")
	if err != nil {
		return nil, err
	}
	cacheDir := mp + "-cache"
	os.RemoveAll(cacheDir)
	args := append([]string{b.ifsBin, "mount", mp, "--api-url", b.emuBase, "--mail-url", b.emuBase, "--login-url", b.emuBase,
		"--config-dir", b.ifsConfig, "--cache-size", fmt.Sprint(cacheBudget), "--cache-dir", cacheDir,
		// Unpaced, so rows measure the work; "at 60 req/min" shows the budget.
		"--rate=0"}, extra...)
	d, err := startDaemon(cIFS, []string{"INFOMANIAK_TOKEN=" + b.token}, args...)
	if err != nil {
		return nil, err
	}
	d.mount = mp
	b.cl.add(d.stop)
	s, err := b.ready(ctx, d, mp, filepath.Join(mp, "kDrive", b.rel.drive), b.rel.under(filepath.Join(mp, "kDrive"), filepath.Join(mp, "Mail")))
	if s != nil {
		// The next mount starts cold, disk included, like rclone's.
		stop := s.stop
		s.stop = func() int64 { rss := stop(); os.RemoveAll(cacheDir); return rss }
	}
	return s, err
}

func (b *bench) rcloneMount(full bool) func(ctx context.Context) (*session, error) {
	return func(ctx context.Context) (*session, error) {
		mp, err := b.mountpoint("rclone")
		if err != nil {
			return nil, err
		}
		args := []string{b.rclone, "mount", ":webdav:", mp, "--webdav-url", b.rcBase,
			"--dir-cache-time", "5m", "--read-only"}
		var cacheDir string
		if full {
			cacheDir = mp + "-cache"
			args = append(args, "--vfs-cache-mode", "full", "--cache-dir", cacheDir)
		} else {
			args = append(args, "--vfs-cache-mode", "off")
		}
		d, err := startDaemon("rclone mount", []string{"RCLONE_CONFIG=" + b.rcloneConf}, args...)
		if err != nil {
			return nil, err
		}
		d.mount = mp
		b.cl.add(d.stop)
		s, err := b.ready(ctx, d, mp, filepath.Join(mp, b.rel.drive), b.rel.under(mp, ""))
		if s != nil && cacheDir != "" {
			stop := s.stop
			s.stop = func() int64 { rss := stop(); os.RemoveAll(cacheDir); return rss }
		}
		return s, err
	}
}

// ready waits for the mount and wraps the daemon's shutdown, which reads
// its peak RSS first (VmHWM disappears with the process).
// rcloneKDMount mounts the emulator's first drive with rclone's kDrive
// backend (PR #8941, built by ../shared/peers/build.sh), cache off, with
// the emulator's personal token (its legacy access_token option) so no
// browser login is needed. --no-checksum as in peers/compare.sh.
func (b *bench) rcloneKDMount(ctx context.Context) (*session, error) {
	mp, err := b.mountpoint("rclone-kdrive")
	if err != nil {
		return nil, err
	}
	d, err := startDaemon(cRcloneKD, b.rcloneKDEnv(), b.rcloneKD, "mount", "emu:", mp, "--vfs-cache-mode", "off",
		"--no-checksum", "--read-only", "--dir-cache-time", "5m")
	if err != nil {
		return nil, err
	}
	d.mount = mp
	b.cl.add(d.stop)
	return b.ready(ctx, d, mp, filepath.Join(mp, "Private"), b.rel.inDrive(mp))
}

// rcloneKDEnv configures remote "emu:" of rclone's kDrive backend.
func (b *bench) rcloneKDEnv() []string {
	return []string{"RCLONE_CONFIG=" + b.rcloneConf, "RCLONE_CONFIG_EMU_TYPE=kdrive",
		fmt.Sprintf("RCLONE_CONFIG_EMU_DRIVE_ID=%d", b.ds.Drives()[0].ID),
		// The drive's root, as the others show it (its default is Private).
		"RCLONE_CONFIG_EMU_ROOT_FOLDER_ID=1",
		"RCLONE_CONFIG_EMU_ENDPOINT=" + b.emuBase, "RCLONE_CONFIG_EMU_ACCESS_TOKEN=" + b.kdToken}
}

// rcloneKDWrites is rclone's kDrive backend mounted for writing as its
// users would: --vfs-cache-mode writes (a file written goes to the VFS
// cache, then up), with --vfs-write-back 0s so the upload starts at close
// rather than 5 s later. Checksums on (rclone's default): it sends the
// hashes kDrive checks, as infomaniakfs does.
func (b *bench) rcloneKDWrites(ctx context.Context) (*session, error) {
	mp, err := b.mountpoint("rclone-kdrive-w")
	if err != nil {
		return nil, err
	}
	cacheDir := mp + "-cache"
	d, err := startDaemon(cRcloneKDW, b.rcloneKDEnv(), b.rcloneKD, "mount", "emu:", mp, "--vfs-cache-mode", "writes",
		"--vfs-write-back", "0s", "--cache-dir", cacheDir, "--dir-cache-time", "5m")
	if err != nil {
		return nil, err
	}
	d.mount = mp
	b.cl.add(d.stop)
	s, err := b.ready(ctx, d, mp, filepath.Join(mp, "Private"), b.rel.inDrive(mp))
	if s != nil {
		stop := s.stop
		s.stop = func() int64 { rss := stop(); os.RemoveAll(cacheDir); return rss }
	}
	return s, err
}

func (b *bench) ready(ctx context.Context, d *daemon, mp, probe string, p paths) (*session, error) {
	if err := waitMounted(ctx, d, mp, probe, 60*time.Second); err != nil {
		d.stop()
		return nil, err
	}
	return &session{p: p, stop: func() int64 {
		rss := d.peakRSS()
		d.stop()
		os.Remove(mp)
		return rss
	}}, nil
}

func (b *bench) ceilingMount(context.Context) (*session, error) {
	mp, err := b.mountpoint("ceiling")
	if err != nil {
		return nil, err
	}
	umount, err := mountCeiling(mp, b.cfg.BigFile)
	if err != nil {
		return nil, err
	}
	b.cl.add(func() { unmount(mp) })
	return &session{p: paths{big: filepath.Join(mp, ceilName)}, stop: func() int64 {
		umount()
		os.Remove(mp)
		return 0
	}}, nil
}
