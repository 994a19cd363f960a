package main

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"
	"time"

	"github.com/infomaniakfs/infomaniakfs/auth"
	"github.com/infomaniakfs/infomaniakfs/cache"
	"github.com/infomaniakfs/infomaniakfs/remote/emulator"
	"github.com/infomaniakfs/infomaniakfs/remote/emulator/dataset"
)

// runDemo is the whole product against an in-process emulator: sample data,
// a real OAuth login (auto-approved), and a real mount. Nothing touches the
// user's configuration: the token lives in a temporary directory.
func runDemo(args []string, stdout, stderr io.Writer) int {
	flags := newFlagSet("demo", stderr)
	var co cache.Options
	co.AddFlags(flags)
	var mo mountOptions
	mo.AddFlags(flags)
	var no netOptions
	no.AddFlags(flags)
	seed := flags.Int64("seed", 1, "seed of the generated sample data")
	latency := flags.Duration("latency", 0, "simulated network latency per request (e.g. 20ms)")
	if ok, code := parseFlags(flags, args); !ok {
		return code
	}
	if flags.NArg() != 1 {
		fmt.Fprintln(stderr, "usage: infomaniakfs demo MOUNTPOINT")
		return exitUsage
	}
	log := newLogger(stderr, mo.Debug)
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	redirect, err := freeLoopbackURL()
	if err != nil {
		return fail(stderr, "demo: %v", err)
	}
	const clientID, secret = "infomaniakfs-demo", "demo-secret"
	srv, err := emulator.Start(emulator.Options{
		ClientID: clientID, ClientSecret: secret, RedirectURI: redirect,
		Data: dataset.Generate(dataset.Spec{
			Seed: *seed, BigFiles: []int64{32 << 20}, WideDirFiles: 1000, SmallFiles: 100,
		}),
		Latency: *latency,
	})
	if err != nil {
		return fail(stderr, "demo: starting the emulator: %v", err)
	}
	defer srv.Close()
	fmt.Fprintf(stdout, "Emulated Infomaniak API at %s\n", srv.URL())

	dir, err := os.MkdirTemp("", "infomaniakfs-demo-")
	if err != nil {
		return fail(stderr, "demo: %v", err)
	}
	defer os.RemoveAll(dir)
	if !flags.Changed("cache-dir") {
		// Sample data has no place in the user's own disk cache.
		co.DiskDir = filepath.Join(dir, "cache")
	}
	cfg := auth.Config{
		ClientID: clientID, ClientSecret: secret, RedirectURI: redirect,
		LoginURL: srv.URL(), APIURL: srv.URL(), MailURL: srv.URL(), NotifyURL: srv.URL(), ConfigDir: dir,
	}
	lctx, cancel := context.WithTimeout(ctx, time.Minute)
	_, err = auth.Login(lctx, &cfg, &auth.Store{Dir: dir}, auth.LoginOptions{
		Out: io.Discard, OpenURL: autoApprove, Timeout: time.Minute,
	})
	cancel()
	if err != nil {
		return fail(stderr, "demo: login against the emulator: %v", err)
	}
	fmt.Fprintln(stdout, "Logged in (OAuth code flow with PKCE, auto-approved by the emulator).")
	s, err := connect(ctx, &cfg, no, log, func(string) string { return "" })
	if err != nil {
		return fail(stderr, "demo: %v", err)
	}
	fmt.Fprintf(stdout, "Mounting on %s: try `ls %s/kDrive` and `ls %s/Mail`; Ctrl-C unmounts.\n",
		flags.Arg(0), flags.Arg(0), flags.Arg(0))
	return serve(ctx, flags.Arg(0), s, co, mo, log, stderr)
}

// autoApprove plays the browser: it follows the authorize URL's redirect
// to the login callback.
func autoApprove(u string) error {
	go func() {
		resp, err := http.Get(u)
		if err == nil {
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
		}
	}()
	return nil
}

// freeLoopbackURL picks a free loopback port for the login callback.
func freeLoopbackURL() (string, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer l.Close()
	return fmt.Sprintf("http://%s/callback", l.Addr().String()), nil
}
