package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/infomaniakfs/infomaniakfs/auth"
)

func runStatus(args []string, stdout, stderr io.Writer) int {
	fs := newFlagSet("status", stderr)
	var cfg auth.Config
	cfg.AddFlags(fs)
	var no netOptions
	no.AddFlags(fs)
	debug := fs.Bool("debug", false, "log details")
	if ok, code := parseFlags(fs, args); !ok {
		return code
	}
	log := newLogger(stderr, *debug)
	if dir, err := runtimeDir(os.Getenv); err == nil {
		printMounts(stdout, runningMounts(dir), time.Now())
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	s, err := connect(ctx, &cfg, no, log, os.Getenv)
	if err != nil {
		return fail(stderr, "%s", explain(err, "status"))
	}
	p, err := s.profile(ctx)
	if err != nil {
		return fail(stderr, "%s", explain(err, "profile lookup failed"))
	}
	fmt.Fprintf(stdout, "Account:   %s (%s, id %d)\n", p.Email, p.DisplayName, p.ID)
	if tok, err := (&auth.Store{Dir: cfg.ConfigDir}).Load(); err == nil {
		if tok.Expiry.IsZero() {
			fmt.Fprintln(stdout, "Token:     does not expire")
		} else {
			fmt.Fprintf(stdout, "Token:     access token valid until %s (refreshed automatically)\n", tok.Expiry.Local().Format(time.RFC1123))
		}
	} else {
		fmt.Fprintln(stdout, "Token:     personal API token")
	}
	code := exitOK
	drives, err := s.drives.Drives(ctx)
	switch {
	case err != nil:
		fmt.Fprintf(stderr, "infomaniakfs: %s\n", explain(err, "listing kDrive drives failed"))
		code = exitFail
	case len(drives) == 0:
		fmt.Fprintln(stdout, "kDrive:    no kDrive found for this account: check on https://kdrive.infomaniak.com that at least one drive is accessible")
		code = exitFail
	default:
		fmt.Fprintf(stdout, "kDrive:    %d drive(s)\n", len(drives))
		for _, d := range drives {
			fmt.Fprintf(stdout, "  %-30s id %-8d %s used of %s\n", d.Name, d.ID, humanBytes(d.UsedSize), humanBytes(d.Size))
		}
	}
	boxes, err := s.mail.Mailboxes(ctx)
	switch {
	case err != nil:
		fmt.Fprintf(stderr, "infomaniakfs: %s\n", explain(err, "listing mailboxes failed"))
		code = exitFail
	case len(boxes) == 0:
		fmt.Fprintln(stdout, "Mail:      no mailbox found for this account")
	default:
		fmt.Fprintf(stdout, "Mail:      %d mailbox(es)\n", len(boxes))
		for _, b := range boxes {
			fmt.Fprintf(stdout, "  %s\n", b.Email)
		}
	}
	return code
}

func humanBytes(n int64) string {
	const unit = 1024
	if n < unit {
		return fmt.Sprintf("%d B", n)
	}
	div, exp := int64(unit), 0
	for m := n / unit; m >= unit; m /= unit {
		div *= unit
		exp++
	}
	return fmt.Sprintf("%.1f %ciB", float64(n)/float64(div), "KMGTPE"[exp])
}
