package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/infomaniakfs/infomaniakfs/auth"
)

func runLogin(args []string, stdout, stderr io.Writer) int {
	fs := newFlagSet("login", stderr)
	var cfg auth.Config
	cfg.AddFlags(fs)
	noBrowser := fs.Bool("no-browser", false, "print the login URL and read the redirected URL (or code) from standard input")
	timeout := fs.Duration("login-timeout", 5*time.Minute, "give up waiting for the browser after this long")
	debug := fs.Bool("debug", false, "log details")
	if ok, code := parseFlags(fs, args); !ok {
		return code
	}
	_ = newLogger(stderr, *debug)
	if err := cfg.Resolve(os.Getenv); err != nil {
		return fail(stderr, "%s", explain(err, "configuration"))
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	tok, err := auth.Login(ctx, &cfg, &auth.Store{Dir: cfg.ConfigDir}, auth.LoginOptions{
		NoBrowser: *noBrowser, In: os.Stdin, Out: stdout, Timeout: *timeout,
	})
	if err != nil {
		return fail(stderr, "%s", explain(err, "login failed"))
	}
	fmt.Fprintf(stdout, "Logged in. Token stored in %s (access token valid until %s).\n",
		cfg.ConfigDir, tok.Expiry.Local().Format(time.RFC1123))
	fmt.Fprintln(stdout, "Next: infomaniakfs status, then infomaniakfs mount MOUNTPOINT")
	return exitOK
}
