// Command infomaniakfs logs in to Infomaniak once and mounts every kDrive
// drive and every mailbox the account can reach as one read-only tree.
//
// It is the only place that parses flags: each package with options
// contributes them through AddFlags, and main wires the packages together.
package main

import (
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strings"

	"github.com/spf13/pflag"

	"github.com/infomaniakfs/infomaniakfs/remote"
)

// Exit codes: 0 success, 1 operational failure, 2 usage error, 3 the
// token is gone (systemd's unit does not restart on 2 and 3: trying again
// cannot fix them, and a restart loop would only fill the journal).
const (
	exitOK        = 0
	exitFail      = 1
	exitUsage     = 2
	exitLoggedOut = 3
)

type command struct {
	name  string
	usage string
	short string
	run   func(args []string, stdout, stderr io.Writer) int
}

func commands() []command {
	return []command{
		{"login", "login [--no-browser]", "log in to Infomaniak once and store the token", runLogin},
		{"mount", "mount MOUNTPOINT [flags]", "mount kDrive and Mail (foreground; Ctrl-C unmounts)", runMount},
		{"status", "status", "show the account, token expiry, drives and mailboxes", runStatus},
		{"logout", "logout", "revoke and delete the stored token", runLogout},
		{"demo", "demo MOUNTPOINT", "run an in-process emulator with sample data and mount it", runDemo},
		{"version", "version", "print the version and the source revision", runVersion},
		{"completion", "completion bash|zsh|fish", "print a shell completion script", runCompletion},
		{"man", "man", "print the man page (roff)", runMan},
	}
}

func main() {
	if isMountHelper(os.Args[0]) {
		os.Exit(runMountHelper(os.Args[1:], os.Stdout, os.Stderr))
	}
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

func run(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		usage(stdout)
		if len(args) == 0 {
			return exitUsage
		}
		return exitOK
	}
	if args[0] == "--version" || args[0] == "-V" {
		return runVersion(args[1:], stdout, stderr)
	}
	for _, c := range commands() {
		if c.name == args[0] {
			return c.run(args[1:], stdout, stderr)
		}
	}
	fmt.Fprintf(stderr, "infomaniakfs: unknown command %q\n", args[0])
	usage(stderr)
	return exitUsage
}

func usage(w io.Writer) {
	fmt.Fprintln(w, "usage: infomaniakfs COMMAND [flags]")
	fmt.Fprintln(w)
	for _, c := range commands() {
		fmt.Fprintf(w, "  %-28s %s\n", c.usage, c.short)
	}
	fmt.Fprintln(w)
	fmt.Fprintln(w, "Run 'infomaniakfs COMMAND --help' for the flags of one command.")
}

// newFlagSet returns a flag set whose parse errors are reported, not fatal.
func newFlagSet(name string, stderr io.Writer) *pflag.FlagSet {
	fs := pflag.NewFlagSet(name, pflag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.SortFlags = false
	captured.record(fs)
	return fs
}

// parseFlags parses args and says whether the command should go on.
func parseFlags(fs *pflag.FlagSet, args []string) (ok bool, code int) {
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, pflag.ErrHelp) {
			return false, exitOK
		}
		// pflag prints nothing under ContinueOnError: say what was wrong.
		fmt.Fprintf(fs.Output(), "infomaniakfs %s: %v (see --help)\n", fs.Name(), err)
		return false, exitUsage
	}
	return true, exitOK
}

// newLogger: quiet by default (warnings and the few lines a user should see),
// everything with --debug. Tokens and secrets are never passed to it. It
// also becomes the default logger, which auth logs to: otherwise --debug
// would not reach auth's lines, and they would come in another format.
func newLogger(w io.Writer, debug bool) *slog.Logger {
	level := slog.LevelInfo
	if debug {
		level = slog.LevelDebug
	}
	opts := &slog.HandlerOptions{Level: level}
	if w == io.Writer(os.Stderr) && stderrIsJournal(os.Getenv("JOURNAL_STREAM")) {
		w, opts.ReplaceAttr = journalWriter{w}, dropTime
	}
	log := slog.New(slog.NewTextHandler(w, opts))
	slog.SetDefault(log)
	return log
}

// failStart reports why a mount could not start: exitLoggedOut when
// Infomaniak refused the token (only `infomaniakfs login` helps), else
// exitFail.
func failStart(stderr io.Writer, err error, what string) int {
	fail(stderr, "%s", explain(err, what))
	if errors.Is(err, remote.ErrAuth) {
		return exitLoggedOut
	}
	return exitFail
}

// fail prints one clear line and returns the failure exit code.
func fail(stderr io.Writer, format string, a ...any) int {
	msg := fmt.Sprintf(format, a...)
	fmt.Fprintln(stderr, "infomaniakfs: "+strings.TrimSpace(msg))
	return exitFail
}
